"""Buildings on the parcels: 0–4 on each built parcel, a bare start on some stalled sites.

Buildings stand in a row along a parcel's longer side, inside a setback from its boundary and
apart from each other by a fire gap, so each footprint lies inside its parcel and none overlap.
The first is the main production hall; the others are more halls, warehouses, an office block
or a dormitory. Single-storey halls are often high-bay (one storey over 8 m, which the 2008
control indicators count twice).

Most parcels are built as their land contract and the control indicators ask, since completion
is checked against them (竣工验收): halls cover about half the site, office and living blocks
stay small, and the halls get the storeys that bring the parcel to its wanted FAR (the agreed
FAR, or the industry's minimum where that is higher). A minority falls short, each in its own
way: built below the wanted FAR, halls spread thin over the site, or offices and dormitories
oversized, so that every control and contract rule has parcels to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landrenewal.demo.arrays import BoolArray, FloatArray, IntArray, group_starts, rank_within
from landrenewal.demo.layout import Lots
from landrenewal.demo.lifecycle import Stage

BUILDINGS_ON_BUILT = ([0, 1, 2, 3, 4], [0.003, 0.317, 0.32, 0.22, 0.14])
BUILDINGS_ON_STALLED = ([0, 1], [0.5, 0.5])  # a stalled site has at most a bare start
SETBACK_M = (5.0, 10.0)
MAX_SETBACK_SHARE = 0.15  # narrow parcels keep narrower setbacks, or no hall would fit
FIRE_GAP_M = 6.0
SMALL_SLOT = 0.35  # an office or living block's room in the row, against a hall's
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
MAX_HALL_STOREYS = 8
# Shares of built parcels that fall short of the rules, and by how much.
BELOW_FAR, BELOW_FAR_FACTOR = 0.025, (0.55, 0.95)  # built to this part of the wanted FAR
SPARSE, SPARSE_FILL = 0.015, (0.25, 0.45)  # halls that fill this part of their usual width
BIG_OFFICES = 0.04  # office and living blocks as wide as halls
ABOVE_FAR = (1.0, 1.3)  # the others build to the wanted FAR or somewhat above it


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


def draw_buildings(rng: np.random.Generator, lots: Lots, stage: IntArray, wanted_far: FloatArray) -> Buildings:
    """Buildings of the built and stalled parcels; ``wanted_far`` per parcel is what its builder
    aimed at (NaN: no target, storeys as they come)."""
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

    hall = (use == PRODUCTION) | (use == WAREHOUSE)
    n_sites = len(site)
    sparse = np.repeat(rng.random(n_sites) < SPARSE, per_site)
    big_offices = np.repeat(rng.random(n_sites) < BIG_OFFICES, per_site)
    # Each building's share of the row: halls a full slot, office and living blocks a small one.
    weight = np.where(hall | big_offices, 1.0, SMALL_SLOT)
    group = np.repeat(np.arange(n_sites), per_site)
    before = np.cumsum(weight) - weight
    before -= before[group_starts(per_site)[group]]
    row_weight = np.bincount(group, weight, minlength=n_sites)[group]
    usable = long_room - (in_row - 1) * FIRE_GAP_M
    slot_length = usable * weight / row_weight
    slot_start = long_lo + setback + usable * before / row_weight + slot * FIRE_GAP_M
    hall_short = rng.uniform(0.72, 0.96, n) * np.where(sparse, rng.uniform(*SPARSE_FILL, n), 1.0)
    small_short = np.where(big_offices, rng.uniform(0.7, 0.95, n), rng.uniform(0.25, 0.42, n))
    small_long = np.where(big_offices, rng.uniform(0.8, 0.95, n), rng.uniform(0.3, 0.55, n))
    fill_long = np.where(partial, rng.uniform(0.2, 0.3, n), np.where(hall, rng.uniform(0.85, 0.97, n), small_long))
    fill_short = np.where(partial, rng.uniform(0.3, 0.5, n), np.where(hall, hall_short, small_short))
    b_long0 = slot_start + slot_length * (1 - fill_long) / 2
    b_long1 = b_long0 + slot_length * fill_long
    b_short0 = short_lo + setback + rng.random(n) * short_room * (1 - fill_short)
    b_short1 = b_short0 + short_room * fill_short

    keep = (b_long1 - b_long0 >= MIN_SIDE_M) & (b_short1 - b_short0 >= MIN_SIDE_M)
    parcel, use, hall, partial = parcel[keep], use[keep], hall[keep], partial[keep]
    footprint = ((b_long1 - b_long0) * (b_short1 - b_short0))[keep]
    storeys = _storeys(rng, use, partial)
    storeys, short = _storeys_for_far(rng, lots, parcel, hall & ~partial, footprint, storeys, wanted_far)
    high_bay = hall & ~short & (storeys == 1) & (rng.random(len(parcel)) < HIGH_BAY_SHARE)
    return Buildings(
        parcel=parcel,
        number=rank_within(parcel) + 1,
        u0=np.where(along_u, b_long0, b_short0)[keep],
        v0=np.where(along_u, b_short0, b_long0)[keep],
        u1=np.where(along_u, b_long1, b_short1)[keep],
        v1=np.where(along_u, b_short1, b_long1)[keep],
        storeys=storeys,
        storeys_over_8m=high_bay.astype(np.int64),
        use=use.astype(np.int64),
    )


def _storeys_for_far(
    rng: np.random.Generator,
    lots: Lots,
    parcel: IntArray,
    hall: BoolArray,
    footprint: FloatArray,
    storeys: IntArray,
    wanted_far: FloatArray,
) -> tuple[IntArray, BoolArray]:
    """Hall storeys that bring each parcel to its wanted FAR, or (on a minority) short of it.

    The other buildings keep their storeys; the halls share what floor area remains to be built
    (high-bay storeys, which count twice, only add to it). Rounding up makes a parcel that meets
    its FAR meet it for sure; rounding down leaves one built short below it. Also says which
    buildings stand on a parcel built short (no high-bay storey there: it would count twice)."""
    n_lots = len(lots.u0)
    area = ((lots.u1 - lots.u0) * (lots.v1 - lots.v0))[parcel]
    short = rng.random(n_lots) < BELOW_FAR
    aim = wanted_far * np.where(short, rng.uniform(*BELOW_FAR_FACTOR, n_lots), rng.uniform(*ABOVE_FAR, n_lots))
    hall_footprint = np.bincount(parcel, np.where(hall, footprint, 0.0), minlength=n_lots)[parcel]
    others = np.bincount(parcel, np.where(hall, 0.0, footprint * storeys), minlength=n_lots)[parcel]
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = (aim[parcel] * area - others) / hall_footprint
    rounded = np.where(short[parcel], np.floor(needed), np.ceil(needed))
    fitted = np.clip(np.nan_to_num(rounded, nan=1.0), 1, MAX_HALL_STOREYS).astype(np.int64)
    fit = hall & ~np.isnan(aim[parcel]) & (hall_footprint > 0)
    return np.where(fit, fitted, storeys), short[parcel]


def _storeys(rng: np.random.Generator, use: IntArray, partial: np.ndarray) -> IntArray:
    """Storeys by use (drawn for every building under each use, kept where the use matches)."""
    storeys = np.ones(len(use), dtype=np.int64)
    for kind, (choices, shares) in STOREYS.items():  # five uses: a loop over kinds, not buildings
        drawn = rng.choice(choices, len(use), p=shares)
        storeys = np.where(use == kind, drawn, storeys)
    return np.where(partial, 1, storeys)
