"""The demo city: deterministic, realistic, every lifecycle case present, and valid as imported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from landrenewal.demo.build import build_demo
from landrenewal.demo.city import DemoCity, generate_city
from landrenewal.domain import uscc
from landrenewal.domain.divisions import parent_of
from landrenewal.domain.units import m2_to_mu
from landrenewal.policyfiles import resolve_policy
from landrenewal.store.engine import Store
from landrenewal.store.summary import summarize


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return generate_city()


def test_same_seed_same_city_other_seed_other_city(city: DemoCity) -> None:
    again = generate_city()
    for name in ("parcels", "enterprises", "occupancy", "metrics", "buildings"):
        left, right = getattr(city, name), getattr(again, name)
        pd.testing.assert_frame_equal(
            left.drop(columns=["geom"], errors="ignore"), right.drop(columns=["geom"], errors="ignore")
        )
    assert shapely.equals_exact(city.parcels["geom"].to_numpy(), again.parcels["geom"].to_numpy()).all()
    other = generate_city(seed=7)
    assert not other.parcels["registered_area_m2"].equals(city.parcels["registered_area_m2"])


def test_size_and_parcel_areas(city: DemoCity) -> None:
    assert 2000 <= len(city.parcels) <= 5000
    mu = m2_to_mu(shapely.area(city.parcels["geom"].to_numpy()))
    assert mu.min() >= 3.0 and mu.max() <= 300.0
    assert np.median(mu) < mu.mean()  # skewed: many small, few large
    assert city.parcels["parcel_code"].is_unique
    assert city.parcels["parcel_code"].str.fullmatch(r"\d{12}GB\d{5}").all()


def test_parcels_do_not_overlap_and_roads_are_15_to_40_m(city: DemoCity) -> None:
    geoms = city.parcels["geom"].to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max(initial=0.0) < 1e-6
    # Parcels that touch form blocks; blocks are separated by roads.
    blocks = shapely.get_parts(shapely.union_all(shapely.buffer(geoms, 0.01)))
    blocks_tree = shapely.STRtree(blocks)
    near_left, near_right = blocks_tree.query(blocks, predicate="dwithin", distance=60.0)
    apart = near_left < near_right
    gaps = shapely.distance(blocks[near_left[apart]], blocks[near_right[apart]]) + 0.02
    assert len(gaps) > 100
    assert gaps.min() >= 15.0 - 1e-6
    assert np.percentile(gaps, 50) <= 40.0
    widths = np.diff(shapely.bounds(geoms)[:, [0, 2]], axis=1)
    assert widths.min() >= 30.0 - 1e-6


def test_located_around_113e_22_5n(city: DemoCity) -> None:
    x, y = shapely.get_coordinates(shapely.centroid(city.parcels["geom"].to_numpy())).T
    lon, lat = Transformer.from_crs(city.epsg, 4490, always_xy=True).transform(x, y)
    assert lon.min() > 112.0 and lon.max() < 114.0
    assert lat.min() > 22.0 and lat.max() < 23.0


def test_codes_and_hierarchy(city: DemoCity) -> None:
    assert uscc.validate_many(city.enterprises["uscc"].tolist()).all()
    assert city.enterprises["uscc"].is_unique
    assert city.enterprises["uscc"].str[2:8].eq("440785").all()
    codes = set(city.divisions["division_code"])
    assert {len(c) for c in codes} == {6, 9, 12}
    assert all(parent_of(c) in codes for c in codes if len(c) > 6)
    assert set(city.parcels["division_code"]) <= codes
    assert city.enterprises["industry_code"].str[:2].astype(int).between(13, 43).all()


def test_every_lifecycle_case_is_there(city: DemoCity) -> None:
    p = city.parcels
    today = pd.Timestamp(city.today)
    not_supplied = p["approved_date"].notna() & p["supplied_date"].isna()
    idle = p["supplied_date"].notna() & p["actual_start_date"].isna() & (p["agreed_start_date"] < today)
    idle_two_years = idle & (p["agreed_start_date"] < today - pd.Timedelta(days=730))
    stalled = p["actual_start_date"].notna() & p["completion_date"].isna()
    built_idle = p["completion_date"].notna() & p["production_date"].isna()
    producing = p["production_date"].notna()
    for case in (not_supplied, idle, idle_two_years, stalled, built_idle, producing):
        assert case.sum() >= 10
    assert p.loc[not_supplied, "rights_holder"].isna().all()
    assert (p["rights_type"] == "collective").sum() > 0


def test_dates_in_a_possible_order_and_in_the_past(city: DemoCity) -> None:
    p = city.parcels
    for earlier, later in [
        ("approved_date", "supplied_date"),
        ("supplied_date", "agreed_start_date"),
        ("agreed_start_date", "agreed_completion_date"),
        ("supplied_date", "actual_start_date"),
        ("actual_start_date", "completion_date"),
        ("completion_date", "production_date"),
    ]:
        assert not (p[earlier] > p[later]).any(), (earlier, later)
    for actual in ("approved_date", "supplied_date", "actual_start_date", "completion_date", "production_date"):
        assert not (p[actual] > pd.Timestamp(city.today)).any()


def test_sharing_renting_and_moving(city: DemoCity) -> None:
    occ = city.occupancy
    current = occ[occ["end_date"].isna()]
    assert (current.groupby("parcel_code")["uscc"].nunique() >= 2).sum() >= 10
    assert (current.groupby("uscc")["parcel_code"].nunique() >= 2).sum() >= 10
    assert (occ["tenure"] == "rented").sum() > 0 and occ["end_date"].notna().sum() > 0
    assert current.groupby("parcel_code")["land_share"].sum().max() <= 1.0 + 1e-9


def test_metrics_are_skewed_and_scale_follows_revenue(city: DemoCity) -> None:
    m = city.metrics
    assert set(m["year"]) == {2023, 2024, 2025}
    assert m["tax_wan"].median() < m["tax_wan"].mean()
    assert m["emissions_t"].isna().any() and m["emissions_t"].notna().mean() > 0.8
    latest = m[m["year"] == 2025].set_index("uscc")["revenue_wan"]
    scale = city.enterprises.set_index("uscc")["scale"]
    threshold = resolve_policy("cn", city.today)["scale.above_scale_revenue_min"]
    assert threshold == 2000
    assert (scale[latest[latest >= threshold].index] == "above").all()
    assert (scale[latest[latest < threshold].index] == "below").all()
    assert (scale == "below").sum() > 0


def test_demo_builds_through_the_importer_on_both_stores(store: Store) -> None:
    reports = build_demo(store, parcels=400, seed=11)
    assert all(r.committed and len(r.errors) == 0 for r in reports)
    counts = summarize(store)["counts"]
    assert counts["parcels"] == 400
    assert all(counts[k] > 0 for k in counts)
    again = build_demo(store, parcels=400, seed=11)
    assert sum(r.changes.changed for r in again) == 0
