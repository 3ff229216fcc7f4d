"""Files from outside as they come: names that look like formulas, formulas without values, zip
bombs, absurdly wide tables, shapefiles whose parts disagree, and error texts without our folders."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.language import speaking
from landrenewal.files.limits import ReadLimits
from landrenewal.files.readers import read_source
from landrenewal.files.source import SourceError
from landrenewal.files.writers import write_table
from tests import builders, filemakers


def _enterprises_named(names: list[str]) -> pd.DataFrame:
    frame = builders.enterprises(len(names))
    frame["name"] = names
    return frame


def test_formula_like_names_are_text_cells_in_our_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "企业.xlsx"
    write_table(_enterprises_named(filemakers.INJECTED_NAMES), ENTITIES["enterprises"], "xlsx", out, epsg=None)
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    column = header.index("企业名称") + 1
    cells = [sheet.cell(row, column) for row in range(2, 2 + len(filemakers.INJECTED_NAMES))]
    assert [c.value for c in cells] == filemakers.INJECTED_NAMES
    assert {c.data_type for c in cells} == {"s"}  # "f" would be a live formula


def test_formula_like_names_are_escaped_in_csv_and_read_back_as_they_were(tmp_path: Path) -> None:
    out = tmp_path / "企业.csv"
    frame = _enterprises_named(filemakers.INJECTED_NAMES)
    write_table(frame, ENTITIES["enterprises"], "csv", out, epsg=None)
    raw = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    # What Excel sees: each starts with ' and so is shown as text, never evaluated.
    assert list(raw["企业名称"]) == ["'" + n for n in filemakers.INJECTED_NAMES]
    assert list(raw["统一社会信用代码"]) == list(frame["uscc"])  # ordinary texts untouched
    assert list(read_source(out).frame["企业名称"]) == filemakers.INJECTED_NAMES


def test_an_xlsx_formula_without_a_saved_value_is_refused_by_row_and_column(tmp_path: Path) -> None:
    path = filemakers.metrics_xlsx_with_uncached_formula(tmp_path)
    with pytest.raises(SourceError) as refused:
        read_source(path)
    reason = refused.value.reason
    assert "第 3 行「税收（万元）」（C3：=2198.13）" in reason
    assert "Excel" in reason and "保存" in reason


def test_an_xlsx_formula_with_a_saved_value_reads_as_that_value(tmp_path: Path) -> None:
    path = filemakers.metrics_xlsx_with_uncached_formula(tmp_path)
    # What Excel does on saving: the formula stays, its value is saved beside it.
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>2198.13</f><v />", b"<f>2198.13</f><v>2198.13</v>")
    assert b"<v>2198.13</v>" in parts[sheet]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert read_source(path).frame["税收（万元）"].tolist() == [125.0, 2198.13]


def test_a_zip_bomb_is_refused_before_anything_is_inflated(tmp_path: Path) -> None:
    bomb = filemakers.zip_bomb(tmp_path)
    assert bomb.stat().st_size < 4 << 20  # a few MiB that would inflate to 1.1 GiB
    with pytest.raises(SourceError, match=r"解压后共 1,100\.0 MiB，超过上限 1,024 MiB"):
        read_source(bomb)
    with pytest.raises(SourceError, match="压缩比") as refused:
        read_source(bomb, limits=ReadLimits(max_unzipped_mib=4096))
    assert "宗地.dbf" in refused.value.reason


def test_an_xlsx_that_inflates_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    path = filemakers.metrics_xlsx_with_uncached_formula(tmp_path)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(40):
            member.write(bytes(1 << 20))
    with pytest.raises(SourceError, match="超过上限 32 MiB"):
        read_source(path, limits=ReadLimits(max_unzipped_mib=32))


def test_a_csv_wider_than_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "宽表.csv"
    path.write_text(",".join(f"列{i}" for i in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match="20,000 列，超过上限 500 列"):
        read_source(path)
    assert read_source(path, limits=ReadLimits(max_columns=20_000)).frame.shape == (1, 20_000)


def test_a_limit_is_said_whole_in_the_readers_language(tmp_path: Path) -> None:
    path = tmp_path / "宽表.csv"
    path.write_text(",".join(f"C{i}" for i in range(600)) + "\n" + ",".join("1" * 600) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as refused:
        read_source(path)
    assert refused.value.reason == "表格有 600 列，超过上限 500 列"
    with speaking("en"), pytest.raises(SourceError) as refused:
        read_source(path)
    assert refused.value.reason == "the table has 600 columns, more than the limit of 500"


def test_a_dbf_that_counts_fewer_records_than_the_shp_holds_is_refused(tmp_path: Path) -> None:
    path = filemakers.shapefile_with_dbf_count(tmp_path, shapes=50, declared=3)
    with pytest.raises(SourceError) as refused:
        read_source(path)
    assert ".shp 有 50 个图形，但 .dbf 文件头记载 3 条属性记录（.dbf 实含 50 条）" in refused.value.reason
    zipped = filemakers.zipped(path, tmp_path / "zip")
    with pytest.raises(SourceError, match="50 个图形") as refused:
        read_source(zipped)
    assert refused.value.path == zipped
    assert "landrenewal-zip-" not in str(refused.value)  # our temporary folder is nobody's business
    assert len(read_source(filemakers.shapefile_with_dbf_count(tmp_path / "ok", shapes=5, declared=5)).frame) == 5


def test_read_errors_name_the_file_not_the_folder_it_sits_in(tmp_path: Path) -> None:
    folder = tmp_path / "landrenewal-uploads" / "TOKEN"
    folder.mkdir(parents=True)
    broken = folder / "宗地.gpkg"
    broken.write_bytes(b"not a database")
    with pytest.raises(SourceError) as refused:
        read_source(broken)
    assert "无法读取" in refused.value.reason and str(folder) not in refused.value.reason
