"""大/中/小圈 from real files into both stores, then the plan checked against the policy.

The 大圈 and 中圈 come as a GBK shapefile without .cpg, as ArcGIS on Chinese Windows leaves
them (a .dbf field name holds at most 10 bytes, 5 Chinese characters: the parent column is
上级代码); the 小圈 as a lon/lat GeoJSON with the full Chinese headers, as web tools export them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from openpyxl import Workbook
from pyproj import Transformer
from sqlalchemy import func, select

from landrenewal.analysis.planning_check import check_store_plan
from landrenewal.domain.policy import PolicyError
from landrenewal.importing.pipeline import ImportRefused, import_file
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from tests import builders

ON = dt.date(2024, 6, 30)
X0, Y0 = builders.ORIGIN

# 大圈 and 中圈: (代码, 名称, 层级, 上级代码, x, y, width, height) in metres from the origin.
CIRCLES = [
    ("B1", "东城重点改造区域", "大圈", None, 0, 0, 2500, 2400),  # 6 km²
    ("B2", "松山湖北重点改造区域", "大圈", None, 3000, 0, 3500, 3400),  # 11.9 km²: over 11
    ("M1", "黄角片区", "中圈", "B1", 0, 0, 1000, 1500),
    ("M2", "西门片区", "中圈", "B1", 1500, 0, 1200, 1000),  # 200 m of 1,200 past B1's edge: 1/6 outside
    ("M3", "新安片区", "中圈", "B2", 3000, 0, 1000, 1000),
]
# 小圈: 分区代码, 分区名称, 层级, 上级分区代码 …
UNITS = [
    ("S1", "黄角1号改造单元", "小圈", "M1", 0, 0, 400, 500),  # 300 mu
    ("S2", "黄角2号改造单元", "小圈", "M1", 500, 0, 500, 500),  # 375 mu: over 330
    ("S3", "新安1号改造单元", "小圈", None, 3000, 0, 300, 300),  # in M3, found by where it lies
    ("S4", "飞地改造单元", "小圈", None, 7000, 0, 300, 300),  # in no 中圈
]


def _geoms(rows: list[tuple[object, ...]]) -> np.ndarray:
    boxes = [shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for *_, x, y, w, h in rows]  # type: ignore[operator]
    return np.asarray(shapely.multipolygons(boxes, indices=np.arange(len(boxes))), dtype=object)


def gbk_circles_shapefile(folder: Path, rows: list[tuple[object, ...]] = CIRCLES) -> Path:
    path = folder / "大中圈.shp"
    table = gpd.GeoDataFrame(
        {
            "分区代码": [r[0] for r in rows],
            "分区名称": [r[1] for r in rows],
            "层级": [r[2] for r in rows],
            "上级代码": [r[3] for r in rows],
        },
        geometry=_geoms(rows),
        crs=builders.EPSG,
    )
    pyogrio.write_dataframe(table, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # no language byte: only the bytes say GBK
    dbf.write_bytes(bytes(data))
    return path


def lonlat_units_geojson(folder: Path, rows: list[tuple[object, ...]] = UNITS, name: str = "改造单元") -> Path:
    to_lonlat = Transformer.from_crs(builders.EPSG, 4490, always_xy=True)

    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1]))

    features = [
        {
            "type": "Feature",
            "properties": {"分区代码": r[0], "分区名称": r[1], "层级": r[2], "上级分区代码": r[3]},
            "geometry": json.loads(shapely.to_geojson(shapely.transform(g, move))),
        }
        for r, g in zip(rows, _geoms(rows), strict=True)
    ]
    path = folder / f"{name}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8")
    return path


def _count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.planning_zones)).scalar_one())


@pytest.fixture
def planned(store: Store, tmp_path: Path) -> Store:
    circles = import_file(store, "planning_zones", gbk_circles_shapefile(tmp_path))
    units = import_file(store, "planning_zones", lonlat_units_geojson(tmp_path))
    assert (circles.changes.inserted, units.changes.inserted) == (len(CIRCLES), len(UNITS))
    return store


def test_files_with_chinese_headers_load_with_levels_parents_and_geometry(planned: Store, tmp_path: Path) -> None:
    with planned.engine.connect() as conn:
        stored = read_table(conn, planned, schema.planning_zones).set_index("zone_code").sort_index()
    assert stored.loc["B2", "name"] == "松山湖北重点改造区域"  # GBK read right without a .cpg
    assert stored["level"].to_dict() == {
        **{c[0]: {"大圈": "big", "中圈": "middle"}[c[2]] for c in CIRCLES},
        **{u[0]: "small" for u in UNITS},
    }
    assert stored["parent_code"].fillna("").to_dict() == {r[0]: r[3] or "" for r in CIRCLES + UNITS}
    # The lon/lat units came back to the store's Gauss-Krüger metres, to the millimetre.
    expected = dict(zip([r[0] for r in CIRCLES + UNITS], _geoms(CIRCLES + UNITS), strict=True))
    got = stored["geom"].to_numpy()
    want = np.array([expected[c] for c in stored.index])
    assert (shapely.hausdorff_distance(got, want) < 1e-3).all()
    assert planned.epsg() == builders.EPSG


def test_reimporting_the_same_files_changes_nothing(planned: Store, tmp_path: Path) -> None:
    again = [
        import_file(planned, "planning_zones", gbk_circles_shapefile(tmp_path)),
        import_file(planned, "planning_zones", lonlat_units_geojson(tmp_path)),
    ]
    assert [r.changes.changed for r in again] == [0, 0]
    assert [r.changes.unchanged for r in again] == [len(CIRCLES), len(UNITS)]
    assert _count(planned) == len(CIRCLES) + len(UNITS)


def test_a_parent_of_the_wrong_level_is_refused_naming_row_and_field(planned: Store, tmp_path: Path) -> None:
    rows = [
        ("S5", "西门1号改造单元", "小圈", "M2", 1600, 0, 300, 300),
        ("S6", "西门2号改造单元", "小圈", "B1", 2000, 0, 300, 300),  # a 大圈: must be a 中圈
        ("S7", "西门3号改造单元", "小圈", "M9", 1600, 400, 300, 300),  # no such zone
    ]
    with pytest.raises(ImportRefused) as refused:
        import_file(planned, "planning_zones", lonlat_units_geojson(tmp_path, rows, "错误单元"))
    errors = refused.value.report.errors
    assert errors[["row", "field"]].values.tolist() == [[2, "parent_code"], [3, "parent_code"]]
    wrong, missing = errors["reason"].tolist()
    assert "上一层级" in wrong and errors["value"].iloc[0] == "B1（大圈）"
    assert missing == "上级分区不在库中也不在本文件中" and errors["value"].iloc[1] == "M9"
    assert _count(planned) == len(CIRCLES) + len(UNITS)  # nothing written, not even S5


def test_a_sheet_without_geometry_is_refused(store: Store, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["分区代码", "分区名称", "层级", "上级分区代码"])
    sheet.append(["B1", "东城重点改造区域", "大圈", None])
    path = tmp_path / "大圈.xlsx"
    book.save(path)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "planning_zones", path)
    assert refused.value.report.errors["field"].tolist() == ["geom"]
    assert _count(store) == 0


def test_the_stored_plan_checked_against_dongguan(planned: Store) -> None:
    result = check_store_plan(planned, "gd-dongguan", ON)
    assert result.zones == {"big": 2, "middle": 3, "small": 4} and result.not_run == {}
    found = result.violations.set_index("zone_code")
    assert found["check"].to_dict() == {
        "B2": "size_too_large",
        "M2": "outside_parent",
        "S2": "size_too_large",
        "S4": "no_parent",
    }
    assert (
        found.loc["B2", "message"]
        == "大圈 B2（松山湖北重点改造区域）面积 11.90 km²，超过 10 km²（含10%弹性 11.00 km²）"
    )
    assert found.loc["M2", "value"] == pytest.approx(200 / 1200, rel=1e-6)
    assert found.loc["M2", "related_code"] == "B1"
    assert found.loc["S2", "value"] == pytest.approx(375.0, rel=1e-6)
    assert found.loc["S2", "message"] == "小圈 S2（黄角2号改造单元）面积 375.0 亩，超过 300 亩（含10%弹性 330.0 亩）"
    assert "（四）优化规划管理机制" in result.limits.sources["zones.level_elasticity"]


def test_a_policy_without_plan_numbers_runs_only_what_needs_none(planned: Store) -> None:
    result = check_store_plan(planned, "cn", ON)
    assert set(result.not_run) == {
        "size:big",
        "size:middle",
        "size:small",
        "outside_parent:middle",
        "outside_parent:small",
    }
    assert "zones.big_circle_km2" in result.not_run["size:big"]
    assert result.violations["check"].tolist() == ["no_parent"]
    with pytest.raises(PolicyError, match="policy"):
        check_store_plan(planned, None, ON)  # the store has no policy of its own
