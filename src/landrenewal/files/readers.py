"""Reading inventory files: Shapefile (GBK or UTF-8, zipped or not), GeoPackage, GeoJSON, CSV, XLSX.

Each reader returns a ``Source``: the attribute table as the file has it (headers kept), the
geometry as a shapely array, the CRS, the row numbers a user sees, and notes that say how
the file was understood (encoding, assumed CRS, which layer).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from landrenewal.domain.crs import CGCS2000_GEOGRAPHIC
from landrenewal.files.encoding import detect_dbf_encoding, rename_dbf_fields
from landrenewal.files.source import Source, SourceError

SUPPORTED = (".shp", ".zip", ".gpkg", ".geojson", ".json", ".csv", ".xlsx")


def read_source(path: str | Path, layer: str | None = None, sheet: str | None = None) -> Source:
    """Read one table from a file of any supported format."""
    path = Path(path)
    if not path.exists():
        raise SourceError(path, "文件不存在 (no such file)")
    if path.is_dir():
        raise SourceError(path, "是目录而不是文件 (is a directory)")
    readers: dict[str, Callable[[], Source]] = {
        ".shp": lambda: _read_shapefile(path),
        ".zip": lambda: _read_zip(path),
        ".gpkg": lambda: _read_geopackage(path, layer),
        ".geojson": lambda: _read_geojson(path),
        ".json": lambda: _read_geojson(path),
        ".csv": lambda: _read_csv(path),
        ".xlsx": lambda: _read_xlsx(path, sheet),
    }
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise SourceError(
            path, f"不支持的文件类型 {path.suffix or '(无扩展名)'}；支持 (supported): {', '.join(SUPPORTED)}"
        )
    try:
        return reader()
    except SourceError:
        raise
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError) as exc:
        raise SourceError(path, f"无法读取 (cannot read): {exc}") from exc


def _spatial(
    path: Path, *, layer: str | None = None, encoding: str | None = None
) -> tuple[pd.DataFrame, np.ndarray, CRS | None]:
    """Attributes and geometry of a GDAL layer through Arrow: one columnar read, no per-feature objects
    besides the geometries themselves."""
    kwargs: dict[str, object] = {"layer": layer} if layer else {}
    if encoding:
        kwargs["encoding"] = encoding
    meta, table = pyogrio.read_arrow(path, **kwargs)
    geometry_column = meta["geometry_name"] or "wkb_geometry"
    if geometry_column not in table.column_names:
        raise SourceError(path, "没有图形 (no geometry)")
    geometry = np.asarray(shapely.from_wkb(table.column(geometry_column)), dtype=object)
    frame = table.drop_columns([geometry_column]).to_pandas()
    del table
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    return frame, geometry, crs


def _feature_numbers(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int64)


def _read_shapefile(path: Path) -> Source:
    for needed in (".dbf", ".shx"):
        if not (path.with_suffix(needed).exists() or path.with_suffix(needed.upper()).exists()):
            raise SourceError(path, f"缺少 {needed} 文件；Shapefile 需要 .shp、.shx、.dbf 三个文件 (missing {needed})")
    codec, reason = detect_dbf_encoding(path)
    notes = [reason]
    try:
        frame, geometry, crs = _spatial(path, encoding=codec)
    except UnicodeDecodeError:
        frame, geometry, crs = _read_with_cut_names(path, codec, notes)
    if crs is None:
        notes.append("缺少 .prj 文件，坐标系未知 (no .prj: CRS unknown)")
    return Source(path, frame, geometry, crs, _feature_numbers(len(frame)), encoding=codec, notes=notes)


def _read_with_cut_names(path: Path, codec: str, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray, CRS | None]:
    """Read a shapefile whose field names were cut at the DBF's 10 bytes inside a character.

    GDAL cannot decode such names (UTF-8 names of more than 3 Chinese characters). A copy of
    the .dbf with placeholder names is read instead, and the columns get the whole characters
    of their cut names back; the report says which names were cut.
    """
    with tempfile.TemporaryDirectory(prefix="landrenewal-dbf-") as tmp:
        copy = Path(tmp) / "data.shp"
        for suffix in (".shp", ".shx", ".prj"):
            if path.with_suffix(suffix).exists():
                (Path(tmp) / f"data{suffix}").symlink_to(path.with_suffix(suffix).resolve())
        raw_names = rename_dbf_fields(path.with_suffix(".dbf"), copy.with_suffix(".dbf"))
        frame, geometry, crs = _spatial(copy, encoding=codec)
    names = []
    for raw in raw_names:
        name = raw.decode(codec, errors="ignore")
        if name.encode(codec) != raw:
            notes.append(f"字段名「{name}」被 DBF 的10字节限制截断 (field name cut at 10 bytes)；可用映射文件指定")
        names.append(name)
    frame.columns = names
    return frame, geometry, crs


def _read_zip(path: Path) -> Source:
    with zipfile.ZipFile(path) as archive:
        shps = [n for n in archive.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
        if len(shps) != 1:
            raise SourceError(
                path, f"压缩包中应恰有一个 .shp，实有 {len(shps)} 个 (the zip must hold exactly one shapefile)"
            )
        with tempfile.TemporaryDirectory(prefix="landrenewal-zip-") as tmp:
            stem = shps[0][:-4]
            for name in archive.namelist():
                if name.startswith(stem + ".") or name.lower().startswith(stem.lower() + "."):
                    archive.extract(name, tmp)
            source = _read_shapefile(Path(tmp) / shps[0])
    source.path = path
    source.layer = shps[0]
    source.notes.insert(0, f"读取压缩包中的 {shps[0]} (read from the zip)")
    return source


def _read_geopackage(path: Path, layer: str | None) -> Source:
    layers = pyogrio.list_layers(path)
    features = [str(name) for name, kind in layers if kind is not None]
    notes: list[str] = []
    if layer is None:
        if not features:
            raise SourceError(path, "GeoPackage 中没有图层 (no feature layer)")
        layer = features[0]
        if len(features) > 1:
            notes.append(f"GeoPackage 有 {len(features)} 个图层，读取第一个「{layer}」(several layers; read the first)")
    elif layer not in [str(name) for name, _ in layers]:
        raise SourceError(path, f"没有图层 {layer!r}；可选 (layers): {', '.join(map(str, (n for n, _ in layers)))}")
    frame, geometry, crs = _spatial(path, layer=layer)
    return Source(path, frame, geometry, crs, _feature_numbers(len(frame)), layer=layer, notes=notes)


def _declares_crs(path: Path) -> bool:
    """Whether a GeoJSON file has a top-level ``crs`` member (GDAL would otherwise assume WGS 84)."""
    if path.stat().st_size < 64 * 1024 * 1024:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError(path, f"不是合法的 GeoJSON (not valid GeoJSON): {exc}") from exc
        return isinstance(data, dict) and data.get("crs") is not None
    head = path.open(encoding="utf-8", errors="ignore").read(1 << 16)
    crs_at, features_at = head.find('"crs"'), head.find('"features"')
    return crs_at != -1 and (features_at == -1 or crs_at < features_at)


def _read_geojson(path: Path) -> Source:
    declared = _declares_crs(path)
    frame, geometry, crs = _spatial(path)
    notes = []
    if not declared:
        crs = CRS.from_epsg(CGCS2000_GEOGRAPHIC)
        notes.append(
            "GeoJSON 无 crs 成员，按 CGCS2000 (EPSG:4490) 经纬度处理 (no crs member: lon/lat taken as CGCS2000)"
        )
    return Source(path, frame, geometry, crs, _feature_numbers(len(frame)), notes=notes)


def _decode_text(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return raw.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030", errors="strict"), "gb18030"
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"既不是 UTF-8 也不是 GBK/GB18030 编码 (neither UTF-8 nor GBK): {exc}") from exc


def _without_blank_rows(frame: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    text = frame.astype("string").apply(lambda c: c.str.strip())
    blank = (text.isna() | text.eq("")).all(axis=1).to_numpy()
    return frame[~blank].reset_index(drop=True), rows[~blank]


def _unique_headers(headers: list[str], path: Path, notes: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        if h in seen:
            seen[h] += 1
            renamed = f"{h}_{seen[h]}"
            notes.append(f"列名「{h}」重复，第二个起改名为「{renamed}」(duplicate header renamed)")
            out.append(renamed)
        else:
            seen[h] = 1
            out.append(h)
    return out


def _read_csv(path: Path) -> Source:
    text, codec = _decode_text(path)
    if not text.strip():
        raise SourceError(path, "文件为空 (empty file)")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
    frame = frame.replace("", pd.NA)
    notes = [f"编码 {codec.upper()} (encoding)"]
    frame.columns = _unique_headers([str(c).strip() for c in frame.columns], path, notes)
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    frame, rows = _without_blank_rows(frame, rows)
    return Source(path, frame, None, None, rows, encoding=codec, notes=notes)


def _read_xlsx(path: Path, sheet: str | None) -> Source:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise SourceError(path, f"不是有效的 XLSX 文件 (not a valid XLSX file): {exc}") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SourceError(path, f"没有工作表 {sheet!r}；可选 (sheets): {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = list(ws.iter_rows(min_row=1, values_only=True))
    finally:
        book.close()
    header_at = next((i for i, r in enumerate(rows) if any(v not in (None, "") for v in r)), None)
    if header_at is None:
        raise SourceError(path, f"工作表「{ws.title}」为空 (empty sheet)")
    header = [None if v is None else str(v).strip() for v in rows[header_at]]
    keep = [i for i, h in enumerate(header) if h]
    notes = [f"读取工作表「{ws.title}」，表头在第 {header_at + 1} 行 (sheet and header row)"]
    headers = _unique_headers([str(header[i]) for i in keep], path, notes)
    body = [[r[i] if i < len(r) else None for i in keep] for r in rows[header_at + 1 :]]
    frame = pd.DataFrame(body, columns=headers, dtype=object)
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    numbers = np.arange(header_at + 2, header_at + 2 + len(frame), dtype=np.int64)
    frame, numbers = _without_blank_rows(frame, numbers)
    return Source(path, frame, None, None, numbers, layer=ws.title, notes=notes)
