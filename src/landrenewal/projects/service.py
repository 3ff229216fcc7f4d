"""Projects as the command line and the web app use them: create, act, record, sweep, list, show
(docs/projects.md). Reads the store, asks the domain what is derived and what is allowed, and
writes one event per change, in one transaction with its audit row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from landrenewal.accounts.audit import now_utc
from landrenewal.domain.language import say
from landrenewal.domain.projects import derive
from landrenewal.domain.projects.actions import Verdict, judge
from landrenewal.domain.projects.vocabulary import KINDS, LEDGER_DOCUMENTS, RENEWAL_TYPES
from landrenewal.domain.projects.workflow import Field
from landrenewal.projects import documents as docs
from landrenewal.projects import ledger
from landrenewal.projects.views import (
    ProjectError,
    ProjectView,
    Upload,
    attributes,
    audited,
    calendar,
    load,
    workflow_of,
)
from landrenewal.store import projects as records
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.projects import NewEvent, NewProject, ProjectConflict

# kinds recorded beside workflow actions, and who may record them
MAX_EXTENSION_DAYS = 3650  # ten years: longer is no extension but a new project
RECORD_KINDS = ("suspend", "resume", "extend", "void", "note", "document")


class ActionRefused(ProjectError):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__("\n".join(verdict.refusals))
        self.verdict = verdict


def create(
    store: Store,
    project: NewProject,
    *,
    day: dt.date,
    user: str,
    reason: str | None = None,
) -> str:
    """Set up a project (its code; a free code of the year when ``project.code`` is empty).

    Refused when the workflow does not serve the project's kind, or while a restart ban lies on
    any of its parcels (a deadline missed through the unit's own fault: docs/projects.md)."""
    if project.kind not in KINDS:
        raise ProjectError(
            say(
                f"项目类型须为 disposal 或 renewal，实为 {project.kind!r}。",
                f"the kind must be disposal or renewal, not {project.kind!r}.",
            )
        )
    if project.renewal_type is not None and project.renewal_type not in RENEWAL_TYPES:
        known = "、".join(zh for zh, _ in RENEWAL_TYPES.values())
        raise ProjectError(
            say(f"改造类型须为：{known}。", f"the renewal type must be one of {', '.join(RENEWAL_TYPES)}.")
        )
    workflow = workflow_of(project.policy_id, project.workflow, day)
    if workflow.kinds and project.kind not in workflow.kinds:
        raise ProjectError(
            say(
                f"工作流「{workflow.zh}」用于{'、'.join(KINDS[k][0] for k in workflow.kinds)}项目。",
                f"the workflow {workflow.en} serves {', '.join(KINDS[k][1] for k in workflow.kinds)} projects.",
            )
        )
    now = now_utc()
    with store.write() as conn:
        _refuse_unknown_town(conn, project.division_code)
        _refuse_unknown(conn, project.parcels)
        _refuse_banned(conn, store, project.parcels, day)
        code = project.code or records.next_code(conn, day.year)
        fields = {k: v for k, v in dataclasses.asdict(project).items() if k not in ("scope", "parcels")}
        created = NewEvent("created", day, user, reason, payload={"project": {**fields, "code": code}})
        records.create(conn, store, dataclasses.replace(project, code=code), created, now)
        audited(conn, user, "create", code, {"name": project.name, "parcel_codes": "、".join(project.parcels)})
    return code


def _shown(field: Field, value: Any) -> Any:
    """A recorded value as the audit log shows it: a choice by its name."""
    return field.choices[value][0] if field.kind == "choice" and value in field.choices else value


def _refuse_unknown_town(conn: Connection, code: str) -> None:
    t = schema.divisions
    known = conn.execute(select(t.c.division_code).where(t.c.division_code == code)).first()
    if len(code) != 9 or known is None:
        raise ProjectError(
            say(
                f"镇街代码 {code!r} 不是库中的镇街（9 位代码）。",
                f"{code!r} is not a town of the store (a 9-digit code).",
            )
        )


def _refuse_unknown(conn: Connection, parcels: Sequence[str]) -> None:
    if not parcels:
        return
    known = set(
        conn.execute(
            select(schema.parcels.c.parcel_code).where(schema.parcels.c.parcel_code.in_(list(parcels)))
        ).scalars()
    )
    missing = [p for p in parcels if p not in known]
    if missing:
        shown = "、".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        raise ProjectError(say(f"库中没有这些宗地：{shown}。", f"the store has no such parcels: {shown}."))


def _refuse_banned(conn: Connection, store: Store, parcels: Sequence[str], day: dt.date) -> None:
    if not parcels:
        return
    ids = records.projects_on(conn, parcels)
    if not ids:
        return
    for banned in bans(conn, store, ids, day).to_dict("records"):
        until = pd.Timestamp(banned["until"]).date()
        if until >= day:
            raise ProjectError(
                say(
                    f"宗地属项目 {banned['code']}，其「{banned['deadline_zh']}」逾期未完成，{until} 前不得重启改造。",
                    f"the land belongs to project {banned['code']}, which missed “{banned['deadline_en']}”: "
                    f"it may not start renewal again before {until}.",
                )
            )


def bans(conn: Connection, store: Store, ids: Sequence[int], as_of: dt.date) -> pd.DataFrame:
    """The restart bans on projects ``ids`` (code, deadline's names, until)."""
    rows = []
    for view in (load(conn, store, code, as_of) for code in _codes(conn, store, ids)):
        for ban in view.bans.itertuples():
            deadline = view.workflow.deadlines[str(ban.deadline)]
            rows.append(
                {
                    "code": view.project["code"],
                    "deadline_zh": deadline.zh,
                    "deadline_en": deadline.en,
                    "until": ban.until,
                }
            )
    return pd.DataFrame(rows, columns=["code", "deadline_zh", "deadline_en", "until"])


def _codes(conn: Connection, store: Store, ids: Sequence[int]) -> list[str]:
    return records.projects_frame(conn, store, ids)["code"].tolist()


def act(
    store: Store,
    code: str,
    action: str,
    *,
    day: dt.date,
    user: str,
    role: str,
    reason: str | None = None,
    values: Mapping[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
    seen_seq: int | None = None,
    document_limit: int = docs.DEFAULT_LIMIT_BYTES,
) -> int:
    """Take a workflow action (its event's seq), or ActionRefused with every reason.

    ``seen_seq`` is the last event the user saw: if another was recorded since, ProjectConflict."""
    values = dict(values or {})
    media = [(u, docs.checked(u.name, u.content, document_limit)) for u in uploads]
    now = now_utc()
    with store.write() as conn:
        view = _as_seen(conn, store, code, day, seen_seq)
        _refuse_unknown_kinds(view, uploads)
        attached = {u.kind for u in uploads} | attached_kinds(conn, store, view)
        verdict = judge(
            view.workflow,
            view.stage,
            action,
            role=role,
            documents=attached,
            values=values,
            facts=ledger.facts(conn, store, view, day),
            suspended=view.suspended,
        )
        if not verdict.allowed:
            raise ActionRefused(verdict)
        extra = sorted(set(values) - set(view.workflow.actions[action].fields))
        if extra:
            raise ProjectError(
                say(
                    f"「{view.workflow.action_name(action)}」不记录这些字段：{extra}。", f"{action} records no {extra}."
                )
            )
        stored = [(records.keep_document(conn, u.content, kind, now), u.kind, u.name) for u, kind in media]
        payload: dict[str, Any] = {"values": values} if values else {}
        if verdict.gates:
            payload["gates"] = [
                {"gate": g.gate, "passed": g.passed, "zh": [c.zh for c in g.checks], "en": [c.en for c in g.checks]}
                for g in verdict.gates
            ]
        event = NewEvent("action", day, user, reason, action=action, payload=payload, documents=stored)
        seq = records.append(conn, int(view.project["project_id"]), view.last_seq, event, now)
        shown = {view.workflow.fields[k].zh: _shown(view.workflow.fields[k], v) for k, v in values.items()}
        audited(
            conn,
            user,
            "act",
            code,
            {"seq": seq, "event": view.workflow.action_name(action), "day": day.isoformat(), **shown},
        )
    return seq


def attached_kinds(conn: Connection, store: Store, view: ProjectView) -> set[str]:
    """The document kinds attached to the project's live events (a document once given serves later actions)."""
    alive = derive.live(view.events)
    found = records.documents_frame(conn, store, alive["id"].astype(int).tolist())
    return set(found["kind"])


def record(
    store: Store,
    code: str,
    kind: str,
    *,
    day: dt.date,
    user: str,
    reason: str | None,
    target_seq: int | None = None,
    deadline: str | None = None,
    days: int | None = None,
    exempt: bool = False,
    uploads: Sequence[Upload] = (),
    seen_seq: int | None = None,
) -> int:
    """Record a suspension, a resumption, an extension, a void or a note (its seq)."""
    if kind not in RECORD_KINDS:
        raise ProjectError(say(f"未知的记录类型 {kind!r}。", f"unknown record kind {kind!r}."))
    if kind not in ("note", "document") and not (reason or "").strip():
        raise ProjectError(say("须写明事由。", "a reason is required."))
    if kind == "document" and not uploads:
        raise ProjectError(say("未附文件。", "no file is attached."))
    media = [(u, docs.checked(u.name, u.content)) for u in uploads]
    now = now_utc()
    with store.write() as conn:
        view = _as_seen(conn, store, code, day, seen_seq)
        _refuse_unknown_kinds(view, uploads)
        _check_record(view, kind, target_seq, deadline, days)
        stored = [(records.keep_document(conn, u.content, k, now), u.kind, u.name) for u, k in media]
        event = NewEvent(
            kind,
            day,
            user,
            reason,
            target_seq=target_seq,
            deadline=deadline,
            days=days,
            exempt=exempt,
            documents=stored,
        )
        seq = records.append(conn, int(view.project["project_id"]), view.last_seq, event, now)
        after: dict[str, Any] = {"seq": seq, "day": day.isoformat(), "reason": reason}
        if target_seq is not None:
            after["target_seq"] = target_seq
        audited(conn, user, kind, code, after)
    return seq


def _refuse_unknown_kinds(view: ProjectView, uploads: Sequence[Upload]) -> None:
    """A document's kind is one the workflow names (or the consent ledger's and votes' own)."""
    known = set(view.workflow.documents) | set(LEDGER_DOCUMENTS)
    for upload in uploads:
        if upload.kind not in known:
            names = "、".join(known)
            raise ProjectError(
                say(
                    f"{upload.name}：未知的文件类型 {upload.kind!r}（可用：{names}）。",
                    f"{upload.name}: unknown document kind {upload.kind!r} ({names}).",
                )
            )


def _as_seen(conn: Connection, store: Store, code: str, day: dt.date, seen_seq: int | None) -> ProjectView:
    """The project to write on; ProjectConflict if an event was recorded since the user read it."""
    view = load(conn, store, code, day)
    if seen_seq is not None and seen_seq != view.last_seq:
        raise ProjectConflict(
            say("项目已被他人更新，请刷新后重试。", "the project changed since you read it: reload and try again.")
        )
    return view


def _check_record(view: ProjectView, kind: str, target_seq: int | None, deadline: str | None, days: int | None) -> None:
    if kind == "suspend" and view.suspended:
        raise ProjectError(say("项目已处于中止状态。", "the project is suspended already."))
    if kind == "resume" and not view.suspended:
        raise ProjectError(say("项目未中止，无需恢复。", "the project is not suspended."))
    if kind == "extend":
        if days is None or not 0 < days <= MAX_EXTENSION_DAYS:
            raise ProjectError(
                say(
                    f"延期天数须为 1 至 {MAX_EXTENSION_DAYS} 的整数。",
                    f"the days of an extension must be a whole number from 1 to {MAX_EXTENSION_DAYS}.",
                )
            )
        if deadline not in view.workflow.deadlines:
            known = "、".join(view.workflow.deadlines) or say("无", "none")
            raise ProjectError(
                say(
                    f"工作流没有期限 {deadline!r}（可用：{known}）。",
                    f"the workflow has no deadline {deadline!r} ({known}).",
                )
            )
    if kind == "void":
        events = view.events
        target = events[events["seq"] == target_seq]
        if target.empty:
            raise ProjectError(say(f"没有序号为 {target_seq} 的事件。", f"no event numbered {target_seq}."))
        if target["kind"].iloc[0] in ("void", "created"):
            raise ProjectError(
                say(
                    "作废记录和立项记录不能作废；请重新记录。",
                    "a void or the project's creation cannot be voided: record the event anew.",
                )
            )
        if target_seq in set(events.loc[events["kind"] == "void", "target_seq"].dropna().astype(int)):
            raise ProjectError(say(f"事件 {target_seq} 已作废。", f"event {target_seq} is voided already."))


def sweep(store: Store, as_of: dt.date, user: str) -> pd.DataFrame:
    """Record every deadline missed by ``as_of`` once (``code``, ``deadline``, ``due``); a second
    sweep on the same day records nothing."""
    now = now_utc()
    found = []
    with store.write() as conn:
        projects = records.projects_frame(conn, store)
        for (policy_id, workflow_id), group in projects.groupby(["policy_id", "workflow"]):
            workflow = workflow_of(str(policy_id), str(workflow_id), as_of)
            events = records.events_frame(conn, store, group["project_id"].tolist())
            clocks = derive.clocks(workflow, attributes(group, events), events, as_of, calendar())
            missed = derive.to_sweep(clocks, as_of)
            last = events.groupby("project_id")["seq"].max()
            codes = group.set_index("project_id")["code"]
            for row in missed.to_dict("records"):
                pid = int(row["project_id"])
                reason = say("期限届满未完成（逾期扫描）", "deadline passed unmet (deadline sweep)")
                event = NewEvent(
                    "missed",
                    as_of,
                    user,
                    reason,
                    deadline=str(row["deadline"]),
                    payload={"due": pd.Timestamp(row["due"]).date().isoformat()},
                )
                seq = records.append(conn, pid, int(last[pid]), event, now)
                last[pid] = seq
                found.append({"code": codes[pid], "deadline": row["deadline"], "due": pd.Timestamp(row["due"]).date()})
        if found:
            audited(conn, user, "sweep", as_of.isoformat(), {"missed": len(found)})
    return pd.DataFrame(found, columns=["code", "deadline", "due"])


def listing(conn: Connection, store: Store, as_of: dt.date) -> pd.DataFrame:
    """Every project with its derived stage, the day it entered it, its next due date and whether
    any deadline is overdue, computed per workflow in a few vectorised steps."""
    projects = records.projects_frame(conn, store)
    if projects.empty:
        return projects.assign(stage=[], stage_name=[], since=[], next_due=[], overdue=[])
    parts = []
    for (policy_id, workflow_id), group in projects.groupby(["policy_id", "workflow"]):
        workflow = workflow_of(str(policy_id), str(workflow_id), as_of)
        events = records.events_frame(conn, store, group["project_id"].tolist())
        stages = derive.stages(workflow, group, events)
        clocks = derive.clocks(workflow, attributes(group, events), events, as_of, calendar())
        open_ = clocks[clocks["status"].isin(["running", "suspended", "overdue"])]
        next_due = open_.groupby("project_id")["due"].min()
        overdue = open_[open_["status"] == "overdue"].groupby("project_id").size()
        merged = group.merge(stages, on="project_id")
        merged["stage_name"] = merged["stage"].map({s: workflow.state_name(s) for s in workflow.states})
        merged["next_due"] = next_due.reindex(merged["project_id"].to_numpy()).to_numpy()
        merged["overdue"] = overdue.reindex(merged["project_id"].to_numpy()).fillna(0).to_numpy() > 0
        parts.append(merged)
    return pd.concat(parts, ignore_index=True).sort_values("code", kind="stable").reset_index(drop=True)
