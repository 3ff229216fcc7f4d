"""Evaluation runs: evaluate a year of the store under a policy, store the run, re-run it, compare runs."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import Connection, Select, select

from landrenewal.accounts import audit
from landrenewal.analysis.compare import differences
from landrenewal.analysis.inputs import read_inventory
from landrenewal.analysis.policy import policy_for
from landrenewal.domain.evaluation import Evaluation, EvaluationRules, evaluate
from landrenewal.domain.language import say
from landrenewal.domain.policy import ResolvedPolicy, from_snapshot, snapshot_json
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from landrenewal.store.writes import insert_frame

UNIT_COLUMNS = [c.name for c in schema.evaluation_units.columns if c.name not in ("id", "run_id")]


class RunNotFound(LookupError):
    pass


@dataclass(frozen=True)
class RunInfo:
    id: int
    year: int
    policy_id: str
    policy_version: str
    input_sha256: str
    created_at: dt.datetime
    unit_count: int
    rated_count: int


class IdentificationLike(Protocol):
    """What run_policy needs of an identification run (identification_runs imports this module)."""

    @property
    def id(self) -> int: ...
    @property
    def policy_version(self) -> str: ...
    @property
    def input_sha256(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...


@dataclass(frozen=True)
class EvaluationRun:
    info: RunInfo
    evaluation: Evaluation
    policy: ResolvedPolicy


def year_end(year: int) -> dt.date:
    """Evaluation parameters are those in force on the last day of the evaluated year."""
    return dt.date(year, 12, 31)


def evaluate_store(store: Store, year: int, policy_ref: str | None = None, *, by: str = "system") -> EvaluationRun:
    """Evaluate ``year`` under the policy and store the run with its policy version and input hash
    (and in the audit log, as ``by``'s)."""
    with store.write() as conn:
        policy = policy_for(conn, policy_ref, year_end(year))
        evaluation, sha256 = _compute(conn, store, year, policy)
        info = _save(conn, store, policy, sha256, evaluation)
        summary = {"year": year, "policy": f"{policy.policy_id} {policy.version}", "units": info.unit_count}
        audit(conn, by, "evaluation.run", "evaluation_runs", str(info.id), None, summary)
    return EvaluationRun(info, evaluation, policy)


def _compute(conn: Connection, store: Store, year: int, policy: ResolvedPolicy) -> tuple[Evaluation, str]:
    rules = EvaluationRules.from_policy(policy)
    inventory = read_inventory(conn, store, years=(year - 1, year))
    return evaluate(inventory.inputs, year, rules), inventory.sha256


def _save(conn: Connection, store: Store, policy: ResolvedPolicy, sha256: str, evaluation: Evaluation) -> RunInfo:
    units = evaluation.units
    row = {
        "year": evaluation.year,
        "policy_id": policy.policy_id,
        "policy_version": policy.version,
        "policy_values": snapshot_json(policy),
        "input_sha256": sha256,
        "created_at": dt.datetime.now(dt.UTC),
        "unit_count": len(units),
        "rated_count": int((units["status"] == "rated").sum()),
    }
    run_id = int(conn.execute(schema.evaluation_runs.insert().values(**row)).inserted_primary_key[0])  # type: ignore[index]
    insert_frame(conn, store, schema.evaluation_units, units[UNIT_COLUMNS].assign(run_id=run_id))
    insert_frame(conn, store, schema.evaluation_members, evaluation.members.assign(run_id=run_id))
    insert_frame(conn, store, schema.evaluation_parcels, evaluation.parcels.assign(run_id=run_id))
    return _info(row | {"id": run_id})


def _info(row: dict[str, object]) -> RunInfo:
    return RunInfo(**{k: row[k] for k in RunInfo.__dataclass_fields__})  # type: ignore[arg-type]


def _info_query() -> Select[Any]:
    # Not the policy snapshot (kilobytes): stored_policy reads it when it is wanted.
    runs = schema.evaluation_runs
    return select(*(runs.c[name] for name in RunInfo.__dataclass_fields__))


def run_info(conn: Connection, run_id: int) -> RunInfo:
    row = conn.execute(_info_query().where(schema.evaluation_runs.c.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFound(say(f"没有编号为 {run_id} 的评价批次。", f"no evaluation run {run_id}."))
    return _info(dict(row))


def list_runs(conn: Connection) -> list[RunInfo]:
    rows = conn.execute(_info_query().order_by(schema.evaluation_runs.c.id)).mappings()
    return [_info(dict(r)) for r in rows]


def latest_run(conn: Connection, year: int | None = None, before_year: int | None = None) -> RunInfo | None:
    """The newest run of ``year`` (or of the latest year before ``before_year``; or of any year)."""
    runs = schema.evaluation_runs
    query = select(runs.c.id).order_by(runs.c.year.desc(), runs.c.id.desc()).limit(1)
    if year is not None:
        query = query.where(runs.c.year == year)
    if before_year is not None:
        query = query.where(runs.c.year < before_year)
    found = conn.execute(query).scalar()
    return None if found is None else run_info(conn, int(found))


def stored_units(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    table = schema.evaluation_units
    frame = read_table(conn, store, table, UNIT_COLUMNS, table.c.run_id == run_id)
    return frame.sort_values("unit_key", ignore_index=True)


def stored_policy(conn: Connection, run_id: int, table: str = "evaluation_runs") -> ResolvedPolicy:
    runs = schema.metadata.tables[table]
    text = conn.execute(select(runs.c.policy_values).where(runs.c.id == run_id)).scalar_one()
    return from_snapshot(json.loads(text))


# A run is written once and never changed, so its policy snapshot is read and parsed once per
# process; the key holds what tells one run from another across stores (its time to the microsecond).
_POLICIES: dict[tuple[object, ...], ResolvedPolicy] = {}
_POLICIES_KEPT = 64
_POLICIES_LOCK = threading.Lock()  # the web app reads runs from many threads


def run_policy(conn: Connection, run: RunInfo | IdentificationLike) -> ResolvedPolicy:
    """The policy snapshot of an evaluation or identification run, kept once read."""
    table = "evaluation_runs" if isinstance(run, RunInfo) else "identification_runs"
    key = (table, run.id, run.policy_version, run.input_sha256, run.created_at)
    found = _POLICIES.get(key)
    if found is None:
        found = stored_policy(conn, run.id, table)
        with _POLICIES_LOCK:
            if len(_POLICIES) >= _POLICIES_KEPT:
                _POLICIES.pop(next(iter(_POLICIES)))
            _POLICIES[key] = found
    return found


@dataclass(frozen=True)
class Rerun:
    run: RunInfo
    same_inputs: bool
    differences: pd.DataFrame  # key columns, column, stored, recomputed

    @property
    def reproduced(self) -> bool:
        return self.differences.empty


def rerun(store: Store, run_id: int) -> Rerun:
    """Evaluate again with the policy values the run stored, and compare with what it stored."""
    with store.engine.connect() as conn:
        info = run_info(conn, run_id)
        policy = stored_policy(conn, run_id)
        evaluation, sha256 = _compute(conn, store, info.year, policy)
        stored = stored_units(conn, store, run_id)
    again = evaluation.units[UNIT_COLUMNS].sort_values("unit_key", ignore_index=True)
    return Rerun(info, sha256 == info.input_sha256, differences(stored, again, ["unit_key"]))


def enterprise_results(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    """One row per enterprise: its unit's result (merged enterprises share one)."""
    members = read_table(
        conn, store, schema.evaluation_members, ["uscc", "unit_key"], schema.evaluation_members.c.run_id == run_id
    )
    return members.merge(stored_units(conn, store, run_id), on="unit_key", how="left")


def compare_runs(conn: Connection, store: Store, first: int, second: int) -> pd.DataFrame:
    """Per enterprise in either run: class and score in each, and the change (e.g. last year → this year)."""
    a = enterprise_results(conn, store, first)[["uscc", "list", "class", "score", "rank"]]
    b = enterprise_results(conn, store, second)[["uscc", "list", "class", "score", "rank"]]
    merged = a.merge(b, on="uscc", how="outer", suffixes=("_before", "_after"))
    merged["score_change"] = merged["score_after"] - merged["score_before"]
    merged["class_changed"] = merged["class_before"].fillna("") != merged["class_after"].fillna("")
    return merged.sort_values("uscc", ignore_index=True)
