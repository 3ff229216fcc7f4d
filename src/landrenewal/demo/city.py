"""A deterministic demo city: a county of 恩平市 (Jiangmen) with towns, villages, a road grid and industry.

One seed gives one city, frame for frame. The city holds every case the rules must see: land
approved but not supplied, supplied and idle past the agreed start, building stalled, built but
not producing, producing, closed; several enterprises on one parcel, one enterprise on several
parcels, rented premises, enterprises that moved out; skewed 亩均 figures over three years.

The work is split by subject — ground plan (layout), divisions, lifecycle, occupancy, metrics,
buildings, names — each drawing from its own random stream, so that changing one subject does
not reshuffle the others. Everything is vectorized over parcels and enterprises, and text is
built as Arrow arrays only here at the end: 10⁶ parcels take well under half a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from landrenewal.demo.arrays import (
    BoolArray,
    FloatArray,
    ObjectArray,
    as_timestamps,
    digits,
    fixed_width,
    pick,
    rank_within,
    text,
)
from landrenewal.demo.buildings import USES, Buildings, draw_buildings
from landrenewal.demo.divisions import Divisions, draw_divisions
from landrenewal.demo.layout import EPSG, lay_out_lots, place_on_map, rectangles
from landrenewal.demo.lifecycle import Lifecycle, collective_land, draw_lifecycle
from landrenewal.demo.metrics import YEARS, Metrics, draw_metrics
from landrenewal.demo.names import COUNTY_CODE, INDUSTRIES, collective_names, enterprise_names, uscc_codes
from landrenewal.demo.occupancy import Enterprises, Occupancy, settle
from landrenewal.demo.planning import draw_plan
from landrenewal.domain.codes import division_2002
from landrenewal.domain.fields import BUILDINGS, ENTERPRISES, METRICS, OCCUPANCY, PARCELS
from landrenewal.domain.language import say
from landrenewal.domain.planning import PlanLimits
from landrenewal.domain.policy import ResolvedPolicy
from landrenewal.domain.units import M2_PER_HA, M2_PER_MU
from landrenewal.policies.files import resolve_policy

# The demo city's own policy: Enping's kinds of low-efficiency land, Zhejiang's published evaluation,
# Dongguan's 大/中/小圈 plan sizes.
DEMO_POLICY = "demo-enping"
TODAY = dt.date(2026, 10, 31)  # the demo's "as of": fixed, so the same seed gives the same city
DEFAULT_PARCELS = 3000
DEFAULT_SEED = 20261123

WAREHOUSE_LAND_SHARE = 0.08
INDUSTRIAL_LAND, WAREHOUSE_LAND = "0601", "0604"  # GB/T 21010-2017 工业用地, 仓储用地
SURVEY_NOISE_SD, SURVEY_NOISE_MAX = 0.002, 0.005  # registered area against the drawn geometry
AREA_IN_MU_SHARE, AREA_IN_HA_SHARE = 0.6, 0.3  # parcels whose record also gives the area in mu, in ha
MAX_PARCELS_PER_VILLAGE = 99_999  # the 5-digit sequence of a 宗地代码
# New subjects go last: each stream is the i-th child of the seed, so earlier ones stay as they were.
STREAMS = ("layout", "divisions", "land", "lifecycle", "occupancy", "metrics", "buildings", "names", "planning")

__all__ = ["DEMO_POLICY", "TODAY", "YEARS", "DemoCity", "generate_city"]


@dataclass
class DemoCity:
    epsg: int  # of every geometry: CGCS2000 / 3-degree Gauss-Kruger CM 114E
    divisions: pd.DataFrame  # division_code, name, geom: the county (6 digits), towns (9), villages (12)
    parcels: pd.DataFrame  # domain.fields.PARCELS columns + geom
    buildings: pd.DataFrame  # domain.fields.BUILDINGS columns + geom
    enterprises: pd.DataFrame  # domain.fields.ENTERPRISES columns
    occupancy: pd.DataFrame  # domain.fields.OCCUPANCY columns
    metrics: pd.DataFrame  # domain.fields.METRICS columns, one row per enterprise and year
    planning_zones: pd.DataFrame  # domain.fields.PLANNING_ZONES columns + geom: the 大/中/小圈 plan
    today: dt.date = TODAY  # the date the city is "as of": no event after it


def generate_city(parcels: int = DEFAULT_PARCELS, seed: int = DEFAULT_SEED) -> DemoCity:
    """The demo city with exactly ``parcels`` parcels; the same seed always gives the same city."""
    if parcels < 1:
        raise ValueError(
            say(f"示范城市至少要有 1 宗地，不能是 {parcels} 宗", f"a city needs at least one parcel, not {parcels}")
        )
    rng = _streams(seed)
    lots = lay_out_lots(rng["layout"], parcels)
    frame = place_on_map(rng["layout"], lots)
    divisions = draw_divisions(rng["divisions"], lots, frame)
    parcel_geoms = rectangles(frame, lots.u0, lots.v0, lots.u1, lots.v1)
    area = np.asarray(shapely.area(parcel_geoms), dtype=np.float64)
    warehouse = rng["land"].random(parcels) < WAREHOUSE_LAND_SHARE
    collective = collective_land(rng["land"], divisions.village_of_lot, len(divisions.village_codes))
    life = draw_lifecycle(rng["lifecycle"], collective, area, TODAY)
    enterprises, occupancy = settle(rng["occupancy"], life, divisions.village_of_lot, warehouse, TODAY)
    threshold = float(resolve_policy("cn", TODAY)["scale.above_scale_revenue_min"])
    metrics = draw_metrics(rng["metrics"], enterprises, occupancy, area / M2_PER_MU, life.production, threshold)
    policy = resolve_policy(DEMO_POLICY, TODAY)
    buildings = draw_buildings(rng["buildings"], lots, life.stage, _wanted_far(policy, life, enterprises, occupancy))
    building_geoms = rectangles(frame, buildings.u0, buildings.v0, buildings.u1, buildings.v1)

    code_chars = _parcel_code_chars(divisions, collective)
    parcel_codes = fixed_width(code_chars)
    uscc = uscc_codes(rng["names"], COUNTY_CODE, enterprises.founded)
    names = enterprise_names(rng["names"], enterprises.industry)
    holders = _rights_holders(names, enterprises, divisions, life)
    plan = draw_plan(rng["planning"], lots, frame, divisions, PlanLimits.of(policy))
    return DemoCity(
        epsg=EPSG,
        divisions=_division_frame(divisions),
        parcels=_parcel_frame(rng["land"], parcel_codes, divisions, life, warehouse, holders, area, parcel_geoms),
        buildings=_building_frame(code_chars, buildings, building_geoms),
        enterprises=_enterprise_frame(uscc, names, enterprises, metrics.above_scale, divisions),
        occupancy=_occupancy_frame(uscc, parcel_codes, occupancy),
        metrics=_metrics_frame(uscc, metrics),
        planning_zones=plan,
    )


def _wanted_far(policy: ResolvedPolicy, life: Lifecycle, enterprises: Enterprises, occupancy: Occupancy) -> FloatArray:
    """The FAR each parcel's builder aims at: the agreed FAR, or the 2008 control table's minimum
    for the industry of any of its users where that is higher (NaN where neither applies)."""
    table = policy["land_control.far_min_by_industry_2002"]
    division = division_2002(pd.Series([ind.code for ind in INDUSTRIES], dtype="string"))
    of_industry = division.map({str(k): float(v) for k, v in table.items()}).to_numpy(dtype="float64", na_value=np.nan)
    minimum = np.full(len(life.stage), np.nan)
    np.fmax.at(minimum, occupancy.parcel, of_industry[enterprises.industry[occupancy.enterprise]])
    return np.fmax(life.agreed_far, minimum)


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """An independent random stream per subject, all from the one seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def _parcel_code_chars(divisions: Divisions, collective: BoolArray) -> npt.NDArray[np.uint8]:
    """宗地代码 as bytes: village code (12), GB (state) or JB (collective) construction land, 5-digit number."""
    village = divisions.village_of_lot
    number = rank_within(village) + 1
    if len(number) and number.max() > MAX_PARCELS_PER_VILLAGE:
        raise ValueError(
            say(
                f"一个村的宗地超过 {MAX_PARCELS_PER_VILLAGE} 宗：宗地代码的 5 位顺序号不够用",
                f"more than {MAX_PARCELS_PER_VILLAGE} parcels in one village: too many for the 5-digit parcel number",
            )
        )
    village_chars = np.frombuffer("".join(divisions.village_codes).encode("ascii"), dtype=np.uint8).reshape(-1, 12)
    chars = np.empty((len(village), 19), dtype=np.uint8)
    chars[:, :12] = village_chars[village]
    chars[:, 12] = np.where(collective, ord("J"), ord("G"))
    chars[:, 13] = ord("B")
    chars[:, 14:] = digits(number, 5)
    return chars


def _rights_holders(names: pa.Array, enterprises: Enterprises, divisions: Divisions, life: Lifecycle) -> pa.Array:
    """The enterprise holding state land, the village collective for collective land, none before supply."""
    owner = enterprises.owner_of_parcel
    by_enterprise = pick(names, np.maximum(owner, 0), owner >= 0)
    collectives = collective_names(divisions.village_names)
    by_village = pick(collectives, divisions.village_of_lot, life.collective & life.is_supplied)
    return pc.coalesce(by_enterprise, by_village)


def _division_frame(divisions: Divisions) -> pd.DataFrame:
    return _frame(
        ["division_code", "name", "geom"],
        {
            "division_code": text(pa.array(divisions.codes, type=pa.string())),
            "name": text(pa.array(divisions.names, type=pa.string())),
            "geom": divisions.geoms,
        },
    )


def _parcel_frame(
    rng: np.random.Generator,
    codes: pa.Array,
    divisions: Divisions,
    life: Lifecycle,
    warehouse: BoolArray,
    holders: pa.Array,
    area: FloatArray,
    geoms: ObjectArray,
) -> pd.DataFrame:
    n = len(area)
    registered = np.round(
        area * (1 + np.clip(rng.normal(0, SURVEY_NOISE_SD, n), -SURVEY_NOISE_MAX, SURVEY_NOISE_MAX)), 2
    )
    unit = rng.random(n)
    in_mu = unit < AREA_IN_MU_SHARE
    in_ha = (unit >= AREA_IN_MU_SHARE) & (unit < AREA_IN_MU_SHARE + AREA_IN_HA_SHARE)
    return _frame(
        [*PARCELS.names, "geom"],
        {
            "parcel_code": text(codes),
            "division_code": text(pick(divisions.village_codes, divisions.village_of_lot)),
            "land_use_code": text(pick([INDUSTRIAL_LAND, WAREHOUSE_LAND], warehouse.astype(np.int64))),
            "rights_type": text(pick(["state", "collective"], life.collective.astype(np.int64))),
            "rights_holder": text(holders),
            "registered_area_m2": registered,
            "registered_area_mu": np.where(in_mu, np.round(registered / M2_PER_MU, 2), np.nan),
            "registered_area_ha": np.where(in_ha, np.round(registered / M2_PER_HA, 4), np.nan),
            "approved_date": as_timestamps(life.approved),
            "supplied_date": as_timestamps(life.supplied),
            "agreed_start_date": as_timestamps(life.agreed_start),
            "actual_start_date": as_timestamps(life.actual_start),
            "agreed_completion_date": as_timestamps(life.agreed_completion),
            "completion_date": as_timestamps(life.completion),
            "production_date": as_timestamps(life.production),
            "stopped_date": as_timestamps(life.stopped),
            "agreed_far": life.agreed_far,
            "agreed_investment_intensity_wan_per_mu": life.agreed_intensity_wan_per_mu,
            "total_investment_wan": life.total_investment_wan,
            "invested_wan": life.invested_wan,
            "developed_area_m2": life.developed_area_m2,
            "land_price_wan": life.land_price_wan,
            "geom": geoms,
        },
    )


def _building_frame(parcel_chars: npt.NDArray[np.uint8], buildings: Buildings, geoms: ObjectArray) -> pd.DataFrame:
    """不动产单元号-style codes: the parcel's code, F (a building) and an 8-digit number within the parcel."""
    chars = np.empty((len(buildings), 28), dtype=np.uint8)
    chars[:, :19] = parcel_chars[buildings.parcel]
    chars[:, 19] = ord("F")
    chars[:, 20:] = digits(buildings.number, 8)
    footprint = np.round(np.asarray(shapely.area(geoms), dtype=np.float64), 2)
    return _frame(
        [*BUILDINGS.names, "geom"],
        {
            "building_code": text(fixed_width(chars)),
            "parcel_code": text(fixed_width(np.ascontiguousarray(chars[:, :19]))),
            "floor_area_m2": footprint * buildings.storeys,
            "footprint_m2": footprint,
            "storeys": buildings.storeys,
            "storeys_over_8m": buildings.storeys_over_8m,
            "use_type": text(pick(USES, buildings.use)),
            "geom": geoms,
        },
    )


def _enterprise_frame(
    uscc: pa.Array, names: pa.Array, enterprises: Enterprises, above: BoolArray, divisions: Divisions
) -> pd.DataFrame:
    town_of_enterprise = divisions.village_town[divisions.village_of_lot[enterprises.home_parcel]]
    return _frame(
        ENTERPRISES.names,
        {
            "uscc": text(uscc),
            "name": text(names),
            "industry_code": text(pick([ind.code for ind in INDUSTRIES], enterprises.industry)),
            "scale": text(pick(["below", "above"], above.astype(np.int64))),
            "division_code": text(pick(divisions.town_codes, town_of_enterprise)),
        },
    )


def _occupancy_frame(uscc: pa.Array, parcel_codes: pa.Array, occupancy: Occupancy) -> pd.DataFrame:
    return _frame(
        OCCUPANCY.names,
        {
            "uscc": text(pc.take(uscc, pa.array(occupancy.enterprise))),
            "parcel_code": text(pc.take(parcel_codes, pa.array(occupancy.parcel))),
            "start_date": as_timestamps(occupancy.start),
            "end_date": as_timestamps(occupancy.end),
            "land_share": occupancy.share,
            "tenure": text(pick(["owned", "rented"], occupancy.rented.astype(np.int64))),
        },
    )


def _metrics_frame(uscc: pa.Array, metrics: Metrics) -> pd.DataFrame:
    return _frame(
        METRICS.names,
        {"uscc": text(pc.take(uscc, pa.array(metrics.enterprise))), "year": metrics.year, **metrics.values},
    )


def _frame(names: Sequence[str], columns: dict[str, object]) -> pd.DataFrame:
    """A frame over the given columns without copying them (at 10⁶ rows a copy costs hundreds of MiB)."""
    if list(columns) != list(names):
        raise AssertionError(f"columns {list(columns)} are not in the order {list(names)}")
    return pd.DataFrame(columns, copy=False)
