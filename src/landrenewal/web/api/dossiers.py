"""一地一档 and 一企一档: everything about one parcel or one enterprise, private figures scoped.

Read row by row (store.frames.read_rows), not as frames: a dossier is a handful of rows, and
building frames for them cost more than the indexed queries themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, func, select
from starlette.background import BackgroundTask

from landrenewal import accounts
from landrenewal.analysis.evaluation_runs import RunInfo
from landrenewal.analysis.explain import ParcelNotFound, explain_parcel, parcel_findings
from landrenewal.analysis.identification_runs import IdentificationInfo
from landrenewal.corrections import metrics as corrections
from landrenewal.domain.access import User
from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.language import say
from landrenewal.domain.privacy import is_aggregate, is_private, masked
from landrenewal.domain.rules import RULES
from landrenewal.domain.vocabulary import field_labels
from landrenewal.domain.zone_figures import PRIVATE_FIGURES as ZONE_PRIVATE_FIGURES
from landrenewal.files.writers import write_workbook
from landrenewal.store import schema
from landrenewal.store.frames import plain, read_rows, read_rows_in
from landrenewal.tiles.mercator import to_lonlat
from landrenewal.web import tables
from landrenewal.web.city import CityView
from landrenewal.web.deps import ApiError, CurrentUser, Int, State, not_found
from landrenewal.web.export import MEDIA
from landrenewal.web.pooling import min_pooled_units
from landrenewal.web.schemas.common import binary
from landrenewal.web.schemas.dossiers import EnterpriseDossier, MetricsSaved, ParcelDossier
from landrenewal.web.schemas.dossiers import ZoneDossier as ZoneDossierOut
from landrenewal.web.schemas.records import Metrics
from landrenewal.web.tables import records

router = APIRouter(prefix="/api", tags=["dossiers"])

RESTRICTED = "无权查看"
METRIC_COLUMNS = [f.name for f in ENTITIES["metrics"].fields if f.name not in ("uscc", "year")]


def _labels(entity: str) -> dict[str, str]:
    return {f.name: f.header for f in ENTITIES[entity].fields}


def _findings_seen(found: list[dict[str, Any]], state: State, user: User) -> list[dict[str, Any]]:
    """Findings as ``user`` may read them: a private figure of a unit the user may not see, and an
    aggregate pooling too few units the user may not see (domain/privacy.py), become 无权查看."""
    if user.sees_all_private or not found:
        return found
    view = state.view()
    ident = view.identification
    run = ident.evaluation_run_id if ident is not None else None
    owners = state.run_tables.unit_owners(run, view)
    pools = state.run_tables.pools(run, view)
    minimum = min_pooled_units(state.store)
    sees = user.private_mask(pd.Series(pools.towns, dtype="string")) if pools is not None else None
    for item in found:
        evidence = item["evidence"] if isinstance(item.get("evidence"), dict) else {}
        unit = evidence.get("unit_key")
        visible = unit is None or user.sees_private(owners.get(unit))
        pooled = False
        if unit is not None and pools is not None and sees is not None:
            pooled = bool(pools.shown(pd.Series([unit]), sees, minimum)[0])
        for part in ("evidence", "threshold"):
            value = item.get(part)
            if isinstance(value, dict):
                item[part] = {
                    k: RESTRICTED if (is_private(k) and not visible) or (is_aggregate(k) and not pooled) else v
                    for k, v in value.items()
                }
    return found


def _evaluation_seen(evaluation: dict[str, Any] | None, visible: bool) -> dict[str, Any] | None:
    """A unit's evaluation without its score, rank and indicator values where they are not the user's."""
    if evaluation is None:
        return None
    shown = masked(evaluation, visible)
    if not visible:
        shown["score_breakdown"] = [p | {"value": None, "points": None} for p in evaluation.get("score_breakdown", [])]
        if evaluation.get("previous_year"):
            shown["previous_year"] = masked(evaluation["previous_year"], False)
    return shown | {"restricted": not visible}


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


def _history_seen(rows: list[dict[str, Any]], seen: Callable[[str], bool]) -> list[dict[str, Any]]:
    """Figures before and after an edit are private data: of an enterprise ``seen`` (by USCC) does not
    pass, only that they changed."""
    return [
        r | {"before": None, "after": None} if r["entity"] == "metrics" and not seen(str(r["key"]).split("/")[0]) else r
        for r in rows
    ]


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


# exclude_unset: an evaluation of a year nobody used the land says only that (its own few fields)
@router.get(
    "/parcels/{code}",
    summary="一地一档 Parcel dossier",
    response_model=ParcelDossier,
    response_model_exclude_unset=True,
)
def parcel_dossier(code: str, state: State, user: CurrentUser) -> dict[str, Any]:
    view = state.view()
    store = state.store
    with store.engine.connect() as conn:
        try:
            explained = explain_parcel(conn, store, code, *_runs(view))
        except ParcelNotFound:
            raise not_found(f"宗地 {code}", f"parcel {code}") from None
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
    # Each enterprise's figures are its own town's, wherever its land lies.
    seen = {u: user.sees_private(str(names[u]["division_code"]) if u in names else None) for u in usccs}
    summary = view.parcel(code) or {}
    position = view.parcel_rows.get(code)
    geom = view.geoms[position] if position is not None else None
    shape = to_lonlat(shapely.simplify(geom, 0.1), view.epsg) if geom is not None and view.epsg else None
    unnamed = {"name": None, "division_code": None}
    enterprises = [row | unnamed | names.get(row["uscc"], {}) for row in _without(occupancy, "id")]
    evaluation = explained["evaluation"]
    if evaluation is not None:
        owners = state.run_tables.unit_owners(evaluation["run_id"], view)
        unit = evaluation.get("unit_key")
        evaluation = _evaluation_seen(evaluation, unit is None or user.sees_private(owners.get(unit)))
    hidden = [u for u, ok in seen.items() if not ok]
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
        "metrics": [m for m in metrics if seen.get(str(m["uscc"]))] if len(hidden) < len(seen) or not seen else None,
        "restricted": bool(hidden),
        "metrics_hidden": hidden,
        "evaluation": evaluation,
        "identification": explained["identification"],
        "findings": _findings_seen(explained["findings"], state, user),
        "zone": zone,
        # a score of any year is its unit's: shown only to who sees every enterprise that held the land
        "classes": [masked(c, not hidden) for c in classes],
        "history": _history_seen(history, lambda uscc: seen.get(uscc, False)),
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


@router.get("/enterprises/{uscc}", summary="一企一档 Enterprise dossier", response_model=EnterpriseDossier)
def enterprise_dossier(uscc: str, state: State, user: CurrentUser) -> dict[str, Any]:
    view = state.view()
    store = state.store
    with store.engine.connect() as conn:
        table = schema.enterprises
        found = read_rows(conn, store, table, None, table.c.uscc == uscc)
        if not found:
            raise not_found(f"企业 {uscc}", f"enterprise {uscc}")
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
    spanning = _runs_spanning_towns(state, uscc)
    evaluations = [masked(row, allowed and row["run_id"] not in spanning) for row in evaluations]
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
        "findings": _findings_seen(findings, state, user),
        "history": _history_seen(history, lambda _uscc: allowed),
    }


def _runs_spanning_towns(state: State, uscc: str) -> set[int]:
    """The evaluation runs in which the enterprise's unit merged enterprises of several towns."""
    members, companies = schema.evaluation_members, schema.enterprises
    other = members.alias("other")
    town = func.substr(companies.c.division_code, 1, 9)
    query = (
        select(members.c.run_id)
        .join(other, (other.c.run_id == members.c.run_id) & (other.c.unit_key == members.c.unit_key))
        .join(companies, companies.c.uscc == other.c.uscc)
        .where(members.c.uscc == uscc)
        .group_by(members.c.run_id)
        .having(func.count(func.distinct(town)) > 1)
    )
    with state.store.engine.connect() as conn:
        return {int(r) for r in conn.execute(query).scalars()}


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


@router.get(
    "/enterprises/{uscc}/metrics",
    summary="企业经营指标 An enterprise's yearly figures (private)",
    response_model=list[Metrics],
)
def enterprise_metrics(uscc: str, state: State, user: CurrentUser) -> list[dict[str, Any]]:
    with state.store.engine.connect() as conn:
        table = schema.enterprises
        found = read_rows(conn, state.store, table, ["division_code"], table.c.uscc == uscc)
        if not found:
            raise not_found(f"企业 {uscc}", f"enterprise {uscc}")
        if not user.sees_private(str(found[0]["division_code"])):
            raise ApiError(
                403,
                "forbidden",
                say("无权查看其他镇街企业的经营指标", "another town's enterprise: its figures are not yours to see"),
            )
        return _without(_metrics(conn, state, [uscc]), "uscc")


class MetricsChange(BaseModel):
    """Any of the yearly figures (the others keep their values); null clears one. A correction of a
    year already stored says why (``reason``); a negative tax is confirmed (``confirm_negative``)."""

    model_config = ConfigDict(extra="allow", strict=True)  # the figures: checked by the domain
    reason: str | None = None
    confirm_negative: bool = False


@router.put(
    "/enterprises/{uscc}/metrics/{year}",
    summary="修改企业经营指标 Change an enterprise's figures for a year",
    response_model=MetricsSaved,
)
def change_metrics(uscc: str, year: Int, body: MetricsChange, state: State, user: CurrentUser) -> dict[str, Any]:
    table = schema.enterprises
    with state.store.write() as conn:
        found = read_rows(conn, state.store, table, ["division_code"], table.c.uscc == uscc)
        if not found:
            raise not_found(f"企业 {uscc}", f"enterprise {uscc}")
        if not user.may_edit(str(found[0]["division_code"])):
            raise ApiError(
                403, "forbidden", say("无权修改该企业的经营指标", "this enterprise's figures are not yours to change")
            )
        try:
            return corrections.set_metrics(
                conn,
                uscc,
                year,
                body.model_extra or {},
                user.username,
                dt.date.today(),
                reason=body.reason,
                confirmed_negative=body.confirm_negative,
            )
        except corrections.NeedsConfirmation as e:
            raise ApiError(422, "needs_confirmation", str(e)) from None
        except corrections.EditError as e:
            raise ApiError(422, "invalid", str(e)) from None


@dataclass(frozen=True)
class ZoneDossier:
    run_id: int
    figures: dict[str, Any]  # the zone's row; private figures the user's own town's part where it spans towns
    allowed: bool  # the figures are the whole zone's (not only the user's town's part)
    parcels: pd.DataFrame
    enterprises: pd.DataFrame
    geom: Any


def _zone(state: State, user: User, zone_no: int, run: int | None) -> ZoneDossier:
    view = state.view()
    run_id = run if run is not None else (view.zone_run.id if view.zone_run else None)
    if run_id is None or not state.run_tables.exists("zone_runs", run_id):
        raise not_found(f"片区批次 {run_id}", f"zone run {run_id}")
    zones = state.run_tables.zones(run_id)
    found = np.flatnonzero(zones["zone_no"].to_numpy() == zone_no)
    if not len(found):
        raise not_found(f"片区 {zone_no}", f"zone {zone_no}")
    parts = state.run_tables.zone_parts(run_id, view)
    # the officer's own town's part of a zone that also holds other towns' figures (web/tables.own_parts)
    zone = tables.own_parts(zones.iloc[[int(found[0])]], tables.ZONES, user, tables.Disclosure(parts=parts)).iloc[0]
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
    parcels = view.parcels.iloc[rows][ZONE_PARCEL_COLUMNS]
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
    partial = bool(figures.pop("partial", False))
    return ZoneDossier(
        run_id,
        figures,
        not partial,
        parcels.sort_values("parcel_code"),
        enterprises.sort_values("land_mu", ascending=False),
        zone.get("geom"),
    )


ZONE_PARCEL_COLUMNS = ["parcel_code", "area_mu", "class", "categories", "town_name", "village_name"]
ZONE_ENTERPRISE_COLUMNS = ["uscc", "name", "class", "land_mu"]
# The zone's figures in its export, in the dossier's order (codes and run ids are in the parcels sheet or 说明).
ZONE_FIGURES = (
    "zone_no",
    "town_name",
    "village_name",
    "outline_mu",
    "area_mu",
    "parcel_count",
    "state_mu",
    "collective_mu",
    "enterprise_count",
    "holder_count",
    "tax_per_mu",
    "value_added_per_mu",
    "finding_mu",
    "finding_parcels",
    "class_a_mu",
    "class_b_mu",
    "class_c_mu",
    "class_d_mu",
    "unrated_mu",
    "verdict",
    "big_zone_name",
    "middle_zone_name",
    "small_zone_name",
)


@router.get(
    "/zones/{zone_no:int}",
    summary="片区档案 Zone dossier: figures, outline, parcels, enterprises",
    response_model=ZoneDossierOut,
)
def zone_dossier(zone_no: Int, state: State, user: CurrentUser, run: Int | None = None) -> dict[str, Any]:
    view = state.view()
    zone = _zone(state, user, zone_no, run)
    shape = None
    if zone.geom is not None and view.epsg:
        shape = to_lonlat(zone.geom, view.epsg)
    return {
        "run_id": zone.run_id,
        "zone": zone.figures | _zone_flags(zone),
        "parcels": records(zone.parcels),
        "enterprises": records(zone.enterprises),
        "geometry": json.loads(shapely.to_geojson(shape)) if shape is not None else None,
        "bbox": list(shapely.bounds(shape)) if shape is not None else None,
    }


@router.get(
    "/zones/{zone_no:int}/export",
    summary="片区档案导出 A zone dossier as XLSX: its figures, parcels and enterprises",
    response_class=FileResponse,
    responses=binary("片区档案（XLSX）", MEDIA["xlsx"]),
)
def zone_dossier_export(zone_no: Int, state: State, user: CurrentUser, run: Int | None = None) -> FileResponse:
    zone = _zone(state, user, zone_no, run)
    names = field_labels() | {"zone_no": ("片区编号", "Zone"), "area_mu": ("宗地面积合计（亩）", "Parcel area (mu)")}
    figures = zone.figures
    rows = [(names[k][0], figures.get(k)) for k in ZONE_FIGURES if k in figures]
    found = figures.get("findings")
    if isinstance(found, dict) and found:
        rules = "；".join(f"{RULES[r].zh if r in RULES else r}: {n}" for r, n in found.items())
        rows.append(("认定规则命中宗地数", rules))
    if not zone.allowed:
        rows.append(
            ("说明", "本片区含其他镇街企业的经营数据，亩均税收等仅为本镇街企业部分（其余仅限所在镇街和市级用户查看）")
        )
    sheets = {
        "片区概况": pd.DataFrame(rows, columns=["项目", "数值"]),
        "宗地": _headed(zone.parcels[ZONE_PARCEL_COLUMNS], names | {"area_mu": field_labels()["area_mu"]}),
        "企业": _headed(zone.enterprises[ZONE_ENTERPRISE_COLUMNS], names | {"land_mu": ("片区内用地（亩）", "")}),
    }
    about = {
        "数据": f"{zone_no} 号片区档案",
        "片区批次": str(zone.run_id),
        "导出人": user.display_name,
        "导出日期": dt.date.today().isoformat(),
    }
    folder = Path(tempfile.mkdtemp(prefix="landrenewal-export-"))
    out = folder / f"片区档案-{zone_no}-{dt.date.today():%Y%m%d}.xlsx"
    write_workbook(out, sheets, about)
    return FileResponse(
        out,
        media_type=MEDIA["xlsx"],
        filename=out.name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _zone_flags(zone: ZoneDossier) -> dict[str, bool]:
    """``partial``: the figures are the user's town's part of the zone's; ``restricted``: not even a part."""
    nothing = all(zone.figures.get(k) is None for k in ZONE_PRIVATE_FIGURES)
    return {"partial": not zone.allowed, "restricted": not zone.allowed and nothing}


def _headed(frame: pd.DataFrame, names: dict[str, tuple[str, str]]) -> pd.DataFrame:
    return frame.rename(columns={c: names[c][0] for c in frame.columns if c in names})
