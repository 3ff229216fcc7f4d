"""Why a parcel stands where it does: its figures, the evaluation of its unit, every finding."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from landrenewal.analysis.evaluation_runs import UNIT_COLUMNS, RunInfo, latest_run, run_info, run_policy
from landrenewal.analysis.identification_runs import (
    FINDING_COLUMNS,
    IdentificationInfo,
    identification_info,
    latest_identification,
)
from landrenewal.domain.evaluation import LISTS, STATUS
from landrenewal.domain.indicators import INDICATORS
from landrenewal.domain.language import say
from landrenewal.domain.policy import ResolvedPolicy
from landrenewal.domain.rules import RULES
from landrenewal.domain.units import M2_PER_MU
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_rows

PARCEL_FACTS = (
    "parcel_code",
    "division_code",
    "land_use_code",
    "rights_type",
    "rights_holder",
    "area_m2",
    "approved_date",
    "supplied_date",
    "agreed_start_date",
    "actual_start_date",
    "agreed_completion_date",
    "completion_date",
    "production_date",
    "agreed_far",
)


class ParcelNotFound(LookupError):
    pass


def explain_parcel(
    conn: Connection,
    store: Store,
    parcel_code: str,
    evaluation_run: int | RunInfo | None = None,
    identification_run: int | IdentificationInfo | None = None,
) -> dict[str, Any]:
    """The parcel's facts, its unit's evaluation and its findings; the runs by id, or (as the web
    app has them at hand) as they were read, or the latest."""
    # Row by row, not frame by frame: the web app asks this once per dossier.
    found = read_rows(conn, store, schema.parcels, PARCEL_FACTS, schema.parcels.c.parcel_code == parcel_code)
    if not found:
        raise ParcelNotFound(say(f"库中没有宗地 {parcel_code}。", f"no such parcel {parcel_code}."))
    facts = found[0]
    facts["area_mu"] = round(float(facts["area_m2"]) / M2_PER_MU, 4)
    if isinstance(identification_run, IdentificationInfo):
        ident: IdentificationInfo | None = identification_run
    else:
        ident = identification_info(conn, identification_run) if identification_run else latest_identification(conn)
    if evaluation_run is None and ident is not None:
        evaluation_run = ident.evaluation_run_id
    if isinstance(evaluation_run, RunInfo):
        evaluation: RunInfo | None = evaluation_run
    else:
        evaluation = run_info(conn, evaluation_run) if evaluation_run else latest_run(conn)
    out: dict[str, Any] = {"parcel": facts, "evaluation": None, "findings": [], "identification": None}
    if evaluation is not None:
        out["evaluation"] = _evaluation(conn, store, evaluation, parcel_code)
    if ident is not None:
        out["identification"] = {
            "run_id": ident.id,
            "as_of": ident.as_of.isoformat(),
            "policy": ident.policy_version,
            "evaluation_run_id": ident.evaluation_run_id,
        }
        out["findings"] = parcel_findings(conn, store, ident, [parcel_code])
    return out


def parcel_findings(
    conn: Connection, store: Store, run: IdentificationInfo, parcel_codes: list[str]
) -> list[dict[str, Any]]:
    """The findings of one identification run on these parcels, as ``finding_records`` gives them."""
    if not parcel_codes:
        return []
    table = schema.findings
    where = (table.c.run_id == run.id) & table.c.parcel_code.in_(parcel_codes)
    rows = read_rows(conn, store, table, FINDING_COLUMNS, where, order_by=("parcel_code", "rule_id"))
    return finding_records(rows, run_policy(conn, run) if rows else None)


def finding_records(found: Iterable[Mapping[str, Any]], policy: ResolvedPolicy | None = None) -> list[dict[str, Any]]:
    """Stored findings as plain records: evidence and threshold parsed, the rule's name beside its id,
    and (given the run's policy) what each threshold parameter means and its unit."""
    records = []
    for r in found:
        threshold = json.loads(str(r["threshold"]))
        records.append(
            {
                "parcel_code": r["parcel_code"],
                "rule_id": r["rule_id"],
                "rule_name": RULES[str(r["rule_id"])].zh if str(r["rule_id"]) in RULES else str(r["rule_id"]),
                "category": r["category"],
                "evidence": json.loads(str(r["evidence"])),
                "threshold": threshold,
                "threshold_terms": _terms(policy, threshold) if policy is not None else {},
                "clause": r["clause"],
                "milestone": r["milestone"] if isinstance(r["milestone"], str) else None,
            }
        )
    return records


def _terms(policy: ResolvedPolicy, threshold: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    found = (policy.values.get(name) for name in threshold)
    return {
        v.name: {"description": v.description, "description_en": v.description_en, "unit": v.unit}
        for v in found
        if v is not None
    }


def _evaluation(conn: Connection, store: Store, info: RunInfo, parcel_code: str) -> dict[str, Any] | None:
    run_id = info.id
    links = schema.evaluation_parcels
    unit_key = conn.execute(
        select(links.c.unit_key).where((links.c.run_id == run_id) & (links.c.parcel_code == parcel_code)).limit(1)
    ).scalar()
    head: dict[str, Any] = {"run_id": run_id, "year": info.year, "policy": info.policy_version}
    if unit_key is None:
        note = say(f"{info.year} 年无企业使用该宗地。", f"no enterprise used this parcel in {info.year}.")
        return head | {"status": "no_user", "note": note}
    row, usccs = _unit(conn, store, run_id, str(unit_key))
    policy = run_policy(conn, info)
    names = policy.values.get("evaluation.classes.names")
    scale = "above" if str(row["list"]).endswith("above") else "below"
    weights = policy.values.get(f"evaluation.{scale}_scale.weights")
    benchmarks = policy.values.get(f"evaluation.{scale}_scale.benchmarks")
    enterprises = read_rows(
        conn,
        store,
        schema.enterprises,
        ["uscc", "name", "scale", "industry_code"],
        schema.enterprises.c.uscc.in_(usccs),
        order_by=("uscc",),
    )
    parts = [
        {
            "indicator": name,
            "name": ind.zh,
            "unit": ind.unit,
            "value": _number(row[name]),
            "benchmark": None if benchmarks is None else benchmarks.value.get(name),
            "weight": weights.value.get(name) if weights is not None else None,
            "points": _number(row[f"part_{name}"]),
        }
        for name, ind in INDICATORS.items()
        if weights is not None and name in weights.value
    ]
    previous = latest_run(conn, year=info.year - 1)
    change = None
    if previous is not None:
        members = schema.evaluation_members
        where = (members.c.run_id == previous.id) & members.c.uscc.in_(usccs)
        keys = sorted(conn.execute(select(members.c.unit_key).where(where)).scalars())  # ORDER BY: see _unit
        if keys:
            mine, _ = _unit(conn, store, previous.id, str(keys[0]))
            change = {
                "run_id": previous.id,
                "year": previous.year,
                "class": mine["class"],
                "score": _number(mine["score"]),
                "score_change": _change(_number(row["score"]), _number(mine["score"])),
            }
    return head | {
        "unit_key": unit_key,
        "list": row["list"],
        "list_name": LISTS.get(str(row["list"])),
        "status": row["status"],
        "status_name": STATUS.get(str(row["status"])),
        "class": row["class"],
        "class_name": None if names is None or row["class"] is None else names.value.get(row["class"]),
        "score": _number(row["score"]),
        "rank": _number(row["rank"]),
        "rank_size": _number(row["rank_size"]),
        "rank_industry": _number(row["rank_industry"]),
        "rank_industry_size": _number(row["rank_industry_size"]),
        "land_mu": _number(row["land_mu"]),
        "filled_with_list_mean": [x for x in str(row["filled"] or "").split() if x],
        "enterprises": enterprises,
        "score_breakdown": parts,
        "previous_year": change,
        "sources": {k: v.source for k, v in policy.values.items() if k.startswith("evaluation.")},
    }


def _unit(conn: Connection, store: Store, run_id: int, unit_key: str) -> tuple[dict[str, Any], list[str]]:
    """One evaluation unit's stored result and its enterprises."""
    units, members = schema.evaluation_units, schema.evaluation_members
    row = read_rows(conn, store, units, UNIT_COLUMNS, (units.c.run_id == run_id) & (units.c.unit_key == unit_key))[0]
    where = (members.c.run_id == run_id) & (members.c.unit_key == unit_key)
    # Sorted here: ORDER BY uscc would lead SQLite to the (run_id, uscc) index and a scan of the run.
    usccs = sorted(conn.execute(select(members.c.uscc).where(where)).scalars())
    return row, usccs


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 6)


def _number(value: Any) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else round(number, 6)
