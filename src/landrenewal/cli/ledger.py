"""``landrenewal holders``, ``consent`` and ``votes``: a project's rights holders, their consent and
the collective's votes, recorded from the command line (docs/consent.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from landrenewal.cli.common import App, DbOption, Exit, JsonOption, console, fail, os_user, parse_date
from landrenewal.cli.projects import (
    AsOfOption,
    CodeArgument,
    DayOption,
    ReasonOption,
    _day,
    _done,
    _failures,
    _store,
    _upload,
)
from landrenewal.domain.language import say

holders_app = App(help=say("权益人清单。", "A project's rights holders."), no_args_is_help=True)
consent_app = App(
    help=say("权益人意愿：书面同意、协议签订、撤回。", "Consent: written consent, agreements, withdrawals."),
    no_args_is_help=True,
)
votes_app = App(help=say("集体经济组织表决。", "A collective's votes."), no_args_is_help=True)


@holders_app.command(
    "import",
    help=say(
        "导入权益人清单（XLSX 或 CSV，中文表头）。", "Import a rights-holder list (XLSX or CSV, Chinese headers)."
    ),
)
def holders_import(
    code: CodeArgument,
    file: Annotated[Path, typer.Argument(help=say("权益人清单文件", "the list"))],
    sheet: Annotated[str | None, typer.Option("--sheet", help=say("工作表名称", "the sheet"))] = None,
    day: DayOption = None,
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.files.source import SourceError
    from landrenewal.projects.holders_file import HolderFileError, read_holders
    from landrenewal.projects.ledger import add_holders

    try:
        holders = read_holders(file, sheet)
    except (HolderFileError, SourceError) as error:
        fail(str(error), Exit.REFUSED, as_json)
    with _failures(as_json):
        keys = add_holders(_store(db), code, holders, day=_day(day, as_json), user=os_user())
    if as_json:
        print(json.dumps({"code": code, "added": keys}, ensure_ascii=False))
    else:
        console.print(say(f"{code}：已登记权益人 {len(keys)} 名", f"{code}: {len(keys)} rights holders added"))


@consent_app.command(
    "record", help=say("登记一名权益人的意愿。", "Record a rights holder's consent, agreement or withdrawal.")
)
def consent_record(
    code: CodeArgument,
    holder: Annotated[str, typer.Argument(help=say("权益人编号", "the holder's number"))],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help=say("consent 书面同意、signed 协议签订、withdrawn 撤回", "consent, signed or withdrawn")
        ),
    ] = "consent",
    doc: Annotated[Path | None, typer.Option("--doc", help=say("证明文件", "the evidence"))] = None,
    day: DayOption = None,
    reason: ReasonOption = None,
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.projects.ledger import record_consent

    uploads = [_upload("consent_evidence", str(doc), as_json)] if doc else []
    with _failures(as_json):
        seq = record_consent(
            _store(db), code, holder, kind, day=_day(day, as_json), user=os_user(), reason=reason, uploads=uploads
        )
    _done(code, seq, as_json)


@consent_app.command(
    "status",
    help=say(
        "同意率（按面积、按人数）与未同意的权益人。", "Consent by area and by persons, and who has not consented."
    ),
)
def consent_status(
    code: CodeArgument, as_of: AsOfOption = None, db: DbOption = "landrenewal.gpkg", as_json: JsonOption = False
) -> None:
    from landrenewal.projects import ledger, service

    day = _day(as_of, as_json)
    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            view = service.load(conn, store, code, day)
            facts = ledger.facts(conn, store, view, day)
            holders = ledger.holder_list(conn, store, view, day)
    if facts.consent is None:
        fail(say(f"{code}：尚未登记权益人", f"{code}: no rights holders recorded"), Exit.REFUSED, as_json)
    tally = facts.consent
    missing = holders.loc[holders["state"] == "none", "holder_key"].tolist()
    names = holders.set_index("holder_key")["name"]
    figures = {k: (None if tally[k] != tally[k] else float(tally[k])) for k in ledger.RATIOS}
    if as_json:
        print(
            json.dumps(
                {"code": code, "as_of": day.isoformat(), **figures, "not_consented": missing}, ensure_ascii=False
            )
        )
        return
    from landrenewal.domain.projects.outcome import percent

    def shown(key: str) -> str:
        value = figures[key]
        return "—" if value is None else percent(value)

    a, b = shown("consented_area_ratio"), shown("consented_persons_ratio")
    c, d = shown("signed_area_ratio"), shown("signed_persons_ratio")
    console.print(
        say(
            f"{code}（{day}）面积同意率 {a}，人数同意率 {b}；面积签约率 {c}，人数签约率 {d}",
            f"{code} ({day}): area consenting {a}, persons consenting {b}; area signed {c}, persons signed {d}",
        )
    )
    for key in missing:
        console.print(f"  {say('未同意', 'not consented')}：{key} {names.get(key, '')}")


@votes_app.command(
    "record",
    help=say(
        "登记一次表决的票数（结果由系统按政策计算）。",
        "Record a vote's counts (the result is computed under the policy).",
    ),
)
def votes_record(
    code: CodeArgument,
    matter: Annotated[
        str,
        typer.Option("--matter", help=say("表决事项：intent、plan、conversion、compensation、partner", "the matter")),
    ],
    body: Annotated[
        str, typer.Option("--body", help=say("会议：general、representatives、joint、affected", "the body voting"))
    ],
    date: Annotated[str, typer.Option("--date", help=say("表决日期", "the vote's date"))],
    eligible: Annotated[int, typer.Option("--eligible", help=say("应到人数", "entitled to vote"))],
    present: Annotated[int, typer.Option("--present", help=say("实到人数", "present"))],
    for_: Annotated[int, typer.Option("--for", help=say("赞成", "for"))],
    against: Annotated[int, typer.Option("--against", help=say("反对", "against"))] = 0,
    abstain: Annotated[int, typer.Option("--abstain", help=say("弃权", "abstaining"))] = 0,
    notice_start: Annotated[
        str | None, typer.Option("--notice-start", help=say("公示（通知）开始日期", "the notice's first day"))
    ] = None,
    households_eligible: Annotated[
        int | None, typer.Option("--households-eligible", help=say("应到户数", "households entitled"))
    ] = None,
    households_present: Annotated[
        int | None, typer.Option("--households-present", help=say("实到户数", "households present"))
    ] = None,
    affected: Annotated[
        int | None, typer.Option("--affected", help=say("被拆迁安置人总数", "all persons affected"))
    ] = None,
    doc: Annotated[Path | None, typer.Option("--doc", help=say("表决记录", "the minutes"))] = None,
    reason: ReasonOption = None,
    db: DbOption = "landrenewal.gpkg",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.domain.projects.votes import Vote
    from landrenewal.projects.ledger import record_vote

    vote = Vote(
        matter,
        body,
        parse_date(date, as_json),
        eligible=eligible,
        present=present,
        for_=for_,
        against=against,
        abstain=abstain,
        notice_start=parse_date(notice_start, as_json) if notice_start else None,
        households_eligible=households_eligible,
        households_present=households_present,
        affected=affected,
    )
    uploads = [_upload("vote_record", str(doc), as_json)] if doc else []
    with _failures(as_json):
        seq = record_vote(_store(db), code, vote, user=os_user(), reason=reason, uploads=uploads)
    _done(code, seq, as_json)
