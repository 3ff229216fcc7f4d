"""A deterministic demo city: a county near Jiangmen with towns, villages, a road grid and industry.

Everything is drawn from one seed with numpy, column by column, so that 10⁶ parcels take
seconds. The city has every case the rules must see: land approved but not supplied,
supplied but idle, started and stalled, built but not producing, producing; several
enterprises on one parcel, one enterprise on several parcels, rented premises, enterprises
that moved out; skewed 亩均 figures over three years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from landrenewal.demo.names import (
    INDUSTRIES,
    TOWNS,
    VILLAGE_NAMES,
    enterprise_names,
    uscc_codes,
)
from landrenewal.domain.units import M2_PER_MU
from landrenewal.policyfiles import resolve_policy

EPSG = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
COUNTY_CODE, COUNTY_NAME = "440785", "恩平市"
SOUTH_WEST_LONLAT = (112.75, 22.3)  # around 113°E: in the CM 114°E zone, as EPSG:4547 is
TODAY = dt.date(2026, 10, 31)  # the demo's "as of": fixed, so the same seed gives the same city
YEARS = (2023, 2024, 2025)

MIN_MU, MAX_MU = 3.0, 300.0
ROAD_GAP_M = (15.0, 40.0)
BLOCK_WIDTH_M = (250.0, 700.0)
BLOCK_HEIGHT_M = (150.0, 420.0)
MEAN_PARCEL_MU = 40.0
MIN_PARCEL_WIDTH_M = 30.0
VILLAGES_PER_TOWN = 6

# Lifecycle mix of parcels (shares sum to 1).
LIFECYCLE = {
    "approved_not_supplied": 0.04,
    "supplied_idle": 0.06,
    "stalled": 0.03,
    "built_not_producing": 0.04,
    "producing": 0.83,
}

Array = npt.NDArray[np.float64]


@dataclass
class DemoCity:
    epsg: int
    today: dt.date
    divisions: pd.DataFrame
    parcels: pd.DataFrame
    buildings: pd.DataFrame
    enterprises: pd.DataFrame
    occupancy: pd.DataFrame
    metrics: pd.DataFrame


def generate_city(parcels: int = 3000, seed: int = 20261123) -> DemoCity:
    """The demo city with about ``parcels`` parcels (exactly that many when possible)."""
    rng = np.random.default_rng(seed)
    lots = _lay_out_parcels(rng, parcels)
    divisions, village_of = _divisions(lots)
    parcel_frame = _parcels(rng, lots, village_of)
    enterprises, occupancy = _enterprises_and_occupancy(rng, parcel_frame)
    metrics = _metrics(rng, enterprises, occupancy, parcel_frame)
    enterprises = _scale_from_revenue(enterprises, metrics)
    buildings = _buildings(rng, parcel_frame, lots)
    return DemoCity(
        EPSG,
        TODAY,
        divisions,
        parcel_frame.drop(columns=["_state"]),
        buildings,
        enterprises.drop(columns=["_industry"]),
        occupancy,
        metrics,
    )


@dataclass
class _Lots:
    """Parcel rectangles and the grid they sit in."""

    x0: Array
    y0: Array
    x1: Array
    y1: Array
    column: npt.NDArray[np.int64]  # block column of each parcel
    row: npt.NDArray[np.int64]
    column_edges: Array  # x of each block column's west and east edge
    row_edges: Array
    origin: tuple[float, float]


def _lay_out_parcels(rng: np.random.Generator, target: int) -> _Lots:
    """Blocks between roads 15–40 m wide, each cut into parcels of 3–300 mu with skewed sizes."""
    mean_block_m2 = np.mean(BLOCK_WIDTH_M) * np.mean(BLOCK_HEIGHT_M)
    parcels_per_block = mean_block_m2 / (MEAN_PARCEL_MU * M2_PER_MU)
    blocks_needed = int(np.ceil(target / parcels_per_block * 1.3)) + 4
    n_cols = max(2, int(np.ceil(np.sqrt(blocks_needed * 1.6))))
    n_rows = max(2, int(np.ceil(blocks_needed / n_cols)))
    widths = rng.uniform(*BLOCK_WIDTH_M, n_cols)
    heights = rng.uniform(*BLOCK_HEIGHT_M, n_rows)
    col_x0 = np.concatenate([[0.0], np.cumsum(widths + rng.uniform(*ROAD_GAP_M, n_cols))[:-1]])
    row_y0 = np.concatenate([[0.0], np.cumsum(heights + rng.uniform(*ROAD_GAP_M, n_rows))[:-1]])

    # Blocks in row-major order; each gets a number of parcels, its width split by gamma shares.
    block_col = np.tile(np.arange(n_cols), n_rows)
    block_row = np.repeat(np.arange(n_rows), n_cols)
    block_w, block_h = widths[block_col], heights[block_row]
    counts = np.maximum(1, rng.poisson(block_w * block_h / (MEAN_PARCEL_MU * M2_PER_MU)))
    owner = np.repeat(np.arange(len(counts)), counts)
    shares = rng.gamma(1.6, 1.0, len(owner))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    fraction = shares / np.add.reduceat(shares, starts)[owner]
    width = fraction * block_w[owner]
    owner, width = _merge_slivers(owner, width, block_h[owner], MIN_MU * M2_PER_MU, MIN_PARCEL_WIDTH_M)
    first = np.concatenate([[True], owner[1:] != owner[:-1]])
    left_edge = np.cumsum(width) - width
    block_start = np.maximum.accumulate(np.where(first, left_edge, 0.0))
    x0 = col_x0[block_col][owner] + left_edge - block_start
    x1 = x0 + width
    y0 = row_y0[block_row][owner]
    y1 = y0 + block_h[owner]
    mu = (x1 - x0) * (y1 - y0) / M2_PER_MU
    # Parcels above 300 mu become vacant land (a hole in the block), as on real maps.
    keep = np.flatnonzero(mu <= MAX_MU)[:target]
    lon0, lat0 = SOUTH_WEST_LONLAT
    origin = Transformer.from_crs(4490, EPSG, always_xy=True).transform(lon0, lat0)
    ox, oy = round(origin[0], -2), round(origin[1], -2)
    used_cols = int(block_col[owner][keep].max()) + 1
    used_rows = int(block_row[owner][keep].max()) + 1
    return _Lots(
        x0=ox + x0[keep],
        y0=oy + y0[keep],
        x1=ox + x1[keep],
        y1=oy + y1[keep],
        column=block_col[owner][keep],
        row=block_row[owner][keep],
        column_edges=ox + np.stack([col_x0, col_x0 + widths], axis=1)[:used_cols],
        row_edges=oy + np.stack([row_y0, row_y0 + heights], axis=1)[:used_rows],
        origin=(ox, oy),
    )


def _merge_slivers(
    owner: npt.NDArray[np.int64], width: Array, height: Array, min_m2: float, min_width: float
) -> tuple[npt.NDArray[np.int64], Array]:
    """Join strips smaller or narrower than a usable parcel to a neighbour in the same block.

    Each round removes the cut to the right of every small strip (to the left for a block's
    last strip); a few rounds settle it. Rounds loop, strips do not.
    """
    for _ in range(20):
        small = (width * height < min_m2) | (width < min_width)
        if not small.any():
            break
        last = np.concatenate([owner[1:] != owner[:-1], [True]])
        first = np.concatenate([[True], owner[1:] != owner[:-1]])
        into = np.where(last, np.arange(len(width)) - 1, np.arange(len(width)) + 1)
        movable = small & ~(first & last)
        # Only the first of two adjacent small strips moves this round, so none moves twice.
        movable &= ~np.concatenate([[False], movable[:-1]])
        target = into[movable]
        width = width.copy()
        np.add.at(width, target, width[movable])
        keep = ~movable
        owner, width, height = owner[keep], width[keep], height[keep]
    return owner, width


def _numbered(
    prefix: npt.NDArray[np.object_], infix: str, number: npt.NDArray[np.integer[Any]], width: int
) -> npt.NDArray[np.object_]:
    """Codes such as 440785001201 + GB + 00042, built with numpy's string ufuncs, not per row."""
    digits = np.strings.zfill(number.astype(np.str_), width)
    return np.strings.add(np.strings.add(prefix.astype(np.str_), infix), digits).astype(object)


def _bands(n_items: int, n_bands: int) -> npt.NDArray[np.int64]:
    """Split 0..n_items-1 into n_bands contiguous bands of near-equal size; band of each item."""
    return np.minimum(np.arange(n_items) * n_bands // max(n_items, 1), n_bands - 1)


def _divisions(lots: _Lots) -> tuple[pd.DataFrame, npt.NDArray[np.object_]]:
    """Towns as bands of block columns, villages as bands of block rows within a town."""
    n_cols, n_rows = len(lots.column_edges), len(lots.row_edges)
    n_towns = min(len(TOWNS), max(3, n_cols // 3))
    town_of_col = _bands(n_cols, n_towns)
    village_of_row = _bands(n_rows, min(VILLAGES_PER_TOWN, n_rows))
    n_villages = int(village_of_row.max()) + 1
    half_road = ROAD_GAP_M[1] / 2

    def box(cols: npt.NDArray[np.int64], rows: npt.NDArray[np.int64]) -> shapely.MultiPolygon:
        x0 = lots.column_edges[cols, 0].min() - half_road
        x1 = lots.column_edges[cols, 1].max() + half_road
        y0 = lots.row_edges[rows, 0].min() - half_road
        y1 = lots.row_edges[rows, 1].max() + half_road
        return shapely.MultiPolygon([shapely.box(x0, y0, x1, y1)])

    all_cols, all_rows = np.arange(n_cols), np.arange(n_rows)
    records = [(COUNTY_CODE, COUNTY_NAME, box(all_cols, all_rows))]
    village_codes = np.empty((n_towns, n_villages), dtype=object)
    for t in range(n_towns):  # a handful of towns and villages: loops over divisions, not parcels
        town_code, town_name = TOWNS[t]
        town_cols = all_cols[town_of_col == t]
        records.append((town_code, town_name, box(town_cols, all_rows)))
        for v in range(n_villages):
            code = f"{town_code}{201 + v:03d}"
            name = VILLAGE_NAMES[(t * VILLAGES_PER_TOWN + v) % len(VILLAGE_NAMES)] + "村委会"
            village_codes[t, v] = code
            records.append((code, name, box(town_cols, all_rows[village_of_row == v])))
    frame = pd.DataFrame(records, columns=["division_code", "name", "geom"])
    village_of_parcel = village_codes[town_of_col[lots.column], village_of_row[lots.row]]
    return frame, village_of_parcel


def _days(rng: np.random.Generator, low: int, high: int, n: int) -> npt.NDArray[np.timedelta64]:
    return rng.integers(low, high, n).astype("timedelta64[D]")


def _parcels(rng: np.random.Generator, lots: _Lots, village_of: npt.NDArray[np.object_]) -> pd.DataFrame:
    n = len(lots.x0)
    geoms = shapely.multipolygons(shapely.box(lots.x0, lots.y0, lots.x1, lots.y1), indices=np.arange(n))
    area = shapely.area(geoms)
    states = np.array(list(LIFECYCLE))
    state = states[rng.choice(len(states), n, p=list(LIFECYCLE.values()))]
    is_ = {s: state == s for s in LIFECYCLE}
    nat = np.datetime64("NaT", "D")

    # The chain of events as day offsets from approval, in a possible order.
    offset: dict[str, npt.NDArray[np.timedelta64]] = {"approved": np.zeros(n, dtype="timedelta64[D]")}
    offset["supplied"] = _days(rng, 60, 540, n)
    offset["agreed_start"] = offset["supplied"] + _days(rng, 90, 365, n)
    offset["agreed_completion"] = offset["agreed_start"] + _days(rng, 365, 1095, n)
    offset["actual_start"] = offset["supplied"] + _days(rng, 60, 600, n)
    offset["completion"] = offset["actual_start"] + _days(rng, 300, 1000, n)
    offset["production"] = offset["completion"] + _days(rng, 30, 365, n)
    # Each state's latest event happened some time before TODAY; the chain hangs from it.
    not_producing = ["approved_not_supplied", "supplied_idle", "stalled", "built_not_producing"]
    latest = np.select(
        [is_[s] for s in not_producing],
        [offset["approved"], offset["agreed_start"], offset["actual_start"], offset["completion"]],
        offset["production"],
    )
    ago = np.select(
        [is_[s] for s in not_producing],
        [_days(rng, 60, 2200, n), _days(rng, 200, 1600, n), _days(rng, 500, 2500, n), _days(rng, 60, 900, n)],
        _days(rng, 30, 5000, n),
    )
    approved = (np.datetime64(TODAY, "D") - ago - latest).astype("datetime64[D]")
    not_supplied = is_["approved_not_supplied"]
    not_started = not_supplied | is_["supplied_idle"]
    unreached = {
        "approved": np.zeros(n, dtype=bool),
        "supplied": not_supplied,
        "agreed_start": not_supplied,
        "agreed_completion": not_supplied,
        "actual_start": not_started,
        "completion": not_started | is_["stalled"],
        "production": ~is_["producing"],
    }
    dates = {
        event: pd.to_datetime(np.where(unreached[event], nat, approved + offset[event]).astype("datetime64[ns]"))
        for event in offset
    }

    collective_villages = np.unique(village_of)[1::5]
    collective = np.isin(village_of, collective_villages) & (rng.random(n) < 0.7) & ~not_supplied
    mu = area / M2_PER_MU
    supplied_mask = ~not_supplied
    intensity = np.round(rng.lognormal(np.log(300.0), 0.35, n), 1)
    registered = area * (1 + np.clip(rng.normal(0, 0.002, n), -0.005, 0.005))
    which = rng.random(n)
    sequence = pd.Series(village_of).groupby(village_of).cumcount().to_numpy() + 1
    return pd.DataFrame(
        {
            "parcel_code": _numbered(village_of, "GB", sequence, 5),
            "division_code": village_of,
            "land_use_code": np.where(rng.random(n) < 0.9, "0601", "0604").astype(object),
            "rights_type": np.where(collective, "collective", "state").astype(object),
            "rights_holder": None,  # filled in once enterprises exist
            "registered_area_m2": np.round(registered, 2),
            "registered_area_mu": np.where(which < 0.6, np.round(registered / M2_PER_MU, 2), np.nan),
            "registered_area_ha": np.where((which >= 0.6) & (which < 0.9), np.round(registered / 1e4, 4), np.nan),
            "approved_date": dates["approved"],
            "supplied_date": dates["supplied"],
            "agreed_start_date": dates["agreed_start"],
            "actual_start_date": dates["actual_start"],
            "agreed_completion_date": dates["agreed_completion"],
            "completion_date": dates["completion"],
            "production_date": dates["production"],
            "agreed_far": np.where(supplied_mask, np.round(rng.uniform(0.8, 2.5, n), 1), np.nan),
            "agreed_investment_intensity_wan_per_mu": np.where(supplied_mask, intensity, np.nan),
            "total_investment_wan": np.where(supplied_mask, np.round(intensity * mu, 1), np.nan),
            "land_price_wan": np.where(supplied_mask, np.round(mu * rng.uniform(15.0, 60.0, n), 1), np.nan),
            "geom": np.asarray(geoms, dtype=object),
            "_state": state,
        }
    )


def _enterprises_and_occupancy(rng: np.random.Generator, parcels: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Owners on state land, tenants on shared and collective land, and some who moved out."""
    n = len(parcels)
    state = parcels["_state"].to_numpy()
    supplied = state != "approved_not_supplied"
    active = np.isin(state, ["producing", "built_not_producing", "stalled"])
    collective = parcels["rights_type"].to_numpy() == "collective"

    # Owners of state land: most own one parcel, a few own two to four.
    own = np.flatnonzero(supplied & ~collective)
    owner_of = np.arange(len(own))
    repeats = rng.random(len(own)) < 0.06
    owner_of[repeats] = rng.integers(0, max(1, len(own)), int(repeats.sum()))
    owner_ids, owner_of = np.unique(owner_of, return_inverse=True)
    n_owners = len(owner_ids)

    # Tenants: 1–3 on collective land; 1–3 more beside the owner on 12 % of active state parcels.
    shared = active & ~collective & (rng.random(n) < 0.12)
    hosts = np.flatnonzero((collective & active) | shared)
    tenant_counts = rng.integers(1, 4, len(hosts))
    tenant_parcel = np.repeat(hosts, tenant_counts)
    n_tenants = len(tenant_parcel)
    # Previous occupants that moved out of producing parcels before the current ones came.
    movers = np.flatnonzero((state == "producing") & (rng.random(n) < 0.05))
    n_movers = len(movers)

    total = n_owners + n_tenants + n_movers
    weights = np.array([w for *_, w in INDUSTRIES])
    industry = rng.choice(len(INDUSTRIES), total, p=weights / weights.sum())
    enterprises = pd.DataFrame(
        {
            "uscc": uscc_codes(rng, COUNTY_CODE, total),
            "name": enterprise_names(rng, COUNTY_NAME, industry, total),
            "industry_code": np.array([code for _, code, _, _ in INDUSTRIES], dtype=object)[industry],
            "scale": "below",
            "division_code": None,
            "_industry": industry,
        }
    )
    uscc = enterprises["uscc"].to_numpy()
    division = parcels["division_code"].to_numpy()

    # Shares: on shared parcels the owner keeps 40–70 % and tenants split the rest.
    owner_share = np.ones(n)
    owner_share[shared] = np.round(rng.uniform(0.4, 0.7, int(shared.sum())), 2)
    weights = rng.gamma(2.0, 1.0, n_tenants)
    starts = np.concatenate([[0], np.cumsum(tenant_counts)[:-1]]) if len(hosts) else np.array([], dtype=np.int64)
    host_total = np.add.reduceat(weights, starts) if len(hosts) else np.array([])
    host_index = np.repeat(np.arange(len(hosts)), tenant_counts)
    room = np.where(collective[tenant_parcel], 1.0, 1.0 - owner_share[tenant_parcel])
    tenant_share = np.floor(weights / np.maximum(host_total[host_index], 1e-9) * room * 1000) / 1000

    start = parcels["actual_start_date"].fillna(parcels["supplied_date"]).to_numpy()
    owner_rows = pd.DataFrame(
        {
            "uscc": uscc[owner_of],
            "parcel_code": parcels["parcel_code"].to_numpy()[own],
            "start_date": parcels["supplied_date"].to_numpy()[own],
            "end_date": pd.NaT,
            "land_share": owner_share[own],
            "tenure": "owned",
        }
    )
    tenant_start = pd.to_datetime(
        np.maximum(
            start[tenant_parcel], parcels["completion_date"].fillna(parcels["supplied_date"]).to_numpy()[tenant_parcel]
        )
    )
    tenant_rows = pd.DataFrame(
        {
            "uscc": uscc[n_owners : n_owners + n_tenants],
            "parcel_code": parcels["parcel_code"].to_numpy()[tenant_parcel],
            "start_date": tenant_start + pd.to_timedelta(rng.integers(0, 400, n_tenants), unit="D"),
            "end_date": pd.NaT,
            "land_share": tenant_share,
            "tenure": "rented",
        }
    )
    tenant_rows["start_date"] = tenant_rows["start_date"].where(
        tenant_rows["start_date"] <= pd.Timestamp(TODAY), pd.Timestamp(TODAY) - pd.Timedelta(days=30)
    )
    # A mover rented the whole of a (collective) parcel, or space in a state parcel, before today's occupants.
    first_current = pd.concat([owner_rows, tenant_rows]).groupby("parcel_code")["start_date"].min()
    mover_codes = parcels["parcel_code"].to_numpy()[movers]
    mover_end = first_current.reindex(mover_codes).to_numpy()
    mover_start = mover_end - pd.to_timedelta(rng.integers(200, 1500, n_movers), unit="D").to_numpy()
    mover_rows = pd.DataFrame(
        {
            "uscc": uscc[n_owners + n_tenants :],
            "parcel_code": mover_codes,
            "start_date": mover_start,
            "end_date": mover_end,
            "land_share": 1.0,
            "tenure": "rented",
        }
    )
    occupancy = pd.concat([owner_rows, tenant_rows, mover_rows], ignore_index=True)
    occupancy = occupancy[occupancy["start_date"].notna() & (occupancy["land_share"] > 0)].reset_index(drop=True)

    home = pd.Series(division).groupby(parcels["parcel_code"].to_numpy()).first()
    enterprises["division_code"] = (
        occupancy.groupby("uscc")["parcel_code"].first().map(home).str[:9].reindex(uscc).to_numpy()
    )
    # pandas' isin on Arrow strings walks the values in Python; a hash index does not.
    placed = pd.Index(occupancy["uscc"].to_numpy(dtype=object)).unique()
    enterprises = enterprises[placed.get_indexer(enterprises["uscc"].to_numpy(dtype=object)) >= 0]
    enterprises = enterprises.reset_index(drop=True)

    village_collective = pd.Series(division).map(_village_collective_names(parcels))
    holders = village_collective.where(pd.Series(collective), None).to_numpy(dtype=object)
    owner_names = pd.Series(enterprises.set_index("uscc")["name"])
    holders[own] = owner_names.reindex(uscc[owner_of]).to_numpy()
    parcels["rights_holder"] = holders
    return enterprises, occupancy


def _village_collective_names(parcels: pd.DataFrame) -> dict[str, str]:
    codes = np.unique(parcels["division_code"].to_numpy().astype(str))
    return {c: VILLAGE_NAMES[i % len(VILLAGE_NAMES)] + "村股份经济合作社" for i, c in enumerate(codes)}


def _metrics(
    rng: np.random.Generator, enterprises: pd.DataFrame, occupancy: pd.DataFrame, parcels: pd.DataFrame
) -> pd.DataFrame:
    """Three years of figures for enterprises on land in production, skewed as real ones are."""
    mu = pd.Series(shapely.area(parcels["geom"].to_numpy()) / M2_PER_MU, index=parcels["parcel_code"].to_numpy())
    producing = pd.Series(parcels["production_date"].to_numpy(), index=parcels["parcel_code"].to_numpy())
    occ = occupancy.assign(
        mu=occupancy["parcel_code"].map(mu) * occupancy["land_share"],
        production=occupancy["parcel_code"].map(producing),
    )
    occ = occ[occ["production"].notna()]
    land = occ.groupby("uscc").agg(
        mu=("mu", "sum"), start=("start_date", "min"), end=("end_date", "max"), production=("production", "min")
    )
    land = land[
        pd.Index(enterprises["uscc"].to_numpy(dtype=object)).get_indexer(land.index.to_numpy(dtype=object)) >= 0
    ]
    ents = enterprises.set_index("uscc").loc[land.index]
    n = len(land)
    industry_factor = np.array([f for _, _, f, _ in INDUSTRIES])[ents["_industry"].to_numpy()]
    tax_per_mu = rng.lognormal(np.log(11.0), 0.95, n) * industry_factor
    tax_rate = rng.uniform(0.02, 0.06, n)
    va_share = rng.uniform(0.18, 0.32, n)
    va_per_tce = rng.lognormal(np.log(2.7), 0.6, n)
    va_per_emission = rng.lognormal(np.log(4900.0), 0.7, n)
    rd_share = np.clip(rng.lognormal(np.log(0.025), 0.6, n), 0, 0.15)
    revenue_per_employee = rng.uniform(60.0, 160.0, n)
    electricity_share = rng.uniform(0.45, 0.95, n)
    missing_emission = rng.random(n) < 0.1
    frames = []
    growth = np.ones(n)
    for year in YEARS:  # three years: a loop over years, vectorized over enterprises
        growth = growth * rng.lognormal(0.03, 0.12, n)
        year_start, year_end = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")
        present = (
            (land["production"] <= year_end)
            & (land["start"] <= year_end)
            & (land["end"].isna() | (land["end"] > year_start))
        ).to_numpy()
        tax = np.round(tax_per_mu * land["mu"].to_numpy() * growth, 2)
        revenue = np.round(tax / tax_rate, 1)
        value_added = np.round(revenue * va_share, 1)
        energy = np.round(value_added / va_per_tce, 1)
        frames.append(
            pd.DataFrame(
                {
                    "uscc": land.index.to_numpy(),
                    "year": year,
                    "tax_wan": tax,
                    "value_added_wan": value_added,
                    "revenue_wan": revenue,
                    "output_wan": np.round(revenue * rng.uniform(0.95, 1.1, n), 1),
                    "energy_tce": energy,
                    "electricity_kwh": np.round(energy * electricity_share / 0.1229 * 1000, -2),  # 0.1229 kgce per kWh
                    "emissions_t": np.where(missing_emission, np.nan, np.round(value_added / va_per_emission, 3)),
                    "rd_spending_wan": np.round(revenue * rd_share, 1),
                    "employees_avg": np.maximum(1, np.round(revenue / revenue_per_employee)),
                }
            )[present]
        )
    return pd.concat(frames, ignore_index=True)


def _scale_from_revenue(enterprises: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """规上 by the latest year's revenue against the national threshold in force on the demo's date."""
    latest = metrics[metrics["year"] == YEARS[-1]].set_index("uscc")["revenue_wan"]
    revenue = enterprises["uscc"].map(latest).fillna(0.0)
    threshold = float(resolve_policy("cn", TODAY)["scale.above_scale_revenue_min"])
    return enterprises.assign(scale=np.where(revenue >= threshold, "above", "below").astype(object))


def _buildings(rng: np.random.Generator, parcels: pd.DataFrame, lots: _Lots) -> pd.DataFrame:
    """1–4 buildings on each parcel that has been completed, inside it with a 10 m setback."""
    built = np.flatnonzero(parcels["completion_date"].notna().to_numpy())
    counts = rng.integers(1, 5, len(built))
    which = np.repeat(built, counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(len(which)) - np.repeat(starts, counts)
    per_parcel = np.repeat(counts, counts)
    setback = 10.0
    x0 = lots.x0[which] + setback
    x1 = lots.x1[which] - setback
    y0 = lots.y0[which] + setback
    y1 = lots.y1[which] - setback
    slot_w = (x1 - x0) / per_parcel
    fill_w = rng.uniform(0.55, 0.9, len(which))
    fill_h = rng.uniform(0.35, 0.85, len(which))
    bx0 = x0 + slot * slot_w + slot_w * (1 - fill_w) / 2
    bx1 = bx0 + slot_w * fill_w
    by0 = y0 + (y1 - y0) * (1 - fill_h) / 2
    by1 = by0 + (y1 - y0) * fill_h
    ok = (bx1 - bx0 > 4) & (by1 - by0 > 4)
    which, slot, bx0, bx1, by0, by1 = which[ok], slot[ok], bx0[ok], bx1[ok], by0[ok], by1[ok]
    n = len(which)
    geoms = shapely.multipolygons(shapely.box(bx0, by0, bx1, by1), indices=np.arange(n))
    footprint = np.round(shapely.area(geoms), 2)
    use = np.where(
        slot == 0,
        "production",
        np.array(["production", "warehouse", "office", "living"], dtype=object)[
            rng.choice(4, n, p=[0.55, 0.25, 0.12, 0.08])
        ],
    )
    storeys = np.where(use == "production", rng.choice([1, 1, 1, 2, 3, 4], n), rng.integers(2, 7, n))
    over_8m = ((use == "production") & (storeys == 1) & (rng.random(n) < 0.35)).astype(int)
    codes = parcels["parcel_code"].to_numpy()[which]
    return pd.DataFrame(
        {
            "building_code": _numbered(codes, "F", slot + 1, 8),
            "parcel_code": codes,
            "floor_area_m2": np.round(footprint * storeys, 2),
            "footprint_m2": footprint,
            "storeys": storeys,
            "storeys_over_8m": over_8m,
            "use_type": use.astype(object),
            "geom": np.asarray(geoms, dtype=object),
        }
    )
