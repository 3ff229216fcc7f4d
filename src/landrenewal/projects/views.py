"""A project as the store holds it and the domain derives it, as of a day: its row, parcels,
workflow, stage, stage entries, clocks, bans, events and recorded field values (docs/projects.md)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from landrenewal.accounts.audit import audit
from landrenewal.domain.language import say
from landrenewal.domain.projects import derive
from landrenewal.domain.projects.periods import WorkCalendar, china_work_calendar
from landrenewal.domain.projects.workflow import Workflow, WorkflowError, workflows
from landrenewal.policies.files import resolve_policy
from landrenewal.store import projects as records
from landrenewal.store.engine import Store


class ProjectError(ValueError):
    """A request about a project that cannot be met: names what and why."""


@dataclass(frozen=True)
class Upload:
    kind: str  # the workflow's document kind
    name: str
    content: bytes


@dataclass
class ProjectView:
    """One project with everything derived from its events as of a day."""

    project: dict[str, Any]
    parcels: list[str]
    workflow: Workflow
    stage: str
    since: dt.date | None
    entries: pd.DataFrame
    clocks: pd.DataFrame
    bans: pd.DataFrame
    events: pd.DataFrame
    attributes: dict[str, Any]
    suspended: bool
    last_seq: int
    recorded: frozenset[str] = field(default_factory=frozenset)


@functools.cache
def calendar() -> WorkCalendar:
    return china_work_calendar()


def workflow_of(policy_id: str, workflow_id: str, day: dt.date) -> Workflow:
    """The workflow ``workflow_id`` of the policy as in force on ``day``."""
    try:
        found = _workflows(policy_id, day, _stamp(policy_id))
    except WorkflowError as error:
        raise ProjectError("\n".join(error.problems)) from error
    if workflow_id not in found:
        known = "、".join(found) or say("无", "none")
        raise ProjectError(
            say(
                f"政策 {policy_id} 在 {day} 没有工作流 {workflow_id}（可用：{known}）。",
                f"policy {policy_id} has no workflow {workflow_id} on {day} (it has: {known}).",
            )
        )
    return found[workflow_id]


def _stamp(ref: str) -> int:
    """A policy file's modification time (0 for a shipped id): a changed file is read again."""
    path = Path(ref)
    return path.stat().st_mtime_ns if path.is_file() else 0


@functools.lru_cache(maxsize=512)
def _workflows(policy_id: str, day: dt.date, stamp: int) -> dict[str, Workflow]:
    """The policy's workflows on a day, read once: every action and listing asks for them."""
    return workflows(resolve_policy(policy_id, day))


def attributes(projects: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """What deadlines and gates read about each project, one row per project: its flags, and each
    field the latest live action recorded (the implementation mode chosen at 确认主体, the disposal
    mode …). Only the events that recorded fields are read: a handful per project."""
    frame = projects[["project_id", "kind", "old_village"]].copy()
    alive = derive.live(events)
    acts = alive[(alive["kind"] == "action") & alive["payload"].str.contains('"values"', regex=False)]
    if acts.empty:
        return frame
    values = pd.json_normalize([json.loads(text).get("values", {}) for text in acts["payload"]])
    values["project_id"] = acts["project_id"].to_numpy()
    latest = values.groupby("project_id").last()  # per field, the last value recorded
    return frame.merge(latest.drop(columns=["kind", "old_village"], errors="ignore"), on="project_id", how="left")


def load(conn: Connection, store: Store, code: str, as_of: dt.date) -> ProjectView:
    project_id = records.project_id(conn, code)
    if project_id is None:
        raise ProjectError(say(f"没有编号为 {code} 的项目。", f"no project numbered {code}."))
    project = {str(k): v for k, v in records.projects_frame(conn, store, [project_id]).iloc[0].items()}
    events = records.events_frame(conn, store, [project_id])
    parcels = records.parcels_frame(conn, store, [project_id])["parcel_code"].tolist()
    workflow = workflow_of(project["policy_id"], project["workflow"], as_of)
    frame = pd.DataFrame([project])
    attrs = attributes(frame, events)
    stage = derive.stages(workflow, frame, events).iloc[0]
    clocks = derive.clocks(workflow, attrs, events, as_of, calendar())
    alive = derive.live(events)
    marks = alive[alive["kind"].isin(["suspend", "resume"])]["kind"]
    return ProjectView(
        project=project,
        parcels=parcels,
        workflow=workflow,
        stage=str(stage["stage"]),
        since=None if pd.isna(stage["since"]) else pd.Timestamp(stage["since"]).date(),
        entries=derive.entries(workflow, events),
        clocks=clocks,
        bans=derive.bans(clocks, calendar()),
        events=events,
        attributes={str(k): v for k, v in attrs.iloc[0].items() if not _missing(v)},
        suspended=bool(len(marks)) and marks.iloc[-1] == "suspend",
        last_seq=int(events["seq"].max()) if len(events) else 0,
        recorded=frozenset(alive.loc[alive["kind"] == "action", "action"].dropna()),
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def audited(conn: Connection, user: str, verb: str, code: str, after: dict[str, Any]) -> None:
    """The audit row of a project write (``project.<verb>``), in the write's transaction. What it
    records reads in words: an action by its name, a holder by number and name, never an ID number."""
    audit(conn, user, f"project.{verb}", "projects", code, after=after)
