"""Who holds and who uses which parcel, over time: enterprises and occupancy rows, as integer arrays.

- Every supplied state parcel has an owner (its rights holder); an owner now and then holds the
  next parcel of its village too (an enterprise that expanded next door).
- Some producing owners let part of their premises; the owner keeps 40–70 % and tenants share
  the rest, so the shares of one parcel sum to one.
- Collective parcels (村级工业园) are let whole to one to four tenants.
- A few tenants rent on two parcels; on some premises an earlier tenant moved out before
  today's tenants came; on closed parcels everyone has left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from landrenewal.demo.arrays import (
    BoolArray,
    DayArray,
    FloatArray,
    IntArray,
    after,
    days_between,
    group_starts,
    runs,
)
from landrenewal.demo.lifecycle import Lifecycle, Stage
from landrenewal.demo.names import LOGISTICS, draw_industries

OWNER_EXPANDS = 0.06  # an owner also holds the next parcel of its village
SHARED_STATE_PARCELS = 0.12  # producing state parcels whose owner lets part of them
OWNER_KEEPS = (0.4, 0.7)
COLLECTIVE_TENANTS = ([1, 2, 3, 4], [0.4, 0.3, 0.2, 0.1])
SHARED_TENANTS = ([1, 2, 3], [0.6, 0.3, 0.1])
TENANT_ON_TWO_PARCELS = 0.05
TURNOVER = 0.25  # let premises whose earlier tenant moved out before today's tenants came
TURNOVER_MIN_DAYS = 730
WAREHOUSE_LOGISTICS = 0.6  # owners of warehouse land that are logistics firms, not manufacturers
REGISTERED_BEFORE_LAND_DAYS = (30, 720)


@dataclass(frozen=True)
class Occupancy:
    enterprise: IntArray
    parcel: IntArray
    start: DayArray
    end: DayArray  # NaT while the enterprise is still there
    share: FloatArray
    rented: BoolArray


@dataclass(frozen=True)
class Enterprises:
    industry: IntArray  # index into names.INDUSTRIES
    founded: DayArray
    home_parcel: IntArray  # the parcel of each enterprise's first occupancy row
    owner_of_parcel: IntArray  # the enterprise holding each parcel's land right; -1 for none

    def __len__(self) -> int:
        return len(self.industry)


def settle(
    rng: np.random.Generator,
    life: Lifecycle,
    village_of_lot: IntArray,
    warehouse: BoolArray,
    today: dt.date,
) -> tuple[Enterprises, Occupancy]:
    owned = _owners(rng, life, village_of_lot)
    n_owners = int(owned.enterprise.max()) + 1 if len(owned.enterprise) else 0
    owner_share = np.ones(len(village_of_lot))
    owner_share[owned.parcel] = owned.share
    tenants, movers = _tenants(rng, life, village_of_lot, owner_share, n_owners, np.datetime64(today, "D"))
    occupancy = _concat([owned, tenants, movers])
    occupancy = _take(occupancy, np.lexsort((occupancy.start, occupancy.parcel)))

    n_enterprises = int(occupancy.enterprise.max()) + 1 if len(occupancy.enterprise) else 0
    first_row = np.full(n_enterprises, len(occupancy.enterprise), dtype=np.int64)
    np.minimum.at(first_row, occupancy.enterprise, np.arange(len(occupancy.enterprise)))
    first_start = np.full(n_enterprises, np.datetime64("2262-01-01", "D"))
    np.minimum.at(first_start, occupancy.enterprise, occupancy.start)
    owner_of_parcel = np.full(len(village_of_lot), -1, dtype=np.int64)
    owner_of_parcel[owned.parcel] = owned.enterprise
    home = occupancy.parcel[first_row]
    industry = draw_industries(rng, n_enterprises)
    # Warehouse land is often held by logistics firms rather than manufacturers.
    logistics = (
        (np.arange(n_enterprises) < n_owners) & warehouse[home] & (rng.random(n_enterprises) < WAREHOUSE_LOGISTICS)
    )
    industry[logistics] = LOGISTICS[rng.integers(0, len(LOGISTICS), int(logistics.sum()))]
    founded = after(first_start, -days_between(rng, *REGISTERED_BEFORE_LAND_DAYS, n_enterprises))
    return Enterprises(industry, founded, home, owner_of_parcel), occupancy


def _owners(rng: np.random.Generator, life: Lifecycle, village_of_lot: IntArray) -> Occupancy:
    """One owner per supplied state parcel, from supply on; closed parcels' owners left on closing."""
    own = np.flatnonzero(life.is_supplied & ~life.collective)
    village = village_of_lot[own]
    expands = np.concatenate(
        [[False], (village[1:] == village[:-1]) & (rng.random(max(len(own) - 1, 0)) < OWNER_EXPANDS)]
    )
    shared = (life.stage[own] == Stage.PRODUCING) & (rng.random(len(own)) < SHARED_STATE_PARCELS)
    share = np.where(shared, np.round(rng.uniform(*OWNER_KEEPS, len(own)), 2), 1.0)
    return Occupancy(
        enterprise=runs(~expands),
        parcel=own,
        start=life.supplied[own],
        end=life.closed[own],
        share=share,
        rented=np.zeros(len(own), dtype=bool),
    )


def _tenants(
    rng: np.random.Generator,
    life: Lifecycle,
    village_of_lot: IntArray,
    owner_share: FloatArray,
    first_id: int,
    today: np.datetime64,
) -> tuple[Occupancy, Occupancy]:
    """Today's (or, on closed land, the last) tenants of let premises, and the earlier tenants who moved out."""
    let_collective = life.collective & life.has_produced
    hosts = np.flatnonzero(let_collective | (owner_share < 1.0))
    n_hosts = len(hosts)
    room: FloatArray = np.round(np.where(life.collective[hosts], 1.0, 1.0 - owner_share[hosts]), 2).astype(np.float64)
    counts = np.where(
        life.collective[hosts],
        rng.choice(COLLECTIVE_TENANTS[0], n_hosts, p=COLLECTIVE_TENANTS[1]),
        rng.choice(SHARED_TENANTS[0], n_hosts, p=SHARED_TENANTS[1]),
    ).astype(np.int64)
    slot_host = np.repeat(np.arange(n_hosts), counts)
    slot_parcel = hosts[slot_host]

    opened = life.production[hosts]
    closed = life.closed[hosts]
    until = np.where(np.isnat(closed), today, closed)
    span = (until - opened).astype(np.int64)
    turnover = np.isnat(closed) & (span >= TURNOVER_MIN_DAYS) & (rng.random(n_hosts) < TURNOVER)
    switch = after(opened, 180 + days_between(rng, 0, np.maximum(span - 240, 1), n_hosts))
    base = np.where(turnover, switch, opened)[slot_host]
    settle_days = np.where(turnover, 60, np.maximum(span // 2, 1))[slot_host]

    # A tenant now and then also rents on the next let parcel of its village.
    also_next = np.zeros(len(slot_host), dtype=bool)
    also_next[1:] = (
        (slot_parcel[1:] != slot_parcel[:-1])
        & (village_of_lot[slot_parcel[1:]] == village_of_lot[slot_parcel[:-1]])
        & (rng.random(len(slot_host) - 1) < TENANT_ON_TWO_PARCELS)
    )
    tenant_id = first_id + runs(~also_next)
    tenants = Occupancy(
        enterprise=tenant_id,
        parcel=slot_parcel,
        start=after(base, days_between(rng, 0, settle_days, len(slot_host))),
        end=closed[slot_host],
        share=_split(rng, room, counts),
        rented=np.ones(len(slot_host), dtype=bool),
    )
    moved = np.flatnonzero(turnover)
    next_id = int(tenant_id.max()) + 1 if len(tenant_id) else first_id
    movers = Occupancy(
        enterprise=next_id + np.arange(len(moved), dtype=np.int64),
        parcel=hosts[moved],
        start=after(opened[moved], days_between(rng, 0, 30, len(moved))),
        end=switch[moved],
        share=room[moved],
        rented=np.ones(len(moved), dtype=bool),
    )
    return tenants, movers


def _split(rng: np.random.Generator, room: FloatArray, counts: IntArray) -> FloatArray:
    """Share each host's room among its tenants: rounded down to 0.001, the last takes what is left."""
    slot_host = np.repeat(np.arange(len(room)), counts)
    weight = rng.gamma(2.0, 1.0, len(slot_host)) + 0.3  # the floor keeps every tenant's share visible
    total = np.bincount(slot_host, weight, minlength=len(room))
    share = np.floor(weight / total[slot_host] * room[slot_host] * 1000) / 1000
    last = group_starts(counts) + counts - 1
    others = np.bincount(slot_host, share, minlength=len(room)) - share[last]
    share[last] = np.round(room - others, 3)
    return share


def _columns(occ: Occupancy) -> tuple[IntArray, IntArray, DayArray, DayArray, FloatArray, BoolArray]:
    return occ.enterprise, occ.parcel, occ.start, occ.end, occ.share, occ.rented


def _take(occ: Occupancy, rows: IntArray) -> Occupancy:
    return Occupancy(
        occ.enterprise[rows], occ.parcel[rows], occ.start[rows], occ.end[rows], occ.share[rows], occ.rented[rows]
    )


def _concat(parts: list[Occupancy]) -> Occupancy:
    return Occupancy(*(np.concatenate(columns) for columns in zip(*map(_columns, parts), strict=True)))
