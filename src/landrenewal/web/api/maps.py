"""What the map draws: parcel vector tiles, division and zone outlines, the legend, and search."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import shapely
from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from landrenewal.analysis.results_out import CLASS_COLOURS
from landrenewal.domain.language import say
from landrenewal.store import schema
from landrenewal.store.frames import read_table
from landrenewal.tiles.mercator import to_lonlat
from landrenewal.web.api.lists import _run
from landrenewal.web.deps import ApiError, CurrentUser, Int, State
from landrenewal.web.schemas.common import binary
from landrenewal.web.schemas.maps import Division, DivisionOutlines, Legend, MapSetup, SearchHit, ZoneOutlines
from landrenewal.web.tables import records

router = APIRouter(tags=["map"])

# Categories in the order the policy lists them, coloured from one qualitative palette (ColorBrewer Set1).
CATEGORY_PALETTE = ("#e41a1c", "#377eb8", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#4daf4a", "#999999")
NONE_COLOUR = "#d9d9d9"
SEARCH_LIMIT = 20
MAX_ZOOM = 22
TILE_MEDIA = "application/vnd.mapbox-vector-tile"


@router.get("/api/map", summary="地图设置 Map set-up: bounds, tiles, optional basemap", response_model=MapSetup)
def map_setup(state: State, user: CurrentUser) -> dict[str, Any]:
    view = state.view()
    basemap = None
    if state.settings.basemap_url:
        basemap = {"url": state.settings.basemap_url, "attribution": state.settings.basemap_attribution}
    return {
        "bounds": list(view.bounds) if view.bounds else None,
        "basemap": basemap,
        "tiles": "/tiles/parcels/{z}/{x}/{y}.pbf",
        "zone_tiles": "/tiles/zones/{z}/{x}/{y}.pbf",
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "parcels": len(view.parcels),
        "zones": len(state.run_tables.zones(view.zone_run.id)) if view.zone_run else 0,
    }


@router.get("/api/legend", summary="图例 Legend: class and finding-category colours", response_model=Legend)
def legend(state: State, user: CurrentUser) -> dict[str, Any]:
    view = state.view()
    classes = [
        {
            "code": code,
            "label_zh": f"{code}类 {view.class_names.get(code, '')}".strip(),
            "label_en": f"Class {code}",
            "color": colour,
        }
        for code, colour in CLASS_COLOURS.items()
    ]
    categories = [
        {"name": name, "color": CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)]} for i, name in enumerate(view.categories)
    ]
    return {"classes": classes, "categories": categories, "none_color": NONE_COLOUR}


@router.get(
    "/tiles/parcels/{z}/{x}/{y}.pbf",
    summary="宗地矢量瓦片 Parcel vector tile (MVT)",
    response_class=Response,
    responses=binary("Mapbox 矢量瓦片", TILE_MEDIA),
)
async def parcel_tile(z: Int, x: Int, y: Int, state: State, user: CurrentUser) -> Response:
    _check_tile(z, x, y)
    # On the event loop only what is cheap: a tile already made. Checking the store, rebuilding the
    # source after an import and rendering go to a worker thread.
    source = state.tiles_if_current()
    data = source.cached(z, x, y) if source is not None else None
    if data is None:
        data = await run_in_threadpool(lambda: state.tiles().tile(z, x, y))
    return _tile_response(data)


@router.get(
    "/tiles/zones/{z}/{x}/{y}.pbf",
    summary="连片片区矢量瓦片 Zone outline vector tile (MVT), latest run",
    response_class=Response,
    responses=binary("Mapbox 矢量瓦片", TILE_MEDIA),
)
async def zone_tile(z: Int, x: Int, y: Int, state: State, user: CurrentUser) -> Response:
    _check_tile(z, x, y)
    return _tile_response(await run_in_threadpool(lambda: state.zone_tiles().tile(z, x, y)))


def _check_tile(z: int, x: int, y: int) -> None:
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise ApiError(404, "not_found", say(f"没有瓦片 {z}/{x}/{y}", f"no such tile: {z}/{x}/{y}"))


def _tile_response(data: bytes) -> Response:
    return Response(data, media_type=TILE_MEDIA, headers={"Cache-Control": "private, max-age=60"})


@router.get("/api/divisions", summary="行政区划 Divisions", response_model=list[Division])
def divisions(state: State, user: CurrentUser, level: str | None = None) -> list[dict[str, Any]]:
    frame = state.view().divisions
    if level:
        frame = frame[frame["level"] == level]
    return records(frame.sort_values("division_code"))


def _feature_collection(frame: pd.DataFrame, geoms: Any, epsg: int | None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection in lon/lat, geometry simplified to a metre (what a map shows)."""
    if epsg is None or not len(frame):
        return {"type": "FeatureCollection", "features": []}
    shapes = to_lonlat(shapely.simplify(np.asarray(geoms, dtype=object), 1.0), epsg)
    texts = shapely.to_geojson(shapes)
    features = [
        {"type": "Feature", "properties": props, "geometry": json.loads(text) if text else None}
        for props, text in zip(records(frame), texts, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


@router.get(
    "/api/divisions/geojson", summary="行政区划边界 Division outlines (GeoJSON)", response_model=DivisionOutlines
)
def division_outlines(state: State, user: CurrentUser, level: str = "town") -> dict[str, Any]:
    with state.store.engine.connect() as conn:
        table = schema.divisions
        frame = read_table(conn, state.store, table, ["division_code", "name", "level", "geom"], table.c.level == level)
    frame = frame[frame["geom"].notna()]
    return _feature_collection(frame.drop(columns="geom"), frame["geom"].to_numpy(dtype=object), state.view().epsg)


@router.get("/api/zones/geojson", summary="连片片区范围 Zone outlines (GeoJSON)", response_model=ZoneOutlines)
def zone_outlines(state: State, user: CurrentUser, run: Int | None = None) -> dict[str, Any]:
    view = state.view()
    params = {"run": str(run)} if run is not None else {}
    run_id = _run(params, view.zone_run.id if view.zone_run else None, "zone_runs", state)
    zones = state.run_tables.zones(run_id)
    columns = ["zone_no", "area_mu", "parcel_count", "verdict", "town_name", "contiguous_candidate", "scattered"]
    return _feature_collection(zones[columns], zones["geom"].to_numpy(dtype=object), view.epsg)


@router.get(
    "/api/search",
    summary="搜索 Search parcels by any part of their code, towns and villages by name, enterprises by name or USCC",
    response_model=list[SearchHit],
    response_model_exclude_unset=True,  # a hit has a bbox only where a division was found too
)
def search(state: State, user: CurrentUser, q: str = "") -> list[dict[str, Any]]:
    text = q.strip()
    if not text:
        return []
    view = state.view()
    parcels = view.parcels
    found = _divisions_named(view.divisions, parcels, text)
    codes = parcels["parcel_code"]
    upper = text.upper()
    hits = parcels[codes.str.contains(upper, regex=False, na=False)]
    # A code that starts with what was typed before one that only holds it; then in code order.
    hits = hits.assign(at=hits["parcel_code"].str.find(upper)).sort_values(["at", "parcel_code"], kind="stable")
    found += [
        {
            "kind": "parcel",
            "code": r.parcel_code,
            "label": f"{r.parcel_code} {r.town_name if isinstance(r.town_name, str) else ''}".strip(),
            "lon": r.lon,
            "lat": r.lat,
        }
        for r in hits.head(max(0, SEARCH_LIMIT - len(found))).itertuples()
    ]
    firms = view.enterprises
    match = firms["uscc"].str.contains(upper, regex=False, na=False) | firms["name"].str.contains(
        text, regex=False, na=False
    )
    firms = firms[match].head(max(0, SEARCH_LIMIT - len(found)))
    where = parcels.set_index("parcel_code")[["lon", "lat"]]
    at = where.reindex(firms["first_parcel"])
    for r, lon, lat in zip(firms.itertuples(), at["lon"], at["lat"], strict=True):
        found.append({"kind": "enterprise", "code": r.uscc, "label": f"{r.name}（{r.uscc}）", "lon": lon, "lat": lat})
    return records(pd.DataFrame(found)) if found else []


DIVISION_HITS = 5


def _divisions_named(divisions: pd.DataFrame, parcels: pd.DataFrame, text: str) -> list[dict[str, Any]]:
    """Towns and villages whose name holds ``text``, each with the extent of its parcels (towns first)."""
    named = divisions[
        divisions["level"].isin(["town", "village"]) & divisions["name"].str.contains(text, regex=False, na=False)
    ]
    named = (
        named.assign(order=named["level"].map({"town": 0, "village": 1}))
        .sort_values(["order", "division_code"])
        .head(DIVISION_HITS)
    )
    names = divisions.set_index("division_code")["name"]
    out = []
    for r in named.itertuples():
        inside = parcels[parcels["division_code"].str.startswith(str(r.division_code), na=False)]
        lon, lat = inside["lon"].dropna(), inside["lat"].dropna()
        box = [float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())] if len(lon) else None
        parent = names.get(str(r.parent_code)) if r.level == "village" and isinstance(r.parent_code, str) else None
        out.append(
            {
                "kind": r.level,
                "code": r.division_code,
                "label": f"{parent} {r.name}" if parent else r.name,
                "lon": (box[0] + box[2]) / 2 if box else None,
                "lat": (box[1] + box[3]) / 2 if box else None,
                "bbox": box,
            }
        )
    return out
