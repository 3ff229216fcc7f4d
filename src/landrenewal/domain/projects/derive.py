"""Stages, stage entry dates, due dates, overdue flags and restart bans, derived from the events
(docs/projects.md). Nothing here is typed in: a project's state is what its events say, read in
the order they were recorded; a voided event counts for nothing.

Vectorised over every project of a workflow at once (pandas), so that the project list of a city
derives 10⁴ projects' stages and clocks from 10⁶ events in well under a second; one project's
dossier is the same computation on a frame of one project.

The events frame has one row per event: ``project_id``, ``seq`` (per project, in the order
recorded), ``kind`` (see EVENT_KINDS), ``action``, ``day`` (the business date), ``target_seq``
(what a ``void`` voids), ``deadline`` and ``days`` (an ``extend``), ``exempt`` (a ``missed``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from landrenewal.domain.projects.periods import Period, WorkCalendar, period_ends
from landrenewal.domain.projects.workflow import Deadline, Workflow

EVENT_KINDS = (
    "created",  # the project was set up
    "action",  # a workflow action was taken (``action`` names it)
    "suspend",  # every running clock stops (政府原因, 不可抗力, 必要的前期工作)
    "resume",  # … and runs again
    "extend",  # one deadline moved by ``days`` days
    "void",  # an earlier event (``target_seq``) is withdrawn, with a reason; both stay on record
    "missed",  # a deadline was missed (the sweep records it once); ``exempt`` when not the unit's fault
    "consent",  # the consent ledger: 书面同意, 协议签订, 撤回
    "vote",  # a collective's vote
    "document",  # a document attached
    "note",
)
EVENT_COLUMNS = ("project_id", "seq", "kind", "action", "day", "target_seq", "deadline", "days", "exempt")


def _ends(anchors: np.ndarray, amounts: np.ndarray, unit: str, calendar: WorkCalendar) -> np.ndarray:
    """The legal period's end from each anchor (docs/periods.md), each with its own whole amount."""
    out = np.full(len(anchors), np.datetime64("NaT"), dtype="datetime64[D]")
    for amount in np.unique(amounts):  # a workflow's periods take a handful of lengths
        pick = amounts == amount
        period = Period(int(amount), unit)  # type: ignore[arg-type]
        out[pick] = period_ends(anchors[pick], period, holidays_move_end=False, calendar=calendar)
    return out


def live(events: pd.DataFrame) -> pd.DataFrame:
    """The events that count: all but those a ``void`` withdrew (a void itself cannot be voided)."""
    is_void = (events["kind"] == "void").to_numpy()
    if not is_void.any():
        return events
    voids = events[is_void]
    gone = _keys(voids["project_id"].to_numpy(), voids["target_seq"].to_numpy(dtype="int64"))
    keys = _keys(events["project_id"].to_numpy(), events["seq"].to_numpy())
    return events[~np.isin(keys, gone) & ~is_void]


def _keys(project_ids: np.ndarray, seqs: np.ndarray) -> np.ndarray:
    """(project, seq) as one int64 each, for fast set tests (seq below 2³²)."""
    return (project_ids.astype(np.int64) << 32) | seqs.astype(np.int64)


def stages(workflow: Workflow, projects: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each project's current stage and the day it entered it (``project_id``, ``stage``, ``since``)."""
    alive = live(events)
    moves = _moves(workflow, alive)
    last = moves.drop_duplicates("project_id", keep="last").set_index("project_id")
    created = alive[alive["kind"] == "created"].drop_duplicates("project_id").set_index("project_id")["day"]
    ids = projects["project_id"]
    stage = _lookup(ids, last["target"]).fillna(workflow.start)
    since = _lookup(ids, last["day"]).fillna(_lookup(ids, created))
    return pd.DataFrame({"project_id": ids.to_numpy(), "stage": stage.to_numpy(), "since": since.to_numpy()})


def entries(workflow: Workflow, events: pd.DataFrame) -> pd.DataFrame:
    """Every stage each project entered, with the day (``project_id``, ``stage``, ``day``, ``seq``), in order."""
    alive = live(events)
    created = alive[alive["kind"] == "created"][["project_id", "day", "seq"]].assign(stage=workflow.start)
    moves = _moves(workflow, alive)[["project_id", "target", "day", "seq"]].rename(columns={"target": "stage"})
    return pd.concat([created, moves], ignore_index=True).sort_values(["project_id", "seq"], kind="stable")


def _ended(workflow: Workflow, alive: pd.DataFrame) -> pd.Series:
    """The day each project that now stands in an end state (完成, 终止 …) entered it."""
    moves = _moves(workflow, alive).drop_duplicates("project_id", keep="last")
    ends = {s for s, state in workflow.states.items() if state.end}
    return moves[moves["target"].isin(ends)].set_index("project_id")["day"]


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` (indexed by unique keys) for each of ``keys``, missing where absent, keeping the
    values' type (a date stays a date even when nothing matches)."""
    return pd.Series(values.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def _moves(workflow: Workflow, alive: pd.DataFrame) -> pd.DataFrame:
    targets = {a.id: a.target for a in workflow.actions.values() if a.target}
    acts = alive[(alive["kind"] == "action") & alive["action"].isin(list(targets))]
    return acts.assign(target=acts["action"].map(targets)).sort_values(["project_id", "seq"], kind="stable")


def clocks(
    workflow: Workflow,
    projects: pd.DataFrame,
    events: pd.DataFrame,
    as_of: dt.date,
    calendar: WorkCalendar,
) -> pd.DataFrame:
    """Every running or finished deadline of every project, with its due date and status.

    A clock starts on the day of the latest (live) action that starts it, for projects whose
    attributes it applies to; it is met by a later action that ends it. Suspended days inside the
    running period and extensions move the due date; ``status`` is met | met_late | running |
    suspended | overdue as of ``as_of``, or ended when the project reached an end (completed,
    closed) before the clock ran out unmet.
    """
    alive = live(events)
    # only these kinds bear on a clock: the rest (notes, consent, documents …) are most of an archive
    alive = alive[alive["kind"].isin(["action", "suspend", "resume", "extend", "missed"]).to_numpy()]
    spans = _intervals(alive)
    ended = _ended(workflow, alive)
    frames = [_clock(d, projects, alive, spans, ended, as_of, calendar) for d in workflow.deadlines.values()]
    columns = [
        "project_id",
        "deadline",
        "started",
        "due",
        "met",
        "suspended_days",
        "extended_days",
        "status",
        "missed_recorded",
        "exempt",
        "consequence",
        "ban_years",
    ]
    found = [f for f in frames if len(f)]
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})
    return pd.concat(found, ignore_index=True)[columns]


def _dtype(column: str) -> str:
    if column in ("started", "due", "met"):
        return "datetime64[s]"
    if column in ("suspended_days", "extended_days", "ban_years"):
        return "int64"
    if column in ("missed_recorded", "exempt"):
        return "bool"
    return "object"


def _clock(
    deadline: Deadline,
    projects: pd.DataFrame,
    alive: pd.DataFrame,
    spans: pd.DataFrame,
    ended: pd.Series,
    as_of: dt.date,
    calendar: WorkCalendar,
) -> pd.DataFrame:
    applies = np.ones(len(projects), dtype=bool)
    for key, wanted in deadline.when.items():
        applies &= (projects[key] == wanted).to_numpy(dtype=bool) if key in projects else False
    chosen = projects.loc[applies]
    starts = alive[(alive["kind"] == "action") & (alive["action"] == deadline.starts)]
    starts = starts[starts["project_id"].isin(chosen["project_id"])]
    start = starts.drop_duplicates("project_id", keep="last")[["project_id", "seq", "day"]]
    if start.empty:
        return pd.DataFrame()
    start = start.rename(columns={"seq": "start_seq", "day": "started"})
    # the amount: one number, or per variant (a project flag choosing the mapping's key)
    if isinstance(deadline.amount, int):
        amounts = np.full(len(start), deadline.amount, dtype=np.int64)
    else:
        flag = chosen.set_index("project_id")[deadline.variant] if deadline.variant in chosen else None
        use_variant = (
            start["project_id"].map(flag.astype(bool)).eq(True).to_numpy()
            if flag is not None
            else np.zeros(len(start), dtype=bool)
        )
        default = deadline.amount["default"]
        amounts = np.where(use_variant, deadline.amount.get(deadline.variant, default), default).astype(np.int64)
    started = start["started"].to_numpy(dtype="datetime64[D]")
    base = _ends(started, amounts, deadline.unit, calendar)
    ends = alive[(alive["kind"] == "action") & alive["action"].isin(list(deadline.ends))]
    meeting = ends.merge(start[["project_id", "start_seq"]], on="project_id")
    meeting = meeting[meeting["seq"] > meeting["start_seq"]].drop_duplicates("project_id", keep="first")
    met_day = _lookup(start["project_id"], meeting.set_index("project_id")["day"]).to_numpy(dtype="datetime64[D]")
    extend = alive[(alive["kind"] == "extend") & (alive["deadline"] == deadline.id)]
    extended = start["project_id"].map(extend.groupby("project_id")["days"].sum()).fillna(0).to_numpy(dtype=np.int64)
    as_of_day = np.datetime64(as_of, "D")
    # a project that reached an end (completed, closed) runs no clock on: what was not met stops there
    end_day = _lookup(start["project_id"], ended).to_numpy(dtype="datetime64[D]")
    stopped = np.isnat(met_day) & ~np.isnat(end_day)
    # a clock stops when met or ended: suspensions after that day do not move it
    stop = np.where(np.isnat(met_day), np.where(stopped, end_day, as_of_day), met_day)
    suspended = _suspended_days(spans, start["project_id"].to_numpy(), started, base + extended, stop)
    due = base + extended + suspended
    if deadline.holidays_move_end:  # asked of the final last day, after suspensions and extensions
        due = calendar.roll_forward(due)
    running_suspension = _open_suspension(spans, start["project_id"].to_numpy())
    status = np.select(
        [~np.isnat(met_day) & (met_day <= due), ~np.isnat(met_day), as_of_day <= due],
        ["met", "met_late", "running"],
        "overdue",
    )
    status = np.where((status == "running") & running_suspension, "suspended", status)
    status = np.where(stopped & (end_day <= due), "ended", status)
    missed = alive[(alive["kind"] == "missed") & (alive["deadline"] == deadline.id)]
    missed = missed.merge(start[["project_id", "start_seq"]], on="project_id")
    missed = (
        missed[missed["seq"] > missed["start_seq"]].drop_duplicates("project_id", keep="last").set_index("project_id")
    )
    recorded = start["project_id"].isin(missed.index).to_numpy()
    exempt = start["project_id"].map(missed["exempt"].astype(bool)).eq(True).to_numpy()
    return pd.DataFrame(
        {
            "project_id": start["project_id"].to_numpy(),
            "deadline": deadline.id,
            "started": started,
            "due": due,
            "met": met_day,
            "suspended_days": suspended,
            "extended_days": extended,
            "status": status,
            "missed_recorded": recorded,
            "exempt": exempt,
            "consequence": deadline.consequence,
            "ban_years": deadline.ban_years,
        }
    )


def _intervals(alive: pd.DataFrame) -> pd.DataFrame:
    """Suspensions as (project_id, first, last) day intervals; an open one has last = NaT.

    Suspend and resume alternate (a project is not suspended twice, nor resumed unless suspended:
    the recording refuses it), so each suspend pairs with the mark after it."""
    marks = alive[alive["kind"].isin(["suspend", "resume"])].sort_values(["project_id", "seq"], kind="stable")
    if marks.empty:
        return pd.DataFrame({"project_id": [], "first": [], "last": []})
    nxt_kind = marks.groupby("project_id")["kind"].shift(-1)
    nxt_day = marks.groupby("project_id")["day"].shift(-1)
    opened = marks[marks["kind"] == "suspend"]
    resumed = nxt_day.loc[opened.index].where(nxt_kind.loc[opened.index] == "resume")
    first = opened["day"].to_numpy(dtype="datetime64[D]")
    # the day it resumes runs again: the suspension covers up to the day before
    last_day = pd.to_datetime(resumed).to_numpy(dtype="datetime64[D]") - np.timedelta64(1, "D")
    return pd.DataFrame({"project_id": opened["project_id"].to_numpy(), "first": first, "last": last_day})


def _suspended_days(
    spans: pd.DataFrame, ids: np.ndarray, started: np.ndarray, end: np.ndarray, stop: np.ndarray
) -> np.ndarray:
    """Days suspended inside each clock's running period (after the start day, up to the moving end).

    The end moves by the days suspended, and a suspension between the old and the new end counts
    too: repeated until the end stops moving (a handful of rounds at most).
    """
    out = np.zeros(len(ids), dtype=np.int64)
    if spans.empty or not len(ids):
        return out
    pos = pd.Series(np.arange(len(ids)), index=ids)
    joined = spans[spans["project_id"].isin(ids)].copy()
    row = pos.loc[joined["project_id"]].to_numpy()
    first = joined["first"].to_numpy(dtype="datetime64[D]")
    last = joined["last"].to_numpy(dtype="datetime64[D]")
    for _ in range(32):
        moved_end = end + out
        open_last = np.where(np.isnat(last), stop[row], last)
        lo = np.maximum(first, started[row] + np.timedelta64(1, "D"))
        hi = np.minimum(np.minimum(open_last, moved_end[row]), stop[row])
        days = np.maximum((hi - lo).astype(np.int64) + 1, 0)
        total = np.bincount(row, weights=days, minlength=len(ids)).astype(np.int64)
        if np.array_equal(total, out):
            break
        out = total
    return out


def _open_suspension(spans: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    if spans.empty:
        return np.zeros(len(ids), dtype=bool)
    open_ids = spans.loc[spans["last"].isna(), "project_id"]
    return np.isin(ids, open_ids.to_numpy())


def bans(clock_frame: pd.DataFrame, calendar: WorkCalendar) -> pd.DataFrame:
    """Restart bans: a recorded, not exempt miss of a deadline whose consequence bars the unit's land
    from renewal for ``ban_years`` years after the due date (``project_id``, ``deadline``, ``until``)."""
    hit = clock_frame[
        clock_frame["missed_recorded"] & ~clock_frame["exempt"] & (clock_frame["consequence"] == "restart_ban")
    ]
    if hit.empty:
        return pd.DataFrame({"project_id": [], "deadline": [], "until": []})
    due = hit["due"].to_numpy(dtype="datetime64[D]")
    until = _ends(due, hit["ban_years"].to_numpy(dtype=np.int64), "years", calendar)
    return pd.DataFrame(
        {"project_id": hit["project_id"].to_numpy(), "deadline": hit["deadline"].to_numpy(), "until": until}
    )


def to_sweep(clock_frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The deadlines a sweep on ``as_of`` records as missed: overdue and not yet recorded (a second
    sweep on the same day finds nothing)."""
    due = clock_frame["due"].to_numpy(dtype="datetime64[D]")
    late = (clock_frame["status"] == "overdue").to_numpy() & (due < np.datetime64(as_of, "D"))
    return clock_frame.loc[
        late & ~clock_frame["missed_recorded"].to_numpy(dtype=bool), ["project_id", "deadline", "due"]
    ]


def empty_events() -> pd.DataFrame:
    """An events frame with no rows and the columns' types."""
    types: dict[str, Any] = {
        "project_id": "int64",
        "seq": "int64",
        "kind": "object",
        "action": "object",
        "day": "datetime64[s]",
        "target_seq": "Int64",
        "deadline": "object",
        "days": "Int64",
        "exempt": "bool",
    }
    return pd.DataFrame({c: pd.Series(dtype=types[c]) for c in EVENT_COLUMNS})
