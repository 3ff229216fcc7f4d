"""A filtered list as a file to download: XLSX under the reader's headers, GeoPackage or GeoJSON (RFC 7946).

A list without geometry (enterprises, their yearly figures) goes into a GeoPackage as an attribute
table (QGIS and GDAL open it and can join it to a layer) and into GeoJSON as features whose
geometry is null.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.language import say
from landrenewal.domain.vocabulary import VALUES, Pair
from landrenewal.files.writers import ExportError, Layer, write_layers, write_workbook

FORMATS = {"xlsx": ".xlsx", "gpkg": ".gpkg", "geojson": ".geojson"}
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
}


# Each list's name as its sheet is titled (a reader sees no table names of the code).
SHEETS: dict[str, Pair] = {
    "parcels": ("宗地清单", "Parcels"),
    "enterprises": ("企业清单", "Enterprises"),
    "evaluation": ("亩均评价结果", "Evaluation results"),
    "findings": ("低效用地认定结果", "Low-efficiency findings"),
    "zones": ("连片片区", "Renewal zones"),
    "buildings": ("建筑物清单", "Buildings"),
    "metrics": ("企业经营指标", "Enterprise figures"),
}
# The lists' columns whose stored codes a spreadsheet shows in words (state → 国有, rated → 参评 …).
CODED_COLUMNS = ("rights_type", "scale", "tenure", "use_type", "level", "list", "status")


def sheet_name(name: str) -> str:
    """The list ``name`` as the reader calls it."""
    pair = SHEETS.get(name)
    return say(*pair) if pair else name


def value_labels(column: str) -> dict[str, str]:
    """The words for the codes of ``column`` in the reader's language (empty for an uncoded column)."""
    if column not in CODED_COLUMNS:
        return {}
    return {code: say(*pair) for code, pair in VALUES[column].items()}


def readable_values(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (canonical columns) with coded values as the reader's words; other values as they are."""
    out = rows.copy()
    for column in CODED_COLUMNS:
        if column in out.columns:
            labels = value_labels(column)
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
    """The rows (already under the reader's headers) in a new temporary file; the caller deletes it."""
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
        return write_workbook(out, {sheet_name(name): rows}, about)
    layer = Layer(name, rows, geoms if epsg is not None else None, epsg, about)
    return write_layers(out, fmt, [layer])
