"""A filtered list as a file to download: XLSX with Chinese headers, GeoPackage or GeoJSON (RFC 7946).

A list without geometry (enterprises, their yearly figures) goes into a GeoPackage as an attribute
table (QGIS and GDAL open it and can join it to a layer) and into GeoJSON as features whose
geometry is null.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio

from landrenewal.analysis.results_out import write_xlsx
from landrenewal.domain.evaluation import LISTS, STATUS
from landrenewal.domain.fields import (
    BUILDING_USE_ZH,
    PLANNING_LEVEL_ZH,
    RIGHTS_TYPE_ZH,
    SCALE_ZH,
    TENURE_ZH,
)
from landrenewal.domain.language import say

FORMATS = {"xlsx": ".xlsx", "gpkg": ".gpkg", "geojson": ".geojson"}
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
}


# Each list's name as its sheet is titled (a Chinese reader sees no table names of the code).
SHEETS = {
    "parcels": "宗地清单",
    "enterprises": "企业清单",
    "evaluation": "亩均评价结果",
    "findings": "低效用地认定结果",
    "zones": "连片片区",
    "buildings": "建筑物清单",
    "metrics": "企业经营指标",
}
# Stored codes of the lists' columns → what a spreadsheet shows (state → 国有, rated → 参评 …).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "rights_type": RIGHTS_TYPE_ZH,
    "scale": SCALE_ZH,
    "tenure": TENURE_ZH,
    "use_type": BUILDING_USE_ZH,
    "level": PLANNING_LEVEL_ZH,
    "list": LISTS,
    "status": STATUS,
}


class ExportError(ValueError):
    pass


def readable_values(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (canonical columns) with coded values as their Chinese labels; other values as they are."""
    out = rows.copy()
    for column, labels in VALUE_LABELS.items():
        if column in out.columns:
            values = out[column].astype(object)
            out[column] = values.map(labels).where(values.isin(list(labels)), values)
    return out


def write_export(
    rows: pd.DataFrame,
    name: str,
    fmt: str,
    about: dict[str, str],
    geoms: npt.NDArray[np.object_] | None,
    epsg: int | None,
) -> Path:
    """The rows (already under their Chinese headers) in a new temporary file; the caller deletes it."""
    if fmt not in FORMATS:
        raise ExportError(
            say(
                f"format：只能导出 {'、'.join(FORMATS)}，而不是 {fmt!r}",
                f"format: one of {', '.join(FORMATS)}, not {fmt!r}",
            )
        )
    folder = Path(tempfile.mkdtemp(prefix="landrenewal-export-"))
    out = folder / f"{name}-{dt.date.today():%Y%m%d}{FORMATS[fmt]}"
    if fmt == "xlsx":
        write_xlsx(out, {SHEETS.get(name, name): rows}, about)
        return out
    table = rows.reset_index(drop=True)
    layer: pd.DataFrame = table
    options: dict[str, object] = {}
    if geoms is not None and epsg is not None:
        layer = gpd.GeoDataFrame(table, geometry=list(geoms), crs=f"EPSG:{epsg}")
        options = {"geometry_type": "MultiPolygon", "promote_to_multi": True}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "No SRS set on layer")  # a table without geometry has none
        if fmt == "geojson":
            lonlat = layer.to_crs(4326) if isinstance(layer, gpd.GeoDataFrame) else layer
            pyogrio.write_dataframe(
                lonlat, out, driver="GeoJSON", layer=name, layer_options={"RFC7946": "YES"}, **options
            )
        else:
            description = "；".join(f"{k}: {v}" for k, v in about.items())
            pyogrio.write_dataframe(
                layer, out, driver="GPKG", layer=name, layer_options={"DESCRIPTION": description}, **options
            )
    return out
