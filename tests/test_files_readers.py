"""Reading real files: GBK shapefiles without .cpg, GeoJSON without crs, XLSX and CSV row numbers."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest

from landrenewal.files.readers import read_source
from landrenewal.files.source import SourceError
from tests import filemakers


def test_gbk_shapefile_without_cpg_reads_chinese_right(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    naive = pyogrio.read_dataframe(path)  # what GDAL alone makes of it
    assert filemakers.HOLDERS[0] not in set(naive.iloc[:, 1].astype(str))
    source = read_source(path)
    assert source.encoding == "gbk"
    assert "GBK" in source.notes[0] and ".cpg" in source.notes[0]
    assert list(source.frame["权利人"]) == filemakers.HOLDERS
    assert list(source.frame.columns[:3]) == ["宗地代码", "权利人", "权利性质"]
    assert source.crs is not None and source.crs.to_epsg() == 4547
    assert list(source.row_numbers) == [1, 2, 3]


def test_utf8_shapefile_with_cpg(tmp_path: Path) -> None:
    source = read_source(filemakers.utf8_shapefile_with_cpg(tmp_path))
    assert source.encoding == "utf-8" and ".cpg" in source.notes[0]
    assert list(source.frame["QLR"]) == filemakers.HOLDERS
    assert "权利性" in source.frame.columns  # cut at 10 bytes, whole characters kept
    assert any("截断" in n for n in source.notes)
    assert list(source.frame["权利性"]) == ["国有", "集体", "国有"]


def test_language_byte_936_is_honoured(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0x4D
    dbf.write_bytes(bytes(data))
    source = read_source(path)
    assert source.encoding == "gbk" and "0x4D" in source.notes[0]
    assert list(source.frame["权利人"]) == filemakers.HOLDERS


def test_geojson_without_crs_is_cgcs2000(tmp_path: Path) -> None:
    source = read_source(filemakers.geojson_lonlat_without_crs(tmp_path))
    assert source.crs is not None and source.crs.to_epsg() == 4490
    assert "CGCS2000" in source.notes[0]
    assert source.geometry is not None and len(source.geometry) == 3


def test_xlsx_rows_are_the_rows_excel_shows(tmp_path: Path) -> None:
    source = read_source(filemakers.enterprises_xlsx(tmp_path))
    assert list(source.row_numbers) == [2, 4, 5]  # row 3 is blank
    assert source.frame.loc[1, "国民经济行业代码"] == "3899"
    assert source.frame.loc[0, "所在镇街代码"] == 440785100  # a number cell stays a number here


def test_gbk_csv_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "企业.csv"
    path.write_bytes("统一社会信用代码,企业名称\n91440300708461136T,华为技术有限公司\n".encode("gbk"))
    source = read_source(path)
    assert source.encoding == "gb18030"
    assert source.frame.loc[0, "企业名称"] == "华为技术有限公司"
    assert list(source.row_numbers) == [2]


def test_files_that_cannot_be_read_say_why(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="不存在"):
        read_source(tmp_path / "none.shp")
    shp = filemakers.gbk_shapefile_without_cpg(tmp_path)
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(SourceError, match=r"\.dbf"):
        read_source(shp)
    (tmp_path / "x.doc").write_text("x")
    with pytest.raises(SourceError, match="不支持"):
        read_source(tmp_path / "x.doc")
