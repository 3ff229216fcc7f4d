"""Buildings on the parcels: 0–4 on each built parcel, a bare start on some stalled sites.

Buildings stand in a row along a parcel's longer side, inside a setback from its boundary and
apart from each other by a fire gap, so each footprint lies inside its parcel and none overlap.
The first is the main production hall; the others are more halls, warehouses, an office block
or a dormitory. Single-storey halls are often high-bay (one storey over 8 m, which the 2008
control indicators count twice).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landrenewal.demo.arrays import FloatArray, IntArray, group_starts, rank_within
from landrenewal.demo.layout import Lots
from landrenewal.demo.lifecycle import Stage

BUILDINGS_ON_BUILT = ([0, 1, 2, 3, 4], [0.04, 0.30, 0.30, 0.22, 0.14])
BUILDINGS_ON_STALLED = ([0, 1], [0.5, 0.5])  # a stalled site has at most a bare start
SETBACK_M = (8.0, 12.0)
MAX_SETBACK_SHARE = 0.15  # narrow parcels keep narrower setbacks, or no hall would fit
FIRE_GAP_M = 6.0
MIN_SIDE_M = 8.0

USES = ["production", "warehouse", "office", "living", "other"]  # stored values of domain.fields.BUILDING_USE
PRODUCTION, WAREHOUSE, OFFICE, LIVING, OTHER = range(len(USES))
USE_SHARES_AFTER_FIRST = [0.5, 0.22, 0.14, 0.10, 0.04]
STOREYS: dict[int, tuple[list[int], list[float]]] = {
    PRODUCTION: ([1, 2, 3, 4, 5], [0.40, 0.22, 0.18, 0.12, 0.08]),
    WAREHOUSE: ([1, 2], [0.7, 0.3]),
    OFFICE: ([3, 4, 5, 6, 7, 8], [1 / 6] * 6),
    LIVING: ([4, 5, 6, 7], [0.25] * 4),
    OTHER: ([1, 2], [0.6, 0.4]),
}
HIGH_BAY_SHARE = 0.3  # single-storey halls and warehouses with a storey over 8 m


@dataclass(frozen=True)
class Buildings:
    parcel: IntArray
    number: IntArray  # 1, 2 … within the parcel
    u0: FloatArray
    v0: FloatArray
    u1: FloatArray
    v1: FloatArray
    storeys: IntArray
    storeys_over_8m: IntArray
    use: IntArray  # index into USES

    def __len__(self) -> int:
        return len(self.parcel)


def draw_buildings(rng: np.random.Generator, lots: Lots, stage: IntArray) -> Buildings:
    built = np.flatnonzero(stage >= Stage.BUILT_NOT_PRODUCING)
    stalled = np.flatnonzero(stage == Stage.STALLED)
    site = np.concatenate([built, stalled])
    partial_site = np.concatenate([np.zeros(len(built), dtype=bool), np.ones(len(stalled), dtype=bool)])
    per_site = np.concatenate(
        [
            rng.choice(BUILDINGS_ON_BUILT[0], len(built), p=BUILDINGS_ON_BUILT[1]),
            rng.choice(BUILDINGS_ON_STALLED[0], len(stalled), p=BUILDINGS_ON_STALLED[1]),
        ]
    ).astype(np.int64)
    parcel = np.repeat(site, per_site)
    slot = np.arange(len(parcel)) - np.repeat(group_starts(per_site), per_site)
    in_row = np.repeat(per_site, per_site)
    partial = np.repeat(partial_site, per_site)
    n = len(parcel)

    use = np.where(slot == 0, PRODUCTION, rng.choice(len(USES), n, p=USE_SHARES_AFTER_FIRST))
    along_u = (lots.u1 - lots.u0)[parcel] >= (lots.v1 - lots.v0)[parcel]
    long_lo = np.where(along_u, lots.u0[parcel], lots.v0[parcel])
    long_hi = np.where(along_u, lots.u1[parcel], lots.v1[parcel])
    short_lo = np.where(along_u, lots.v0[parcel], lots.u0[parcel])
    short_hi = np.where(along_u, lots.v1[parcel], lots.u1[parcel])
    short_side = np.minimum(lots.u1 - lots.u0, lots.v1 - lots.v0)[site]
    setback = np.repeat(np.minimum(rng.uniform(*SETBACK_M, len(site)), short_side * MAX_SETBACK_SHARE), per_site)
    long_room = long_hi - long_lo - 2 * setback
    short_room = short_hi - short_lo - 2 * setback
    slot_length = (long_room - (in_row - 1) * FIRE_GAP_M) / in_row

    hall = (use == PRODUCTION) | (use == WAREHOUSE)
    fill_long = np.where(partial, rng.uniform(0.2, 0.3, n), rng.uniform(0.75, 0.95, n))
    fill_short = np.where(
        partial, rng.uniform(0.3, 0.5, n), np.where(hall, rng.uniform(0.55, 0.92, n), rng.uniform(0.3, 0.55, n))
    )
    b_long0 = long_lo + setback + slot * (slot_length + FIRE_GAP_M) + slot_length * (1 - fill_long) / 2
    b_long1 = b_long0 + slot_length * fill_long
    b_short0 = short_lo + setback + rng.random(n) * short_room * (1 - fill_short)
    b_short1 = b_short0 + short_room * fill_short

    storeys = _storeys(rng, use, partial)
    high_bay = hall & (storeys == 1) & (rng.random(n) < HIGH_BAY_SHARE)
    keep = (b_long1 - b_long0 >= MIN_SIDE_M) & (b_short1 - b_short0 >= MIN_SIDE_M)
    return Buildings(
        parcel=parcel[keep],
        number=rank_within(parcel[keep]) + 1,
        u0=np.where(along_u, b_long0, b_short0)[keep],
        v0=np.where(along_u, b_short0, b_long0)[keep],
        u1=np.where(along_u, b_long1, b_short1)[keep],
        v1=np.where(along_u, b_short1, b_long1)[keep],
        storeys=storeys[keep],
        storeys_over_8m=high_bay[keep].astype(np.int64),
        use=use[keep].astype(np.int64),
    )


def _storeys(rng: np.random.Generator, use: IntArray, partial: np.ndarray) -> IntArray:
    """Storeys by use (drawn for every building under each use, kept where the use matches)."""
    storeys = np.ones(len(use), dtype=np.int64)
    for kind, (choices, shares) in STOREYS.items():  # five uses: a loop over kinds, not buildings
        drawn = rng.choice(choices, len(use), p=shares)
        storeys = np.where(use == kind, drawn, storeys)
    return np.where(partial, 1, storeys)
