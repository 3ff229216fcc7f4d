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

from landrenewal.domain.language import say
from landrenewal.domain.vocabulary import Pair
from landrenewal.files.writers import ExportError
from landrenewal.web import tables
from landrenewal.web.deps import ApiError, CurrentUser, State, whole_number
from landrenewal.web.export import MEDIA, readable_values, sheet_name, value_labels, write_export
from landrenewal.web.pooling import min_pooled_units
from landrenewal.web.schemas.common import binary
from landrenewal.web.schemas.lists import ListPage
from landrenewal.web.state import AppState
from landrenewal.web.tables import Disclosure, ListError, ListSpec

router = APIRouter(prefix="/api", tags=["lists"])

# Each list: its rows for a request (the run's, for run lists) and what its export's 说明 sheet says.
Rows = Callable[[AppState, dict[str, str]], tuple[pd.DataFrame, dict[str, str]]]


# what each kind of run is called, for "nothing has been run yet"
RUN_NAMES = {
    "evaluation_runs": ("亩均评价", "evaluation"),
    "identification_runs": ("低效用地认定", "identification"),
    "zone_runs": ("连片片区划定", "zone delineation"),
}


def _run(params: dict[str, str], latest: int | None, table: str, state: AppState) -> int:
    raw = params.get("run")
    if raw in (None, ""):
        if latest is None:
            raise ApiError(
                404,
                "no_run",
                say(f"库中还没有{RUN_NAMES[table][0]}的结果", f"no {RUN_NAMES[table][1]} has been run yet"),
            )
        return latest
    try:
        run_id = whole_number("run", raw)
    except ValueError as e:
        raise ApiError(422, "invalid", str(e)) from None
    if not state.run_tables.exists(table, run_id):
        raise ApiError(404, "not_found", say(f"没有批次 {run_id}", f"no such run: {run_id}"))
    return run_id


def _about(name: str, run_label: str = "", run_id: int | None = None) -> dict[str, str]:
    """The first lines of an export's 说明 sheet: which list, of which run."""
    about = {say("数据", "Data"): sheet_name(name)}
    if run_label:
        about[run_label] = str(run_id)
    return about


def _parcels(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    return state.view().parcels, _about("parcels")


def _enterprises(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    about = _about("enterprises")
    if view.evaluation is not None:
        run = view.evaluation
        about[say("评价批次", "Evaluation run")] = say(f"{run.id}（{run.year} 年）", f"{run.id} ({run.year})")
    return view.enterprises, about


def _evaluation(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    run_id = _run(params, view.evaluation.id if view.evaluation else None, "evaluation_runs", state)
    return state.run_tables.evaluation(run_id, view), _about("evaluation", say("评价批次", "Evaluation run"), run_id)


def _findings(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    run_id = _run(params, view.identification.id if view.identification else None, "identification_runs", state)
    return state.run_tables.findings(run_id, view), _about("findings", say("认定批次", "Identification run"), run_id)


def _zones(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    view = state.view()
    run_id = _run(params, view.zone_run.id if view.zone_run else None, "zone_runs", state)
    return state.run_tables.zones(run_id), _about("zones", say("片区批次", "Zone run"), run_id)


def _buildings(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    return state.run_tables.buildings(state.view()), _about("buildings")


def _metrics(state: AppState, params: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    return state.run_tables.metrics(state.view()), _about("metrics")


SOURCES: dict[str, tuple[ListSpec, Rows]] = {
    "parcels": (tables.PARCELS, _parcels),
    "enterprises": (tables.ENTERPRISES, _enterprises),
    "evaluation/results": (tables.EVALUATION, _evaluation),
    "findings": (tables.FINDINGS, _findings),
    "zones": (tables.ZONES, _zones),
    "buildings": (tables.BUILDINGS, _buildings),
    "metrics": (tables.METRICS, _metrics),
}


def _disclosure(state: AppState, path: str, frame: pd.DataFrame, params: dict[str, str]) -> Disclosure:
    """What the list needs to decide what a user may read: the industry means findings quote, and
    each zone's figures by town."""
    if path == "findings" and not frame.empty:
        run = frame["pool_run"].iloc[0]
        pools = state.run_tables.pools(None if pd.isna(run) else int(run), state.view())
        return Disclosure(pools=pools, min_pooled=min_pooled_units(state.store))
    if path == "zones" and not frame.empty:
        view = state.view()
        run_id = _run(params, view.zone_run.id if view.zone_run else None, "zone_runs", state)
        return Disclosure(parts=state.run_tables.zone_parts(run_id, view))
    return tables.NOTHING_MORE


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
            return tables.page(frame, spec, params, user, _disclosure(state, path, frame, params))
        except ListError as e:
            raise ApiError(422, "invalid", str(e)) from None

    listed.__name__ = f"list_{spec.name}"
    return listed


def _list_export(path: str) -> Callable[..., FileResponse]:
    spec, rows_of = SOURCES[path]

    def exported(request: Request, state: State, user: CurrentUser, format: str = "xlsx") -> FileResponse:
        params = dict(request.query_params)
        frame, about = rows_of(state, params)
        disclosure = _disclosure(state, path, frame, params)
        try:
            rows = tables.filtered(tables.own_parts(frame, spec, user, disclosure), spec, params, user)
        except ListError as e:
            raise ApiError(422, "invalid", str(e)) from None
        shown = tables.private_hidden(rows, spec, user, disclosure)
        geoms = _geometry(state, rows) if format != "xlsx" else None
        described = _described(params, spec, state.view().divisions)
        about = about | {
            say("导出人", "Exported by"): user.display_name,
            say("筛选条件", "Filters"): described,
            say("行数", "Rows"): str(len(rows)),
        }
        if format == "xlsx":  # a spreadsheet is read: codes in words (GIS formats keep the data's codes)
            shown = readable_values(shown)
        try:
            out = write_export(
                tables.labelled(shown, spec, for_reading=format == "xlsx"),
                spec.name,
                format,
                about,
                geoms,
                state.view().epsg,
            )
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


_PARAMS: dict[str, Pair] = {
    "town": ("镇街", "Town"),
    "q": ("搜索", "Search"),
    "run": ("批次", "Run"),
    "sort": ("排序", "Sorted by"),
    "rule": ("规则", "Rule"),
    "category": ("低效类型", "Category"),
}
_ORDER: dict[str, Pair] = {"asc": ("升序", "ascending"), "desc": ("降序", "descending")}


def _described(params: dict[str, str], spec: ListSpec, divisions: pd.DataFrame) -> str:
    """The filters of an export as a reader says them: ``镇街：恩城街道；类别：D``, not ``town=440785001``."""
    columns = {c.name: say(c.zh, c.en) for c in spec.columns}
    names = divisions.set_index("division_code")["name"] if len(divisions) else pd.Series(dtype=object)
    listed, colon = say("、", ", "), say("：", ": ")
    parts = []
    for key, raw in params.items():
        if not raw or (key not in _PARAMS and key not in spec.filters):
            continue  # paging, format, order (said with the sort) and parameters the list does not know
        if key == "town":
            value = listed.join(str(names.get(code, code)) for code in raw.split(","))
        elif key == "sort":
            order = _ORDER.get(params.get("order") or "asc")
            value = f"{columns.get(raw, raw)} {say(*order) if order else ''}".strip()
        elif key in spec.filters:
            labels = value_labels(spec.filters[key])
            value = listed.join(labels.get(v, v) for v in raw.split(",") if v)
        else:
            value = raw
        pair = _PARAMS.get(key)
        label = columns.get(spec.filters.get(key, "")) or (say(*pair) if pair else key)
        parts.append(f"{label}{colon}{value}")
    return say("；", "; ").join(parts) or say("（无）", "(none)")


for _path, (_spec, _) in SOURCES.items():
    router.add_api_route(
        f"/{_path}", _list_page(_path), methods=["GET"], summary=f"{_spec.name} 列表 (paged)", response_model=ListPage
    )
    router.add_api_route(
        f"/{_path}/export",
        _list_export(_path),
        methods=["GET"],
        summary=f"{_spec.name} 导出 (xlsx | gpkg | geojson)",
        response_class=FileResponse,
        responses=binary("导出文件", *MEDIA.values()),
    )
