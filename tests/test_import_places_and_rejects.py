"""Imports that must not succeed quietly: parcels in the wrong place or CRS, polygons that collapse
when repaired; and the rejects file, which a user fixes and imports again."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from landrenewal.domain.language import speaking
from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_file, import_frame
from landrenewal.store.engine import Store
from tests import builders, filemakers

OPTIONS = ImportOptions(today=builders.TODAY)


def _store_in_zone(store: Store) -> None:
    """A store whose CRS is EPSG:4547 (CM 114°E), as 恩平's is."""
    import_frame(store, "parcels", builders.parcels(1), "base", epsg=builders.EPSG, options=OPTIONS)
    assert store.epsg() == builders.EPSG


def _lonlat_geojson(folder: Path, lon: float, lat: float, n: int = 3) -> Path:
    """``n`` squares of about 100 m at lon/lat, with no crs member (as web tools write them)."""
    step = 0.002
    features = [
        {
            "type": "Feature",
            "properties": {"宗地代码": f"{builders.VILLAGES[0]}GB{i + 11:05d}"},
            "geometry": json.loads(
                shapely.to_geojson(shapely.box(lon + i * step, lat, lon + i * step + 0.001, lat + 0.001))
            ),
        }
        for i in range(n)
    ]
    path = folder / "宗地_远方.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def test_parcels_in_paris_are_refused_row_by_row_unless_accepted(store: Store, tmp_path: Path) -> None:
    _store_in_zone(store)
    paris = _lonlat_geojson(tmp_path, 2.35, 48.86)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "parcels", paris, OPTIONS)
    errors = refused.value.report.errors
    assert list(errors["row"]) == [1, 2, 3] and set(errors["field"]) == {"geom"}
    assert errors["reason"].str.contains("中国境外（经度 2.35°，纬度 48.86°）").all()
    accepted = import_file(store, "parcels", paris, ImportOptions(today=builders.TODAY, accept_far_places=True))
    assert accepted.committed and accepted.changes.inserted == 3
    assert len(accepted.warnings[accepted.warnings["reason"].str.contains("中国境外")]) == 3


def test_a_place_outside_china_is_said_whole_in_the_readers_language(store: Store, tmp_path: Path) -> None:
    _store_in_zone(store)
    paris = _lonlat_geojson(tmp_path, 2.35, 48.86, n=1)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "parcels", paris, OPTIONS)
    (reason,) = refused.value.report.errors["reason"]
    assert reason == "图形位于中国境外（经度 2.35°，纬度 48.86°），坐标系可能有误；若确属此处，导入时选择接受远处的图形"
    assert str(refused.value).endswith("宗地_远方.geojson：1 个错误，未写入任何数据")
    with speaking("en"), pytest.raises(ImportRefused) as refused:
        import_file(store, "parcels", paris, OPTIONS)
    (reason,) = refused.value.report.errors["reason"]
    assert reason == (
        "the feature lies outside China (longitude 2.35°, latitude 48.86°): the CRS may be wrong; "
        "if it really is there, choose to accept far places when importing"
    )
    assert str(refused.value).endswith(": 1 error, nothing written")


def test_parcels_in_a_european_utm_zone_are_refused(store: Store, tmp_path: Path) -> None:
    _store_in_zone(store)
    boxes = shapely.box(np.array([500_000.0, 500_200.0]), 5_400_000.0, np.array([500_100.0, 500_300.0]), 5_400_100.0)
    table = gpd.GeoDataFrame({"宗地代码": ["440785100201GB00031", "440785100201GB00032"]}, geometry=boxes, crs=32633)
    path = tmp_path / "宗地_utm33.gpkg"
    table.to_file(path, layer="宗地")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "parcels", path, OPTIONS)
    errors = refused.value.report.errors
    assert list(errors["row"]) == [1, 2] and errors["reason"].str.contains("中国境外").all()


def test_parcels_far_outside_the_store_zone_are_refused(store: Store, tmp_path: Path) -> None:
    _store_in_zone(store)
    hangzhou = _lonlat_geojson(tmp_path, 120.15, 30.27, n=2)  # in China, but 6° east of CM 114°E
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "parcels", hangzhou, OPTIONS)
    reasons = refused.value.report.errors["reason"]
    assert len(reasons) == 2 and reasons.str.contains("EPSG:4547（中央经线 114°E）的投影带之外").all()


def test_parcels_outside_the_stores_divisions_are_refused_unless_accepted(store: Store) -> None:
    x0, y0 = builders.ORIGIN
    divisions = builders.divisions().assign(geom=shapely.box(x0 - 5000, y0 - 5000, x0 + 5000, y0 + 5000))
    import_frame(store, "divisions", divisions, "towns", epsg=builders.EPSG, options=OPTIONS)
    import_frame(store, "parcels", builders.parcels(2), "near", epsg=builders.EPSG, options=OPTIONS)  # inside
    east = np.array([30_000.0, 0.0])  # 30 km east: still China and the store's zone, not its towns
    far = builders.parcels(3).iloc[2:].assign(geom=lambda f: shapely.transform(f["geom"], lambda xy: xy + east))
    with pytest.raises(ImportRefused) as refused:
        import_frame(store, "parcels", far, "far", epsg=builders.EPSG, options=OPTIONS)
    [reason] = refused.value.report.errors["reason"]
    assert reason.startswith("图形位于库中行政区划的范围之外（超出 2 千米以上）")
    accept = ImportOptions(today=builders.TODAY, accept_far_places=True)
    accepted = import_frame(store, "parcels", far, "far", epsg=builders.EPSG, options=accept)
    assert accepted.changes.inserted == 1 and accepted.warnings["reason"].str.contains("行政区划的范围之外").all()


def test_a_polygon_that_collapses_when_repaired_says_zero_area_and_what_the_file_says(store: Store) -> None:
    _store_in_zone(store)
    frame = builders.parcels(2).iloc[1:].reset_index(drop=True)
    # All vertices on one latitude once rounded, as feature 2535 of a real survey has it.
    frame["geom"] = [shapely.Polygon([(112.8, 22.3), (112.8003, 22.3), (112.8001, 22.3), (112.8, 22.3)])]
    frame["registered_area_m2"], frame["registered_area_mu"] = 272.0, None
    with pytest.raises(ImportRefused) as refused:
        import_frame(store, "parcels", frame, "宗地.shp", epsg=4490, options=OPTIONS)
    errors = refused.value.report.errors
    geometry = errors[errors["field"] == "geom"]
    assert len(geometry) == 1
    assert geometry.iloc[0]["reason"].startswith("修复后面积为零，文件中为 272 m²")
    assert "MULTIPOLYGON" not in geometry.iloc[0]["reason"] and "not a polygon" not in geometry.iloc[0]["reason"]


def test_the_rejects_file_holds_the_bad_rows_as_the_file_has_them_and_imports_again_once_fixed(
    store: Store, tmp_path: Path
) -> None:
    ents = builders.enterprises(3)
    table = pd.DataFrame(
        {
            "统一社会信用代码": ents["uscc"],
            "企业名称": ["恩平市鸿达五金制品有限公司", '=HYPERLINK("http://x")', "江门市粤新陶瓷有限公司"],
            "行业代码": ents["industry_code"],
            "企业规模": ["规上", "规下", "规上"],
        }
    )
    good_code = table.loc[1, "统一社会信用代码"]
    table.loc[1, "统一社会信用代码"] = good_code[:17] + ("0" if good_code[17] != "0" else "1")
    source = tmp_path / "企业名录.csv"
    table.to_csv(source, index=False, encoding="utf-8-sig")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "enterprises", source, OPTIONS)
    report = refused.value.report
    assert report.to_dict()["problems"][0]["field_label"] == "统一社会信用代码"
    rejects = tmp_path / "问题行.csv"
    report.write_rejects(rejects)
    text = rejects.read_text(encoding="utf-8-sig")
    assert str(tmp_path) not in text
    back = pd.read_csv(rejects, encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == ["行号", "字段", "原因", *table.columns]
    assert list(back["行号"]) == ["3"] and list(back["字段"]) == ["统一社会信用代码"]
    assert back.loc[0, "原因"].startswith("统一社会信用代码：") and not re.search(
        r"[A-Za-z]{3,} [A-Za-z]{2,}", back.loc[0, "原因"]
    )
    assert back.loc[0, "企业名称"] == '\'=HYPERLINK("http://x")'  # escaped for Excel, as every CSV we write

    back.loc[0, "统一社会信用代码"] = good_code  # what the user does in Excel
    back.to_csv(rejects, index=False, encoding="utf-8-sig")
    fixed = import_file(store, "enterprises", rejects, OPTIONS)
    assert fixed.committed and fixed.changes.inserted == 1 and len(fixed.errors) == 0


def test_the_rejects_file_is_headed_and_said_in_the_language_of_whoever_writes_it(store: Store, tmp_path: Path) -> None:
    ents = builders.enterprises(2)
    source = tmp_path / "enterprises.csv"
    table = pd.DataFrame({"uscc": ents["uscc"], "name": ["A", "B"], "industry_code": ["X9999", "C3411"]})
    table.to_csv(source, index=False)  # no scale column: a problem of the whole file
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "enterprises", source, OPTIONS)
    report = refused.value.report
    chinese = pd.read_csv(io.BytesIO(report.rejects_csv()), encoding="utf-8-sig", dtype=str)
    with speaking("en"):  # the headers are chosen when the file is written
        english = pd.read_csv(io.BytesIO(report.rejects_csv()), encoding="utf-8-sig", dtype=str)
    assert list(chinese.columns[:3]) == ["行号", "字段", "原因"] and list(english.columns[:3]) == [
        "row",
        "field",
        "reason",
    ]
    assert list(chinese["行号"]) == ["全文件"] and list(english["row"]) == ["whole file"]
    assert chinese.loc[0, "字段"] == "企业规模" and english.loc[0, "field"] == "Scale"
    assert filemakers.whole_chinese(chinese.loc[0, "原因"]), chinese.loc[0, "原因"]

    table.assign(scale=["above", "huge"]).to_csv(source, index=False)
    with speaking("en"):
        with pytest.raises(ImportRefused) as refused:
            import_file(store, "enterprises", source, OPTIONS)
        english = pd.read_csv(io.BytesIO(refused.value.report.rejects_csv()), encoding="utf-8-sig", dtype=str)
    assert list(english["row"]) == ["2", "3"], english
    assert all(filemakers.whole_english(r) for r in english["reason"]), list(english["reason"])
    assert english.loc[0, "reason"] == "industry_code: not an industry code of GB/T 4754-2017 (such as C3411 or 3411)"
    assert english.loc[1, "reason"] == (
        'scale: an unknown value; expected one of: above, below; scale: the required value "Scale" is missing'
    )
