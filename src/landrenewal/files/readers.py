"""Reading inventory files: Shapefile (GBK or UTF-8, zipped or not), GeoPackage, GeoJSON, CSV, XLSX.

Each reader returns a ``Source``: the attribute table as the file has it (headers kept), the
geometry as a shapely array, the CRS, the row numbers a user sees, and notes that say how
the file was understood (encoding, assumed CRS, which layer or sheet).

GIS formats are read through Arrow (``pyogrio.read_arrow``): one columnar read and one
vectorised WKB parse, a few seconds for 10⁶ polygons.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely
from pyproj import CRS

from landrenewal.domain.crs import CGCS2000_GEOGRAPHIC
from landrenewal.domain.language import say
from landrenewal.files.encoding import decode_cut, detect_dbf_encoding
from landrenewal.files.limits import DEFAULT_LIMITS, ReadLimits, check_columns, check_unzipped_size
from landrenewal.files.source import Source, SourceError

SUPPORTED = (".shp", ".zip", ".gpkg", ".geojson", ".json", ".csv", ".xlsx")


def _advice(suffix: str) -> str:
    """What to do with a file of a type we do not read, in the reader's language ("" when nothing helps)."""
    advice = {
        ".xls": ("请在 Excel 中另存为 .xlsx。", "Save it as .xlsx in Excel."),
        ".xlsm": ("请另存为 .xlsx。", "Save it as .xlsx."),
        ".dbf": (
            "请同时提供 .shp、.shx 和 .dbf，并选择 .shp 文件。",
            "Provide the .shp, .shx and .dbf together and choose the .shp file.",
        ),
        ".shx": ("请选择 .shp 文件。", "Choose the .shp file."),
        ".txt": ("如是逗号分隔的表格，请改扩展名为 .csv。", "If it is a comma-separated table, rename it to .csv."),
    }.get(suffix)
    return say(*advice) if advice else ""


_GEOJSON_SCAN_BYTES = 1 << 20  # a top-level "crs" member, if any, comes before the features in practice
_WGS84_EPSG = 4326

ObjectArray = npt.NDArray[np.object_]


def read_source(
    path: str | Path, layer: str | None = None, sheet: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> Source:
    """Read one table from a file of any supported format.

    ``layer`` picks a GeoPackage layer (or one shapefile of a zip holding several); ``sheet``
    picks an XLSX sheet; ``limits`` bound what a zip may inflate to and how wide a table may be.
    Raises ``SourceError`` with a reason in the reader's language when the file cannot be read at all; problems
    of single rows are not this function's business.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(path, say("文件不存在", "no such file"))
    if path.is_dir():
        raise SourceError(path, say("是目录而不是文件", "is a directory, not a file"))
    readers: dict[str, Callable[[], Source]] = {
        ".shp": lambda: _read_shapefile(path),
        ".zip": lambda: _read_zip(path, layer, limits),
        ".gpkg": lambda: _read_geopackage(path, layer),
        ".geojson": lambda: _read_geojson(path),
        ".json": lambda: _read_geojson(path),
        ".csv": lambda: _read_csv(path, limits),
        ".xlsx": lambda: _read_xlsx(path, sheet, limits),
    }
    suffix = path.suffix.lower()
    reader = readers.get(suffix)
    if reader is None:
        advice = _advice(suffix)
        supported = ", ".join(SUPPORTED)
        raise SourceError(
            path,
            say(
                f"不支持的文件类型 {path.suffix or '（无扩展名）'}；支持的类型：{supported}。{advice}",
                f"unsupported file type {path.suffix or '(no extension)'}; supported: {supported}. {advice}",
            ).strip(),
        )
    try:
        return reader()
    except SourceError:
        raise
    except _READ_ERRORS as exc:
        # GDAL's messages start with the path; the file's own name is what the user knows it by.
        said = _without_folder(str(exc), path.parent)
        raise SourceError(path, say(f"无法读取：{said}", f"cannot read it: {said}")) from exc


_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    shapely.errors.GEOSException,
    pa.ArrowException,
    zipfile.BadZipFile,
    OSError,
    ValueError,  # includes UnicodeDecodeError, JSON, pandas and Arrow parse errors
)


def _without_folder(message: str, folder: Path) -> str:
    """``message`` with the folder a file was read from taken out (a server's temporary folder, say)."""
    forms = {str(folder.resolve())} | ({str(folder)} if folder.is_absolute() else set())
    for form in sorted(forms, key=len, reverse=True):
        if len(form) > 1:  # never "/" itself
            message = message.replace(form + "/", "").replace(form, "")
    return message


# ---- GIS layers -------------------------------------------------------------------------------


def _read_layer(
    path: Path, *, layer: str | None = None, encoding: str | None = None
) -> tuple[pd.DataFrame, ObjectArray | None, CRS | None]:
    """Attributes, geometry (None for a table without one) and CRS of a GDAL layer, through Arrow."""
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if encoding is not None:
        kwargs["encoding"] = encoding
    meta, table = pyogrio.read_arrow(path, **kwargs)
    geometry: ObjectArray | None = None
    geometry_column = meta.get("geometry_name") or "wkb_geometry"
    if meta.get("geometry_type") is not None and geometry_column in table.column_names:
        # A ChunkedArray of WKB goes to GEOS without a detour through Python bytes objects.
        geometry = np.asarray(shapely.from_wkb(table.column(geometry_column)), dtype=object)
        table = table.drop_columns([geometry_column])
    _check_text(table)
    frame = table.to_pandas()
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    return frame, geometry, crs


def _check_text(table: pa.Table) -> None:
    """Raise ArrowInvalid on text that is not UTF-8.

    GDAL passes bytes it could not recode straight into Arrow, and pandas keeps Arrow strings
    as they are: without this check the bad value would only fail later, wherever it is read.
    """
    for column, field in zip(table.columns, table.schema, strict=True):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column.validate(full=True)


def _feature_numbers(n: int) -> npt.NDArray[np.int64]:
    return np.arange(1, n + 1, dtype=np.int64)


def _sidecar(shp: Path, suffix: str) -> Path | None:
    for s in (suffix, suffix.upper()):
        if shp.with_suffix(s).exists():
            return shp.with_suffix(s)
    return None


def _read_shapefile(path: Path) -> Source:
    for needed in (".dbf", ".shx"):
        if _sidecar(path, needed) is None:
            raise SourceError(
                path,
                say(
                    f"缺少 {needed} 文件；Shapefile 需要同名的 .shp、.shx、.dbf 三个文件",
                    f"the {needed} file is missing: a shapefile needs .shp, .shx and .dbf files of the same name",
                ),
            )
    _check_record_counts(path)
    codec, reason = detect_dbf_encoding(path)
    notes = [reason]
    try:
        frame, geometry, crs = _read_layer(path, encoding=codec)
    except (UnicodeDecodeError, pa.ArrowException):  # text that is not valid in ``codec``
        frame, geometry, crs = _read_shapefile_bytes(path, codec, notes)
    if geometry is None:
        raise SourceError(path, say("Shapefile 没有图形", "the shapefile has no geometry"))
    if crs is None:
        notes.append(say("缺少 .prj 文件，坐标系未知", "There is no .prj file: the CRS is unknown"))
    frame.columns = _unique_headers([str(c) for c in frame.columns], notes)
    return Source(
        path, frame, geometry, crs, _feature_numbers(len(frame)), encoding=codec, layer=path.stem, notes=notes
    )


def _check_record_counts(path: Path) -> None:
    """Refuse a shapefile whose parts disagree on how many features it has.

    GDAL reads as many features as the .dbf header counts: a .dbf that says 3 while the .shp
    holds 50 would give 3 rows and no word about the other 47.
    """
    shx, dbf = _sidecar(path, ".shx"), _sidecar(path, ".dbf")
    assert shx is not None and dbf is not None
    with shx.open("rb") as f:
        head = f.read(100)
    with dbf.open("rb") as f:
        dbf_head = f.read(12)
    if len(head) < 100 or len(dbf_head) < 12:
        return  # too short to be a shapefile at all: GDAL says why
    shapes = (struct.unpack(">i", head[24:28])[0] * 2 - 100) // 8  # the .shx: 8 bytes per feature
    declared, header_bytes, record_bytes = struct.unpack("<IHH", dbf_head[4:12])
    if shapes == declared:
        return
    present = (dbf.stat().st_size - header_bytes) // record_bytes if record_bytes else 0
    raise SourceError(
        path,
        say(
            f".shp 有 {shapes} 个图形，但 .dbf 文件头记载 {declared} 条属性记录（.dbf 实含 {present} 条）；"
            "文件不完整或已损坏，请从原软件重新导出",
            f"the .shp holds {shapes} features but the .dbf header counts {declared} records ({present} present): "
            "the shapefile is incomplete or damaged; export it again from the program that made it",
        ),
    )


def _read_shapefile_bytes(
    path: Path, codec: str, notes: list[str]
) -> tuple[pd.DataFrame, ObjectArray | None, CRS | None]:
    """Read a shapefile whose text GDAL cannot hand over as UTF-8, and decode it here.

    This happens when a writer cut field names or values at the field width in the middle
    of a character (UTF-8 field names of more than 3 Chinese characters always are). GDAL
    reads every byte as Latin-1, which gives the raw bytes back losslessly; the cut
    character is dropped, and bytes that are not valid at all become U+FFFD.
    """
    frame, geometry, crs = _read_layer(path, encoding="latin1")
    names = []
    for column in frame.columns:
        raw = str(column).encode("latin-1")
        name = _decode_leniently(raw, codec)
        if name.encode(codec, errors="replace") != raw:
            notes.append(
                say(
                    f"字段名「{name}」被 DBF 的 10 字节限制截断；可用映射文件指定",
                    f'The field name "{name}" was cut at the DBF\'s 10 bytes; a mapping file can name it',
                )
            )
        names.append(name)
    frame.columns = names
    repaired = 0
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
            continue
        raw_values = values.map(lambda v: v.encode("latin-1") if isinstance(v, str) else v)
        decoded = raw_values.map(lambda v: _decode_leniently(v, codec) if isinstance(v, bytes) else v)
        repaired += int(sum(isinstance(v, bytes) and not _decodes_strictly(v, codec) for v in raw_values))
        frame[column] = decoded
    if repaired:
        notes.append(
            say(
                f"{repaired} 个值在字段宽度处截断了半个字符或含非法字节，已去掉半个字符",
                f"{repaired} values had a character cut at the field width or invalid bytes; "
                "the cut characters were dropped",
            )
        )
    return frame, geometry, crs


def _decode_leniently(raw: bytes, codec: str) -> str:
    try:
        return decode_cut(raw, codec)
    except UnicodeDecodeError:
        return raw.decode(codec, errors="replace")


def _decodes_strictly(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _zip_names(archive: zipfile.ZipFile) -> list[str]:
    return [n for n in archive.namelist() if not n.startswith("__MACOSX") and not n.endswith("/")]


def _open_zip(path: Path) -> zipfile.ZipFile:
    """Chinese Windows writes zip member names in GBK without saying so; try that before CP437."""
    try:
        archive = zipfile.ZipFile(path, metadata_encoding="gbk")
        _zip_names(archive)
        return archive
    except UnicodeDecodeError:
        return zipfile.ZipFile(path)


def _read_zip(path: Path, layer: str | None, limits: ReadLimits) -> Source:
    with _open_zip(path) as archive:
        members = _zip_names(archive)
        shps = [n for n in members if n.lower().endswith(".shp")]
        if layer is not None:
            shps = [n for n in shps if layer in (n, Path(n).name, Path(n).stem)]
        if len(shps) != 1:
            raise SourceError(
                path,
                say(
                    f"压缩包中应恰有一个 .shp（或指定其中一个图层），实有 {len(shps)} 个："
                    + ("、".join(Path(n).name for n in shps) or "无"),
                    f"the zip must hold exactly one shapefile (or name one as the layer); it holds {len(shps)}: "
                    + (", ".join(Path(n).name for n in shps) or "none"),
                ),
            )
        stem = shps[0][:-4].lower()
        parts = [name for name in members if name.lower().rsplit(".", 1)[0] == stem]
        check_unzipped_size(path, archive, parts, limits)
        with tempfile.TemporaryDirectory(prefix="landrenewal-zip-") as tmp:
            for name in parts:
                archive.extract(name, tmp)  # zipfile strips absolute paths and '..'
            try:
                source = _read_shapefile(Path(tmp) / shps[0])
            except SourceError as exc:  # said of the zip and its member, never of our temporary folder
                raise SourceError(path, f"{shps[0]}: {_without_folder(exc.reason, Path(tmp))}") from None
            except _READ_ERRORS as exc:
                said = _without_folder(str(exc), Path(tmp))
                raise SourceError(
                    path, say(f"{shps[0]}：无法读取：{said}", f"{shps[0]}: cannot read it: {said}")
                ) from exc
    source.path = path
    source.layer = shps[0]
    source.notes.insert(0, say(f"读取压缩包中的 {shps[0]}", f"Read {shps[0]} from the zip"))
    return source


def _read_geopackage(path: Path, layer: str | None) -> Source:
    layers = [(str(name), kind) for name, kind in pyogrio.list_layers(path)]
    notes: list[str] = []
    if layer is None:
        features = [name for name, kind in layers if kind is not None]
        tables = [name for name, kind in layers if kind is None]
        candidates = features or tables
        if not candidates:
            raise SourceError(path, say("GeoPackage 中没有图层", "there is no layer in the GeoPackage"))
        layer = candidates[0]
        if len(candidates) > 1:
            notes.append(
                say(
                    f"GeoPackage 有 {len(candidates)} 个图层（{'、'.join(candidates)}），读取第一个「{layer}」；"
                    "可指定图层",
                    f"The GeoPackage has {len(candidates)} layers ({', '.join(candidates)}); the first, "
                    f'"{layer}", was read; another can be named',
                )
            )
        if not features:
            notes.append(say(f"「{layer}」是没有图形的属性表", f'"{layer}" is an attribute table without geometry'))
    elif layer not in [name for name, _ in layers]:
        raise SourceError(
            path,
            say(
                f"没有图层「{layer}」；可选的图层：{'、'.join(n for n, _ in layers) or '无'}",
                f'there is no layer "{layer}"; the layers are: {", ".join(n for n, _ in layers) or "none"}',
            ),
        )
    frame, geometry, crs = _read_layer(path, layer=layer)
    frame.columns = _unique_headers([str(c) for c in frame.columns], notes)
    return Source(path, frame, geometry, crs, _feature_numbers(len(frame)), layer=layer, notes=notes)


# ---- GeoJSON ----------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]')


def _top_level_keys(head: str) -> tuple[set[str], bool]:
    """Keys of the outermost JSON object seen in ``head``, and whether that object ended in it.

    A tokenizer over strings and brackets only: keys inside features, geometry or properties
    sit deeper and are skipped; numbers and whitespace are never looked at.
    """
    keys: set[str] = set()
    depth = 0
    last_string: str | None = None
    for match in _JSON_TOKEN.finditer(head):
        token = match.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth == 0:
                return keys, True
        elif token == ":":
            if depth == 1 and last_string is not None:
                keys.add(last_string)
        else:
            last_string = token[1:-1]
            continue
        last_string = None
    return keys, False


def _declares_crs(path: Path) -> bool | None:
    """Whether a GeoJSON file has a top-level ``crs`` member; None when the first megabyte cannot tell."""
    with path.open("rb") as f:
        head = f.read(_GEOJSON_SCAN_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")
    keys, complete = _top_level_keys(head)
    if "crs" in keys:
        return True
    # GDAL and QGIS write "crs" before "features"; once the features began, it was not there.
    return False if complete or "features" in keys else None


def _read_geojson(path: Path) -> Source:
    frame, geometry, crs = _read_layer(path)
    notes: list[str] = []
    gdal_says_wgs84 = crs is not None and crs.to_epsg() == _WGS84_EPSG
    if crs is None or (gdal_says_wgs84 and not _declares_crs(path)):
        # GDAL assumes WGS 84 when there is no crs member; Chinese data in lon/lat is CGCS2000.
        # (A crs member that is not WGS 84 comes back from GDAL as itself, wherever it sits.)
        if geometry is not None and not _looks_lonlat(geometry):
            crs = None
            notes.append(
                say(
                    "GeoJSON 无 crs 成员，坐标超出经纬度范围（可能是投影坐标），坐标系未知",
                    "The GeoJSON has no crs member and its coordinates are not longitude/latitude "
                    "(perhaps projected): the CRS is unknown",
                )
            )
        else:
            crs = CRS.from_epsg(CGCS2000_GEOGRAPHIC)
            notes.append(
                say(
                    "GeoJSON 无 crs 成员，按 CGCS2000 (EPSG:4490) 经纬度处理",
                    "The GeoJSON has no crs member: longitude/latitude taken as CGCS2000 (EPSG:4490)",
                )
            )
    frame.columns = _unique_headers([str(c) for c in frame.columns], notes)
    return Source(path, frame, geometry, crs, _feature_numbers(len(frame)), notes=notes)


def _looks_lonlat(geometry: ObjectArray) -> bool:
    present = geometry[~shapely.is_missing(geometry)]
    if len(present) == 0:
        return True
    x0, y0, x1, y1 = shapely.total_bounds(present)
    return bool(max(abs(x0), abs(x1)) <= 180 and max(abs(y0), abs(y1)) <= 90)


# ---- CSV --------------------------------------------------------------------------------------


_CHUNK = 1 << 20


def _text_codec(path: Path) -> tuple[str, str]:
    """(codec, note): a BOM says UTF-8; else strict UTF-8; else GB18030 (a superset of GBK).

    Decided in one streamed pass: the text is not held in memory here, pandas reads the file itself.
    """
    with path.open("rb") as f:
        if f.read(3) == b"\xef\xbb\xbf":
            return "utf-8-sig", say("编码 UTF-8：文件以 BOM 开头", "Encoding UTF-8: the file starts with a BOM")
    if _decodes(path, "utf-8") is None:
        return "utf-8", say("编码 UTF-8：文本是合法 UTF-8", "Encoding UTF-8: the text is valid UTF-8")
    failed_at = _decodes(path, "gb18030")
    if failed_at is not None:
        raise SourceError(
            path,
            say(
                f"既不是 UTF-8 也不是 GBK/GB18030 编码：第 {failed_at} 字节无法识别",
                f"the text is neither UTF-8 nor GBK/GB18030: byte {failed_at} cannot be read",
            ),
        )
    return "gb18030", say(
        "编码 GBK (GB18030)：文本不是合法 UTF-8", "Encoding GBK (GB18030): the text is not valid UTF-8"
    )


def _decodes(path: Path, codec: str) -> int | None:
    """None if the whole file decodes in ``codec``, else the offset of the first bad byte."""
    import codecs

    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + max(exc.start, 0)
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _first_line(path: Path, codec: str) -> tuple[str, int]:
    """The first line that is not blank, and how many blank lines come before it."""
    blank = 0
    with path.open(encoding=codec, newline="") as f:
        for line in f:
            if line.strip("\r\n"):
                return line.rstrip("\r\n"), blank
            blank += 1
    return "", blank


def _delimiter(first_line: str) -> str:
    """The separator of the header line: Excel in some locales writes ';', other tools tabs."""
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _read_csv(path: Path, limits: ReadLimits) -> Source:
    codec, note = _text_codec(path)
    first, lines_skipped = _first_line(path, codec)
    if not first.strip():
        raise SourceError(path, say("文件为空", "the file is empty"))
    notes = [note]
    sep = _delimiter(first)
    if sep != ",":
        notes.append(say(f"分隔符为「{sep!r}」", f"The separator is {sep!r}"))
    # Counted before parsing: a header of 20,000 columns is refused at once, not after the parse.
    width = first.count(sep) + 1
    check_columns(path, width, limits)
    columns = _csv_columns(path, codec, sep, width, lines_skipped)
    for i in range(len(columns)):  # each raw column let go as soon as its clean one is made
        columns[i] = _cleaned_column(columns[i])
    rows = np.arange(lines_skipped + 1, lines_skipped + 1 + len(columns[0]), dtype=np.int64)
    frame, numbers = _text_with_header(columns, rows, path, notes)
    return Source(path, frame, None, None, numbers, encoding=codec, notes=notes)


def _csv_columns(path: Path, codec: str, sep: str, width: int, lines_skipped: int) -> list[pa.ChunkedArray]:
    """The cells of a CSV file as Arrow text columns, one row per record (blank lines kept, as rows of
    empty cells). Everything as text: codes keep their leading zeros, and nothing is guessed here.

    Arrow's parser reads a 50 MB file in a fraction of a second into about as many bytes of text (large
    strings, the kind pandas keeps, so that no copy is made for it; one thread, which on a small
    server is as fast and holds less). A file it cannot read as a rectangle (a short row, a record
    wider than the header), or may have read otherwise than pandas (a quote left open), is read by
    pandas as before: it pads short rows and says which line is too wide or where a quote is open.
    """
    table = _arrow_csv(path, codec, sep, width, lines_skipped)
    if table is None:
        table = pa.Table.from_pandas(
            pd.read_csv(
                path,
                encoding=codec,
                sep=sep,
                header=None,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                skiprows=lines_skipped,
            ),
            preserve_index=False,
        )
    return list(table.columns)


def _arrow_csv(path: Path, codec: str, sep: str, width: int, lines_skipped: int) -> pa.Table | None:
    """The CSV read by Arrow, or None when pandas should read it.

    Arrow takes a quote that is never closed to run to the end of the file, silently, where pandas
    refuses the file. Such a file has an odd number of quotes, or (when a quote inside a cell,
    such as 5'3", evens the count) its last cell holds a line break: either sends it to pandas.
    """
    import pyarrow.csv as pa_csv

    if _quote_count(path) % 2:
        return None
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(
                encoding="utf8" if codec.startswith("utf-8") else codec,  # Arrow skips a BOM itself
                skip_rows=lines_skipped,
                autogenerate_column_names=True,
                use_threads=False,
            ),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.large_string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    last = table.column(table.num_columns - 1)[table.num_rows - 1].as_py() if table.num_rows else ""
    return None if "\n" in last or "\r" in last else table


def _quote_count(path: Path) -> int:
    """How many ``"`` the file holds (in UTF-8 and GB18030 the byte is never part of another character)."""
    count = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            count += chunk.count(b'"')
    return count


# ---- XLSX -------------------------------------------------------------------------------------


def _read_xlsx(path: Path, sheet: str | None, limits: ReadLimits) -> Source:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:  # an XLSX is a zip of XML: its inflated size is checked first
            check_unzipped_size(path, archive, [i.filename for i in archive.infolist()], limits)
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, InvalidFileException) as exc:
        raise SourceError(path, say(f"不是有效的 XLSX 文件：{exc}", f"not a valid XLSX file: {exc}")) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SourceError(
                path,
                say(
                    f"没有工作表「{sheet}」；可选的工作表：{'、'.join(book.sheetnames)}",
                    f'there is no sheet "{sheet}"; the sheets are: {", ".join(book.sheetnames)}',
                ),
            )
        ws = book[sheet] if sheet else book.worksheets[0]
        title = ws.title
        # Some writers record a wrong sheet size (often "A1"); read-only mode would trust it.
        ws.reset_dimensions()
        cells = []
        for r in ws.iter_rows(min_row=1, values_only=True):
            check_columns(path, len(r), limits)
            cells.append(list(r))
        uncached = _formulas_without_values(ws)
    finally:
        book.close()
    notes = [say(f"读取工作表「{title}」", f'Read the sheet "{title}"')]
    width = max((len(r) for r in cells), default=0)
    table = pd.DataFrame([r + [None] * (width - len(r)) for r in cells], columns=range(width), dtype=object)
    rows = np.arange(1, len(cells) + 1, dtype=np.int64)  # iter_rows from row 1 yields gaps as empty rows
    frame, numbers, header = _with_header(table, rows, path, notes, sheet_title=title)
    _refuse_uncached(path, uncached, header)
    return Source(path, frame, None, None, numbers, layer=title, notes=notes)


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _formulas_without_values(ws: Any) -> list[tuple[int, int, str, str]]:
    """(row, column index, cell, formula) of each formula cell that has no computed value saved.

    openpyxl, pandas and most programs write formulas without computing them; only a
    spreadsheet application saves the value. Read for values, such a cell is empty: a tax of
    2198.13 written as ``=2198.13`` would be imported as missing without a word. The sheet's
    XML is scanned once more, as a stream, only when it holds a formula at all.
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils import column_index_from_string

    member = ws._worksheet_path  # the sheet's part in the zip (openpyxl keeps no public name for it)
    archive = ws.parent._archive
    if not _has_formula(archive, member):
        return []
    found: list[tuple[int, int, str, str]] = []
    with archive.open(member) as xml:
        for _, element in iterparse(xml, events=("end",)):
            if not element.tag.endswith("}c") and element.tag != "c":
                continue
            formula = value = None
            for child in element:
                name = child.tag.rsplit("}", 1)[-1]
                if name == "f":
                    formula = child
                elif name in ("v", "is"):
                    value = child
            has_value = value is not None and (value.text or len(value))
            if formula is not None and not has_value:
                ref = element.get("r") or ""
                match = _CELL_REF.fullmatch(ref)
                if match:
                    column = column_index_from_string(match.group(1)) - 1
                    found.append((int(match.group(2)), column, ref, "=" + (formula.text or "")))
            element.clear()
    return found


def _has_formula(archive: zipfile.ZipFile, member: str) -> bool:
    tag = re.compile(rb"<(?:\w+:)?f[\s>/]")
    tail = b""
    with archive.open(member) as xml:
        for chunk in iter(lambda: xml.read(1 << 20), b""):
            if tag.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _refuse_uncached(
    path: Path, uncached: list[tuple[int, int, str, str]], header_at: tuple[int, list[str | None]]
) -> None:
    """Refuse the formulas without values under the header, naming row, column and cell."""
    header_row, header = header_at
    bad = [(r, c, ref, f) for r, c, ref, f in uncached if r > header_row and c < len(header) and header[c]]
    if not bad:
        return
    shown = say(
        "；".join(f"第 {r} 行「{header[c]}」（{ref}：{f}）" for r, c, ref, f in bad[:10]),
        "; ".join(f'row {r}, "{header[c]}" ({ref}: {f})' for r, c, ref, f in bad[:10]),
    )
    more = say(f" 等 {len(bad)} 处", f" and more, {len(bad)} in all") if len(bad) > 10 else ""
    raise SourceError(
        path,
        say(
            f"有 {len(bad)} 个公式单元格没有保存计算结果，读出来会是空值：{shown}{more}。"
            "请用 Excel 或 WPS 打开此文件并保存后再导入",
            f"{len(bad)} formula cells have no saved value and would read as empty: {shown}{more}. "
            "Open the file in Excel or WPS, save it, then import it again",
        ),
    )


# ---- spreadsheets: header, blank rows ---------------------------------------------------------


def _cleaned(table: pd.DataFrame) -> npt.NDArray[np.object_]:
    """The cells as a 2-D array: text stripped of surrounding spaces (never meant in a cell), blank
    text and missing values as None, other values as they are.

    One pass over all cells at once: a table 20,000 columns wide costs what a long one does.
    """
    cells = table.to_numpy(dtype=object)
    flat = pd.Series(cells.ravel(), dtype=object)
    try:
        text = flat.str.strip()  # NaN where a value is not text
    except AttributeError:  # no text at all (numbers, dates)
        text = pd.Series(np.nan, index=flat.index, dtype=object)
    is_text = text.notna().to_numpy(dtype=bool)
    out = flat.to_numpy(dtype=object).copy()
    out[is_text] = text.to_numpy(dtype=object)[is_text]
    out[pd.isna(out) | (is_text & (out == ""))] = None
    return out.reshape(cells.shape)


def _cleaned_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A CSV column as ``_cleaned`` makes cells, in Arrow's string kernels: text stripped of surrounding
    spaces, blank text missing (null); and the ``'`` our CSV exports put before a formula-like text
    (OWASP) taken off, so that a file exported here and imported again keeps its values."""
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(column)
    text = pc.replace_substring_regex(text, pattern=r"^'([=+\-@\t\r])", replacement=r"\1")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)


def _header_row(filled: npt.NDArray[np.int64]) -> int | None:
    """Index of the header row: the first non-empty row, unless that is a title.

    A title row (one cell, often merged across, such as 「2025年度低效工业用地清单」) that is
    followed by a row of several cells is not the header. Only one title row is skipped: two
    one-cell rows are a one-column table.
    """
    nonempty = np.flatnonzero(filled > 0)
    if len(nonempty) == 0:
        return None
    if len(nonempty) > 1 and filled[nonempty[0]] == 1 and filled[nonempty[1]] > 1:
        return int(nonempty[1])
    return int(nonempty[0])


def _with_header(
    table: pd.DataFrame,
    rows: npt.NDArray[np.int64],
    path: Path,
    notes: list[str],
    sheet_title: str | None = None,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], tuple[int, list[str | None]]]:
    """The frame below the header row, blank rows and header-less empty columns dropped, row numbers
    kept; and the header's row number and texts by position (None where a column has none).

    ``table`` has positional columns and one row per spreadsheet row; ``rows`` are their numbers.
    """
    cells = _cleaned(table)
    layout = _layout(pd.isna(cells), lambda i: list(cells[i]), rows, path, notes, sheet_title)
    values = cells[layout.data_rows][:, layout.keep]  # one missing value (None), whatever the parser made
    frame = pd.DataFrame(values, columns=layout.names, dtype=object)
    return frame, rows[layout.data_rows], (int(rows[layout.header_at]), layout.header)


def _text_with_header(
    columns: list[pa.ChunkedArray], rows: npt.NDArray[np.int64], path: Path, notes: list[str]
) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """``_with_header`` of cleaned text columns (a CSV's): the frame's columns stay Arrow text (pandas
    ``str``, missing values NaN), a few bytes a cell rather than a Python object each."""
    blank = np.column_stack([np.asarray(c.is_null()) for c in columns])
    layout = _layout(blank, lambda i: [c[i].as_py() for c in columns], rows, path, notes, None)
    at = np.flatnonzero(layout.data_rows)
    if len(at) == 0 or at[-1] - at[0] + 1 == len(at):  # no blank row among the data: a view, not a copy
        start = int(at[0]) if len(at) else 0
        body = pa.table([columns[i].slice(start, len(at)) for i in layout.keep], names=layout.names)
    else:
        kept = pa.array(layout.data_rows)
        body = pa.table([columns[i].filter(kept) for i in layout.keep], names=layout.names)
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    frame = body.to_pandas(types_mapper=lambda t: text if _is_text(t) else None)
    return frame, rows[layout.data_rows]


def _is_text(arrow_type: pa.DataType) -> bool:
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


@dataclass
class _Layout:
    header_at: int  # the header's index among the rows
    header: list[str | None]  # its texts by position, None where a column has none
    keep: list[int]  # the columns with a header
    names: list[str]  # their headers, made unique
    data_rows: npt.NDArray[np.bool_]  # the rows below the header that hold data


def _layout(
    blank: npt.NDArray[np.bool_],
    row_at: Callable[[int], list[Any]],
    rows: npt.NDArray[np.int64],
    path: Path,
    notes: list[str],
    sheet_title: str | None,
) -> _Layout:
    """Where a table's header is, which columns have one and which rows below it hold data, from which
    cells are blank; ``row_at`` gives one row's cleaned values (for the header and a title)."""
    filled = blank.shape[1] - blank.sum(axis=1)
    header_at = _header_row(filled)
    if header_at is None:
        where = (
            say(f"工作表「{sheet_title}」", f'the sheet "{sheet_title}"') if sheet_title else say("文件", "the file")
        )
        raise SourceError(path, say(f"{where}为空，没有表头", f"{where} is empty: it has no header row"))
    first_nonempty = int(np.flatnonzero(filled > 0)[0])
    if header_at != first_nonempty:
        title = next(v for v in row_at(first_nonempty) if v is not None)
        notes.append(
            say(
                f"第 {rows[first_nonempty]} 行「{title}」视为标题",
                f'Row {rows[first_nonempty]}, "{title}", was taken for a title and skipped',
            )
        )
    if rows[header_at] != 1:
        notes.append(say(f"表头在第 {rows[header_at]} 行", f"The header is in row {rows[header_at]}"))
    header = [None if b else _header_text(v) for v, b in zip(row_at(header_at), blank[header_at], strict=True)]
    body_blank = blank[header_at + 1 :]
    keep = [i for i, h in enumerate(header) if h]
    for i, h in enumerate(header):
        if not h and not body_blank[:, i].all():
            notes.append(
                say(
                    f"第 {_column_name(i)} 列有数据但没有表头，已忽略",
                    f"Column {_column_name(i)} holds data but has no header: it was ignored",
                )
            )
    data_rows = np.zeros(len(blank), dtype=bool)
    if keep:
        data_rows[header_at + 1 :] = ~body_blank[:, keep].all(axis=1)
    names = _unique_headers([str(header[i]) for i in keep], notes)
    return _Layout(header_at, header, keep, names, data_rows)


def _header_text(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


def _column_name(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _unique_headers(headers: Sequence[str], notes: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        if h in seen:
            seen[h] += 1
            renamed = f"{h}_{seen[h]}"
            notes.append(
                say(
                    f"列名「{h}」重复，第 {seen[h]} 个改名为「{renamed}」",
                    f'The header "{h}" appears more than once; number {seen[h]} was renamed "{renamed}"',
                )
            )
            out.append(renamed)
        else:
            seen[h] = 1
            out.append(h)
    return out


__all__ = ["SUPPORTED", "read_source"]
