"""一地一档 and 一企一档: everything about one parcel or one enterprise, private figures scoped.

Read row by row (store.frames.read_rows), not as frames: a dossier is a handful of rows, and
building frames for them cost more than the indexed queries themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import shapely
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, select

from landrenewal import accounts, edits
from landrenewal.analysis.evaluation_runs import RunInfo
from landrenewal.analysis.explain import ParcelNotFound, explain_parcel, parcel_findings
from landrenewal.analysis.identification_runs import IdentificationInfo
from landrenewal.domain.access import is_private
from landrenewal.domain.fields import ENTITIES
from landrenewal.store import schema
from landrenewal.store.frames import plain, read_rows, read_rows_in
from landrenewal.tiles.mercator import to_lonlat
from landrenewal.web.city import CityView
from landrenewal.web.deps import ApiError, CurrentUser, Int, State, not_found
from landrenewal.web.tables import records

router = APIRouter(prefix="/api", tags=["dossiers"])

RESTRICTED = "无权查看 (restricted)"
METRIC_COLUMNS = [f.name for f in ENTITIES["metrics"].fields if f.name not in ("uscc", "year")]


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


def _metrics(conn: Connection, state: State, usccs: list[str]) -> list[dict[str, Any]]:
    table = schema.metrics
    columns = ["uscc", "year", *METRIC_COLUMNS]
    return read_rows(conn, state.store, table, columns, table.c.uscc.in_(usccs), order_by=("uscc", "year"))


def _history(conn: Connection, entity: str, key: str, usccs: list[str]) -> list[dict[str, Any]]:
    """The record's changes and those of its enterprises' yearly figures, newest first."""
    where = accounts.about(entity, key)
    for uscc in usccs:
        where = where | accounts.about("metrics", f"{uscc}/", prefix=True)
    return accounts.audit_rows(conn, 0, 50, where)


def _history_seen(rows: list[dict[str, Any]], allowed: bool) -> list[dict[str, Any]]:
    """Figures before and after an edit are private data: outside the officer's town, only that they changed."""
    return rows if allowed else [r | {"before": None, "after": None} if r["entity"] == "metrics" else r for r in rows]


def _by_start(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Occupancy in the order it began; an unknown start last."""
    return sorted(rows, key=lambda r: (r["start_date"] is None, r["start_date"] or ""))


def _without(rows: list[dict[str, Any]], *columns: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


def _runs(view: CityView) -> tuple[int | RunInfo | None, IdentificationInfo | None]:
    """The runs the map shows, as the view read them: the latest identification and the evaluation it
    used (the latest evaluation when it names none)."""
    ident, evaluation = view.identification, view.evaluation
    if ident is None or ident.evaluation_run_id is None:
        return evaluation, ident
    same = evaluation is not None and evaluation.id == ident.evaluation_run_id
    return (evaluation if same else ident.evaluation_run_id), ident


@router.get("/parcels/{code}", summary="一地一档 Parcel dossier")
def parcel_dossier(code: str, state: State, user: CurrentUser) -> dict[str, Any]:
    view = state.view()
    store = state.store
    with store.engine.connect() as conn:
        try:
            explained = explain_parcel(conn, store, code, *_runs(view))
        except ParcelNotFound:
            raise not_found(f"宗地 {code}") from None
        facts = read_rows(conn, store, schema.parcels, None, schema.parcels.c.parcel_code == code)[0]
        buildings = read_rows(conn, store, schema.buildings, None, schema.buildings.c.parcel_code == code)
        occupancy = read_rows(conn, store, schema.occupancy, None, schema.occupancy.c.parcel_code == code)
        usccs = sorted({str(r["uscc"]) for r in occupancy})
        companies = schema.enterprises
        names = {
            r["uscc"]: r
            for r in read_rows(conn, store, companies, ["uscc", "name", "division_code"], companies.c.uscc.in_(usccs))
        }
        metrics = _metrics(conn, state, usccs)
        classes = _classes_over_runs(conn, code)
        history = _history(conn, "parcels", code, usccs)
    allowed = user.sees_private(str(facts["division_code"]))
    summary = view.parcel(code) or {}
    position = view.parcel_rows.get(code)
    geom = view.geoms[position] if position is not None else None
    shape = to_lonlat(shapely.simplify(geom, 0.1), view.epsg) if geom is not None and view.epsg else None
    unnamed = {"name": None, "division_code": None}
    enterprises = [row | unnamed | names.get(row["uscc"], {}) for row in _without(occupancy, "id")]
    evaluation = explained["evaluation"]
    if evaluation is not None and not allowed:
        for part in evaluation.get("score_breakdown", []):
            part["value"] = None
            part["points"] = None
        evaluation["restricted"] = True
    elif evaluation is not None:
        evaluation["restricted"] = False
    zone = None
    if view.zone_run is not None and summary.get("zone_no"):
        zones = state.run_tables.zones(view.zone_run.id)
        z = zones.iloc[int(np.flatnonzero(zones["zone_no"].to_numpy() == int(summary["zone_no"]))[0])]
        zone = {
            "run_id": view.zone_run.id,
            "zone_no": int(z["zone_no"]),
            "area_mu": float(z["area_mu"]),
            "verdict": z["verdict"],
        }
    parcel = _without([facts], "id")[0] | {
        "area_mu": summary.get("area_mu", explained["parcel"]["area_mu"]),
        "town_name": summary.get("town_name"),
        "village_name": summary.get("village_name"),
        "class": summary.get("class", ""),
        "labels": _labels("parcels") | {"area_mu": "图形面积（亩）", "area_m2": "图形面积（m²）"},
    }
    return {
        "parcel": parcel,
        "geometry": json.loads(shapely.to_geojson(shape)) if shape is not None else None,
        "bbox": list(shapely.bounds(shape)) if shape is not None else None,
        "buildings": _without(buildings, "id"),
        "enterprises": _by_start(enterprises),
        "metrics": metrics if allowed else None,
        "restricted": not allowed,
        "evaluation": evaluation,
        "identification": explained["identification"],
        "findings": _hide_evidence(explained["findings"], allowed),
        "zone": zone,
        "classes": classes,
        "history": _history_seen(history, allowed),
    }


def _classes_over_runs(conn: Connection, code: str) -> list[dict[str, Any]]:
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
    store = state.store
    with store.engine.connect() as conn:
        table = schema.enterprises
        found = read_rows(conn, store, table, None, table.c.uscc == uscc)
        if not found:
            raise not_found(f"企业 {uscc}")
        occupancy = read_rows(conn, store, schema.occupancy, None, schema.occupancy.c.uscc == uscc)
        codes = sorted({str(r["parcel_code"]) for r in occupancy})
        metrics = _metrics(conn, state, [uscc])
        evaluations = _evaluations(conn, uscc)
        ident = view.identification
        findings = parcel_findings(conn, store, ident, codes) if ident is not None else []
        history = _history(conn, "enterprises", uscc, [uscc])
    facts = _without(found, "id")[0]
    allowed = user.sees_private(str(facts["division_code"]))
    parcels = []
    for row in _without(occupancy, "id", "uscc"):
        summary = view.parcel(str(row["parcel_code"])) or {}
        parcels.append(row | {k: summary.get(k) for k in ("area_mu", "town_name", "class")})
    if not allowed:
        evaluations = [row | {"tax_per_mu": None, "value_added_per_mu": None} for row in evaluations]
    names = dict(zip(view.divisions["division_code"], view.divisions["name"], strict=True))
    enterprise = facts | {"town_name": names.get(str(facts["division_code"])[:9]), "labels": _labels("enterprises")}
    return {
        "enterprise": enterprise,
        "parcels": _by_start(parcels),
        "metrics": _without(metrics, "uscc") if allowed else None,
        "metric_labels": _labels("metrics"),
        "restricted": not allowed,
        "may_edit": user.may_edit(str(facts["division_code"])),
        "evaluations": evaluations,
        "findings": _hide_evidence(findings, allowed),
        "history": _history_seen(history, allowed),
    }


def _evaluations(conn: Connection, uscc: str) -> list[dict[str, Any]]:
    """The result of the enterprise's unit in every evaluation run."""
    members, units, runs = schema.evaluation_members, schema.evaluation_units, schema.evaluation_runs
    rows = conn.execute(
        select(
            runs.c.id.label("run_id"),
            runs.c.year,
            units.c["class"],
            units.c.score,
            units.c.rank,
            units.c.rank_size,
            units.c.tax_per_mu,
            units.c.value_added_per_mu,
        )
        .join(members, members.c.run_id == runs.c.id)
        .join(units, (units.c.run_id == members.c.run_id) & (units.c.unit_key == members.c.unit_key))
        .where(members.c.uscc == uscc)
        .order_by(runs.c.id)
    ).mappings()
    return [{k: plain(v) for k, v in row.items()} for row in rows]


@router.get("/enterprises/{uscc}/metrics", summary="企业经营指标 An enterprise's yearly figures (private)")
def enterprise_metrics(uscc: str, state: State, user: CurrentUser) -> list[dict[str, Any]]:
    with state.store.engine.connect() as conn:
        table = schema.enterprises
        found = read_rows(conn, state.store, table, ["division_code"], table.c.uscc == uscc)
        if not found:
            raise not_found(f"企业 {uscc}")
        if not user.sees_private(str(found[0]["division_code"])):
            raise ApiError(403, "forbidden", "无权查看其他镇街企业的经营指标 (another town's private figures)")
        return _without(_metrics(conn, state, [uscc]), "uscc")


class MetricsChange(BaseModel):
    """Any of the yearly figures (the others keep their values); null clears one."""

    model_config = ConfigDict(extra="allow")


@router.put("/enterprises/{uscc}/metrics/{year}", summary="修改企业经营指标 Change an enterprise's figures for a year")
def change_metrics(uscc: str, year: Int, body: MetricsChange, state: State, user: CurrentUser) -> dict[str, Any]:
    table = schema.enterprises
    with state.store.engine.begin() as conn:
        found = read_rows(conn, state.store, table, ["division_code"], table.c.uscc == uscc)
        if not found:
            raise not_found(f"企业 {uscc}")
        if not user.may_edit(str(found[0]["division_code"])):
            raise ApiError(403, "forbidden", "无权修改该企业的经营指标 (not yours to change)")
        try:
            return edits.set_metrics(conn, uscc, year, body.model_extra or {}, user.username, dt.date.today())
        except edits.EditError as e:
            raise ApiError(422, "invalid", str(e)) from None


@router.get("/zones/{zone_no:int}", summary="片区档案 Zone dossier: figures, outline, parcels, enterprises")
def zone_dossier(zone_no: Int, state: State, user: CurrentUser, run: Int | None = None) -> dict[str, Any]:
    view = state.view()
    run_id = run if run is not None else (view.zone_run.id if view.zone_run else None)
    if run_id is None or not state.run_tables.exists("zone_runs", run_id):
        raise not_found(f"片区批次 {run_id}")
    zones = state.run_tables.zones(run_id)
    found = np.flatnonzero(zones["zone_no"].to_numpy() == zone_no)
    if not len(found):
        raise not_found(f"片区 {zone_no}")
    zone = zones.iloc[int(found[0])]
    members = schema.zone_parcels
    with state.store.engine.connect() as conn:
        codes = list(
            conn.execute(
                select(members.c.parcel_code).where((members.c.run_id == run_id) & (members.c.zone_no == zone_no))
            ).scalars()
        )
        occupancy = read_rows_in(
            conn, state.store, schema.occupancy, ["uscc", "parcel_code", "end_date", "land_share"], "parcel_code", codes
        )
    rows = [view.parcel_rows[c] for c in codes if c in view.parcel_rows]
    parcels = view.parcels.iloc[rows][["parcel_code", "area_mu", "class", "categories", "town_name", "village_name"]]
    current = occupancy[occupancy["end_date"].isna()].merge(parcels[["parcel_code", "area_mu"]], on="parcel_code")
    held = (
        current.assign(land_mu=current["area_mu"] * current["land_share"].fillna(1.0))
        .groupby("uscc", as_index=False)
        .agg(land_mu=("land_mu", "sum"))
        .round({"land_mu": 3})
    )
    enterprises = held.merge(view.enterprises[["uscc", "name", "class"]], on="uscc", how="left")
    figures = {str(k): plain(v) for k, v in zone.drop(labels=["geom"], errors="ignore").to_dict().items()}
    if isinstance(figures.get("findings"), str):  # rule → parcels found, stored as JSON text
        figures["findings"] = json.loads(figures["findings"])
    allowed = user.sees_private(str(zone.get("town_code") or ""))
    if not allowed:
        figures |= {k: None for k in figures if is_private(k)}
    shape = None
    if zone.get("geom") is not None and view.epsg:
        shape = to_lonlat(zone["geom"], view.epsg)
    return {
        "run_id": run_id,
        "zone": figures | {"restricted": not allowed},
        "parcels": records(parcels.sort_values("parcel_code")),
        "enterprises": records(enterprises.sort_values("land_mu", ascending=False)),
        "geometry": json.loads(shapely.to_geojson(shape)) if shape is not None else None,
        "bbox": list(shapely.bounds(shape)) if shape is not None else None,
    }
