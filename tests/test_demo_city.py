"""The demo city: deterministic, realistic, every lifecycle case present, and valid as imported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from landrenewal.demo import layout
from landrenewal.demo.build import build_demo
from landrenewal.demo.city import DemoCity, generate_city
from landrenewal.domain import uscc
from landrenewal.domain.divisions import parent_of
from landrenewal.domain.fields import BUILDINGS, ENTERPRISES, METRICS, OCCUPANCY, PARCELS
from landrenewal.domain.units import M2_PER_HA, M2_PER_MU, m2_to_mu
from landrenewal.policies.files import resolve_policy
from landrenewal.store.engine import Store
from landrenewal.store.summary import summarize

FRAMES = ("divisions", "parcels", "buildings", "enterprises", "occupancy", "metrics")
DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return generate_city()


def _geoms(frame: pd.DataFrame) -> np.ndarray:
    return frame["geom"].to_numpy(dtype=object)


def _current(city: DemoCity) -> pd.DataFrame:
    return city.occupancy[city.occupancy["end_date"].isna()]


def test_same_seed_same_city_other_seed_other_city(city: DemoCity) -> None:
    again = generate_city()
    for name in FRAMES:
        left, right = getattr(city, name), getattr(again, name)
        pd.testing.assert_frame_equal(
            left.drop(columns=["geom"], errors="ignore"), right.drop(columns=["geom"], errors="ignore")
        )
        if "geom" in left:
            assert shapely.equals_exact(_geoms(left), _geoms(right), tolerance=0.0).all()
    other = generate_city(seed=7)
    assert not shapely.equals_exact(_geoms(city.parcels)[:100], _geoms(other.parcels)[:100]).all()
    assert not other.enterprises["uscc"].equals(city.enterprises["uscc"])


def test_columns_are_the_canonical_fields(city: DemoCity) -> None:
    assert city.epsg == 4547
    assert list(city.divisions.columns) == ["division_code", "name", "geom"]
    assert list(city.parcels.columns) == [*PARCELS.names, "geom"]
    assert list(city.buildings.columns) == [*BUILDINGS.names, "geom"]
    assert list(city.enterprises.columns) == list(ENTERPRISES.names)
    assert list(city.occupancy.columns) == list(OCCUPANCY.names)
    assert list(city.metrics.columns) == list(METRICS.names)
    for frame in (city.divisions, city.parcels, city.buildings):
        geoms = _geoms(frame)
        assert (shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOLYGON).all()
        assert shapely.is_valid(geoms).all()


def test_size_and_skewed_parcel_areas(city: DemoCity) -> None:
    assert 2000 <= len(city.parcels) <= 5000
    assert len(generate_city(parcels=400, seed=3).parcels) == 400
    mu = m2_to_mu(shapely.area(_geoms(city.parcels)))
    assert mu.min() >= 3.0 and mu.max() <= 300.0
    assert np.median(mu) < mu.mean()  # many small, few large
    assert (mu < 10).mean() > 0.15 and (mu > 100).sum() >= 5


def test_parcels_do_not_overlap_and_blocks_are_15_to_40_m_apart(city: DemoCity) -> None:
    geoms = _geoms(city.parcels)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    assert len(pairs) and pairs.sum() > 0  # parcels of one block share their edges
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max() < 1e-6
    # Parcels that touch make a block; blocks stand apart across roads 15–40 m wide.
    grow = 0.01
    blocks = shapely.get_parts(shapely.union_all(shapely.buffer(geoms, grow, join_style="mitre")))
    assert len(blocks) > 50
    tree = shapely.STRtree(blocks)
    near_left, near_right = tree.query(blocks, predicate="dwithin", distance=60.0)
    apart = near_left < near_right
    gaps = shapely.distance(blocks[near_left[apart]], blocks[near_right[apart]]) + 2 * grow
    assert gaps.min() >= 15.0 - 1e-6
    _, nearest = tree.query_nearest(blocks, exclusive=True, return_distance=True)
    assert nearest.max() + 2 * grow <= 40.0 + 1e-6


@pytest.mark.parametrize("median_mu", [1.0, 250.0])
def test_parcels_stay_within_3_to_300_mu_however_sizes_are_drawn(
    median_mu: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Draws far below 3 mu or far above 300 mu are cut, joined or shared back into range."""
    monkeypatch.setattr(layout, "PARCEL_MEDIAN_MU", median_mu)
    lots = layout.lay_out_lots(np.random.default_rng(1), 5000)
    assert len(lots) == 5000
    mu = m2_to_mu((lots.u1 - lots.u0) * (lots.v1 - lots.v0))
    assert mu.min() >= 3.0 and mu.max() <= 300.0
    assert (lots.u1 - lots.u0).min() >= layout.MIN_FRONTAGE_M - 1e-9
    if median_mu > 100:
        assert (mu > 250).sum() > 100  # the cap was reached, not avoided


def test_located_around_113e_22_5n(city: DemoCity) -> None:
    x, y = shapely.get_coordinates(shapely.centroid(_geoms(city.parcels))).T
    lon, lat = Transformer.from_crs(city.epsg, 4490, always_xy=True).transform(x, y)
    assert abs(np.median(lon) - 113.0) < 0.05 and abs(np.median(lat) - 22.5) < 0.05
    assert lon.min() > 112.7 and lon.max() < 113.3 and lat.min() > 22.2 and lat.max() < 22.8


def test_division_hierarchy_and_parcels_inside_their_village(city: DemoCity) -> None:
    d = city.divisions
    codes = d["division_code"].tolist()
    assert d["division_code"].is_unique and d["division_code"].str.fullmatch(r"\d+").all()
    assert sorted({len(c) for c in codes}) == [6, 9, 12]
    assert [c for c in codes if len(c) == 6] == ["440785"]
    assert all(parent_of(c) in set(codes) for c in codes if len(c) > 6)
    towns = [c for c in codes if len(c) == 9]
    villages = [c for c in codes if len(c) == 12]
    assert 3 <= len(towns) <= 6
    assert all(3 <= sum(v.startswith(t) for v in villages) <= 12 for t in towns)
    names = d.set_index("division_code")["name"]
    assert names[towns].str.contains("镇|街道").all() and names[villages].str.endswith("村委会").all()
    geom_of = pd.Series(_geoms(d), index=codes)
    home = geom_of[city.parcels["division_code"]].to_numpy()
    assert shapely.within(_geoms(city.parcels), home).all()
    county_area = shapely.area(geom_of["440785"])
    assert np.isclose(shapely.area(geom_of[towns].to_numpy()).sum(), county_area)  # towns tile the county


def test_a_bigger_city_gets_more_towns_and_villages(city: DemoCity) -> None:
    bigger = generate_city(parcels=30_000, seed=5)
    levels = bigger.divisions["division_code"].str.len().value_counts()
    default = city.divisions["division_code"].str.len().value_counts()
    assert levels[9] > default[9] and levels[12] > default[12]
    assert bigger.parcels["parcel_code"].is_unique and bigger.enterprises["uscc"].is_unique


def test_codes_are_valid_and_unique(city: DemoCity) -> None:
    e, p = city.enterprises, city.parcels
    assert uscc.validate_many(e["uscc"].tolist()).all()
    assert all(uscc.check_char(code[:17]) == code[17] for code in e["uscc"].head(200))
    assert e["uscc"].is_unique and e["uscc"].str[2:8].eq("440785").all()
    assert e["uscc"].str[8:10].eq("MA").any() and (~e["uscc"].str[8:10].eq("MA")).any()  # new and older firms
    assert p["parcel_code"].is_unique and p["parcel_code"].str.fullmatch(r"\d{12}[GJ]B\d{5}").all()
    assert (p["parcel_code"].str[:12] == p["division_code"]).all()
    assert ((p["parcel_code"].str[12] == "J") == (p["rights_type"] == "collective")).all()
    b = city.buildings
    assert b["building_code"].is_unique and (b["building_code"].str[:19] == b["parcel_code"]).all()


def test_industries_land_use_and_enums(city: DemoCity) -> None:
    e, p = city.enterprises, city.parcels
    division = e["industry_code"].str[:2].astype(int)
    assert e["industry_code"].str.fullmatch(r"\d{4}").all()
    assert division.between(13, 43).mean() > 0.9 and e["industry_code"].nunique() >= 20
    known = pd.read_csv("src/landrenewal/data/industry_gbt4754_2017_divisions.csv", dtype=str)["division"]
    assert e["industry_code"].str[:2].isin(known).all()
    assert (p["land_use_code"] == "0601").mean() > 0.8 and (p["land_use_code"] == "0604").any()
    assert set(p["rights_type"]) == {"state", "collective"} and (p["rights_type"] == "state").mean() > 0.7
    assert set(e["scale"]) == {"above", "below"}
    assert set(city.occupancy["tenure"]) == {"owned", "rented"}
    assert e["division_code"].str.len().eq(9).all()
    assert set(city.buildings["use_type"]) <= {"production", "warehouse", "office", "living", "other"}


def test_every_lifecycle_case_is_there(city: DemoCity) -> None:
    p = city.parcels
    today = pd.Timestamp(city.today)
    not_supplied = p["approved_date"].notna() & p["supplied_date"].isna()
    never_started = p["supplied_date"].notna() & p["actual_start_date"].isna()
    idle_one_year = never_started & (p["agreed_start_date"] < today - 365 * DAY)
    idle_two_years = never_started & (p["agreed_start_date"] < today - 730 * DAY)
    not_due = never_started & (p["agreed_start_date"] > today)
    stalled = p["actual_start_date"].notna() & p["completion_date"].isna() & (p["agreed_completion_date"] < today)
    built_idle = p["completion_date"].notna() & p["production_date"].isna()
    producing = p["production_date"].notna()
    occupied = p["parcel_code"].isin(_current(city)["parcel_code"])
    closed = producing & ~occupied
    cases = [not_supplied, idle_one_year, idle_two_years, not_due, stalled, built_idle, producing, closed]
    assert all(case.sum() >= 10 for case in cases)
    assert producing.mean() > 0.6
    assert p.loc[not_supplied, "rights_holder"].isna().all()
    assert p.loc[~not_supplied, "rights_holder"].notna().all()


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
        assert (p[earlier] < p[later]).any(), (earlier, later)
    today = pd.Timestamp(city.today)
    for happened in ("approved_date", "supplied_date", "actual_start_date", "completion_date", "production_date"):
        assert not (p[happened] > today).any()
    occ = city.occupancy
    assert not (occ["start_date"] >= occ["end_date"]).any() and not (occ["start_date"] > today).any()
    supplied = occ.merge(p[["parcel_code", "supplied_date"]], on="parcel_code")
    assert not (supplied["start_date"] < supplied["supplied_date"]).any()


def test_registered_areas_agree_with_the_geometry(city: DemoCity) -> None:
    p = city.parcels
    area = shapely.area(_geoms(p))
    assert np.abs(p["registered_area_m2"] / area - 1).max() <= 0.005 + 1e-6
    mu, ha = p["registered_area_mu"], p["registered_area_ha"]
    assert mu.notna().any() and mu.isna().any() and ha.notna().any() and ha.isna().any()
    assert np.allclose(mu.dropna() * M2_PER_MU, p.loc[mu.notna(), "registered_area_m2"], rtol=0.002)
    assert np.allclose(ha.dropna() * M2_PER_HA, p.loc[ha.notna(), "registered_area_m2"], rtol=0.002)


def test_contract_terms_are_plausible(city: DemoCity) -> None:
    p = city.parcels
    assert p["agreed_far"].dropna().between(0.8, 2.5).all()
    intensity = p["agreed_investment_intensity_wan_per_mu"].dropna()
    assert 150 <= intensity.median() <= 450
    price_per_mu = (p["land_price_wan"] / m2_to_mu(shapely.area(_geoms(p)))).dropna()
    assert 10 <= price_per_mu.median() <= 60
    assert p.loc[p["rights_type"] == "collective", "agreed_far"].isna().all()


def test_sharing_renting_and_moving(city: DemoCity) -> None:
    occ, current = city.occupancy, _current(city)
    shared = current.groupby("parcel_code")["uscc"].nunique()
    assert (shared >= 2).sum() >= 10
    sums = current.groupby("parcel_code")["land_share"].sum()
    assert np.allclose(sums[shared[shared >= 2].index], 1.0)
    assert (occ.groupby("uscc")["parcel_code"].nunique() >= 2).sum() >= 10
    assert (occ["tenure"] == "rented").sum() > 0 and occ["end_date"].notna().sum() > 0
    assert occ["land_share"].between(0.0, 1.0, inclusive="right").all()
    # On every occupant's first day, the occupants of its parcel hold at most all of it.
    pairs = occ.merge(occ, on="parcel_code", suffixes=("", "_other"))
    covers = (pairs["start_date_other"] <= pairs["start_date"]) & (
        pairs["end_date_other"].isna() | (pairs["end_date_other"] > pairs["start_date"])
    )
    held = pairs[covers].groupby(["uscc", "parcel_code", "start_date"])["land_share_other"].sum()
    assert held.max() <= 1.0 + 1e-9
    assert occ.set_index(["uscc", "parcel_code", "start_date"]).index.is_unique


def test_rights_holders_are_enterprises_or_village_collectives(city: DemoCity) -> None:
    p = city.parcels
    owners = city.occupancy[city.occupancy["tenure"] == "owned"].merge(city.enterprises[["uscc", "name"]], on="uscc")
    state = p[(p["rights_type"] == "state") & p["supplied_date"].notna()]
    holder_of = owners.drop_duplicates("parcel_code").set_index("parcel_code")["name"]
    assert (state["rights_holder"].to_numpy() == holder_of[state["parcel_code"]].to_numpy()).all()
    assert p.loc[p["rights_type"] == "collective", "rights_holder"].str.endswith("村股份经济合作社").all()
    assert city.enterprises["name"].is_unique


def test_metrics_are_skewed_and_scale_follows_revenue(city: DemoCity) -> None:
    m, e = city.metrics, city.enterprises
    assert set(m["year"]) == {2023, 2024, 2025}
    assert m.set_index(["uscc", "year"]).index.is_unique
    for column in ("tax_wan", "revenue_wan", "value_added_wan", "energy_tce", "electricity_wan_kwh", "employees_avg"):
        assert m[column].median() < m[column].mean(), column  # lognormal: a long tail of big firms
        assert (m[column] >= 0).all(), column
    scale = e.set_index("uscc")["scale"]
    above = m["uscc"].map(scale) == "above"
    assert m.loc[above, "emissions_t"].isna().any() and m["emissions_t"].notna().mean() > 0.6
    latest = m.sort_values("year").groupby("uscc")["revenue_wan"].last()
    threshold = resolve_policy("cn", city.today)["scale.above_scale_revenue_min"]
    assert (scale[latest.index] == np.where(latest >= threshold, "above", "below")).all()
    assert (scale == "below").sum() > 0 and (scale == "above").sum() > 0
    # 亩均税收 of the latest year on the land each enterprise holds: median about 10–20, tail to about 100.
    current = _current(city)
    mu = pd.Series(m2_to_mu(shapely.area(_geoms(city.parcels))), index=city.parcels["parcel_code"])
    land = (current["land_share"] * current["parcel_code"].map(mu).to_numpy()).groupby(current["uscc"]).sum()
    last = m[m["year"] == 2025].set_index("uscc")
    tax_per_mu = (last["tax_wan"] / land.reindex(last.index)).dropna()
    above_tax = tax_per_mu[scale[tax_per_mu.index] == "above"]
    assert 8 <= above_tax.median() <= 25
    assert 30 <= np.percentile(tax_per_mu, 95) <= 150 and np.percentile(tax_per_mu, 5) < 5


def test_buildings_stand_inside_their_parcels(city: DemoCity) -> None:
    b, p = city.buildings, city.parcels
    parcel_geom = pd.Series(_geoms(p), index=p["parcel_code"])
    assert shapely.within(_geoms(b), parcel_geom[b["parcel_code"]].to_numpy()).all()
    assert np.allclose(b["floor_area_m2"], b["footprint_m2"] * b["storeys"])
    assert np.allclose(b["footprint_m2"], shapely.area(_geoms(b)), atol=0.01)
    assert (b["storeys_over_8m"] <= b["storeys"]).all() and b["storeys_over_8m"].gt(0).any()
    per_parcel = b.groupby("parcel_code").size()
    assert per_parcel.max() <= 4
    started = p.set_index("parcel_code")["actual_start_date"]
    assert started[per_parcel.index].notna().all()  # nothing stands where building never started
    assert (b["use_type"] == "production").mean() > 0.5 and {"office", "living"} <= set(b["use_type"])
    same_parcel = shapely.STRtree(_geoms(b)).query(_geoms(b), predicate="overlaps")
    assert same_parcel.shape[1] == 0


def test_demo_builds_through_the_importer_on_both_stores(store: Store) -> None:
    reports = build_demo(store, parcels=400, seed=11)
    assert all(r.committed and len(r.errors) == 0 for r in reports)
    counts = summarize(store)["counts"]
    assert counts["parcels"] == 400
    assert all(counts[k] > 0 for k in counts)
    again = build_demo(store, parcels=400, seed=11)
    assert sum(r.changes.changed for r in again) == 0
