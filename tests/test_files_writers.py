"""Export round trips: what we write, GDAL and Excel read back as we meant it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from landrenewal.domain.fields import ENTERPRISES, PARCELS
from landrenewal.domain.language import speaking
from landrenewal.domain.units import M2_PER_HA, M2_PER_MU
from landrenewal.files import writers
from landrenewal.files.readers import read_source
from landrenewal.files.writers import DERIVED, ExportError, ascii_short, short_names, write_table
from tests import builders, filemakers

EXTRA = "note_from_the_analyst"  # a column no spec knows: it still gets a short name


def parcels() -> pd.DataFrame:
    """Stored parcels as the exporter hands them over: canonical columns, geometry, derived areas."""
    frame = builders.parcels(4)
    area = shapely.area(frame["geom"].to_numpy())
    frame["area_m2"] = area
    frame["area_mu"] = area / M2_PER_MU
    frame["area_ha"] = area / M2_PER_HA
    frame["registered_area_ha"] = [1.0, 1.0, np.nan, 1.0]
    frame[EXTRA] = ["", "待核实", None, "已核实"]
    return frame


def headers_of(frame: pd.DataFrame) -> list[str]:
    spec_headers = [f.header for f in PARCELS.fields if f.name in frame.columns]
    return [*spec_headers, "图形面积（m²）", "图形面积（亩）", "图形面积（公顷）", EXTRA]


# ---- shapefile --------------------------------------------------------------------------------


def test_shapefile_is_utf8_with_cpg_prj_short_names_and_field_table(tmp_path: Path) -> None:
    frame = parcels()
    files = write_table(frame, PARCELS, "shp", tmp_path / "宗地.shp", epsg=builders.EPSG)
    assert [f.name for f in files] == ["宗地.shp", "宗地.shx", "宗地.dbf", "宗地.prj", "宗地.cpg", "宗地_fields.csv"]
    assert (tmp_path / "宗地.cpg").read_text().strip() == "UTF-8"
    info = pyogrio.read_info(tmp_path / "宗地.shp")
    assert info["crs"] == f"EPSG:{builders.EPSG}"
    names = list(info["fields"])
    assert all(len(n.encode()) <= 10 and n.isascii() for n in names)
    assert len(set(names)) == len(names)
    assert names[:5] == ["ZDDM", "XZQDM", "DLBM", "QLXZ", "QLR"]
    assert {"TXMJ_M2", "TXMJ_MU", "TXMJ_HA", "MJ_HA", "GDRQ", ascii_short(EXTRA)} <= set(names)

    back = read_source(tmp_path / "宗地.shp")
    assert back.encoding == "utf-8" and ".cpg" in back.notes[0]
    table = back.frame
    assert list(table["QLR"]) == list(frame["rights_holder"])  # Chinese text survives
    assert list(table["DLBM"]) == ["0601"] * 4  # codes stay text
    assert list(table["QLXZ"]) == list(frame["rights_type"])  # stored values, not labels
    assert np.allclose(table["TXMJ_MU"], 15.0) and np.allclose(table["TXMJ_HA"], 1.0)
    assert [str(v)[:10] for v in table["GDRQ"]] == ["2016-05-10"] * 4
    assert back.geometry is not None
    assert shapely.equals(back.geometry, frame["geom"].to_numpy()).all()


def test_shapefile_field_table_documents_every_short_name(tmp_path: Path) -> None:
    frame = parcels()
    write_table(frame, PARCELS, "shp", tmp_path / "宗地.shp", epsg=builders.EPSG)
    sidecar = tmp_path / "宗地_fields.csv"
    assert sidecar.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the Chinese
    table = pd.read_csv(sidecar, encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("短名")
    assert list(table.columns) == ["字段", "中文名称", "单位"]
    assert list(table.index) == list(pyogrio.read_info(tmp_path / "宗地.shp")["fields"])
    assert table.loc["ZDMJ"].tolist() == ["registered_area_m2", "宗地面积", "m²"]
    assert table.loc["TXMJ_MU"].tolist() == ["area_mu", "图形面积", "亩"]
    assert table.loc["QLR"].tolist() == ["rights_holder", "权利人", ""]
    assert table.loc[ascii_short(EXTRA), "字段"] == EXTRA


def test_the_field_table_is_headed_in_the_language_of_whoever_exports(tmp_path: Path) -> None:
    with speaking("en"):
        write_table(parcels(), PARCELS, "shp", tmp_path / "parcels.shp", epsg=builders.EPSG)
    table = pd.read_csv(tmp_path / "parcels_fields.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["short name", "field", "Chinese name", "unit"]


def test_an_export_that_cannot_be_made_says_why_whole_in_the_readers_language(tmp_path: Path) -> None:
    for language, whole in (("zh", filemakers.whole_chinese), ("en", filemakers.whole_english)):
        with speaking(language):
            for frame, spec, fmt, epsg in (
                (builders.enterprises(), ENTERPRISES, "shp", builders.EPSG),
                (parcels(), PARCELS, "geojson", None),
                (parcels(), PARCELS, "kml", builders.EPSG),
            ):
                with pytest.raises(ExportError) as refused:
                    write_table(frame, spec, fmt, tmp_path / f"x.{fmt}", epsg=epsg)
                assert whole(str(refused.value)), str(refused.value)
    with speaking("en"), pytest.raises(ExportError, match="the table 'enterprises' has no geometry"):
        write_table(builders.enterprises(), ENTERPRISES, "shp", tmp_path / "e.shp", epsg=builders.EPSG)


def test_rewriting_a_shapefile_leaves_no_stale_parts(tmp_path: Path) -> None:
    out = tmp_path / "宗地.shp"
    write_table(parcels(), PARCELS, "shp", out, epsg=builders.EPSG)
    (tmp_path / "宗地.qix").write_bytes(b"stale spatial index")
    write_table(parcels().iloc[:2], PARCELS, "shp", out, epsg=builders.EPSG)
    assert not (tmp_path / "宗地.qix").exists()
    assert len(read_source(out).frame) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["宗地.shp", "宗地.shx", "宗地.dbf", "宗地.prj", "宗地.cpg", "宗地_fields.csv"]
    )


def test_short_names_fall_back_deterministically() -> None:
    assert ascii_short("area_total_m2") == "AREA_TOTAL"
    assert ascii_short("面积") == "F"
    assert ascii_short("2025_tax") == "F2025_TAX"
    frame = pd.DataFrame(columns=["parcel_code", "area_total_m2", "area_total_mu", "面积", "亩数", "area_mu"])
    names = short_names(frame, PARCELS)
    assert names == {
        "parcel_code": "ZDDM",
        "area_mu": "TXMJ_MU",
        "area_total_m2": "AREA_TOTAL",
        "area_total_mu": "AREA_TOT_2",
        "面积": "F",
        "亩数": "F_2",
    }
    assert short_names(frame, PARCELS) == names  # the same every time


def test_field_short_names_fit_a_dbf() -> None:
    """Every spec and derived short name: ASCII, at most 10 bytes, unique within its entity (a derived
    column named like one of the entity's own fields is that field, written once)."""
    from landrenewal.domain.fields import ENTITIES

    for spec in ENTITIES.values():
        derived = [d.short for name, d in DERIVED.items() if name not in spec.names]
        shorts = [f.short for f in spec.fields] + derived
        assert all(s.isascii() and len(s) <= 10 for s in shorts), spec.kind
        assert len(set(shorts)) == len(shorts), spec.kind


# ---- GeoPackage, GeoJSON ----------------------------------------------------------------------


def test_geopackage_round_trip_keeps_names_values_crs_and_records_aliases(tmp_path: Path) -> None:
    frame = parcels()
    out = tmp_path / "导出.gpkg"
    assert write_table(frame, PARCELS, "gpkg", out, epsg=builders.EPSG) == [out]
    back = read_source(out)
    assert back.layer == "parcels"
    assert back.crs is not None and back.crs.to_epsg() == builders.EPSG
    spec_order = [f.name for f in PARCELS.fields if f.name in frame.columns]
    assert list(back.frame.columns) == [*spec_order, "area_m2", "area_mu", "area_ha", EXTRA]
    assert list(back.frame["rights_holder"]) == list(frame["rights_holder"])
    assert list(back.frame["rights_type"]) == list(frame["rights_type"])
    assert list(back.frame["supplied_date"]) == [dt.date(2016, 5, 10)] * 4
    assert pd.isna(back.frame.loc[3, "actual_start_date"])
    assert np.allclose(back.frame["area_mu"], frame["area_mu"])
    assert back.geometry is not None and shapely.equals(back.geometry, frame["geom"].to_numpy()).all()
    # GDAL reads gpkg_data_columns as each field's alternative name: QGIS shows it as the alias.
    _, table = pyogrio.read_arrow(out)
    alias = table.schema.field("registered_area_m2").metadata[b"GDAL:OGR:alternative_name"].decode()
    assert alias == "宗地面积（m²）"
    assert table.schema.field("area_mu").metadata[b"GDAL:OGR:alternative_name"].decode() == "图形面积（亩）"


def test_geopackage_layers_add_up_and_attribute_tables_work(tmp_path: Path) -> None:
    out = tmp_path / "导出.gpkg"
    write_table(parcels(), PARCELS, "gpkg", out, epsg=builders.EPSG)
    write_table(builders.enterprises(), ENTERPRISES, "gpkg", out, epsg=builders.EPSG)
    write_table(parcels().iloc[:1], PARCELS, "gpkg", out, epsg=builders.EPSG)  # replaces the layer
    assert {str(n): t for n, t in pyogrio.list_layers(out)} == {"parcels": "MultiPolygon", "enterprises": None}
    assert len(read_source(out, layer="parcels").frame) == 1
    ents = read_source(out, layer="enterprises")
    assert ents.geometry is None and list(ents.frame["uscc"]) == list(builders.enterprises()["uscc"])


def test_geojson_is_rfc7946_lonlat_with_canonical_names(tmp_path: Path) -> None:
    frame = parcels()
    out = tmp_path / "宗地.geojson"
    write_table(frame, PARCELS, "geojson", out, epsg=builders.EPSG)
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert "crs" not in raw  # RFC 7946: WGS 84 lon/lat, no crs member
    props = raw["features"][0]["properties"]
    assert props["parcel_code"] == frame.loc[0, "parcel_code"] and props["rights_type"] == "state"
    assert props["supplied_date"] == "2016-05-10"
    back = read_source(out)
    lon, lat = shapely.get_coordinates(back.geometry[0])[0]  # type: ignore[index]
    assert 112.7 < lon < 112.9 and 22.2 < lat < 22.4
    assert list(back.frame["rights_holder"]) == list(frame["rights_holder"])
    # Back in the projected CRS, the parcels are where they were, to the centimetre.
    to_gk = Transformer.from_crs(4326, builders.EPSG, always_xy=True)
    again = shapely.transform(back.geometry, lambda xy: np.column_stack(to_gk.transform(xy[:, 0], xy[:, 1])))
    assert shapely.hausdorff_distance(again, frame["geom"].to_numpy()).max() < 0.02


def test_formats_that_need_geometry_refuse_records_without(tmp_path: Path) -> None:
    for fmt in ("shp", "geojson"):
        with pytest.raises(ExportError, match="没有图形"):
            write_table(builders.enterprises(), ENTERPRISES, fmt, tmp_path / f"e.{fmt}", epsg=builders.EPSG)
    with pytest.raises(ExportError, match="坐标系未知"):
        write_table(parcels(), PARCELS, "geojson", tmp_path / "p.geojson", epsg=None)
    with pytest.raises(ExportError, match="未知格式"):
        write_table(parcels(), PARCELS, "kml", tmp_path / "p.kml", epsg=builders.EPSG)
    assert list(tmp_path.iterdir()) == []


# ---- spreadsheets -----------------------------------------------------------------------------


def test_xlsx_has_chinese_headers_with_units_labels_dates_and_text_codes(tmp_path: Path) -> None:
    frame = parcels()
    out = tmp_path / "宗地.xlsx"
    assert write_table(frame, PARCELS, "xlsx", out, epsg=builders.EPSG) == [out]
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "宗地"
    header = [c.value for c in ws[1]]
    assert header == headers_of(frame)
    assert header[:2] == ["宗地代码", "行政区划代码"]
    units = {"宗地面积（m²）", "宗地面积（亩）", "宗地面积（公顷）", "约定总投资（万元）", "图形面积（亩）"}
    assert units <= set(header)
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 5
    row = dict(zip(header, ws[2], strict=True))
    assert row["权利性质"].value == "国有" and ws.cell(5, header.index("权利性质") + 1).value == "集体"
    assert row["土地用途代码"].value == "0601" and row["土地用途代码"].data_type == "s"
    assert row["宗地代码"].value == frame.loc[0, "parcel_code"]
    assert row["供地日期"].value == dt.datetime(2016, 5, 10) and row["供地日期"].number_format == "yyyy-mm-dd"
    assert row["图形面积（亩）"].value == pytest.approx(15.0)
    assert ws.cell(5, header.index("实际动工日期") + 1).value is None  # NaT → empty cell
    assert ws.cell(4, header.index("宗地面积（公顷）") + 1).value is None  # NaN → empty cell
    holder_column = ws.cell(1, header.index("权利人") + 1).column_letter
    assert ws.column_dimensions[holder_column].width >= len(frame.loc[0, "rights_holder"]) * 2  # fits the name
    back = read_source(out)
    assert list(back.row_numbers) == [2, 3, 4, 5]
    assert list(back.frame["权利人"]) == list(frame["rights_holder"])


def test_xlsx_beyond_excel_rows_continues_on_a_second_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writers, "_XLSX_MAX_ROWS", 3)
    out = tmp_path / "宗地.xlsx"
    write_table(parcels(), PARCELS, "xlsx", out, epsg=None)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["宗地", "宗地 (2)"]
    assert [book[s].max_row for s in book.sheetnames] == [4, 2]
    assert book["宗地 (2)"]["A1"].value == "宗地代码"


def test_csv_is_utf8_with_bom_and_the_xlsx_headers(tmp_path: Path) -> None:
    frame = parcels()
    out = tmp_path / "宗地.csv"
    write_table(frame, PARCELS, "csv", out, epsg=builders.EPSG)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = read_source(out)
    assert back.encoding == "utf-8-sig"
    assert list(back.frame.columns) == headers_of(frame)
    assert list(back.frame["土地用途代码"]) == ["0601"] * 4
    assert list(back.frame["权利性质"]) == ["国有", "国有", "国有", "集体"]
    assert list(back.frame["供地日期"]) == ["2016-05-10"] * 4
    assert pd.isna(back.frame.loc[3, "实际动工日期"])
    assert float(back.frame.loc[0, "图形面积（公顷）"]) == pytest.approx(1.0)


def test_csv_of_enterprises_uses_labels(tmp_path: Path) -> None:
    out = tmp_path / "企业.csv"
    write_table(builders.enterprises(), ENTERPRISES, "csv", out, epsg=None)
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == ["统一社会信用代码", "企业名称", "行业代码", "企业规模", "行政区划代码"]
    assert list(back["企业规模"]) == ["规上", "规下", "规上"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "宗地.xlsx"
    write_table(parcels(), PARCELS, "xlsx", out, epsg=None)
    before = out.read_bytes()

    def broken(table: pd.DataFrame, path: Path, sheet: str) -> None:
        path.write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(writers, "_write_xlsx", broken)
    with pytest.raises(OSError, match="disk full"):
        write_table(parcels().iloc[:1], PARCELS, "xlsx", out, epsg=None)
    assert out.read_bytes() == before  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["宗地.xlsx"]  # and no temporary file is left
