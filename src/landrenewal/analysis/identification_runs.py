"""Identification runs: apply the policy's rules to the store on a date, store the findings."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from landrenewal.accounts import audit
from landrenewal.analysis.compare import differences
from landrenewal.analysis.evaluation_runs import RunNotFound, stored_policy, stored_units
from landrenewal.analysis.inputs import read_inventory
from landrenewal.analysis.policy import policy_for
from landrenewal.domain.identification import FINDING_COLUMNS, Identification, identify
from landrenewal.domain.land import land_on
from landrenewal.domain.language import say
from landrenewal.domain.policy import ResolvedPolicy, snapshot_json
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from landrenewal.store.writes import insert_frame


@dataclass(frozen=True)
class IdentificationInfo:
    id: int
    as_of: dt.date
    policy_id: str
    policy_version: str
    input_sha256: str
    evaluation_run_id: int | None
    rules: list[str]
    created_at: dt.datetime
    finding_count: int


@dataclass(frozen=True)
class IdentificationRun:
    info: IdentificationInfo
    result: Identification
    land: pd.DataFrame


def default_evaluation(conn: Connection, as_of: dt.date, policy_id: str) -> int | None:
    """The newest evaluation of the latest full year before ``as_of``, preferring the same policy."""
    runs = schema.evaluation_runs
    base = select(runs.c.id).where(runs.c.year < as_of.year).order_by(runs.c.year.desc(), runs.c.id.desc()).limit(1)
    found = conn.execute(base.where(runs.c.policy_id == policy_id)).scalar()
    if found is None:
        found = conn.execute(base).scalar()
    return None if found is None else int(found)


def identify_store(
    store: Store,
    as_of: dt.date,
    policy_ref: str | None = None,
    evaluation_run: int | None = None,
    *,
    by: str = "system",
) -> IdentificationRun:
    """Identify low-efficiency land as of a day and store the run (and its audit row, as ``by``'s)."""
    with store.write() as conn:
        policy = policy_for(conn, policy_ref, as_of)
        if evaluation_run is None:
            evaluation_run = default_evaluation(conn, as_of, policy.policy_id)
        result, land, sha256 = _compute(conn, store, as_of, policy, evaluation_run)
        info = _save(conn, store, as_of, policy, sha256, evaluation_run, result)
        summary = {
            "as_of": as_of.isoformat(),
            "policy": f"{policy.policy_id} {policy.version}",
            "evaluation_run_id": evaluation_run,
            "findings": info.finding_count,
        }
        audit(conn, by, "identification.run", "identification_runs", str(info.id), None, summary)
    return IdentificationRun(info, result, land)


def _compute(
    conn: Connection, store: Store, as_of: dt.date, policy: ResolvedPolicy, evaluation_run: int | None
) -> tuple[Identification, pd.DataFrame, str]:
    inventory = read_inventory(conn, store, years=())
    units = parcels = None
    if evaluation_run is not None:
        exists = conn.execute(select(schema.evaluation_runs.c.id).where(schema.evaluation_runs.c.id == evaluation_run))
        if exists.scalar() is None:
            raise RunNotFound(say(f"没有编号为 {evaluation_run} 的评价批次。", f"no evaluation run {evaluation_run}."))
        units = stored_units(conn, store, evaluation_run)
        table = schema.evaluation_parcels
        parcels = read_table(
            conn, store, table, ["parcel_code", "unit_key", "land_mu"], table.c.run_id == evaluation_run
        )
    when = pd.Timestamp(as_of)
    land = land_on(inventory.inputs, when, units, parcels)
    return identify(land, policy, when, evaluated=units is not None), land, inventory.sha256


def _save(
    conn: Connection,
    store: Store,
    as_of: dt.date,
    policy: ResolvedPolicy,
    sha256: str,
    evaluation_run: int | None,
    result: Identification,
) -> IdentificationInfo:
    row = {
        "as_of": as_of,
        "policy_id": policy.policy_id,
        "policy_version": policy.version,
        "policy_values": snapshot_json(policy),
        "input_sha256": sha256,
        "evaluation_run_id": evaluation_run,
        "rules": json.dumps(result.rules_run),
        "created_at": dt.datetime.now(dt.UTC),
        "finding_count": len(result.findings),
    }
    run_id = int(conn.execute(schema.identification_runs.insert().values(**row)).inserted_primary_key[0])  # type: ignore[index]
    insert_frame(conn, store, schema.findings, result.findings[FINDING_COLUMNS].assign(run_id=run_id))
    return _info(row | {"id": run_id})


def _info(row: dict[str, object]) -> IdentificationInfo:
    values = dict(row)
    values["rules"] = json.loads(str(values["rules"]))
    if isinstance(values["as_of"], str):
        values["as_of"] = dt.date.fromisoformat(values["as_of"])
    return IdentificationInfo(**{k: values[k] for k in IdentificationInfo.__dataclass_fields__})  # type: ignore[arg-type]


def identification_info(conn: Connection, run_id: int) -> IdentificationInfo:
    table = schema.identification_runs
    # Not the policy snapshot (kilobytes): stored_policy reads it when it is wanted.
    columns = [table.c[name] for name in IdentificationInfo.__dataclass_fields__]
    row = conn.execute(select(*columns).where(table.c.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFound(say(f"没有编号为 {run_id} 的认定批次。", f"no identification run {run_id}."))
    return _info(dict(row))


def latest_identification(conn: Connection) -> IdentificationInfo | None:
    table = schema.identification_runs
    found = conn.execute(select(table.c.id).order_by(table.c.id.desc()).limit(1)).scalar()
    return None if found is None else identification_info(conn, int(found))


def list_identifications(conn: Connection) -> list[IdentificationInfo]:
    ids = conn.execute(select(schema.identification_runs.c.id).order_by(schema.identification_runs.c.id)).scalars()
    return [identification_info(conn, int(i)) for i in ids]


def stored_findings(conn: Connection, store: Store, run_id: int, parcel_code: str | None = None) -> pd.DataFrame:
    table = schema.findings
    where = table.c.run_id == run_id
    if parcel_code is not None:
        where = where & (table.c.parcel_code == parcel_code)
    frame = read_table(conn, store, table, FINDING_COLUMNS, where)
    return frame.sort_values(["parcel_code", "rule_id"], ignore_index=True)


@dataclass(frozen=True)
class IdentificationRerun:
    run: IdentificationInfo
    same_inputs: bool
    differences: pd.DataFrame

    @property
    def reproduced(self) -> bool:
        return self.differences.empty


def rerun_identification(store: Store, run_id: int) -> IdentificationRerun:
    """Identify again on the run's date with its stored policy values and evaluation; compare."""
    with store.engine.connect() as conn:
        info = identification_info(conn, run_id)
        policy = stored_policy(conn, run_id, "identification_runs")
        result, _, sha256 = _compute(conn, store, info.as_of, policy, info.evaluation_run_id)
        stored = stored_findings(conn, store, run_id)
    again = result.findings[FINDING_COLUMNS]
    return IdentificationRerun(
        info, sha256 == info.input_sha256, differences(stored, again, ["parcel_code", "rule_id"])
    )
