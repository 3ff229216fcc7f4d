"""The audit log: who wrote what and when, from any entry point, with before and after."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from landrenewal.store import schema
from landrenewal.store.frames import plain, utc_iso


def now_utc() -> dt.datetime:
    """The time a record is stamped with (aware, UTC; shown in Asia/Shanghai)."""
    return dt.datetime.now(dt.UTC)


def audit(
    conn: Connection, who: str, action: str, entity: str, key: str, before: Any = None, after: Any = None
) -> None:
    """One row of the audit log (written in the caller's transaction, so it stands or falls with the change)."""
    conn.execute(
        schema.audit_log.insert().values(
            at=now_utc(),
            username=who,
            action=action,
            entity=entity,
            entity_key=key,
            before=None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            after=None if after is None else json.dumps(after, ensure_ascii=False, default=str),
        )
    )


def about(entity: str, key: str, *, prefix: bool = False) -> ColumnElement[bool]:
    """Audit rows about one record (``prefix``: about every record whose key starts so, such as
    ``uscc/`` for all of an enterprise's yearly figures)."""
    log = schema.audit_log
    keyed = log.c.entity_key.startswith(key, autoescape=True) if prefix else log.c.entity_key == key
    return (log.c.entity == entity) & keyed


def audit_rows(
    conn: Connection, offset: int, limit: int, where: ColumnElement[bool] | None = None
) -> list[dict[str, Any]]:
    """The audit log, newest first; times as ISO text in UTC with the zone (``+00:00``)."""
    log = schema.audit_log
    query = select(log.c.at, log.c.username, log.c.action, log.c.entity, log.c.entity_key, log.c.before, log.c.after)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query.order_by(log.c.id.desc()).offset(offset).limit(limit))
    names = ("at", "username", "action", "entity", "key", "before", "after")
    return [{n: utc_iso(v) if n == "at" else plain(v) for n, v in zip(names, row, strict=True)} for row in rows]


def audit_count(conn: Connection, where: ColumnElement[bool] | None = None) -> int:
    log = schema.audit_log
    query = select(func.count()).select_from(log)
    return int(conn.execute(query if where is None else query.where(where)).scalar_one())
