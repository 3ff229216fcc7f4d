"""``landrenewal audit``: the audit log, or what one import changed record by record, a page at a time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from landrenewal.cli.common import DEFAULT_DB, DbOption, Exit, JsonOption, console, fail
from landrenewal.domain.language import say

# Times are kept in UTC; the table shows them on the city's clock, with the zone said.
LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def _local(text: str) -> str:
    return dt.datetime.fromisoformat(text).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S %z")


def _short(value: Any, width: int = 120) -> str:
    shown = "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def audit_help() -> str:
    return say(
        "操作日志：何人、何时（带时区）、改了什么，最新的在前；--import 给出某次导入每条记录的改前改后。",
        "The audit log, newest first: who, when (with the time zone) and what changed; with --import, "
        "one import and each record it inserted or updated, with the changed fields before and after.",
    )


def audit(
    import_id: Annotated[
        int | None,
        typer.Option(
            "--import",
            help=say("只看这次导入的逐条变更", "show one import's changes, record by record"),
        ),
    ] = None,
    page: Annotated[int, typer.Option(min=1, help=say("页码", "the page"))] = 1,
    page_size: Annotated[int, typer.Option(min=1, max=1000, help=say("每页条数", "rows per page"))] = 50,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """The audit log, or one import's changes (help: audit_help)."""
    from landrenewal import accounts
    from landrenewal.store import changes
    from landrenewal.store.engine import StoreError, open_store

    try:
        store = open_store(db, create=False)
    except StoreError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    offset = (page - 1) * page_size
    with store.engine.connect() as conn:
        if import_id is None:
            rows = accounts.audit_rows(conn, offset, page_size)
            total = accounts.audit_count(conn)
            found = None
        else:
            found = changes.import_row(conn, import_id)
            if found is None:
                fail(say(f"没有编号为 {import_id} 的导入", f"no import numbered {import_id}"), Exit.USAGE, as_json)
            rows = changes.change_rows(conn, import_id, offset, page_size)
            total = changes.change_count(conn, import_id)
    paging = {"total": total, "page": page, "page_size": page_size}
    if as_json:
        print(json.dumps(({"import": found} if found else {}) | {"items": rows} | paging, ensure_ascii=False))
        return
    pages = max(1, -(-total // page_size))
    if found is None:
        table = Table(
            title=say(
                f"操作日志（第 {page}/{pages} 页，共 {total} 条；北京时间）",
                f"Audit log (page {page} of {pages}, {total} entries; Beijing time)",
            )
        )
        for title in (
            say("时间", "when"),
            say("何人", "who"),
            say("操作", "action"),
            say("对象", "entity"),
            say("键", "key"),
            say("改前", "before"),
            say("改后", "after"),
        ):
            table.add_column(title, overflow="fold")
        for r in rows:
            table.add_row(
                _local(r["at"]),
                r["username"],
                r["action"],
                r["entity"],
                r["key"],
                _short(r["before"]),
                _short(r["after"]),
            )
    else:
        what, at, by = f"{found['kind']} ← {found['file']}", _local(found["at"]), found["by"] or "—"
        console.print(
            say(
                f"导入 {found['id']}：{what}，{at}，{by}；新增 {found['inserted']}，修改 {found['updated']}，"
                f"未变 {found['unchanged']}，跳过 {found['rejected']}",
                f"Import {found['id']}: {what}, {at}, {by}; {found['inserted']} inserted, {found['updated']} updated, "
                f"{found['unchanged']} unchanged, {found['rejected']} skipped",
            )
        )
        table = Table(
            title=say(
                f"逐条变更（第 {page}/{pages} 页，共 {total} 条）", f"Changes (page {page} of {pages}, {total} in all)"
            )
        )
        for title in (say("记录", "record"), say("变更", "change"), say("改前", "before"), say("改后", "after")):
            table.add_column(title, overflow="fold")
        for r in rows:
            table.add_row(r["key"], r["change"], _short(r["before"]), _short(r["after"]))
    console.print(table)
