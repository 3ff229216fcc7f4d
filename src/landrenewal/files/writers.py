"""Writing stored records to files users open in QGIS, ArcGIS and Excel.

``write_table`` takes records with canonical column names (``domain.fields``), an optional
``geom`` column of shapely geometries in EPSG ``epsg``, and derived columns (``DERIVED``:
``area_m2``, ``area_mu``, ``area_ha`` …), and writes one of:

- ``gpkg``: canonical English column names (``parcel_code``, ``registered_area_m2`` …), the
  store's CRS. The Chinese header of each column is recorded in ``gpkg_data_columns``
  (GeoPackage schema extension), which GDAL reads as the field's alternative name and QGIS
  shows as its alias. A layer of that name in an existing file is replaced; other layers stay.
- ``shp``: UTF-8 .dbf with a .cpg saying ``UTF-8``, a .prj, and field names that are the
  10-byte ASCII short names of ``domain.fields`` (``ZDDM`` 宗地代码 …; ``DERIVED`` for
  derived columns, a deterministic fallback for anything else). ``<name>_fields.csv``
  beside it (UTF-8 with BOM) lists each short name with its canonical name, Chinese label
  and unit: the documented mapping for names a .dbf cannot hold.
- ``geojson``: RFC 7946, longitude/latitude on WGS 84 with no ``crs`` member. Coordinates
  are transformed from ``epsg`` to EPSG:4326; CGCS2000 and WGS 84 differ by centimetres to
  decimetres, far below map scale, and PROJ treats CGCS2000 → WGS 84 as a no-op.
- ``xlsx``: Chinese headers with units (``宗地面积（m²）``, ``图形面积（亩）``), enum values
  as their Chinese labels, dates as Excel dates, no geometry; frozen header row, filter,
  column widths fitted to the content.
- ``csv``: UTF-8 with BOM (so that Excel shows the Chinese), the same headers and values
  as XLSX, dates as ``YYYY-MM-DD``.

Stored values (``state``, ``above`` …) are kept in GIS formats, where they are data for
further processing; spreadsheets are for reading and get the labels.

Files are written under a temporary name beside the target and moved into place, so a
failed export leaves no half-written file behind (an existing GeoPackage is written in
place, in GDAL's transactions, so that its other layers are kept).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import tempfile
import unicodedata
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from landrenewal.domain.fields import EntitySpec, Kind
from landrenewal.domain.language import say

FORMATS = ("gpkg", "shp", "geojson", "xlsx", "csv")
LEVEL_ZH = {"county": "县（市、区）", "town": "镇（街道）", "village": "村（社区）"}


@dataclass(frozen=True)
class DerivedColumn:
    """How files name a column the store derives (it has no FieldSpec)."""

    short: str  # shapefile field name: ASCII, ≤ 10 bytes
    zh: str
    unit: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def header(self) -> str:
        return f"{self.zh}（{self.unit}）" if self.unit else self.zh


# Columns the store derives, and their names in files. The short names must not collide
# with FieldSpec.short: parcels already use MJ_MU/MJ_HA for the *registered* area, so the
# area of the geometry is TXMJ_* (图形面积).
DERIVED: dict[str, DerivedColumn] = {
    "area_m2": DerivedColumn("TXMJ_M2", "图形面积", "m²"),
    "area_mu": DerivedColumn("TXMJ_MU", "图形面积", "亩"),
    "area_ha": DerivedColumn("TXMJ_HA", "图形面积", "公顷"),
    "level": DerivedColumn("JB", "级别", labels=LEVEL_ZH),
    "parent_code": DerivedColumn("SJDM", "上级区划代码"),
}

_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml", ".qmd")
_XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
_XLSX_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_WIDTH_SAMPLE = 500  # rows looked at to fit a column's width


class ExportError(Exception):
    """Records that cannot be written in the asked format."""


@dataclass(frozen=True)
class OutColumn:
    """One written column: its canonical name and what each format calls it."""

    name: str
    short: str
    zh: str
    unit: str | None
    labels: Mapping[str, str]
    kind: Kind | None  # None for derived and extra columns

    @property
    def header(self) -> str:
        return f"{self.zh}（{self.unit}）" if self.unit else self.zh


# ---- columns and names ------------------------------------------------------------------------


def ascii_short(name: str) -> str:
    """A shapefile field name for a column nobody named: ASCII letters, digits and _, ≤ 10 bytes."""
    short = re.sub(r"[^A-Za-z0-9_]", "", name).upper()
    if not short or short[0].isdigit():
        short = "F" + short
    return short[:10]


def _deduped(short: str, taken: set[str]) -> str:
    """``short``, or ``short`` cut and numbered (``AREA_2``) until it is free: the same every time."""
    if short not in taken:
        return short
    n = 2
    while True:
        suffix = f"_{n}"
        candidate = short[: 10 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def out_columns(frame: pd.DataFrame, spec: EntitySpec) -> list[OutColumn]:
    """The columns of ``frame`` to write, in order: spec fields, derived columns, anything else.

    Every column gets a unique shapefile name; spec fields are named first, so they keep theirs.
    """
    geometry = {"geom", spec.geometry}
    columns: list[OutColumn] = []
    taken: set[str] = set()

    def add(name: str, short: str, zh: str, unit: str | None, labels: Mapping[str, str], kind: Kind | None) -> None:
        short = _deduped(short[:10], taken)
        taken.add(short)
        columns.append(OutColumn(name, short, zh, unit, labels, kind))

    for f in spec.fields:
        if f.name in frame.columns:
            add(f.name, f.short, f.zh, f.unit, f.labels, f.kind)
    for name, derived in DERIVED.items():
        if name in frame.columns and name not in spec.names:
            add(name, derived.short, derived.zh, derived.unit, derived.labels, None)
    for name in frame.columns:
        name = str(name)
        if name not in spec.names and name not in DERIVED and name not in geometry:
            add(name, ascii_short(name), name, None, {}, None)
    return columns


def short_names(frame: pd.DataFrame, spec: EntitySpec) -> dict[str, str]:
    """Canonical column → shapefile field name (ASCII, ≤ 10 bytes, unique)."""
    return {c.name: c.short for c in out_columns(frame, spec)}


# ---- entry point ------------------------------------------------------------------------------


def write_table(
    frame: pd.DataFrame, spec: EntitySpec, fmt: str, out: Path, *, epsg: int | None, layer: str | None = None
) -> list[Path]:
    """Write records with canonical columns (and ``geom`` in EPSG ``epsg``) as ``fmt``; the files written.

    ``layer`` names the GeoPackage layer (default: the entity's table) or the XLSX sheet
    (default: the entity's Chinese name).
    """
    if fmt not in FORMATS:
        raise ExportError(
            say(
                f"未知格式 {fmt!r}；可选的格式：{'、'.join(FORMATS)}",
                f"unknown format {fmt!r}; the formats are: {', '.join(FORMATS)}",
            )
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    columns = out_columns(frame, spec)
    geometry = _geometry(frame, spec)
    if fmt == "gpkg":
        return _write_gpkg(frame, spec, columns, geometry, out, epsg, layer or spec.table)
    if fmt in ("shp", "geojson"):
        if geometry is None or bool(pd.isna(geometry).all()):
            raise ExportError(
                say(
                    f"{spec.zh}没有图形，请导出为 gpkg、xlsx 或 csv",
                    f"the table {spec.kind!r} has no geometry: export it as gpkg, xlsx or csv",
                )
            )
        if fmt == "shp":
            return _write_shapefile(frame, columns, geometry, out, epsg)
        return _write_geojson(frame, spec, columns, geometry, out, epsg)
    if fmt == "csv":
        with replacing(out) as tmp:
            csv_safe(spreadsheet_frame(frame, columns, iso_dates=True)).to_csv(tmp, index=False, encoding="utf-8-sig")
        return [out]
    with replacing(out) as tmp:
        _write_xlsx(spreadsheet_frame(frame, columns), tmp, sheet=layer or spec.zh)
    return [out]


def _geometry(frame: pd.DataFrame, spec: EntitySpec) -> np.ndarray | None:
    for name in ("geom", spec.geometry):
        if name and name in frame.columns:
            return frame[name].to_numpy(dtype=object)
    return None


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` that replaces ``out`` once written without error."""
    tmp = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:12]}.tmp{out.suffix}")  # same folder: os.replace is atomic
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


# ---- GIS formats ------------------------------------------------------------------------------


def _gis_frame(frame: pd.DataFrame, columns: list[OutColumn]) -> pd.DataFrame:
    """Canonical columns with datetimes as calendar dates: GIS formats then get Date fields
    (a shapefile has no DateTime, and a time of 00:00 would only confuse)."""
    out = frame[[c.name for c in columns]].copy()
    for c in columns:
        if pd.api.types.is_datetime64_any_dtype(out[c.name]):
            out[c.name] = out[c.name].astype("date32[pyarrow]")
    return out


def _geodataframe(
    frame: pd.DataFrame, columns: list[OutColumn], geometry: np.ndarray, epsg: int | None
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(_gis_frame(frame, columns), geometry=geometry, crs=epsg)


def _polygon_options(spec: EntitySpec) -> dict[str, object]:
    # Declared rather than inferred: an all-empty geometry column would otherwise become "Unknown"
    # (GeoPackage) or even LineString (shapefile).
    return {"geometry_type": "MultiPolygon", "promote_to_multi": True} if spec.geometry else {}


def _write_gpkg(
    frame: pd.DataFrame,
    spec: EntitySpec,
    columns: list[OutColumn],
    geometry: np.ndarray | None,
    out: Path,
    epsg: int | None,
    layer: str,
) -> list[Path]:
    if geometry is not None:
        data: pd.DataFrame = _geodataframe(frame, columns, geometry, epsg)
        options = _polygon_options(spec)
    else:
        data, options = _gis_frame(frame, columns), {}
    if out.exists():
        pyogrio.write_dataframe(data, out, layer=layer, driver="GPKG", use_arrow=True, **options)
        _gpkg_aliases(out, layer, columns)
    else:
        with replacing(out) as tmp:
            pyogrio.write_dataframe(data, tmp, layer=layer, driver="GPKG", use_arrow=True, **options)
            _gpkg_aliases(tmp, layer, columns)
    return [out]


_EXTENSIONS_DDL = """
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
)"""
_DATA_COLUMNS_DDL = """
CREATE TABLE IF NOT EXISTS gpkg_data_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  name TEXT,
  title TEXT,
  description TEXT,
  mime_type TEXT,
  constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name)
)"""


def _gpkg_aliases(path: Path, layer: str, columns: list[OutColumn]) -> None:
    """Record each column's Chinese header in gpkg_data_columns (name = alias, description = label).

    Plain tables only: nothing here touches the feature table, whose R-tree triggers need
    SpatiaLite functions that plain sqlite3 lacks.
    """
    rows = [(layer, c.name, c.header, c.header, c.zh) for c in columns]
    with sqlite3.connect(path) as db:
        db.execute(_EXTENSIONS_DDL)
        db.execute(_DATA_COLUMNS_DDL)
        registered = db.execute(
            "SELECT 1 FROM gpkg_extensions WHERE table_name = 'gpkg_data_columns' AND extension_name = 'gpkg_schema'"
        ).fetchone()
        if registered is None:
            db.execute(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                "VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
                "'http://www.geopackage.org/spec/#extension_schema', 'read-write')"
            )
        db.execute("DELETE FROM gpkg_data_columns WHERE table_name = ?", (layer,))
        db.executemany(
            "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    db.close()


def _write_shapefile(
    frame: pd.DataFrame, columns: list[OutColumn], geometry: np.ndarray, out: Path, epsg: int | None
) -> list[Path]:
    out = out.with_suffix(".shp")
    data = _geodataframe(frame, columns, geometry, epsg).rename(columns={c.name: c.short for c in columns})
    sidecar = out.with_name(f"{out.stem}_fields.csv")
    with tempfile.TemporaryDirectory(prefix=f".{out.stem}.", dir=out.parent) as tmp:
        staged = Path(tmp) / out.name
        # The .cpg GDAL writes with encoding="UTF-8" is what lets GDAL, QGIS and ArcGIS read it right.
        pyogrio.write_dataframe(
            data, staged, driver="ESRI Shapefile", encoding="UTF-8", use_arrow=True, geometry_type="MultiPolygon"
        )
        _field_table(columns).to_csv(Path(tmp) / sidecar.name, index=False, encoding="utf-8-sig")
        for part in _SHAPEFILE_PARTS:  # a stale .qix or .prj of an older file must not outlive it
            out.with_name(out.stem + part).unlink(missing_ok=True)
        written = []
        for staged_file in sorted(Path(tmp).iterdir()):
            target = out.parent / staged_file.name
            shutil.move(staged_file, target)
            written.append(target)
    order = {s: i for i, s in enumerate(_SHAPEFILE_PARTS)}
    return sorted(written, key=lambda p: (p == sidecar, order.get(p.suffix, len(order))))


def _field_table(columns: list[OutColumn]) -> pd.DataFrame:
    """The sidecar that says what each 10-byte field name means, headed in the reader's language
    (chosen when the file is written)."""
    return pd.DataFrame(
        {
            say("短名", "short name"): [c.short for c in columns],
            say("字段", "field"): [c.name for c in columns],
            say("中文名称", "Chinese name"): [c.zh for c in columns],
            say("单位", "unit"): [c.unit or "" for c in columns],
        }
    )


def _write_geojson(
    frame: pd.DataFrame,
    spec: EntitySpec,
    columns: list[OutColumn],
    geometry: np.ndarray,
    out: Path,
    epsg: int | None,
) -> list[Path]:
    if epsg is None:
        raise ExportError(
            say(
                "坐标系未知，无法换算为经纬度写出 GeoJSON",
                "the CRS is unknown: the coordinates cannot be turned into longitude/latitude for GeoJSON",
            )
        )
    data = _geodataframe(frame, columns, geometry, epsg).to_crs(4326)
    with replacing(out) as tmp:
        pyogrio.write_dataframe(
            data, tmp, driver="GeoJSON", layer=spec.table, layer_options={"RFC7946": "YES"}, **_polygon_options(spec)
        )
    return [out]


# ---- spreadsheets -----------------------------------------------------------------------------


def spreadsheet_frame(frame: pd.DataFrame, columns: list[OutColumn], *, iso_dates: bool = False) -> pd.DataFrame:
    """The records as people read them: Chinese headers with units, labels for enum values,
    dates as ``datetime.date`` (or ``YYYY-MM-DD`` text with ``iso_dates``), missing values as None."""
    out: dict[str, pd.Series] = {}
    for c in columns:
        values = frame[c.name]
        if c.labels:
            # One hash lookup per column, not a Python call per value; a value without a label is
            # shown as stored, not dropped.
            values = values.astype(object)
            values = values.map(c.labels).astype(object).where(values.isin(list(c.labels)), values)
        if c.kind is Kind.DATE and not pd.api.types.is_datetime64_any_dtype(values):
            values = pd.to_datetime(values, errors="coerce")
        if pd.api.types.is_datetime64_any_dtype(values):
            values = _dates(values, iso_dates)
        out[c.header] = values.astype(object).where(values.notna(), None)
    return pd.DataFrame(out, index=frame.index)


def _dates(values: pd.Series, iso: bool) -> pd.Series:
    """Calendar dates where every value is at midnight (the store's dates), else date and time."""
    whole_days = bool((values.dropna() == values.dropna().dt.normalize()).all())
    if iso:
        return values.dt.strftime("%Y-%m-%d" if whole_days else "%Y-%m-%d %H:%M:%S")
    return pd.Series(values.dt.date if whole_days else values.dt.to_pydatetime(), index=values.index, dtype=object)


# A text a spreadsheet program takes for a formula when it opens a CSV (OWASP "CSV injection").
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def csv_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with each text that starts like a formula (``=`` ``+`` ``-`` ``@``, tab, CR) behind a ``'``.

    Excel and WPS then show it as the text it is: an enterprise named ``=HYPERLINK(…)`` or
    ``=cmd|' /C calc'!A0`` stays a name. Numbers are numbers and are left alone (−5 is −5); our
    CSV reader takes the ``'`` off again.
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        text = values.where(values.map(lambda v: isinstance(v, str)).astype(bool))  # not numbers or dates
        risky = text.str.match(_FORMULA_START).fillna(False).astype(bool)
        if risky.any():
            out[column] = values.where(~risky, "'" + text)
    return out


def text_cell(ws: object, value: object) -> object:
    """``value`` as openpyxl should write it: a text that looks like a formula (``=…``) or an error
    code (``#N/A``) as a text cell, not as a live formula; numpy scalars as Python numbers."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if isinstance(value, str):
        if value.startswith("=") or value in ERROR_CODES:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # openpyxl would make "=…" a formula; a name is a name
            return cell
        return value
    return value.item() if isinstance(value, np.generic) else value


def _display_width(value: object) -> int:
    """Columns a value takes in Excel: wide (CJK) characters count twice."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(name: str, part: int = 1) -> str:
    """A name Excel accepts for a sheet: no []:*?/\\, at most 31 characters; ``part`` numbers the sheets
    a table continues on."""
    title = _XLSX_SHEET_NAME.sub("_", name)[:31] or "Sheet"
    return title if part == 1 else f"{title[:26]} ({part})"


# Columns in 万元 are shown to two places (the cell keeps the exact value).
_READING_FORMATS = {"万元": "0.00", "10k yuan": "0.00"}


def _write_xlsx(table: pd.DataFrame, out: Path, sheet: str) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    _add_sheet(book, sheet, table)
    book.save(out)


def write_workbook(out: Path, sheets: Mapping[str, pd.DataFrame], about: Mapping[str, str]) -> Path:
    """Sheets already under the reader's headers, after a first sheet saying what they are and where
    they come from (``about``: item → content); written beside ``out`` and moved into place."""
    from openpyxl import Workbook

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    about_frame = pd.DataFrame({say("项目", "Item"): list(about), say("内容", "Content"): list(about.values())})
    _add_sheet(book, say("说明", "About"), about_frame)
    for title, frame in sheets.items():
        _add_sheet(book, title, frame)
    with replacing(out) as tmp:
        book.save(tmp)
    return out


def _add_sheet(book: Any, sheet: str, table: pd.DataFrame) -> None:
    """One table on a sheet of a write-only workbook: a bold frozen header with a filter, widths
    fitted to the content, every text a text cell, 万元 to two places; past Excel's 1,048,576 rows
    the table goes on over further sheets, each with its header."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    values = table.astype(object).where(table.notna(), None).to_numpy(dtype=object)
    headers = [str(h) for h in table.columns]
    formats = [next((f for unit, f in _READING_FORMATS.items() if unit in h), None) for h in headers]
    sample = values[:_WIDTH_SAMPLE]
    widths = [
        max([_display_width(h) + 2] + [_display_width(v) + 1 for v in sample[:, i] if v is not None])
        for i, h in enumerate(headers)
    ]
    last = get_column_letter(max(len(headers), 1))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(vertical="center", wrap_text=True)
    for part, start in enumerate(range(0, max(len(values), 1), _XLSX_MAX_ROWS), 1):
        ws = book.create_sheet(sheet_title(sheet, part))
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width, 8), 50)
        ws.freeze_panes = "A2"
        chunk = values[start : start + _XLSX_MAX_ROWS]
        ws.auto_filter.ref = f"A1:{last}{len(chunk) + 1}"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.data_type = "s"  # a header from a file's own column may start with "=" too
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
            header_cells.append(cell)
        ws.append(header_cells)
        for row in chunk:
            # openpyxl gives datetime.date cells the "yyyy-mm-dd" format: real Excel dates.
            ws.append([_cell(ws, v, f) for v, f in zip(row, formats, strict=True)])


def _cell(ws: object, value: object, number_format: str | None) -> object:
    from openpyxl.cell import WriteOnlyCell

    value = text_cell(ws, value)
    if number_format and isinstance(value, float | int) and not isinstance(value, bool):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        return cell
    return value


# ---- layers for GIS that are not an entity's records (results, zones, lists) ------------------


@dataclass(frozen=True)
class Layer:
    """One layer of a GIS file: its rows, and shapely geometries in EPSG ``epsg`` (None: a table)."""

    name: str
    rows: pd.DataFrame
    geoms: np.ndarray | None = None
    epsg: int | None = None
    about: Mapping[str, str] = field(default_factory=dict)  # what it is and where it comes from

    @property
    def description(self) -> str:
        """``about`` as the one line a GeoPackage layer's description holds."""
        return "；".join(f"{k}: {v}" for k, v in self.about.items())


def write_layers(out: Path, fmt: str, layers: Sequence[Layer], *, finish: Callable[[Path], None] | None = None) -> Path:
    """``layers`` as a new GeoPackage (one layer each, polygons as MultiPolygon, each described),
    or the first as RFC 7946 GeoJSON in longitude/latitude. ``finish`` adds to the GeoPackage
    before it is moved into place (a layer style)."""
    if fmt not in ("gpkg", "geojson"):
        raise ExportError(say(f"未知格式 {fmt!r}；可选 gpkg、geojson", f"unknown format {fmt!r}; one of gpkg, geojson"))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp:
        for layer in layers[:1] if fmt == "geojson" else layers:
            data: pd.DataFrame = layer.rows.reset_index(drop=True)
            options: dict[str, Any] = {}
            if layer.geoms is not None:
                if layer.epsg is None:
                    raise ExportError(
                        say("坐标系未知，无法写出图形", "the CRS is unknown: the geometry cannot be written")
                    )
                data = gpd.GeoDataFrame(data, geometry=list(layer.geoms), crs=layer.epsg)
                options = {"geometry_type": "MultiPolygon", "promote_to_multi": True}
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "No SRS set on layer")  # a table without geometry has none
                if fmt == "geojson":
                    lonlat = data.to_crs(4326) if isinstance(data, gpd.GeoDataFrame) else data
                    pyogrio.write_dataframe(
                        lonlat, tmp, driver="GeoJSON", layer=layer.name, layer_options={"RFC7946": "YES"}, **options
                    )
                else:
                    described = {"DESCRIPTION": layer.description} if layer.description else {}
                    pyogrio.write_dataframe(
                        data, tmp, driver="GPKG", layer=layer.name, layer_options=described, **options
                    )
        if finish is not None:
            finish(tmp)
    return out
