"""Real files as users send them, written into a test's folder.

Each maker writes the file the way the hard case has it in the wild, byte for byte where
GDAL would not (a GBK .dbf with no .cpg and a language byte of 0, a UTF-8 value cut in the
middle of a character), and returns its path.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook
from pyproj import Transformer

from tests import builders

PARCEL_CODES = ["440785100201GB00001", "440785100202GB00002", "440785100201GB00003"]
HOLDERS = ["恩平市鸿达五金制品有限公司", "黄角村股份经济合作社", "江门市粤新陶瓷有限公司"]
RIGHTS = ["国有", "集体", "国有"]
LAND_USE = ["0601", "0601", "0604"]
PARCEL_HEADERS = ["宗地代码", "权利人", "权利性质", "土地用途", "宗地面积"]


def parcel_table() -> gpd.GeoDataFrame:
    """Three parcels with Chinese headers, in EPSG:4547 (CGCS2000 3° GK, CM 114°E)."""
    geoms = builders.squares(3)
    return gpd.GeoDataFrame(
        {
            "宗地代码": PARCEL_CODES,
            "权利人": HOLDERS,
            "权利性质": RIGHTS,
            "土地用途": LAND_USE,
            "宗地面积": shapely.area(geoms).round(2),
        },
        geometry=geoms,
        crs=builders.EPSG,
    )


def _set_language_byte(dbf: Path, ldid: int) -> None:
    data = bytearray(dbf.read_bytes())
    data[29] = ldid
    dbf.write_bytes(bytes(data))


def gbk_shapefile(folder: Path, *, ldid: int = 0, name: str = "宗地_gbk") -> Path:
    """GBK .dbf with Chinese field names and no .cpg; the DBF language byte set to ``ldid``."""
    path = folder / f"{name}.shp"
    pyogrio.write_dataframe(parcel_table(), path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    _set_language_byte(path.with_suffix(".dbf"), ldid)
    return path


def gbk_shapefile_without_cpg(folder: Path) -> Path:
    """GBK .dbf, Chinese field names, no .cpg, language byte 0: GDAL alone reads it as mojibake."""
    return gbk_shapefile(folder)


def gbk_shapefile_ldid_936(folder: Path) -> Path:
    """GBK .dbf, no .cpg, language byte 0x4D (code page 936), as ArcGIS writes on Chinese Windows."""
    return gbk_shapefile(folder, ldid=0x4D, name="宗地_ldid936")


def utf8_shapefile_with_cpg(folder: Path) -> Path:
    path = folder / "宗地_utf8.shp"
    # 权利性质 is 12 bytes in UTF-8: GDAL cuts it to 10, in the middle of a character, as real files have it.
    table = parcel_table().rename(columns={"宗地代码": "ZDDM", "权利人": "QLR", "土地用途": "DLBM", "宗地面积": "ZDMJ"})
    with warnings.catch_warnings():  # GDAL says it "laundered" the name: that is the point
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(table, path, encoding="UTF-8")
    return path


def utf8_shapefile_cut_value(folder: Path) -> Path:
    """UTF-8 .dbf, no .cpg, language byte 0, and the first holder's name cut at the field width
    in the middle of a character, as some writers leave it. Its last whole character is 司."""
    path = folder / "宗地_utf8_cut.shp"
    table = parcel_table()[["宗地代码", "权利人", "geometry"]].rename(columns={"宗地代码": "ZDDM", "权利人": "QLR"})
    pyogrio.write_dataframe(table, path, encoding="UTF-8")
    path.with_suffix(".cpg").unlink()
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0
    header_len = struct.unpack_from("<H", data, 8)[0]
    qlr_offset = 1 + data[32 + 16]  # deletion flag, then the ZDDM field
    value = (HOLDERS[0] + "厂").encode("utf-8")[:-1]  # 厂 cut after 2 of its 3 bytes
    width = data[64 + 16]
    assert len(value) <= width, "the QLR field is narrower than the test value"
    data[header_len + qlr_offset : header_len + qlr_offset + width] = value.ljust(width, b" ")
    dbf.write_bytes(bytes(data))
    return path


def zipped(shp: Path, folder: Path) -> Path:
    """The shapefile's parts in a zip, as people mail them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{shp.stem}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in sorted(shp.parent.glob(f"{shp.stem}.*")):
            archive.write(part, f"数据/{part.name}")
    return path


def _to_lonlat(geoms: np.ndarray) -> np.ndarray:
    to_lonlat = Transformer.from_crs(builders.EPSG, 4490, always_xy=True)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = to_lonlat.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, move), dtype=object)


def _feature_collection(geoms: np.ndarray, **members: object) -> dict[str, object]:
    table = parcel_table()
    features = [
        {
            "type": "Feature",
            "properties": {"宗地代码": code, "权利人": holder},
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for code, holder, g in zip(table["宗地代码"], table["权利人"], geoms, strict=True)
    ]
    return {"type": "FeatureCollection", **members, "features": features}


def geojson_lonlat_without_crs(folder: Path) -> Path:
    """Parcels in lon/lat with no ``crs`` member, as web tools export them."""
    path = folder / "宗地.geojson"
    collection = _feature_collection(_to_lonlat(parcel_table().geometry.to_numpy()))
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def geojson_projected_with_crs(folder: Path) -> Path:
    """Parcels in EPSG:4547 metres with an old-style (2008) ``crs`` member, as QGIS writes them."""
    path = folder / "宗地_4547.geojson"
    crs = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{builders.EPSG}"}}
    collection = _feature_collection(parcel_table().geometry.to_numpy(), name="宗地", crs=crs)
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def geojson_projected_without_crs(folder: Path) -> Path:
    """Gauss-Krüger metres with no ``crs`` member: not lon/lat, whatever GDAL assumes."""
    path = folder / "宗地_无坐标系.geojson"
    collection = _feature_collection(parcel_table().geometry.to_numpy())
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def geopackage_two_layers(folder: Path) -> Path:
    """A GeoPackage with two feature layers, 宗地 first, then 地块_备份 with one parcel."""
    path = folder / "底数.gpkg"
    pyogrio.write_dataframe(parcel_table(), path, layer="宗地", driver="GPKG")
    pyogrio.write_dataframe(parcel_table().iloc[:1], path, layer="地块_备份", driver="GPKG")
    return path


def enterprises_xlsx(folder: Path, *, bad_row: bool = True) -> Path:
    """企业名录 with Chinese headers in row 1, a blank row 3 and (optionally) a bad USCC in row 4."""
    ents = builders.enterprises(3)
    book = Workbook()
    ws = book.active
    ws.title = "企业名录"
    ws.append(["统一社会信用代码", "企业名称", "国民经济行业代码", "是否规上", "所在镇街代码"])
    ws.append([ents.loc[0, "uscc"], ents.loc[0, "name"], "C3311", "是", int(builders.TOWN)])
    ws.append([])
    bad = ents.loc[1, "uscc"][:17] + ("0" if ents.loc[1, "uscc"][17] != "0" else "1")
    ws.append([bad if bad_row else ents.loc[1, "uscc"], ents.loc[1, "name"], "3899", "否", builders.TOWN])
    ws.append([ents.loc[2, "uscc"], ents.loc[2, "name"], "C1711", "规上", builders.TOWN])
    path = folder / "企业名录.xlsx"
    book.save(path)
    return path


PARCEL_SHEET_TITLE = "2025年度低效工业用地宗地清单"
SUPPLIED = [dt.datetime(2016, 5, 10), dt.datetime(2018, 11, 1)]


def parcels_xlsx(folder: Path) -> Path:
    """A sheet as offices make them: a merged title in row 1, headers with stray spaces in
    row 2, data in rows 3 and 5 (row 4 empty), land-use codes as text cells with a leading
    zero, the area as a number, the supply date as a date cell, and a second sheet."""
    book = Workbook()
    ws = book.active
    ws.title = "宗地"
    ws.append([PARCEL_SHEET_TITLE])
    ws.merge_cells("A1:E1")
    ws.append([" 宗地代码 ", "权利人", "土地用途\n", "宗地面积", "供地日期"])
    ws.append([PARCEL_CODES[0], HOLDERS[0], LAND_USE[0], 10000.5, SUPPLIED[0]])
    ws.append([None, None, "  ", None, None])  # looks empty in Excel: only spaces
    ws.append([PARCEL_CODES[1], f" {HOLDERS[1]} ", LAND_USE[1], 6667, SUPPLIED[1]])
    for row in (3, 5):
        ws.cell(row, 3).number_format = "@"  # a text cell: Excel keeps the leading zero
        ws.cell(row, 5).number_format = "yyyy-mm-dd"
    other = book.create_sheet("说明")
    other.append(["字段", "说明"])
    other.append(["宗地代码", "19 位不动产单元号前缀"])
    book.create_sheet("空表")
    path = folder / "宗地清单.xlsx"
    book.save(path)
    return path


def metrics_xlsx(folder: Path) -> Path:
    ents = builders.enterprises(3)
    frame = pd.DataFrame(
        {
            "统一社会信用代码": ents["uscc"],
            "年度": [2025] * 3,
            "税收（元）": [1_250_000, 80_000, 2_400_000],
            "工业增加值（万元）": [1500.0, 90.0, 2600.0],
            "综合能耗（吨标准煤）": [320.0, 15.0, 900.0],
            "用电量（万千瓦时）": [150.0, 12.0, 420.0],
        }
    )
    path = folder / "2025年亩均指标.xlsx"
    frame.to_excel(path, index=False)
    return path


ENTERPRISE_CSV_ROWS = [
    ["统一社会信用代码", "企业名称", "行业代码", "是否规上"],
    ["91440785MA0000000X", "恩平市鸿达五金制品有限公司", "0511", "是"],
    [],  # a blank line: Excel shows it as an empty row 3
    ["91440785MA0000001Y", "黄角村股份经济合作社", "3311", ""],
]


def enterprises_csv(folder: Path, encoding: str) -> Path:
    """企业名录 as CSV in ``encoding`` ("utf-8-sig" as Excel writes UTF-8, or "gbk" as Excel
    writes "CSV" on Chinese Windows), with a code that starts with 0 and a blank line."""
    path = folder / f"企业名录_{encoding}.csv"
    text = "\r\n".join(",".join(row) for row in ENTERPRISE_CSV_ROWS) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


# ---- hostile and broken files ------------------------------------------------------------------

INJECTED_NAMES = ['=HYPERLINK("http://evil.example/","点我")', "+1+1", "=cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def metrics_xlsx_with_uncached_formula(folder: Path) -> Path:
    """A metrics sheet as openpyxl (and pandas) write one: the tax of row 3 is the formula
    ``=2198.13`` with no computed value saved, which a reader asking for values sees as empty."""
    ents = builders.enterprises(2)
    book = Workbook()
    ws = book.active
    ws.title = "指标"
    ws.append(["统一社会信用代码", "年度", "税收（万元）", "工业增加值（万元）"])
    ws.append([ents.loc[0, "uscc"], 2025, 125.0, 1500.0])
    ws.append([ents.loc[1, "uscc"], 2025, "=2198.13", 90.0])
    path = folder / "指标_公式.xlsx"
    book.save(path)
    return path


def zip_bomb(folder: Path, *, inflated_mib: int = 1100) -> Path:
    """A zipped "shapefile" of a few MiB whose .dbf inflates to ``inflated_mib`` MiB of zeros."""
    path = folder / "宗地_炸弹.zip"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("宗地.shp", bytes(100))
        archive.writestr("宗地.shx", bytes(100))
        with archive.open("宗地.dbf", "w", force_zip64=True) as member:
            for _ in range(inflated_mib):
                member.write(chunk)
    return path


def shapefile_with_dbf_count(folder: Path, shapes: int, declared: int) -> Path:
    """A shapefile of ``shapes`` parcels whose .dbf header says it holds ``declared`` records
    (the records themselves all there), as a tool that crashed while writing leaves it."""
    geoms = builders.squares(shapes)
    table = gpd.GeoDataFrame(
        {"ZDDM": [f"{builders.VILLAGES[0]}GB{i + 1:05d}" for i in range(shapes)]}, geometry=geoms, crs=builders.EPSG
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "宗地_记录数.shp"
    pyogrio.write_dataframe(table, path, encoding="UTF-8")
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    struct.pack_into("<I", data, 4, declared)
    dbf.write_bytes(bytes(data))
    return path


# ---- messages in one language -----------------------------------------------------------------

# An English word in a Chinese message: lower-case letters standing alone (".shp", "EPSG", "Excel" or a
# file's own name are not words of a sentence).
_ENGLISH_WORD = re.compile(r"(?<![.\w])[a-z]{2,}\b")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Names of formats, which both languages write as they are.
_CODES = {"gpkg", "shp", "geojson", "json", "xlsx", "csv", "zip", "kml"}


def whole_chinese(text: str) -> bool:
    """Whether ``text`` is a Chinese sentence with no English words in it."""
    words = [w for w in _ENGLISH_WORD.findall(text) if w not in _CODES]
    return bool(_CJK.search(text)) and not words


def whole_english(text: str) -> bool:
    """Whether ``text`` is an English sentence with no Chinese characters (or full-width punctuation)."""
    return bool(_ENGLISH_WORD.search(text)) and not _CJK.search(text)
