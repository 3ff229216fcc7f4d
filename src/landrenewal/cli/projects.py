"""``landrenewal projects`` and ``landrenewal deadlines``: set up projects, take workflow actions,
record suspensions, extensions and corrections, and sweep missed deadlines (docs/projects.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from landrenewal.cli.common import (
    App,
    DbOption,
    Exit,
    JsonOption,
    PolicyOption,
    console,
    fail,
    os_user,
    parse_date,
)
from landrenewal.domain.language import say
from landrenewal.domain.projects.vocabulary import KINDS, RENEWAL_TYPES

projects_app = App(
    help=say(
        "整治项目：立项、按工作流办理、中止与延期、更正、全周期档案。",
        "Projects: set up, take workflow actions, suspend and extend, correct, and the full record.",
    ),
    no_args_is_help=True,
)
deadlines_app = App(help=say("项目期限。", "Project deadlines."), no_args_is_help=True)

DayOption = Annotated[
    str | None, typer.Option("--day", help=say("业务日期 YYYY-MM-DD，默认今天", "the business date, default today"))
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help=say("以哪一天计算，默认今天", "the day to derive as of, default today"))
]
ReasonOption = Annotated[str | None, typer.Option("--reason", help=say("事由", "the reason"))]
CodeArgument = Annotated[str, typer.Argument(help=say("项目编号", "the project code"))]


@contextmanager
def _failures(as_json: bool) -> Iterator[None]:
    from landrenewal.domain.policy import PolicyError
    from landrenewal.projects.documents import DocumentError
    from landrenewal.projects.service import ActionRefused, ProjectError
    from landrenewal.store.engine import StoreError
    from landrenewal.store.projects import ProjectConflict

    try:
        yield
    except ActionRefused as exc:
        if as_json:
            print(json.dumps({"error": "refused", "reasons": list(exc.verdict.refusals)}, ensure_ascii=False))
            raise typer.Exit(int(Exit.REFUSED)) from None
        console.print(f"[bold red]{say('不能办理', 'Refused')}[/]")
        for reason in exc.verdict.refusals:
            console.print(f"  [red]✗[/] {reason}")
        raise typer.Exit(int(Exit.REFUSED)) from None
    except (ProjectError, DocumentError, ProjectConflict) as exc:
        fail(str(exc), Exit.REFUSED, as_json)
    except (PolicyError, StoreError) as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)


def _store(db: str) -> Any:
    from landrenewal.store.engine import open_store

    return open_store(db, create=False)


def _day(text: str | None, as_json: bool) -> dt.date:
    return parse_date(text, as_json) if text else dt.date.today()


def _pairs(items: list[str] | None, what: str, as_json: bool) -> list[tuple[str, str]]:
    out = []
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(
                say(f"{what} 须写作 名称=值，实为 {item!r}", f"{what} is written name=value, not {item!r}"),
                Exit.USAGE,
                as_json,
            )
        out.append((key.strip(), value.strip()))
    return out


def _code(text: str, words: Mapping[str, tuple[str, str]]) -> str:
    """A coded value typed as its code or its Chinese name (处置 → disposal)."""
    by_name = {zh: code for code, (zh, _) in words.items()}
    return by_name.get(text.strip(), text.strip())


def _value(text: str) -> Any:
    """A field value typed on the command line: a number when it reads as one, else the text."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


@projects_app.command("create", help=say("立项。", "Set up a project."))
def create(
    name: Annotated[str, typer.Option("--name", help=say("项目名称", "the project's name"))],
    kind: Annotated[str, typer.Option("--kind", help=say("disposal（处置）或 renewal（改造）", "disposal or renewal"))],
    workflow: Annotated[
        str,
        typer.Option(
            "--workflow",
            help=say(
                "工作流名称（见所用政策的工作流参数）", "the workflow's name (see the policy's workflow parameters)"
            ),
        ),
    ],
    town: Annotated[str, typer.Option("--town", help=say("所在镇街代码（9位）", "the town's 9-digit code"))],
    parcels: Annotated[
        str | None,
        typer.Option("--parcels", help=say("宗地代码，以 ； 或 , 分隔", "parcel codes, separated by ； or ,")),
    ] = None,
    renewal_type: Annotated[
        str | None,
        typer.Option(
            "--type",
            help=say(
                "改造类型：工改工、工改居商、工改商、村级工业园改造、旧村改造",
                "the renewal type, e.g. industrial_to_industrial (or its Chinese name)",
            ),
        ),
    ] = None,
    village: Annotated[str | None, typer.Option("--village", help=say("村代码", "the village's code"))] = None,
    unit: Annotated[str | None, typer.Option("--unit", help=say("责任单位", "the responsible unit"))] = None,
    person: Annotated[str | None, typer.Option("--person", help=say("责任人", "the person responsible"))] = None,
    area_mu: Annotated[float | None, typer.Option("--area-mu", help=say("计划面积（亩）", "planned area (mu)"))] = None,
    investment: Annotated[
        float | None, typer.Option("--investment", help=say("计划投资（万元）", "planned investment (10k yuan)"))
    ] = None,
    industries: Annotated[str | None, typer.Option("--industries", help=say("拟引入产业", "target industries"))] = None,
    old_village: Annotated[
        bool, typer.Option("--old-village", help=say("以旧村为主", "mainly an old village"))
    ] = False,
    code: Annotated[
        str | None, typer.Option("--code", help=say("项目编号，默认自动编号", "the code; default: numbered"))
    ] = None,
    day: DayOption = None,
    reason: ReasonOption = None,
    policy: PolicyOption = None,
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.analysis.policy import store_policy
    from landrenewal.projects.service import create as create_project
    from landrenewal.store.projects import NewProject

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            policy_ref = policy or store_policy(conn)
        if policy_ref is None:
            fail(say("库未设定政策，请用 --policy 指定", "the store has no policy: pass --policy"), Exit.USAGE, as_json)
        codes = tuple(c.strip() for c in (parcels or "").replace("；", ",").replace(";", ",").split(",") if c.strip())
        kind = _code(kind, KINDS)
        renewal_type = _code(renewal_type, RENEWAL_TYPES) if renewal_type else None
        project = NewProject(
            code=code or "",
            name=name,
            kind=kind,
            workflow=workflow,
            policy_id=policy_ref,
            division_code=town,
            parcels=codes,
            renewal_type=renewal_type,
            village_code=village,
            responsible_unit=unit,
            responsible_person=person,
            planned_area_mu=area_mu,
            planned_investment_wan=investment,
            target_industries=industries,
            old_village=old_village,
        )
        made = create_project(store, project, day=_day(day, as_json), user=os_user(), reason=reason)
    if as_json:
        print(json.dumps({"code": made}, ensure_ascii=False))
    else:
        console.print(say(f"已立项 {made}", f"Project {made} set up"))


@projects_app.command(
    "list", help=say("项目列表：阶段、进入日期、最近期限、是否逾期。", "List projects with stage and deadlines.")
)
def list_projects(as_of: AsOfOption = None, db: DbOption = "landrenewal.gpkg", as_json: JsonOption = False) -> None:
    from landrenewal.projects.service import listing

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            frame = listing(conn, store, _day(as_of, as_json))
    columns = ["code", "name", "kind", "division_code", "stage", "stage_name", "since", "next_due", "overdue"]
    if as_json:
        rows = frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records")
        print(json.dumps(rows, ensure_ascii=False, default=_iso))
        return
    table = Table(*[say(zh, en) for zh, en in _HEADERS])
    for row in frame.to_dict("records"):
        table.add_row(
            row["code"],
            row["name"],
            row["stage_name"],
            _iso(row["since"]),
            _iso(row["next_due"]),
            say("逾期", "overdue") if row["overdue"] else "",
        )
    console.print(table)


_HEADERS = (
    ("项目编号", "Code"),
    ("项目名称", "Name"),
    ("当前阶段", "Stage"),
    ("进入日期", "Since"),
    ("最近期限", "Next due"),
    ("", ""),
)


def _iso(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    return pd.Timestamp(value).date().isoformat()


@projects_app.command(
    "show", help=say("项目档案：阶段、期限、全部事件。", "A project's record: stages, deadlines, events.")
)
def show(
    code: CodeArgument, as_of: AsOfOption = None, db: DbOption = "landrenewal.gpkg", as_json: JsonOption = False
) -> None:
    from landrenewal.projects.service import load

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            view = load(conn, store, code, _day(as_of, as_json))
    wf = view.workflow
    data = {
        "code": code,
        "name": view.project["name"],
        "workflow": wf.id,
        "stage": view.stage,
        "stage_name": wf.state_name(view.stage),
        "since": _iso(view.since),
        "suspended": view.suspended,
        "parcels": view.parcels,
        "attributes": view.attributes,
        "stages": [{"stage": r["stage"], "day": _iso(r["day"])} for r in view.entries.to_dict("records")],
        "deadlines": [
            {
                "deadline": r["deadline"],
                "started": _iso(r["started"]),
                "due": _iso(r["due"]),
                "met": _iso(r["met"]),
                "status": r["status"],
                "suspended_days": int(r["suspended_days"]),
                "extended_days": int(r["extended_days"]),
            }
            for r in view.clocks.to_dict("records")
        ],
        "bans": [{"deadline": r["deadline"], "until": _iso(r["until"])} for r in view.bans.to_dict("records")],
        "events": [
            {
                "seq": int(r["seq"]),
                "kind": r["kind"],
                "action": r["action"] if isinstance(r["action"], str) else None,
                "day": _iso(r["day"]),
                "user": r["user_name"],
                "reason": r["reason"] if isinstance(r["reason"], str) else None,
            }
            for r in view.events.to_dict("records")
        ],
        "actions": [a.id for a in wf.offered(view.stage)],
    }
    if as_json:
        print(json.dumps(data, ensure_ascii=False, default=str))
        return
    from rich.markup import escape

    from landrenewal.domain.projects.vocabulary import CLOCK_STATUS, EVENT_KINDS
    from landrenewal.projects.ledger import CONSENT_KINDS

    console.print(
        f"[bold]{code}[/] {escape(str(view.project['name']))} — {wf.state_name(view.stage)}（{data['since']}）"
    )
    for r in data["deadlines"]:
        deadline = wf.deadlines[r["deadline"]]
        status = say(*CLOCK_STATUS[r["status"]])
        console.print(f"  {say(deadline.zh, deadline.en)}：{r['due']}（{status}）")
    for e in data["events"]:
        action = e["action"] if isinstance(e["action"], str) else None
        if e["kind"] == "consent" and action in CONSENT_KINDS:
            what = f"{say(*EVENT_KINDS['consent'])}：{say(*CONSENT_KINDS[action])}"
        elif action:
            what = wf.action_name(action)
        else:
            what = say(*EVENT_KINDS.get(e["kind"], (e["kind"], e["kind"])))
        reason = e["reason"] if isinstance(e["reason"], str) else ""
        console.print(f"  #{e['seq']} {e['day']} {escape(what)} {escape(str(e['user']))} {escape(reason)}")


@projects_app.command("act", help=say("按工作流办理一个动作。", "Take a workflow action."))
def act(
    code: CodeArgument,
    action: Annotated[
        str,
        typer.Argument(
            help=say(
                "动作代码（项目档案列出当前可办理的动作）",
                "the action's code (a project's record lists those open now)",
            )
        ),
    ],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help=say("字段取值 名称=值，可多次", "a field value name=value; repeatable")),
    ] = None,
    doc: Annotated[
        list[str] | None,
        typer.Option("--doc", help=say("附件 类型=文件路径，可多次", "a document kind=path; repeatable")),
    ] = None,
    role: Annotated[str, typer.Option("--role", help=say("以哪个角色办理", "the role acting"))] = "city",
    day: DayOption = None,
    reason: ReasonOption = None,
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.projects.service import act as take

    values = {k: _value(v) for k, v in _pairs(set_, "--set", as_json)}
    uploads = [_upload(kind, path, as_json) for kind, path in _pairs(doc, "--doc", as_json)]
    with _failures(as_json):
        seq = take(
            _store(db),
            code,
            action,
            day=_day(day, as_json),
            user=os_user(),
            role=role,
            reason=reason,
            values=values,
            uploads=uploads,
        )
    _done(code, seq, as_json)


def _upload(kind: str, path: str, as_json: bool) -> Any:
    from landrenewal.projects.service import Upload

    file = Path(path)
    if not file.is_file():
        fail(say(f"{path}：文件不存在", f"{path}: no such file"), Exit.USAGE, as_json)
    return Upload(kind, file.name, file.read_bytes())


def _done(code: str, seq: int, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"code": code, "seq": seq}, ensure_ascii=False))
    else:
        console.print(say(f"{code}：已记录事件 #{seq}", f"{code}: event #{seq} recorded"))


@projects_app.command(
    "record",
    help=say(
        "记录中止（suspend）、恢复（resume）、延期（extend）、作废（void）或备注（note）。",
        "Record a suspension, a resumption, an extension, a void or a note.",
    ),
)
def record(
    code: CodeArgument,
    kind: Annotated[
        str,
        typer.Argument(
            help=say(
                "suspend 中止、resume 恢复、extend 延期、void 作废、note 备注", "suspend, resume, extend, void or note"
            )
        ),
    ],
    seq: Annotated[int | None, typer.Option("--seq", help=say("作废哪个事件", "the event a void voids"))] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help=say("延期的期限", "the deadline extended"))] = None,
    days: Annotated[int | None, typer.Option("--days", help=say("延长天数", "days of extension"))] = None,
    day: DayOption = None,
    reason: ReasonOption = None,
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.projects.service import record as write

    with _failures(as_json):
        done = write(
            _store(db),
            code,
            kind,
            day=_day(day, as_json),
            user=os_user(),
            reason=reason,
            target_seq=seq,
            deadline=deadline,
            days=days,
        )
    _done(code, done, as_json)


@projects_app.command("attach", help=say("为项目附加文件（按内容存放）。", "Attach a document to a project."))
def attach(
    code: CodeArgument,
    file: Annotated[Path, typer.Argument(help=say("文件", "the file"))],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help=say("文件类型代码（见工作流的文件清单）", "the document kind (as the workflow lists them)")
        ),
    ],
    day: DayOption = None,
    reason: ReasonOption = None,
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.projects.service import record as write

    upload = _upload(kind, str(file), as_json)
    with _failures(as_json):
        done = write(
            _store(db), code, "document", day=_day(day, as_json), user=os_user(), reason=reason, uploads=[upload]
        )
    _done(code, done, as_json)


@deadlines_app.command(
    "sweep",
    help=say(
        "逾期扫描：把到期未完成的期限各记录一次（同日再扫不重复记录）。",
        "Record each deadline missed by the day, once (a second sweep the same day records nothing).",
    ),
)
def sweep(
    as_of: Annotated[str, typer.Option("--as-of", help=say("扫描日期 YYYY-MM-DD", "the day of the sweep"))],
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.projects.service import sweep as run

    with _failures(as_json):
        found = run(_store(db), parse_date(as_of, as_json), os_user())
    rows = [{"code": r["code"], "deadline": r["deadline"], "due": _iso(r["due"])} for r in found.to_dict("records")]
    if as_json:
        print(json.dumps({"as_of": as_of, "missed": rows}, ensure_ascii=False))
        return
    console.print(say(f"{as_of}：新记录逾期 {len(rows)} 项", f"{as_of}: {len(rows)} missed deadlines recorded"))
    for r in rows:
        console.print(f"  {r['code']} {r['deadline']} {r['due']}")
