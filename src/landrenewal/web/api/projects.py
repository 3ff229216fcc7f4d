"""Projects over HTTP: the list, the dossier with the actions open to the reader, and the writes
(create, act, record, attach), each one event of the archive (docs/projects.md).

Anyone logged in reads projects; a town officer acts only on its own town's projects, the city on
all; a viewer reads. Rights holders' names and their individual consent are personal information:
only the project's town and the city see them (docs/privacy.md); others see the tallies.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Annotated, Any

import pandas as pd
from annotated_types import Ge, Le
from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from landrenewal.domain.access import User
from landrenewal.domain.language import say
from landrenewal.domain.projects.actions import judge
from landrenewal.domain.projects.gates import Facts
from landrenewal.domain.projects.vocabulary import CLOCK_STATUS, EVENT_KINDS, KINDS, LEDGER_DOCUMENTS
from landrenewal.domain.projects.votes import MATTERS
from landrenewal.projects import ledger, service
from landrenewal.projects.documents import DocumentError
from landrenewal.projects.views import ProjectError, ProjectView, Upload
from landrenewal.store import projects as records
from landrenewal.store.frames import utc_iso
from landrenewal.store.projects import NewProject, ProjectConflict
from landrenewal.web.deps import ApiError, CurrentUser, Day, State
from landrenewal.web.schemas.projects import (
    ActionTake,
    ProjectCreate,
    ProjectDossier,
    ProjectList,
    RecordTake,
    Written,
)

router = APIRouter(prefix="/api/projects", tags=["projects"])
MIB = 1024 * 1024


def _pair(pair: tuple[str, str]) -> str:
    return say(*pair)


def _iso(value: Any) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return pd.Timestamp(value).date().isoformat()


def _row(
    project: Mapping[Any, Any], stage: str, stage_name: str, since: Any, next_due: Any, overdue: bool, parcels: int
) -> dict[str, Any]:
    return {
        "code": project["code"],
        "name": project["name"],
        "kind": project["kind"],
        "kind_name": _pair(KINDS.get(project["kind"], (project["kind"], project["kind"]))),
        "renewal_type": _text(project.get("renewal_type")),
        "workflow": project["workflow"],
        "division_code": project["division_code"],
        "stage": stage,
        "stage_name": stage_name,
        "since": _iso(since),
        "next_due": _iso(next_due),
        "overdue": bool(overdue),
        "parcel_count": parcels,
    }


def _text(value: Any) -> str | None:
    """A stored text, or None where the store holds none (pandas reads that as NaN)."""
    return value if isinstance(value, str) else None


# Days a project's record can be read on: deadlines and bans are counted in days within these years.
FIRST_DAY, LAST_DAY = dt.date(1949, 10, 1), dt.date(2200, 12, 31)


def _as_of(day: dt.date | None) -> dt.date:
    if day is None:
        return _today()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ApiError(
            422,
            "invalid",
            say(f"as_of：应在 {FIRST_DAY} 至 {LAST_DAY} 之间", f"as_of: must lie between {FIRST_DAY} and {LAST_DAY}"),
        )
    return day


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # the city's day (Beijing time)


@router.get("", summary="项目列表 Projects with their derived stage and deadlines", response_model=ProjectList)
def project_list(
    state: State,
    user: CurrentUser,
    town: str | None = None,
    kind: str | None = None,
    stage: str | None = None,
    overdue: bool | None = None,
    due_within: Annotated[int, Ge(0), Le(36500)] | None = None,
    as_of: Day | None = None,
) -> dict[str, Any]:
    """Filters: ``town`` (a code prefix), ``kind``, ``stage``, ``overdue``, ``due_within`` (days from ``as_of``)."""
    day = _as_of(as_of)
    with state.store.engine.connect() as conn:
        frame = service.listing(conn, state.store, day)
        counts = records.parcels_frame(conn, state.store).groupby("project_id").size()
    if len(frame):
        keep = pd.Series(True, index=frame.index)
        if town:
            keep &= frame["division_code"].astype(str).str.startswith(town)
        if kind:
            keep &= frame["kind"] == kind
        if stage:
            keep &= frame["stage"] == stage
        if overdue is not None:
            keep &= frame["overdue"] == overdue
        if due_within is not None:
            due = pd.to_datetime(frame["next_due"])
            keep &= due.notna() & (due <= pd.Timestamp(day) + pd.Timedelta(days=due_within))
        frame = frame[keep]
    items = [
        _row(
            r, r["stage"], r["stage_name"], r["since"], r["next_due"], r["overdue"], int(counts.get(r["project_id"], 0))
        )
        for r in frame.to_dict("records")
    ]
    return {"items": items, "total": len(items), "as_of": day.isoformat()}


def _may_act(user: User, view: ProjectView) -> bool:
    return user.may_edit(str(view.project["division_code"]))


def _actions(conn: Any, state: State, user: User, view: ProjectView, facts: Facts) -> list[dict[str, Any]]:
    wf = view.workflow
    attached = service.attached_kinds(conn, state.store, view)
    out = []
    for action in wf.offered(view.stage):
        verdict = judge(
            wf,
            view.stage,
            action.id,
            role=user.role.value,
            documents=attached,
            values={},
            facts=facts,
            suspended=view.suspended,
            check_fields=False,
        )
        refusals = list(verdict.refusals)
        if not _may_act(user, view):
            refusals.insert(
                0, say("只有项目所在镇街与市级用户可以办理。", "only the project's town and the city act on it.")
            )
        out.append(
            {
                "action": action.id,
                "name": say(action.zh, action.en),
                "target": action.target,
                "allowed": not refusals,
                "refusals": refusals,
                "documents": {k: say(*wf.documents[k]) for k in action.documents},
                "fields": [
                    {
                        "id": f,
                        "name": say(wf.fields[f].zh, wf.fields[f].en),
                        "kind": wf.fields[f].kind,
                        "unit": wf.fields[f].unit,
                        "choices": {k: say(*v) for k, v in wf.fields[f].choices.items()},
                    }
                    for f in action.fields
                ],
            }
        )
    return out


def _events(conn: Any, state: State, view: ProjectView, personal: bool) -> list[dict[str, Any]]:
    wf = view.workflow
    events = view.events
    voided = set(events.loc[events["kind"] == "void", "target_seq"].dropna().astype(int))
    attached = records.documents_frame(conn, state.store, events["id"].astype(int).tolist())
    by_event = {k: g for k, g in attached.groupby("event_id")} if len(attached) else {}
    out = []
    for e in events.to_dict("records"):
        consent_event = e["kind"] == "consent"
        files = by_event.get(e["id"])
        documents = (
            []
            if files is None or (consent_event and not personal)
            else [
                {
                    "kind": d["kind"],
                    "kind_name": say(
                        *wf.documents.get(d["kind"], LEDGER_DOCUMENTS.get(d["kind"], (d["kind"], d["kind"])))
                    ),
                    "name": d["name"],
                    "sha256": d["sha256"],
                    "media_type": d["media_type"],
                    "size": int(d["size"]),
                }
                for d in files.to_dict("records")
            ]
        )
        payload = json.loads(e["payload"] or "{}")
        action = e["action"] if isinstance(e["action"], str) else None
        out.append(
            {
                "seq": int(e["seq"]),
                "kind": e["kind"],
                "kind_name": _pair(EVENT_KINDS.get(e["kind"], (e["kind"], e["kind"]))),
                "action": action,
                "action_name": (
                    _pair(ledger.CONSENT_KINDS[action])
                    if consent_event and action in ledger.CONSENT_KINDS
                    else wf.action_name(action)
                    if action
                    else None
                ),
                "day": _iso(e["day"]) or "",
                "recorded_at": utc_iso(pd.Timestamp(e["recorded_at"]).to_pydatetime()),
                "user": e["user_name"],
                "reason": _text(e["reason"]),
                "voided": int(e["seq"]) in voided,
                "voids": None if pd.isna(e["target_seq"]) else int(e["target_seq"]),
                "deadline": e["deadline"] if isinstance(e["deadline"], str) else None,
                "days": None if pd.isna(e["days"]) else int(e["days"]),
                "holder_key": e["holder_key"] if personal and isinstance(e["holder_key"], str) else None,
                "matter": e["matter"] if isinstance(e["matter"], str) else None,
                "values": _values_shown(wf, payload.get("values", {})),
                "documents": documents,
            }
        )
    return out


def _values_shown(wf: Any, values: dict[str, Any]) -> dict[str, Any]:
    """An action's recorded values as people read them: the field by its name, a choice by its label."""
    out = {}
    for name, value in values.items():
        spec = wf.fields.get(name)
        if spec is None:
            out[name] = value
            continue
        label = spec.choices.get(value) if spec.kind == "choice" else None
        out[say(spec.zh, spec.en)] = say(*label) if label else value
    return out


def _consent(conn: Any, state: State, view: ProjectView, facts: Facts, day: dt.date, personal: bool) -> tuple[Any, Any]:
    if facts.consent is None:
        return None, ([] if personal else None)
    t = facts.consent
    summary = {
        "holders": int(t["holders"]),
        "area_m2": float(t["area_m2"]),
        "persons": int(t["persons"]),
        **{k: (None if pd.isna(t[k]) else float(t[k])) for k in ledger.RATIOS},
    }
    if not personal:
        return summary, None
    columns = ["holder_key", "kind", "name", "id_masked", "parcel_code", "area_m2", "persons", "state"]
    holders = ledger.holder_list(conn, state.store, view, day)[columns]
    rows = holders.astype(object).where(holders.notna(), None).to_dict("records")
    return summary, rows


@router.get(
    "/{code}",
    summary="项目档案 A project's dossier: stages, deadlines, timeline, consent, actions",
    response_model=ProjectDossier,
)
def dossier(code: str, state: State, user: CurrentUser, as_of: Day | None = None) -> dict[str, Any]:
    day = _as_of(as_of)
    with state.store.engine.connect() as conn:
        view = _load(conn, state, code, day)
        personal = user.sees_private(str(view.project["division_code"]))
        wf = view.workflow
        entered: dict[str, Any] = {}
        for e in view.entries.to_dict("records"):
            entered[e["stage"]] = e["day"]
        stages = [
            {
                "stage": s,
                "name": wf.state_name(s),
                "entered": _iso(entered.get(s)),
                "current": s == view.stage,
                "end": wf.states[s].end,
            }
            for s in wf.stage_bar(view.stage)
        ]
        clocks = [
            {
                "deadline": c["deadline"],
                "name": say(wf.deadlines[c["deadline"]].zh, wf.deadlines[c["deadline"]].en),
                "started": _iso(c["started"]) or "",
                "due": _iso(c["due"]) or "",
                "met": _iso(c["met"]),
                "status": c["status"],
                "status_name": _pair(CLOCK_STATUS[c["status"]]),
                "suspended_days": int(c["suspended_days"]),
                "extended_days": int(c["extended_days"]),
                "missed_recorded": bool(c["missed_recorded"]),
                "exempt": bool(c["exempt"]),
            }
            for c in view.clocks.to_dict("records")
        ]
        bans = [
            {
                "deadline": b["deadline"],
                "name": say(wf.deadlines[b["deadline"]].zh, wf.deadlines[b["deadline"]].en),
                "until": _iso(b["until"]) or "",
            }
            for b in view.bans.to_dict("records")
        ]
        facts = ledger.facts(conn, state.store, view, day)
        consent, holders = _consent(conn, state, view, facts, day, personal)
        votes = [
            {
                "matter": m,
                "name": _pair(MATTERS.get(m, (m, m))),
                "passed": o.passed,
                "checks": [c.text for c in o.checks],
            }
            for m, o in ledger.votes_of(view, day).items()
        ]
        next_due = (
            view.clocks.loc[view.clocks["status"].isin(["running", "suspended", "overdue"]), "due"].min()
            if len(view.clocks)
            else None
        )
        overdue = bool((view.clocks["status"] == "overdue").any()) if len(view.clocks) else False
        project = view.project
        return {
            "project": _row(
                project, view.stage, wf.state_name(view.stage), view.since, next_due, overdue, len(view.parcels)
            ),
            "workflow_name": say(wf.zh, wf.en),
            "responsible_unit": _text(project.get("responsible_unit")),
            "responsible_person": _text(project.get("responsible_person")),
            "planned_area_mu": _number(project.get("planned_area_mu")),
            "planned_investment_wan": _number(project.get("planned_investment_wan")),
            "target_industries": _text(project.get("target_industries")),
            "old_village": bool(project.get("old_village")),
            "parcels": view.parcels,
            "stages": stages,
            "clocks": clocks,
            "bans": bans,
            "events": _events(conn, state, view, personal),
            "actions": _actions(conn, state, user, view, facts),
            "suspended": view.suspended,
            "consent": consent,
            "holders": holders,
            "votes": votes,
            "last_seq": view.last_seq,
            "may_act": _may_act(user, view),
        }


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _load(conn: Any, state: State, code: str, day: dt.date) -> ProjectView:
    try:
        return service.load(conn, state.store, code, day)
    except ProjectError as error:
        raise ApiError(404, "not_found", str(error)) from error


def _day(text: str) -> dt.date:
    try:
        return _as_of(dt.date.fromisoformat(text))
    except ValueError:
        raise ApiError(
            422, "invalid", say(f"day：应为日期 YYYY-MM-DD，而不是 {text!r}", f"day: must be YYYY-MM-DD, not {text!r}")
        ) from None


def _writes(state: State, user: User, code: str) -> None:
    """Refuses a user who may not act on the project (another town's, or a viewer)."""
    with state.store.engine.connect() as conn:
        view = _load(conn, state, code, _today())
    if not _may_act(user, view):
        raise ApiError(
            403,
            "forbidden",
            say("只有项目所在镇街与市级用户可以办理。", "only the project's town and the city act on it."),
        )


def _written(run: Any) -> Any:
    try:
        return run()
    except service.ActionRefused as refused:
        raise ApiError(422, "refused", "\n".join(refused.verdict.refusals)) from refused
    except ProjectConflict as conflict:
        raise ApiError(409, "conflict", str(conflict)) from conflict
    except (ProjectError, DocumentError) as error:
        raise ApiError(422, "invalid", str(error)) from error


@router.post("", summary="立项 Set up a project", response_model=Written)
def create(body: ProjectCreate, state: State, user: CurrentUser) -> dict[str, Any]:
    if not user.may_edit(body.town):
        raise ApiError(403, "forbidden", say("只能在本镇街立项。", "a project is set up in your own town only."))
    policy = _policy(state)
    project = NewProject(
        code="",
        name=body.name,
        kind=body.kind,
        workflow=body.workflow,
        policy_id=policy,
        division_code=body.town,
        parcels=tuple(body.parcels),
        renewal_type=body.renewal_type,
        village_code=body.village,
        responsible_unit=body.responsible_unit,
        responsible_person=body.responsible_person,
        planned_area_mu=body.planned_area_mu,
        planned_investment_wan=body.planned_investment_wan,
        target_industries=body.target_industries,
        old_village=body.old_village,
    )
    day = _day(body.day) if body.day else _today()
    code = _written(lambda: service.create(state.store, project, day=day, user=user.username, reason=body.reason))
    return {"code": code, "seq": 1}


def _policy(state: State) -> str:
    from landrenewal.analysis.policy import store_policy

    with state.store.engine.connect() as conn:
        found = store_policy(conn)
    if found is None:
        raise ApiError(422, "invalid", say("库未设定政策。", "the store has no policy."))
    return found


@router.post("/{code}/actions", summary="办理 Take a workflow action", response_model=Written)
def act(code: str, body: ActionTake, state: State, user: CurrentUser) -> dict[str, Any]:
    _writes(state, user, code)
    seq = _written(
        lambda: service.act(
            state.store,
            code,
            body.action,
            day=_day(body.day),
            user=user.username,
            role=user.role.value,
            reason=body.reason,
            values=body.values,
            seen_seq=body.seen_seq,
        )
    )
    return {"code": code, "seq": seq}


@router.post(
    "/{code}/records", summary="中止、恢复、延期、作废、备注 Record beside the workflow", response_model=Written
)
def record(code: str, body: RecordTake, state: State, user: CurrentUser) -> dict[str, Any]:
    _writes(state, user, code)
    seq = _written(
        lambda: service.record(
            state.store,
            code,
            body.kind,
            day=_day(body.day),
            user=user.username,
            reason=body.reason,
            target_seq=body.target_seq,
            deadline=body.deadline,
            days=body.days,
            seen_seq=body.seen_seq,
        )
    )
    return {"code": code, "seq": seq}


@router.post("/{code}/documents", summary="附件 Attach a document (type read from its content)", response_model=Written)
async def attach(
    code: str,
    state: State,
    user: CurrentUser,
    kind: Annotated[str, Form()],
    day: Annotated[str, Form()],
    seen_seq: Annotated[int, Form()],
    file: Annotated[UploadFile, File()],
    reason: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    await run_in_threadpool(_writes, state, user, code)
    content = await file.read(state.settings.upload_max_mib * MIB + 1)
    upload = Upload(kind, file.filename or "file", content)
    seq = await run_in_threadpool(
        _written,
        lambda: service.record(
            state.store,
            code,
            "document",
            day=_day(day),
            user=user.username,
            reason=reason,
            uploads=[upload],
            seen_seq=seen_seq,
        ),
    )
    return {"code": code, "seq": seq}


@router.get(
    "/{code}/documents/{sha256}",
    summary="下载附件 Download a document of the project (its town and the city)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(code: str, sha256: str, state: State, user: CurrentUser) -> Response:
    with state.store.engine.connect() as conn:
        view = _load(conn, state, code, _today())
        if not user.sees_private(str(view.project["division_code"])):
            raise ApiError(
                403,
                "forbidden",
                say(
                    "附件仅项目所在镇街与市级用户可下载。",
                    "only the project's town and the city download its documents.",
                ),
            )
        attached = records.documents_frame(conn, state.store, view.events["id"].astype(int).tolist())
        if sha256 not in set(attached["sha256"]):
            raise ApiError(404, "not_found", say("本项目没有此附件。", "this project has no such document."))
        found = records.document(conn, sha256)
    assert found is not None
    content, media = found
    name = attached.loc[attached["sha256"] == sha256, "name"].iloc[0]
    from urllib.parse import quote

    return Response(
        content, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )
