"""Real files as users send them, written into a test's folder."""

from __future__ import annotations

import json
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


def _parcel_table() -> gpd.GeoDataFrame:
    geoms = builders.squares(3)
    return gpd.GeoDataFrame(
        {
            "宗地代码": PARCEL_CODES,
            "权利人": HOLDERS,
            "权利性质": ["国有", "集体", "国有"],
            "土地用途": ["0601", "0601", "0604"],
            "宗地面积": shapely.area(geoms).round(2),
        },
        geometry=geoms,
        crs=builders.EPSG,
    )


def gbk_shapefile_without_cpg(folder: Path) -> Path:
    """GBK .dbf, Chinese field names, no .cpg, language byte 0: GDAL alone reads it as mojibake."""
    path = folder / "宗地_gbk.shp"
    pyogrio.write_dataframe(_parcel_table(), path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0
    dbf.write_bytes(bytes(data))
    return path


def utf8_shapefile_with_cpg(folder: Path) -> Path:
    path = folder / "宗地_utf8.shp"
    # 权利性质 is 12 bytes in UTF-8: GDAL cuts it to 10, in the middle of a character, as real files have it.
    table = _parcel_table().rename(
        columns={"宗地代码": "ZDDM", "权利人": "QLR", "土地用途": "DLBM", "宗地面积": "ZDMJ"}
    )
    pyogrio.write_dataframe(table, path, encoding="UTF-8")
    return path


def geojson_lonlat_without_crs(folder: Path) -> Path:
    """Parcels in lon/lat with no ``crs`` member, as web tools export them."""
    table = _parcel_table()
    to_lonlat = Transformer.from_crs(builders.EPSG, 4490, always_xy=True)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = to_lonlat.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    features = [
        {
            "type": "Feature",
            "properties": {"宗地代码": code, "权利人": holder},
            "geometry": json.loads(shapely.to_geojson(shapely.transform(g, move))),
        }
        for code, holder, g in zip(table["宗地代码"], table["权利人"], table.geometry, strict=True)
    ]
    path = folder / "宗地.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def enterprises_xlsx(folder: Path, *, bad_row: bool = True) -> Path:
    """企业名录 with Chinese headers, a title row, a blank row in the middle and (optionally) a bad USCC."""
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
