"""The demo city's 大/中/小圈 plan: nested along roads and parcel lines, sized from the policy, with
exactly the two mistakes it was drawn with, and stored by ``demo build`` on both stores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from landrenewal.analysis.planning_check import check_store_plan
from landrenewal.demo.build import build_demo
from landrenewal.demo.city import DEMO_POLICY, TODAY, DemoCity, generate_city
from landrenewal.domain.fields import PLANNING_ZONES
from landrenewal.domain.planning import PlanLimits, check_plan, not_run
from landrenewal.policies.files import resolve_policy
from landrenewal.store.engine import Store

KM2 = 1e6


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return generate_city()


@pytest.fixture(scope="module")
def limits() -> PlanLimits:
    return PlanLimits.of(resolve_policy(DEMO_POLICY, TODAY))


def _geoms(frame: pd.DataFrame) -> np.ndarray:
    return frame["geom"].to_numpy(dtype=object)


def _level(city: DemoCity, level: str) -> pd.DataFrame:
    z = city.planning_zones
    return z[z["level"] == level].reset_index(drop=True)


def test_the_plan_has_the_canonical_columns_and_is_deterministic(city: DemoCity) -> None:
    z = city.planning_zones
    assert list(z.columns) == [*PLANNING_ZONES.names, "geom"]
    assert z["zone_code"].is_unique and set(z["level"]) == {"big", "middle", "small"}
    geoms = _geoms(z)
    assert (shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOLYGON).all() and shapely.is_valid(geoms).all()
    again = generate_city().planning_zones
    pd.testing.assert_frame_equal(z.drop(columns="geom"), again.drop(columns="geom"))
    assert shapely.equals_exact(geoms, _geoms(again), tolerance=0.0).all()
    other = generate_city(seed=7).planning_zones
    assert len(other) != len(z) or not shapely.equals_exact(_geoms(other), geoms, tolerance=0.0).all()


def test_every_town_has_big_zones_of_policy_size_with_middle_zones_and_units(
    city: DemoCity, limits: PlanLimits
) -> None:
    divisions = city.divisions.set_index("division_code")
    towns = [code for code in divisions.index if len(code) == 9]
    big, middle, small = (_level(city, lv) for lv in ("big", "middle", "small"))
    assert sorted(big["zone_code"].str[:9].unique()) == sorted(towns)
    assert big["parent_code"].isna().all()
    # Each 大圈 inside its own town. Sizes keep to the policy's ranges, widened by the elasticity
    # where a town is too small for the stated range (圣堂镇, 7 km², takes a 4.8 km² 大圈).
    town_geoms = divisions.loc[big["zone_code"].str[:9], "geom"].to_numpy()
    assert shapely.covers(shapely.buffer(town_geoms, 1e-6), _geoms(big)).all()
    for level, frame in (("big", big), ("middle", middle)):
        low, high = limits.widened(level)
        assert low is not None and high is not None
        km2 = shapely.area(_geoms(frame)) / KM2
        assert (km2 >= low).all() and (km2 <= high).all(), level
    assert middle["parent_code"].isin(big["zone_code"]).all()
    assert (middle["zone_code"].str.rsplit("-", n=1).str[0] == middle["parent_code"]).all()
    # Units sit in their 中圈: by code always, by parent_code except in the town drawn without it.
    own_middle = small["zone_code"].str.rsplit("-", n=1).str[0]
    assert own_middle.isin(middle["zone_code"]).all()
    coded = small["parent_code"].notna()
    assert (small.loc[coded, "parent_code"] == own_middle[coded]).all()
    assert (~coded).any() and small.loc[~coded, "zone_code"].str[:9].nunique() == 1
    middle_geom = middle.set_index("zone_code")["geom"]
    assert shapely.within(_geoms(small), shapely.buffer(middle_geom[own_middle].to_numpy(), 1e-6)).all()


def test_units_follow_parcel_lines(city: DemoCity) -> None:
    """Each unit is a run of whole parcels: the parcels it holds add up to its area exactly."""
    units = _level(city, "small")
    parcels = _geoms(city.parcels)
    unit_of, parcel = shapely.STRtree(parcels).query(_geoms(units), predicate="intersects")
    shared = shapely.area(shapely.intersection(_geoms(units)[unit_of], parcels[parcel]))
    whole = np.isclose(shared, shapely.area(parcels[parcel]), rtol=1e-6)
    slivers = shared[~whole]
    assert (slivers < 1e-3).all()  # neighbours only touch along parcel lines
    held = np.bincount(unit_of[whole], weights=shared[whole], minlength=len(units))
    assert np.allclose(held, shapely.area(_geoms(units)), rtol=1e-9)


def test_the_check_finds_exactly_the_two_mistakes_drawn_in(city: DemoCity, limits: PlanLimits) -> None:
    found = check_plan(city.planning_zones, limits)
    assert not_run(city.planning_zones, limits) == {}
    assert sorted(zip(found["level"], found["check"], strict=True)) == [
        ("middle", "outside_parent"),
        ("small", "size_too_large"),
    ]
    assert limits.elasticity is not None and limits.small_max_mu is not None
    oversized = found[found["check"] == "size_too_large"].iloc[0]
    widened = limits.small_max_mu * (1 + limits.elasticity)
    assert widened < oversized["value"] < 1.1 * widened  # a modest excess, as real plans have
    assert oversized["message"].endswith("超过 300 亩（含10%弹性 330.0 亩）")
    sticking_out = found[found["check"] == "outside_parent"].iloc[0]
    assert sticking_out["value"] > 2 * limits.elasticity
    assert sticking_out["related_code"] == sticking_out["zone_code"].rsplit("-", 1)[0]
    # The units without a parent code found theirs by where they lie.
    assert not (found["check"] == "no_parent").any()


def test_a_small_county_gets_small_big_zones_and_the_check_says_so(limits: PlanLimits) -> None:
    small_city = generate_city(parcels=400, seed=11)
    found = check_plan(small_city.planning_zones, limits)
    big = found[found["level"] == "big"]
    assert len(big) and (big["check"] == "size_too_small").all()
    assert big["message"].str.contains("小于 5 km²（含10%弹性 4.50 km²）").all()
    assert ("small", "size_too_large") in set(zip(found["level"], found["check"], strict=True))


def test_demo_build_stores_the_plan_and_the_store_check_finds_it(store: Store) -> None:
    build_demo(store, parcels=400, seed=11)
    result = check_store_plan(store, None, TODAY)
    expected = generate_city(parcels=400, seed=11).planning_zones
    assert result.policy_id == DEMO_POLICY and result.on == TODAY
    assert result.zones == expected["level"].value_counts().reindex(["big", "middle", "small"]).to_dict()
    direct = check_plan(expected, result.limits)
    pd.testing.assert_frame_equal(
        result.violations.drop(columns=["value"]).reset_index(drop=True), direct.drop(columns=["value"])
    )
    assert np.allclose(result.violations["value"], direct["value"], rtol=1e-9)
    assert result.not_run == {} and not result.ok
