"""Writing stored records to files users open in QGIS, ArcGIS and Excel.

- GeoPackage: canonical English column names, the store's CRS.
- Shapefile: UTF-8 .dbf with a .cpg; field names are the 10-byte short names of
  ``domain.fields`` (``ZDDM`` 宗地代码 …), and ``<name>_fields.csv`` beside it lists each
  short name with its full name, Chinese label and unit.
- GeoJSON: RFC 7946 (longitude/latitude, WGS 84; CGCS2000 agrees with it to centimetres).
- XLSX and CSV: Chinese headers with units (``宗地面积（m²）``), enum values in Chinese,
  no geometry; CSV in UTF-8 with BOM so that Excel shows the Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from landrenewal.domain.fields import EntitySpec, Kind


@dataclass(frozen=True)
class DerivedColumn:
    short: str
    header: str


# Columns the store derives (not in the field specs) and how files name them.
DERIVED: dict[str, DerivedColumn] = {
    "area_m2": DerivedColumn("TXMJ_M2", "图形面积（m²）"),
    "area_mu": DerivedColumn("TXMJ_MU", "图形面积（亩）"),
    "area_ha": DerivedColumn("TXMJ_HA", "图形面积（公顷）"),
    "level": DerivedColumn("JB", "级别"),
    "parent_code": DerivedColumn("SJDM", "上级区划代码"),
}
LEVEL_ZH = {"county": "县（市、区）", "town": "镇（街道）", "village": "村（社区）"}


class ExportError(Exception):
    """A format that cannot hold this kind of record."""


def _attribute_columns(frame: pd.DataFrame, spec: EntitySpec) -> list[str]:
    ordered = [f.name for f in spec.fields if f.name in frame] + [c for c in DERIVED if c in frame]
    return ordered


def short_names(frame: pd.DataFrame, spec: EntitySpec) -> dict[str, str]:
    """Canonical column → shapefile field name (ASCII, ≤ 10 bytes, unique)."""
    names: dict[str, str] = {}
    for column in _attribute_columns(frame, spec):
        short = spec.field(column).short if column in spec.names else DERIVED[column].short
        names[column] = short[:10]
    if len(set(names.values())) != len(names):
        raise AssertionError(f"duplicate shapefile field names in {spec.kind}: {names}")
    return names


def _headers(frame: pd.DataFrame, spec: EntitySpec) -> dict[str, str]:
    return {
        c: (spec.field(c).header if c in spec.names else DERIVED[c].header) for c in _attribute_columns(frame, spec)
    }


def _with_labels(frame: pd.DataFrame, spec: EntitySpec) -> pd.DataFrame:
    """Enum values as their Chinese labels, for spreadsheets."""
    out = frame.copy()
    for f in spec.fields:
        if f.kind is Kind.ENUM and f.name in out:
            out[f.name] = out[f.name].map(f.labels).where(out[f.name].notna(), None)
    if "level" in out:
        out["level"] = out["level"].map(LEVEL_ZH)
    return out


def _as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns as calendar dates, so GIS formats get Date fields (a shapefile has no DateTime)."""
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].astype("date32[pyarrow]")
    return out


def _geodataframe(frame: pd.DataFrame, columns: list[str], epsg: int | None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(_as_dates(frame[columns]), geometry=frame["geom"].to_numpy(dtype=object), crs=epsg)


def write_table(
    frame: pd.DataFrame, spec: EntitySpec, fmt: str, out: Path, *, epsg: int | None, layer: str | None = None
) -> list[Path]:
    """Write records with canonical columns (and ``geom`` in EPSG ``epsg``) as ``fmt``; the files written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    columns = _attribute_columns(frame, spec)
    spatial = "geom" in frame
    if fmt in ("shp", "geojson") and not spatial:
        raise ExportError(f"{spec.zh}没有图形，请导出为 gpkg、xlsx 或 csv ({spec.kind} has no geometry)")
    if fmt == "gpkg":
        data = _geodataframe(frame, columns, epsg) if spatial else _as_dates(frame[columns])
        pyogrio.write_dataframe(data, out, layer=layer or spec.table, driver="GPKG", use_arrow=True)
        return [out]
    if fmt == "shp":
        names = short_names(frame, spec)
        gdf = _geodataframe(frame, columns, epsg).rename(columns=names)
        pyogrio.write_dataframe(gdf, out, driver="ESRI Shapefile", encoding="UTF-8", use_arrow=True)
        sidecar = out.with_name(f"{out.stem}_fields.csv")
        headers = _headers(frame, spec)
        pd.DataFrame(
            {
                "字段 short name": list(names.values()),
                "字段全名 field": list(names),
                "中文名称 label": [headers[c] for c in names],
            }
        ).to_csv(sidecar, index=False, encoding="utf-8-sig")
        written = [out.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
        return [p for p in written if p.exists()] + [sidecar]
    if fmt == "geojson":
        gdf = _geodataframe(frame, columns, epsg)
        pyogrio.write_dataframe(gdf.to_crs(4326), out, driver="GeoJSON", layer_options={"RFC7946": "YES"})
        return [out]
    labelled = _with_labels(frame[columns], spec).rename(columns=_headers(frame, spec))
    if fmt == "csv":
        dates = [c for c in labelled if pd.api.types.is_datetime64_any_dtype(labelled[c])]
        for c in dates:
            labelled[c] = labelled[c].dt.strftime("%Y-%m-%d")
        labelled.to_csv(out, index=False, encoding="utf-8-sig")
        return [out]
    if fmt == "xlsx":
        _write_xlsx(labelled, out, sheet=spec.zh)
        return [out]
    raise ExportError(f"未知格式 {fmt!r} (unknown format)")


def _write_xlsx(frame: pd.DataFrame, out: Path, sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.freeze_panes = "A2"
    for i, header in enumerate(frame.columns):
        width = max(len(str(header)) * 2, 10)
        ws.column_dimensions[_column_letter(i)].width = min(width, 40)
    bold = Font(bold=True)
    header_cells = []
    for header in frame.columns:
        cell = WriteOnlyCell(ws, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    date_columns = {i for i, c in enumerate(frame.columns) if pd.api.types.is_datetime64_any_dtype(frame[c])}
    values = frame.astype(object).where(frame.notna(), None).to_numpy()
    for row in values:
        ws.append([_date_cell(ws, v) if i in date_columns else _plain(v) for i, v in enumerate(row)])
    book.save(out)


def _date_cell(ws: object, value: object) -> object:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=pd.Timestamp(value).date())  # type: ignore[arg-type]
    cell.number_format = "yyyy-mm-dd"
    return cell


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
