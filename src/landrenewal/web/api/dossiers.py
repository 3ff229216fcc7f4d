"""一地一档 and 一企一档: everything about one parcel or one enterprise, private figures scoped."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import shapely
from fastapi import APIRouter
from sqlalchemy import Connection, select

from landrenewal import accounts
from landrenewal.analysis.evaluation_runs import list_runs
from landrenewal.analysis.explain import ParcelNotFound, explain_parcel, finding_records
from landrenewal.analysis.identification_runs import FINDING_COLUMNS
from landrenewal.domain.access import is_private
from landrenewal.domain.fields import ENTITIES
from landrenewal.store import schema
from landrenewal.store.frames import read_table
from landrenewal.tiles.mercator import to_lonlat
from landrenewal.web.deps import ApiError, CurrentUser, State, not_found
from landrenewal.web.tables import records

router = APIRouter(prefix="/api", tags=["dossiers"])

RESTRICTED = "无权查看 (restricted)"
METRIC_COLUMNS = [f.name for f in ENTITIES["metrics"].fields if f.name not in ("uscc", "year")]


def _labels(entity: str) -> dict[str, str]:
    return {f.name: f.header for f in ENTITIES[entity].fields}


def _hide_evidence(found: list[dict[str, Any]], allowed: bool) -> list[dict[str, Any]]:
    """Findings whose evidence or threshold quotes a private figure (亩均税收 …) lose those numbers."""
    if allowed:
        return found
    for item in found:
        for part in ("evidence", "threshold"):
            value = item.get(part)
            if isinstance(value, dict):
                item[part] = {k: (RESTRICTED if is_private(k) else v) for k, v in value.items()}
    return found


def _metrics(conn: Connection, state: State, usccs: list[str]) -> pd.DataFrame:
    table = schema.metrics
    return read_table(conn, state.store, table, ["uscc", "year", *METRIC_COLUMNS], table.c.uscc.in_(usccs)).sort_values(
        ["uscc", "year"]
    )


def _history(conn: Connection, entity: str, key: str) -> list[dict[str, Any]]:
    rows = accounts.audit_rows(conn, 0, 50, entity=entity, key=key)
    return records(rows.drop(columns=["before", "after"]))


@router.get("/parcels/{code}", summary="一地一档 Parcel dossier")
def parcel_dossier(code: str, state: State, user: CurrentUser) -> dict[str, Any]:
    view = state.view()
    with state.store.engine.connect() as conn:
        try:
            explained = explain_parcel(conn, state.store, code)
        except ParcelNotFound:
            raise not_found(f"宗地 {code}") from None
        table = schema.parcels
        row = read_table(conn, state.store, table, None, table.c.parcel_code == code)
        buildings = read_table(conn, state.store, schema.buildings, None, schema.buildings.c.parcel_code == code)
        buildings = buildings.drop(columns=["id", "geom"])
        occupancy = read_table(conn, state.store, schema.occupancy, None, schema.occupancy.c.parcel_code == code)
        names = read_table(
            conn,
            state.store,
            schema.enterprises,
            ["uscc", "name", "division_code"],
            schema.enterprises.c.uscc.in_(occupancy["uscc"].tolist()),
        )
        metrics = _metrics(conn, state, occupancy["uscc"].tolist())
        classes = _classes_over_runs(conn, state, code)
        history = _history(conn, "parcels", code)
    facts = row.drop(columns=["id", "geom"]).iloc[0]
    division = str(facts["division_code"])
    allowed = user.sees_private(division)
    summary = view.parcels[view.parcels["parcel_code"] == code].iloc[0]
    geom = row["geom"].iloc[0]
    shape = None
    if geom is not None and view.epsg:
        shape = to_lonlat(shapely.simplify(geom, 0.1), view.epsg)
    enterprises = occupancy.drop(columns=["id"]).merge(names, on="uscc", how="left").sort_values("start_date")
    evaluation = explained["evaluation"]
    if evaluation is not None and not allowed:
        for part in evaluation.get("score_breakdown", []):
            part["value"] = None
            part["points"] = None
        evaluation["restricted"] = True
    elif evaluation is not None:
        evaluation["restricted"] = False
    findings = explained["findings"]
    zone = None
    if view.zone_run is not None and int(summary["zone_no"]):
        zones = state.run_tables.zones(view.zone_run.id)
        z = zones[zones["zone_no"] == int(summary["zone_no"])].iloc[0]
        zone = {
            "run_id": view.zone_run.id,
            "zone_no": int(z["zone_no"]),
            "area_mu": float(z["area_mu"]),
            "verdict": z["verdict"],
        }
    parcel = records(facts.to_frame().T)[0] | {
        "area_mu": float(summary["area_mu"]),
        "town_name": summary["town_name"],
        "village_name": summary["village_name"],
        "class": summary["class"],
        "labels": _labels("parcels") | {"area_mu": "图形面积（亩）", "area_m2": "图形面积（m²）"},
    }
    return {
        "parcel": parcel,
        "geometry": json.loads(shapely.to_geojson(shape)) if shape is not None else None,
        "bbox": list(shapely.bounds(shape)) if shape is not None else None,
        "buildings": records(buildings),
        "enterprises": records(enterprises),
        "metrics": records(metrics) if allowed else None,
        "restricted": not allowed,
        "evaluation": evaluation,
        "identification": explained["identification"],
        "findings": _hide_evidence(findings, allowed),
        "zone": zone,
        "classes": classes,
        "history": history,
    }


def _classes_over_runs(conn: Connection, state: State, code: str) -> list[dict[str, Any]]:
    """The parcel's class in every evaluation run (its history of 亩均 results)."""
    links, units, runs = schema.evaluation_parcels, schema.evaluation_units, schema.evaluation_runs
    rows = conn.execute(
        select(runs.c.id, runs.c.year, runs.c.created_at, units.c["class"], units.c.score)
        .join(links, links.c.run_id == runs.c.id)
        .join(units, (units.c.run_id == links.c.run_id) & (units.c.unit_key == links.c.unit_key))
        .where(links.c.parcel_code == code)
        .order_by(runs.c.year, runs.c.id)
    )
    return [
        {"run_id": r.id, "year": r.year, "created_at": r.created_at.isoformat(), "class": r[3], "score": r.score}
        for r in rows
    ]


@router.get("/enterprises/{uscc}", summary="一企一档 Enterprise dossier")
def enterprise_dossier(uscc: str, state: State, user: CurrentUser) -> dict[str, Any]:
    view = state.view()
    with state.store.engine.connect() as conn:
        table = schema.enterprises
        row = read_table(conn, state.store, table, None, table.c.uscc == uscc)
        if row.empty:
            raise not_found(f"企业 {uscc}")
        occupancy = read_table(conn, state.store, schema.occupancy, None, schema.occupancy.c.uscc == uscc)
        metrics = _metrics(conn, state, [uscc])
        evaluations = _evaluations(conn, state, uscc)
        found = _findings_of(conn, state, occupancy["parcel_code"].tolist(), view)
        history = _history(conn, "enterprises", uscc)
    facts = row.drop(columns=["id"]).iloc[0]
    allowed = user.sees_private(str(facts["division_code"]))
    parcels = occupancy.drop(columns=["id", "uscc"]).merge(
        view.parcels[["parcel_code", "area_mu", "town_name", "class"]], on="parcel_code", how="left"
    )
    if not allowed:
        evaluations = evaluations.assign(tax_per_mu=None, value_added_per_mu=None)
    names = view.divisions.set_index("division_code")["name"]
    enterprise = records(facts.to_frame().T)[0] | {
        "town_name": names.get(str(facts["division_code"])[:9]),
        "labels": _labels("enterprises"),
    }
    return {
        "enterprise": enterprise,
        "parcels": records(parcels.sort_values("start_date")),
        "metrics": records(metrics.drop(columns=["uscc"])) if allowed else None,
        "metric_labels": _labels("metrics"),
        "restricted": not allowed,
        "evaluations": records(evaluations),
        "findings": _hide_evidence(found, allowed),
        "history": history,
    }


def _evaluations(conn: Connection, state: State, uscc: str) -> pd.DataFrame:
    members, units = schema.evaluation_members, schema.evaluation_units
    out = []
    for run in list_runs(conn):
        row = conn.execute(
            select(
                units.c["class"],
                units.c.score,
                units.c.rank,
                units.c.rank_size,
                units.c.tax_per_mu,
                units.c.value_added_per_mu,
            )
            .join(members, (members.c.run_id == units.c.run_id) & (members.c.unit_key == units.c.unit_key))
            .where((members.c.run_id == run.id) & (members.c.uscc == uscc))
        ).first()
        if row is not None:
            out.append({"run_id": run.id, "year": run.year, **row._asdict()})
    return pd.DataFrame(
        out, columns=["run_id", "year", "class", "score", "rank", "rank_size", "tax_per_mu", "value_added_per_mu"]
    )


def _findings_of(conn: Connection, state: State, codes: list[str], view: Any) -> list[dict[str, Any]]:
    """The findings of the latest identification on these parcels (read by parcel, not the whole run)."""
    if view.identification is None or not codes:
        return []
    table = schema.findings
    where = (table.c.run_id == view.identification.id) & table.c.parcel_code.in_(codes)
    found = read_table(conn, state.store, table, FINDING_COLUMNS, where).sort_values(["parcel_code", "rule_id"])
    return finding_records(found)


@router.get("/enterprises/{uscc}/metrics", summary="企业经营指标 An enterprise's yearly figures (private)")
def enterprise_metrics(uscc: str, state: State, user: CurrentUser) -> list[dict[str, Any]]:
    with state.store.engine.connect() as conn:
        table = schema.enterprises
        row = read_table(conn, state.store, table, ["division_code"], table.c.uscc == uscc)
        if row.empty:
            raise not_found(f"企业 {uscc}")
        if not user.sees_private(str(row["division_code"].iloc[0])):
            raise ApiError(403, "forbidden", "无权查看其他镇街企业的经营指标 (another town's private figures)")
        return records(_metrics(conn, state, [uscc]).drop(columns=["uscc"]))
