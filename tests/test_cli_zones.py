"""zones build, list and export as a user runs them, on the demo city in both stores."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from landrenewal.domain.zones import clusters
from landrenewal.store import schema
from landrenewal.store.engine import open_store
from landrenewal.store.frames import read_table
from tests.cli import run

DEMO_PARCELS = "600"


@pytest.fixture
def judged(store_location: str) -> str:
    """The demo city, evaluated and identified."""
    run("demo", "build", "--db", store_location, "--parcels", DEMO_PARCELS, "--json", check=True)
    run("evaluate", "--year", "2025", "--db", store_location, check=True)
    run("identify", "--as-of", "2026-10-31", "--db", store_location, check=True)
    return store_location


def _stored(location: str, run_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, int | None]:
    store = open_store(location, create=False)
    try:
        with store.engine.connect() as conn:
            zones = read_table(conn, store, schema.zones, None, schema.zones.c.run_id == run_id)
            members = read_table(conn, store, schema.zone_parcels, None, schema.zone_parcels.c.run_id == run_id)
            towns = read_table(conn, store, schema.zone_towns, None, schema.zone_towns.c.run_id == run_id)
            parcels = read_table(conn, store, schema.parcels, ["parcel_code", "area_m2", "rights_holder", "geom"])
            return zones, members, towns, parcels, store.epsg(conn)
    finally:
        store.dispose()


def test_zones_of_the_findings_partition_them_add_up_and_follow_the_policy(judged: str, tmp_path: Path) -> None:
    done = run("zones", "build", "--db", judged, "--json", check=True)
    summary = json.loads(done.stdout)
    assert summary["selection"] == "findings" and summary["gap_m"] == 30.0  # the policy's gap
    zones, members, towns, parcels, _ = _stored(judged, summary["run_id"])
    assert len(zones) == summary["zones"] and len(members) == summary["parcels"]

    # The same partition as clustering the selected parcels directly; zones numbered by area.
    chosen = parcels[parcels["parcel_code"].isin(members["parcel_code"])].sort_values("parcel_code")
    expected = clusters(chosen["geom"].to_numpy(dtype=object), 30.0)
    got = members.set_index("parcel_code").loc[chosen["parcel_code"], "zone_no"].to_numpy()
    assert pd.crosstab(expected, got).astype(bool).sum(axis=1).eq(1).all()
    assert len(np.unique(expected)) == len(np.unique(got))
    zones = zones.sort_values("zone_no", ignore_index=True)
    assert zones["area_mu"].is_monotonic_decreasing

    # Figures add up, outlines hold their parcels, flags follow the demo policy's 300 / 500 / 50 / 75 mu.
    by_zone = members.groupby("zone_no")["area_mu"].sum()
    assert np.allclose(zones.set_index("zone_no")["area_mu"], by_zone)
    assert (zones["parcel_count"].to_numpy() == members.groupby("zone_no").size().to_numpy()).all()
    outline = zones.set_index("zone_no")["geom"].loc[members["zone_no"]].to_numpy(dtype=object)
    member_geoms = parcels.set_index("parcel_code")["geom"].loc[members["parcel_code"]].to_numpy(dtype=object)
    assert shapely.covers(outline, member_geoms).all()
    assert (zones["outline_mu"] >= zones["area_mu"] - 1e-6).all()
    assert (zones["contiguous_candidate"] == (zones["area_mu"] >= 300)).all()
    assert (zones["industrial_candidate"] == (zones["area_mu"] >= 500)).all()
    assert (zones["scattered"] == (zones["area_mu"] < 50)).all()
    assert (zones["parking_rule"] == (zones["area_mu"] >= 75)).all()
    assert (zones["finding_parcels"] == zones["parcel_count"]).all()  # every selected parcel has a finding
    assert np.allclose(zones["state_mu"] + zones["collective_mu"], zones["area_mu"])
    assert (zones["enterprise_count"] > 0).any()
    # A zone has rights holders unless all of it is land not yet supplied, which has none.
    held = members["parcel_code"].map(parcels.set_index("parcel_code")["rights_holder"]).notna()
    any_held = held.groupby(members["zone_no"].to_numpy()).any()
    assert ((zones["holder_count"] > 0).to_numpy() == any_held.loc[zones["zone_no"]].to_numpy()).all()
    # Every parcel has a town; the towns add up to the selection.
    assert members["town_code"].notna().all()
    assert (members["village_code"].str[:9] == members["town_code"]).all()
    assert towns["area_mu"].sum() == pytest.approx(summary["mu"], abs=0.01)
    assert towns["parcel_count"].sum() == summary["parcels"]


def test_selections_exports_and_versions(judged: str, tmp_path: Path) -> None:
    xlsx, gpkg, geojson = tmp_path / "片区.xlsx", tmp_path / "片区.gpkg", tmp_path / "片区.geojson"
    args = ["zones", "build", "--db", judged, "--select", "class:C,D", "--gap", "50", "--json"]
    first = json.loads(run(*args, "--out", str(xlsx), "--out", str(gpkg), "--out", str(geojson), check=True).stdout)
    second = json.loads(run(*args, check=True).stdout)
    assert second["run_id"] == first["run_id"] + 1  # a new version, the same answer
    zones_a, members_a, *_ = _stored(judged, first["run_id"])
    zones_b, members_b, _, _, epsg = _stored(judged, second["run_id"])
    figures = [c for c in zones_a.columns if c not in ("id", "run_id", "geom")]
    pd.testing.assert_frame_equal(
        zones_a[figures].sort_values("zone_no", ignore_index=True),
        zones_b[figures].sort_values("zone_no", ignore_index=True),
    )
    pd.testing.assert_frame_equal(
        members_a.drop(columns=["id", "run_id"]).sort_values("parcel_code", ignore_index=True),
        members_b.drop(columns=["id", "run_id"]).sort_values("parcel_code", ignore_index=True),
    )
    assert first["selection"] == "class:C,D" and first["gap_m"] == 50.0

    book = openpyxl.load_workbook(xlsx)
    assert {"说明", "片区", "片区宗地", "镇街汇总"} <= set(book.sheetnames)
    headers = [c.value for c in book["片区"][1]]
    assert {"片区编号（按面积从大到小）", "宗地面积合计（亩）", "亩均税收（万元/亩）", "政策判断"} <= set(headers)
    assert book["片区"].max_row == first["zones"] + 1
    layer = gpd.read_file(gpkg, layer="zones")
    assert len(layer) == first["zones"] and layer.crs.to_epsg() == epsg
    assert set(layer.geom_type) == {"MultiPolygon"}
    assert len(gpd.read_file(gpkg, layer="zone_parcels")) == first["parcels"]
    lonlat = gpd.read_file(geojson)
    assert lonlat.crs.to_epsg() == 4326 and lonlat.total_bounds[0] > 100 and lonlat.total_bounds[3] < 30

    listed = json.loads(run("zones", "list", "--db", judged, "--json", check=True).stdout)
    assert [r["id"] for r in listed] == [first["run_id"], second["run_id"]]
    again = tmp_path / "again.geojson"
    run("zones", "export", str(first["run_id"]), "--db", judged, "--out", str(again), check=True)
    assert len(gpd.read_file(again)) == first["zones"]


def test_the_store_itself_holds_the_zones_layer_qgis_opens(tmp_path: Path) -> None:
    db = tmp_path / "城市.gpkg"
    run("demo", "build", "--db", str(db), "--parcels", "300", check=True)
    summary = json.loads(run("zones", "build", "--db", str(db), "--select", "all", "--json", check=True).stdout)
    layer = gpd.read_file(db, layer="zones")  # GDAL reads the store's own layer, as QGIS does
    assert len(layer) == summary["zones"] and layer.crs is not None and layer.crs.to_epsg() == 4547
    assert layer["zone_no"].min() == 1 and layer.geometry.is_valid.all()


def test_bad_selections_and_engines_are_clear_errors(judged: str) -> None:
    done = run("zones", "build", "--db", judged, "--select", "rule:no.such.rule")
    assert done.returncode == 2 and "no.such.rule" in done.stderr
    done = run("zones", "build", "--db", judged, "--gap", "-5")
    assert done.returncode == 2 and "-5" in done.stderr
    done = run("zones", "export", "--db", judged, "--out", "x.shp")
    assert done.returncode == 2
    if not judged.startswith("postgresql"):
        done = run("zones", "build", "--db", judged, "--engine", "postgis")
        assert done.returncode == 3 and "PostGIS" in done.stderr
