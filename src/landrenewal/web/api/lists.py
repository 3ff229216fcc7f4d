"""The paged lists (parcels, buildings, enterprises, metrics, evaluation results, findings, zones) and their exports."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from landrenewal.web import tables
from landrenewal.web.deps import ApiError, AppState, CurrentUser, State, whole_number
from landrenewal.web.export import MEDIA, ExportError, write_export
from landrenewal.web.tables import ListError, ListSpec

router = APIRouter(prefix="/api", tags=["lists"])

# Each list: its rows for a request (the run's, for run lists) and what its export's 说明 sheet says.
Rows = Callable[[AppState, dict[str, str]], tuple[pd.DataFrame, dict[str, str]]]


def _run(params: dict[str, str], latest: int | None, table: str, state: AppState) -> int:
    raw = params.get("run")
    if raw in (None, ""):
        if latest is None:
            raise ApiError(404, "no_run", f"库中还没有 {table} 的结果 (nothing has been run yet)")
        return latest
    try:
        run_id = whole_number("run", raw)
    except ValueError as e:
        raise ApiError(422, "invalid", str(e)) from None
    if not state.run_tables.exists(table, run_id):
        raise ApiError(404, "not_found", f"没有批次 {run_id} (no such run)")
    return run_id


def _parcels(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    return state.view().parcels, {"数据": "宗地清单"}


def _enterprises(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    about = {"数据": "企业清单"}
    if view.evaluation is not None:
        about["评价批次"] = f"{view.evaluation.id}（{view.evaluation.year} 年）"
    return view.enterprises, about


def _evaluation(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    run_id = _run(params, view.evaluation.id if view.evaluation else None, "evaluation_runs", state)
    return state.run_tables.evaluation(run_id, view), {"数据": "亩均评价结果", "评价批次": str(run_id)}


def _findings(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    run_id = _run(params, view.identification.id if view.identification else None, "identification_runs", state)
    return state.run_tables.findings(run_id, view), {"数据": "低效用地认定结果", "认定批次": str(run_id)}


def _zones(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    run_id = _run(params, view.zone_run.id if view.zone_run else None, "zone_runs", state)
    return state.run_tables.zones(run_id), {"数据": "连片片区", "片区批次": str(run_id)}


def _buildings(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    return state.run_tables.buildings(state.view()), {"数据": "建筑物清单"}


def _metrics(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    return state.run_tables.metrics(state.view()), {"数据": "企业经营指标"}


SOURCES: dict[str, tuple[ListSpec, Rows]] = {
    "parcels": (tables.PARCELS, _parcels),
    "enterprises": (tables.ENTERPRISES, _enterprises),
    "evaluation/results": (tables.EVALUATION, _evaluation),
    "findings": (tables.FINDINGS, _findings),
    "zones": (tables.ZONES, _zones),
    "buildings": (tables.BUILDINGS, _buildings),
    "metrics": (tables.METRICS, _metrics),
}


def _geometry(state: AppState, rows: pd.DataFrame) -> npt.NDArray[np.object_] | None:
    """The geometry of the rows in the store's CRS: the zone outline, else the parcel (else None)."""
    if "geom" in rows.columns:
        return rows["geom"].to_numpy(dtype=object)
    if "parcel_code" not in rows.columns:
        return None
    view = state.view()
    where = pd.Series(np.arange(len(view.parcels)), index=view.parcels["parcel_code"])
    return view.geoms[where.reindex(rows["parcel_code"]).fillna(-1).astype(int).to_numpy()]


def _list_page(path: str) -> Callable[..., dict[str, Any]]:
    spec, rows_of = SOURCES[path]

    def listed(request: Request, state: State, user: CurrentUser) -> dict[str, Any]:
        params = dict(request.query_params)
        frame, _ = rows_of(state, params)
        try:
            return tables.page(frame, spec, params, user)
        except ListError as e:
            raise ApiError(422, "invalid", str(e)) from None

    listed.__name__ = f"list_{spec.name}"
    return listed


def _list_export(path: str) -> Callable[..., FileResponse]:
    spec, rows_of = SOURCES[path]

    def exported(request: Request, state: State, user: CurrentUser, format: str = "xlsx") -> FileResponse:
        params = dict(request.query_params)
        frame, about = rows_of(state, params)
        try:
            rows = tables.filtered(frame, spec, params)
        except ListError as e:
            raise ApiError(422, "invalid", str(e)) from None
        shown = tables.private_hidden(rows, spec, user)
        geoms = _geometry(state, rows) if format != "xlsx" else None
        about = about | {"导出人": user.display_name, "筛选条件": _described(params), "行数": str(len(rows))}
        try:
            out = write_export(tables.labelled(shown, spec), spec.name, format, about, geoms, state.view().epsg)
        except ExportError as e:
            raise ApiError(422, "invalid", str(e)) from None
        return FileResponse(
            out,
            media_type=MEDIA[format],
            filename=out.name,
            background=BackgroundTask(shutil.rmtree, out.parent, ignore_errors=True),
        )

    exported.__name__ = f"export_{spec.name}"
    return exported


def _described(params: dict[str, str]) -> str:
    shown = {k: v for k, v in params.items() if k not in ("format", "page", "page_size") and v}
    return "；".join(f"{k}={v}" for k, v in shown.items()) or "（无）"


for _path, (_spec, _) in SOURCES.items():
    router.add_api_route(f"/{_path}", _list_page(_path), methods=["GET"], summary=f"{_spec.name} 列表 (paged)")
    router.add_api_route(
        f"/{_path}/export",
        _list_export(_path),
        methods=["GET"],
        summary=f"{_spec.name} 导出 (xlsx | gpkg | geojson)",
        response_class=FileResponse,
    )
