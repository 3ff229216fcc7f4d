"""Reading real files: GBK shapefiles without .cpg, GeoJSON without crs, XLSX and CSV row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from landrenewal.domain.language import speaking
from landrenewal.files.encoding import detect_dbf_encoding, normalise_codec
from landrenewal.files.readers import read_source
from landrenewal.files.source import SourceError
from tests import builders, filemakers

# ---- shapefiles -------------------------------------------------------------------------------


def test_the_gbk_test_file_is_really_the_hard_case(tmp_path: Path) -> None:
    """No .cpg, language byte 0, GBK bytes in the .dbf: and GDAL alone reads mojibake, silently."""
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    dbf = path.with_suffix(".dbf").read_bytes()
    assert not path.with_suffix(".cpg").exists()
    assert dbf[29] == 0
    assert filemakers.HOLDERS[0].encode("gbk") in dbf
    assert filemakers.HOLDERS[0].encode("utf-8") not in dbf
    naive = pyogrio.read_dataframe(path)
    assert "权利人" not in naive.columns
    assert not set(filemakers.HOLDERS) & set(naive.iloc[:, 1].astype(str))


def test_gbk_shapefile_without_cpg_reads_chinese_right(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    source = read_source(path)
    assert source.encoding == "gbk"
    reason = source.notes[0]
    assert reason.startswith("编码 GBK")
    assert "无 .cpg" in reason and "语言标志为 0" in reason and "不是合法 UTF-8" in reason
    assert list(source.frame.columns) == filemakers.PARCEL_HEADERS
    assert list(source.frame["权利人"]) == filemakers.HOLDERS
    assert list(source.frame["权利性质"]) == filemakers.RIGHTS
    assert list(source.frame["土地用途"]) == filemakers.LAND_USE  # text field: the leading zero stays
    assert source.crs is not None and source.crs.to_epsg() == builders.EPSG
    assert list(source.row_numbers) == [1, 2, 3]
    assert source.geometry is not None
    assert shapely.equals(source.geometry, filemakers.parcel_table().geometry.to_numpy()).all()


def test_detect_dbf_encoding_says_why(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    codec, reason = detect_dbf_encoding(str(path))
    assert codec == "gbk"
    assert reason == "编码 GBK：.dbf 无 .cpg 文件，语言标志为 0，且文本不是合法 UTF-8"
    with speaking("en"):
        codec, reason = detect_dbf_encoding(str(path))
    assert reason == "Encoding GBK: the .dbf has no .cpg file, its language byte is 0, and the text is not valid UTF-8"


def test_utf8_shapefile_with_cpg_and_a_field_name_cut_at_10_bytes(tmp_path: Path) -> None:
    source = read_source(filemakers.utf8_shapefile_with_cpg(tmp_path))
    assert source.encoding == "utf-8" and "依据 .cpg 文件「UTF-8」" in source.notes[0]
    assert list(source.frame["QLR"]) == filemakers.HOLDERS
    assert "权利性" in source.frame.columns  # 权利性质 cut at 10 bytes: the whole characters kept
    assert any("截断" in n for n in source.notes)
    assert list(source.frame["权利性"]) == filemakers.RIGHTS


def test_language_byte_936_is_honoured(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_ldid_936(tmp_path)
    assert path.with_suffix(".dbf").read_bytes()[29] == 0x4D and not path.with_suffix(".cpg").exists()
    source = read_source(path)
    assert source.encoding == "gbk"
    assert "0x4D" in source.notes[0] and "936" in source.notes[0]
    assert list(source.frame["权利人"]) == filemakers.HOLDERS


def test_language_byte_ansi_names_no_code_page(tmp_path: Path) -> None:
    """0x57 ("ANSI": the writer's code page) makes GDAL read Latin-1; on Chinese data that is GBK."""
    path = filemakers.gbk_shapefile(tmp_path, ldid=0x57)
    assert filemakers.HOLDERS[0] not in set(pyogrio.read_dataframe(path).iloc[:, 1])
    source = read_source(path)
    assert source.encoding == "gbk" and "0x57" in source.notes[0] and "ANSI" in source.notes[0]
    assert list(source.frame["权利人"]) == filemakers.HOLDERS


def test_a_cpg_file_wins_over_everything(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    path.with_suffix(".cpg").write_text("ANSI 936\n")
    source = read_source(path)
    assert source.encoding == "gbk" and "「ANSI 936」" in source.notes[0]
    assert list(source.frame["权利人"]) == filemakers.HOLDERS


@pytest.mark.parametrize(
    ("cpg", "codec"),
    [
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("65001", "utf-8"),
        ("GBK", "gbk"),
        ("GB2312", "gbk"),
        ("CP936", "gbk"),
        ("936", "gbk"),
        ("ANSI 936", "gbk"),
        ("GB18030", "gb18030"),
        ("Big5", "cp950"),
        ("1252", "cp1252"),
        ("1251", "cp1251"),
        ("ISO-8859-5", "iso8859-5"),
        ("ANSI", None),  # the writer's system code page: names nothing
        ("nonsense", None),
    ],
)
def test_cpg_values_seen_in_the_wild(cpg: str, codec: str | None) -> None:
    assert normalise_codec(cpg) == codec


def test_an_unusable_cpg_falls_back_to_the_text(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    path.with_suffix(".cpg").write_text("ANSI")
    codec, reason = detect_dbf_encoding(path)
    assert codec == "gbk" and "「ANSI」未指明代码页" in reason


def test_utf8_without_cpg_and_a_value_cut_mid_character(tmp_path: Path) -> None:
    """Strict UTF-8 would call this file GBK (and GDAL cannot read it at all): the cut character
    at the end of a value is allowed for, and dropped."""
    path = filemakers.utf8_shapefile_cut_value(tmp_path)
    with pytest.raises(UnicodeDecodeError):
        pyogrio.read_dataframe(path, encoding="utf-8")
    source = read_source(path)
    assert source.encoding == "utf-8" and "文本是合法 UTF-8" in source.notes[0]
    assert list(source.frame["QLR"]) == filemakers.HOLDERS
    assert any("截断了半个字符" in n for n in source.notes)


def test_zipped_shapefile(tmp_path: Path) -> None:
    shp = filemakers.gbk_shapefile_without_cpg(tmp_path)
    archive = filemakers.zipped(shp, tmp_path / "mail")
    source = read_source(archive)
    assert source.path == archive and source.layer == f"数据/{shp.name}"
    assert "压缩包" in source.notes[0] and source.encoding == "gbk"
    assert list(source.frame["权利人"]) == filemakers.HOLDERS


def test_a_shapefile_without_prj_has_no_crs_and_says_so(tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    path.with_suffix(".prj").unlink()
    source = read_source(path)
    assert source.crs is None and any(".prj" in n for n in source.notes)


# ---- GeoPackage, GeoJSON ----------------------------------------------------------------------


def test_geopackage_first_layer_or_the_named_one(tmp_path: Path) -> None:
    path = filemakers.geopackage_two_layers(tmp_path)
    first = read_source(path)
    assert first.layer == "宗地" and len(first.frame) == 3
    assert any("2 个图层" in n and "宗地" in n for n in first.notes)
    named = read_source(path, layer="地块_备份")
    assert named.layer == "地块_备份" and len(named.frame) == 1 and not named.notes
    assert named.crs is not None and named.crs.to_epsg() == builders.EPSG
    with pytest.raises(SourceError, match="没有图层「不存在」"):
        read_source(path, layer="不存在")


def test_geopackage_attribute_table(tmp_path: Path) -> None:
    path = tmp_path / "企业.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"统一社会信用代码": ["91440785MA0000000X"]}), path, layer="企业")
    source = read_source(path)
    assert source.geometry is None and list(source.frame["统一社会信用代码"]) == ["91440785MA0000000X"]


def test_geojson_without_crs_is_cgcs2000(tmp_path: Path) -> None:
    source = read_source(filemakers.geojson_lonlat_without_crs(tmp_path))
    assert source.crs is not None and source.crs.to_epsg() == 4490
    assert "无 crs 成员" in source.notes[0] and "EPSG:4490" in source.notes[0]
    assert source.geometry is not None and len(source.geometry) == 3
    lon, lat = shapely.get_coordinates(source.geometry[0])[0]
    assert 112 < lon < 114 and 22 < lat < 23
    assert list(source.frame["权利人"]) == filemakers.HOLDERS


def test_geojson_with_a_crs_member_keeps_it(tmp_path: Path) -> None:
    source = read_source(filemakers.geojson_projected_with_crs(tmp_path))
    assert source.crs is not None and source.crs.to_epsg() == builders.EPSG
    assert not source.notes


def test_geojson_in_metres_without_crs_is_not_taken_for_lonlat(tmp_path: Path) -> None:
    source = read_source(filemakers.geojson_projected_without_crs(tmp_path))
    assert source.crs is None
    assert "坐标超出经纬度范围" in source.notes[0]


# ---- XLSX -------------------------------------------------------------------------------------


def test_xlsx_rows_are_the_rows_excel_shows(tmp_path: Path) -> None:
    source = read_source(filemakers.enterprises_xlsx(tmp_path))
    assert list(source.row_numbers) == [2, 4, 5]  # header in row 1, row 3 is blank
    assert source.layer == "企业名录"
    assert source.frame.loc[1, "国民经济行业代码"] == "3899"
    assert source.frame.loc[0, "所在镇街代码"] == 440785100  # a number cell stays a number


def test_xlsx_with_title_row_blank_row_text_codes_and_dates(tmp_path: Path) -> None:
    source = read_source(filemakers.parcels_xlsx(tmp_path))
    frame = source.frame
    assert list(frame.columns) == ["宗地代码", "权利人", "土地用途", "宗地面积", "供地日期"]  # stripped
    assert list(source.row_numbers) == [3, 5]  # title in row 1, header row 2, row 4 only spaces
    assert any(filemakers.PARCEL_SHEET_TITLE in n and "标题" in n for n in source.notes)
    assert list(frame["土地用途"]) == ["0601", "0601"]  # text cells keep the leading zero
    assert list(frame["权利人"]) == filemakers.HOLDERS[:2]  # stray spaces gone
    assert frame.loc[0, "宗地面积"] == 10000.5 and frame.loc[1, "宗地面积"] == 6667
    assert isinstance(frame.loc[1, "宗地面积"], int)
    assert [v.date() for v in frame["供地日期"]] == [d.date() for d in filemakers.SUPPLIED]
    assert isinstance(frame.loc[0, "供地日期"], dt.datetime)
    assert source.geometry is None and source.crs is None


def test_xlsx_named_sheet_and_empty_sheet(tmp_path: Path) -> None:
    path = filemakers.parcels_xlsx(tmp_path)
    other = read_source(path, sheet="说明")
    assert other.layer == "说明" and list(other.row_numbers) == [2]
    with pytest.raises(SourceError, match=r"空表.*为空"):
        read_source(path, sheet="空表")
    with pytest.raises(SourceError, match="没有工作表「不存在」"):
        read_source(path, sheet="不存在")


def test_xlsx_with_a_wrong_recorded_size_is_read_whole(tmp_path: Path) -> None:
    """Some writers record the sheet's size as A1; openpyxl's read-only mode would believe it."""
    import zipfile

    path = filemakers.enterprises_xlsx(tmp_path)
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(lying, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:E5" />', b'<dimension ref="A1" />')
                assert b'<dimension ref="A1" />' in data
            dst.writestr(item, data)
    source = read_source(lying)
    assert list(source.row_numbers) == [2, 4, 5] and len(source.frame.columns) == 5


# ---- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "detected"), [("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_csv_encodings_codes_and_row_numbers(tmp_path: Path, encoding: str, detected: str) -> None:
    source = read_source(filemakers.enterprises_csv(tmp_path, encoding))
    assert source.encoding == detected
    assert list(source.frame.columns) == filemakers.ENTERPRISE_CSV_ROWS[0]
    assert list(source.frame["企业名称"]) == ["恩平市鸿达五金制品有限公司", "黄角村股份经济合作社"]
    assert list(source.frame["行业代码"]) == ["0511", "3311"]  # read as text: the leading zero stays
    assert pd.isna(source.frame.loc[1, "是否规上"])  # an empty cell is missing, not ""
    assert list(source.row_numbers) == [2, 4]  # line 3 is blank


def test_gbk_csv_note_says_gbk(tmp_path: Path) -> None:
    source = read_source(filemakers.enterprises_csv(tmp_path, "gbk"))
    assert "GBK" in source.notes[0] and "不是合法 UTF-8" in source.notes[0]


def test_csv_with_semicolons_and_duplicate_headers(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("代码;名称;名称\n0601;工业用地;备注\n", encoding="utf-8")
    source = read_source(path)
    assert list(source.frame.columns) == ["代码", "名称", "名称_2"]
    assert source.frame.loc[0, "代码"] == "0601"
    assert any("重复" in n for n in source.notes) and any("分隔符" in n for n in source.notes)


def test_csv_cells_are_text_trimmed_unescaped_and_kept_in_arrow(tmp_path: Path) -> None:
    """A quoted cell may hold a comma, a quote and a line break; the ``'`` an export put before a
    formula-like text comes off; a 50 MB file stays Arrow text, not a Python object a cell."""
    path = tmp_path / "x.csv"
    path.write_bytes('代码,名称,备注\n0601," 工业,用地 ","一行\r\n两行"\n0602,"\'=1+1",  \n'.encode())
    source = read_source(path)
    assert list(source.frame["代码"]) == ["0601", "0602"]
    assert list(source.frame["名称"]) == ["工业,用地", "=1+1"]
    assert source.frame.loc[0, "备注"] == "一行\r\n两行" and pd.isna(source.frame.loc[1, "备注"])
    assert all(isinstance(dtype, pd.StringDtype) for dtype in source.frame.dtypes)
    assert list(source.row_numbers) == [2, 3]


def test_a_csv_with_short_rows_is_padded_and_one_with_a_wide_row_is_refused(tmp_path: Path) -> None:
    """What Arrow's parser cannot read as a rectangle, pandas reads as it always did."""
    short = tmp_path / "short.csv"
    short.write_text("代码,名称,备注\n0601,工业用地\n\n0602\n0603,仓储用地,x\n", encoding="gbk")
    source = read_source(short)
    assert list(source.frame["代码"]) == ["0601", "0602", "0603"]
    assert list(source.frame["名称"].fillna("")) == ["工业用地", "", "仓储用地"]
    assert list(source.row_numbers) == [2, 4, 5]
    assert all(isinstance(dtype, pd.StringDtype) for dtype in source.frame.dtypes)
    wide = tmp_path / "wide.csv"
    wide.write_text("代码,名称\n0601,工业用地\n0602,仓储用地,多一格\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"无法读取.*line 3"):
        read_source(wide)


@pytest.mark.parametrize("text", ['代码,名称\n0601,"工业\n0602,仓储\n', '代码,名称\n5\'3",x\n0601,"工业\n0602,仓储\n'])
def test_a_csv_with_a_quote_left_open_is_refused_not_read_to_its_end(tmp_path: Path, text: str) -> None:
    path = tmp_path / "open.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=r"无法读取.*EOF inside string"):
        read_source(path)


# ---- files that cannot be read ----------------------------------------------------------------


def test_files_that_cannot_be_read_say_why(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="不存在"):
        read_source(tmp_path / "none.shp")
    (tmp_path / "x.doc").write_text("x")
    with pytest.raises(SourceError, match="不支持"):
        read_source(tmp_path / "x.doc")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceError, match=r"另存为 \.xlsx"):
        read_source(tmp_path / "old.xls")
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    with pytest.raises(SourceError, match="为空"):
        read_source(tmp_path / "empty.csv")
    (tmp_path / "broken.gpkg").write_bytes(b"not a database")
    with pytest.raises(SourceError, match="无法读取"):
        read_source(tmp_path / "broken.gpkg")
    (tmp_path / "broken.xlsx").write_bytes(b"PK not really")
    with pytest.raises(SourceError, match="XLSX"):
        read_source(tmp_path / "broken.xlsx")
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(SourceError, match="无法读取"):
        read_source(tmp_path / "broken.zip")


def test_a_refused_file_and_the_notes_on_a_read_file_are_whole_sentences_in_the_readers_language(
    tmp_path: Path,
) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    table = tmp_path / "清单.csv"
    table.write_text("2025 QD,,\nDM,MC,MC\n0601,X,Y\n", encoding="utf-8")
    for language, whole in (("zh", filemakers.whole_chinese), ("en", filemakers.whole_english)):
        with speaking(language), pytest.raises(SourceError) as refused:
            read_source(tmp_path / "old.xls")
        assert whole(refused.value.reason), refused.value.reason
        with speaking(language):
            notes = read_source(table).notes
        assert len(notes) == 4 and all(whole(n) for n in notes), notes
    with speaking("en"), pytest.raises(SourceError) as refused:
        read_source(tmp_path / "old.xls")
    assert refused.value.reason.endswith("Save it as .xlsx in Excel.")
    with speaking("en"):
        assert read_source(table).notes[1:] == [
            'Row 1, "2025 QD", was taken for a title and skipped',
            "The header is in row 2",
            'The header "MC" appears more than once; number 2 was renamed "MC_2"',
        ]


@pytest.mark.parametrize("part", [".dbf", ".shx"])
def test_shapefile_missing_a_part(tmp_path: Path, part: str) -> None:
    shp = filemakers.gbk_shapefile_without_cpg(tmp_path)
    shp.with_suffix(part).unlink()
    with pytest.raises(SourceError, match=rf"缺少 \{part}") as caught:
        read_source(shp)
    assert caught.value.path == shp


def test_zip_with_two_shapefiles_needs_a_layer(tmp_path: Path) -> None:
    import zipfile

    a = filemakers.gbk_shapefile_without_cpg(tmp_path)
    b = filemakers.gbk_shapefile_ldid_936(tmp_path)
    path = tmp_path / "两个.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in [*tmp_path.glob(f"{a.stem}.*"), *tmp_path.glob(f"{b.stem}.*")]:
            archive.write(part, part.name)
    with pytest.raises(SourceError, match=r"恰有一个 \.shp"):
        read_source(path)
    assert read_source(path, layer=b.stem).encoding == "gbk"


# ---- a large file -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_large_geopackage_reads_every_polygon_in_order(tmp_path: Path) -> None:
    """Every row and geometry, in file order (the time it takes is benchmarks/readers.py's)."""
    n = 100_000
    i = np.arange(n)
    x, y = 500_000 + (i % 1000) * 120.0, 2_400_000 + (i // 1000) * 120.0
    geoms = shapely.multipolygons(shapely.get_parts(shapely.box(x, y, x + 100, y + 100)), indices=i)
    frame = pd.DataFrame({"宗地代码": [f"440785100201GB{k:07d}" for k in i], "宗地面积": np.full(n, 10000.0)})
    path = tmp_path / "big.gpkg"
    gpd.GeoDataFrame(frame, geometry=geoms, crs=builders.EPSG).to_file(path, layer="宗地", engine="pyogrio")
    source = read_source(path)
    assert len(source.frame) == n and source.geometry is not None and len(source.geometry) == n
    assert source.frame["宗地代码"].iloc[-1] == f"440785100201GB{n - 1:07d}"
    assert shapely.equals(np.asarray(source.geometry)[[0, n - 1]], geoms[[0, n - 1]]).all()
