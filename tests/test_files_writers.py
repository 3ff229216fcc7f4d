"""Export round trips: what we write, GDAL and Excel read back as we meant it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest

from landrenewal.exporting import export
from landrenewal.files.readers import read_source
from landrenewal.files.writers import ExportError
from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store.engine import Store
from tests import builders


@pytest.fixture
def loaded(store: Store) -> Store:
    options = ImportOptions(today=builders.TODAY)
    import_frame(store, "divisions", builders.divisions(), "d", options=options)
    import_frame(store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=options)
    import_frame(store, "enterprises", builders.enterprises(), "e", options=options)
    return store


def test_shapefile_is_utf8_with_cpg_short_names_and_field_table(loaded: Store, tmp_path: Path) -> None:
    count, files = export(loaded, "parcels", "shp", tmp_path / "宗地.shp")
    assert count == 4
    assert {f.suffix for f in files} == {".shp", ".shx", ".dbf", ".prj", ".cpg", ".csv"}
    assert (tmp_path / "宗地.cpg").read_text().strip() == "UTF-8"
    info = pyogrio.read_info(tmp_path / "宗地.shp")
    assert all(len(name.encode()) <= 10 for name in info["fields"])
    assert {"ZDDM", "QLR", "TXMJ_MU", "GDRQ"} <= set(info["fields"])
    assert info["crs"] == "EPSG:4547"
    back = read_source(tmp_path / "宗地.shp").frame.sort_values("ZDDM")
    assert set(back["QLR"]) == set(builders.parcels()["rights_holder"])
    assert back["TXMJ_MU"].round(6).eq(15.0).all()
    assert str(back["GDRQ"].iloc[0])[:10] == "2016-05-10"
    table = pd.read_csv(tmp_path / "宗地_fields.csv", encoding="utf-8-sig")
    assert table.set_index("字段 short name").loc["TXMJ_MU", "中文名称 label"] == "图形面积（亩）"
    assert table.set_index("字段 short name").loc["ZDMJ", "中文名称 label"] == "宗地面积（m²）"


def test_xlsx_has_chinese_headers_with_units_and_labels(loaded: Store, tmp_path: Path) -> None:
    export(loaded, "parcels", "xlsx", tmp_path / "宗地.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "宗地.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["宗地代码", "行政区划代码"]
    assert "宗地面积（亩）" in header and "图形面积（公顷）" in header and "约定总投资（万元）" in header
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["权利性质"].value in {"国有", "集体"}
    assert row["供地日期"].number_format == "yyyy-mm-dd"
    assert row["土地用途代码"].value == "0601"


def test_geojson_is_lonlat_and_gpkg_keeps_the_crs(loaded: Store, tmp_path: Path) -> None:
    export(loaded, "parcels", "geojson", tmp_path / "p.geojson")
    lon, lat = read_source(tmp_path / "p.geojson").geometry[0].centroid.coords[0]  # type: ignore[index]
    assert 112.5 < lon < 113.5 and 22 < lat < 23
    export(loaded, "parcels", "gpkg", tmp_path / "p.gpkg")
    assert pyogrio.read_info(tmp_path / "p.gpkg")["crs"] == "EPSG:4547"
    export(loaded, "enterprises", "csv", tmp_path / "e.csv")
    csv = pd.read_csv(tmp_path / "e.csv", encoding="utf-8-sig", dtype=str)
    assert list(csv.columns[:2]) == ["统一社会信用代码", "企业名称"]
    assert set(csv["企业规模"]) == {"规上", "规下"}


def test_records_without_geometry_cannot_become_shapefiles(loaded: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="没有图形"):
        export(loaded, "enterprises", "shp", tmp_path / "e.shp")
