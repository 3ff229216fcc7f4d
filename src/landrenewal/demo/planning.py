"""The demo city's 大/中/小圈 renewal plan (docs/zones.md), drawn on the block grid of the ground plan.

Each town gets one 大圈 (two when it is big enough to hold two) around its busiest blocks —
those with the most parcels, where small plants crowd together; each 大圈 gets one or two 中圈
around its own busiest blocks; each 中圈 gets a few 小圈, renewal units made of whole parcels of
one block. 大圈 and 中圈 run mid-road, as divisions do; 小圈 follow parcel lines.

Sizes come from the plan policy: a 大圈 aims at a size drawn from the policy's 大圈 range and a
中圈 from the 中圈 range, but neither takes more than a share of the zone it lies in, so a small
demo county gets small 大圈 and the checks say so; a 小圈 aims below the policy's maximum.

Two deliberate mistakes give the checks something to find, as real plans have them: one 小圈
over the maximum even with the elasticity, and one 中圈 sticking out of its 大圈 by more than the
elasticity share. A county too small to hold them (one block row per town) may lack them.
The units of the last town were drawn without 上级分区代码, as unit files often are.

Loops run over towns, 大圈, 中圈 and the chosen blocks (a few hundred at most); window sums over
the block grid and the parcels of blocks are arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from landrenewal.demo.arrays import TEXT, FloatArray, IntArray, ObjectArray
from landrenewal.demo.divisions import Divisions
from landrenewal.demo.layout import Lots, MapFrame, rectangles
from landrenewal.demo.names import TOWNS
from landrenewal.domain.language import say
from landrenewal.domain.planning import M2_PER_KM2, PlanLimits
from landrenewal.domain.units import M2_PER_MU

BIG_MAX_SHARE_OF_TOWN = 0.7  # a 大圈 takes at most this much of its town
MIDDLE_MAX_SHARE_OF_BIG = 0.5  # a 中圈 at most this much of its 大圈
TWO_ZONES_MAX_COVER = 0.8  # two 大圈 (中圈) when together they would cover at most this much of the town (大圈)
DRAW_WITHIN_RANGE = (0.25, 0.75)  # 大圈 and 中圈 aim at the middle of the policy's range: blocks are coarse
MAX_ASPECT = 3.0  # a window is at most this many times longer than wide
UNITS_PER_MIDDLE = 3  # the busiest blocks of each 中圈 become units
UNIT_FILL = (0.5, 0.95)  # a unit aims at this share of the policy's 小圈 maximum
OVERSIZE_OVER_WIDENED = 1.05  # the oversized unit is at least this much over the widened maximum
PROTRUDE_OVER_ELASTICITY = 2.0  # the protruding 中圈 sticks out at least this many times the elasticity

Window = tuple[int, int, int, int]  # first column, end column, first row, end row of the block grid


@dataclass(frozen=True)
class _Zone:
    code: str
    name: str
    level: str
    parent: str | None
    window: Window | None = None  # 大圈 and 中圈
    unit: int = -1  # 小圈: its number among the unit shapes


@dataclass(frozen=True)
class _Grid:
    """Blocks as cells between road centre lines, with their parcels."""

    column_cuts: FloatArray  # road centre lines between block columns, in the local frame
    row_cuts: FloatArray
    count: IntArray  # parcels per block, rows × columns
    town_of_column: IntArray
    lot_order: IntArray  # lots by block, then by their east edge
    block_start: IntArray  # where each block's lots start in lot_order (rows × columns + 1)

    @property
    def width(self) -> FloatArray:
        return np.diff(self.column_cuts)

    @property
    def height(self) -> FloatArray:
        return np.diff(self.row_cuts)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.height), len(self.width)

    def area(self, w: Window) -> float:
        c0, c1, r0, r1 = w
        return float(self.width[c0:c1].sum() * self.height[r0:r1].sum())

    def lots_of(self, row: int, column: int) -> IntArray:
        block = row * len(self.width) + column
        return self.lot_order[self.block_start[block] : self.block_start[block + 1]]


def draw_plan(
    rng: np.random.Generator, lots: Lots, frame: MapFrame, divisions: Divisions, limits: PlanLimits
) -> pd.DataFrame:
    """zone_code, name, level, parent_code and geom of every 大圈, 中圈 and 小圈 of the demo city."""
    if limits.big_km2 is None or limits.middle_km2 is None or limits.small_max_mu is None:
        missing = limits.missing()
        raise ValueError(
            say(
                f"示范城市的规划需要政策给出大/中/小圈的面积，缺少：{'、'.join(missing)}",
                f"the demo plan needs the plan policy's sizes; missing: {', '.join(missing)}",
            )
        )
    if limits.elasticity is None:
        raise ValueError(
            say(
                "示范城市的规划需要政策给出各层级的弹性调整空间（zones.level_elasticity）",
                "the demo plan needs the plan policy's elasticity (zones.level_elasticity)",
            )
        )
    grid = _grid(lots, divisions)
    n_towns = int(grid.town_of_column.max()) + 1
    zones: list[_Zone] = []
    protruded = False
    for town in range(n_towns):
        columns = np.flatnonzero(grid.town_of_column == town)
        town_window = (int(columns[0]), int(columns[-1]) + 1, 0, grid.shape[0])
        code, town_name = TOWNS[town]
        bigs = _place(rng, grid, town_window, limits.big_km2, BIG_MAX_SHARE_OF_TOWN)
        for b, big in enumerate(bigs, start=1):
            big_code = f"{code}-DQ{b}"
            zones.append(_Zone(big_code, f"{town_name}重点改造区域{b}", "big", None, big))
            middles = _place(rng, grid, big, limits.middle_km2, MIDDLE_MAX_SHARE_OF_BIG)
            if not protruded and middles:
                out = _protrude(grid, middles[0], big, town_window, limits.elasticity)
                if out is not None:
                    middles[0], protruded = out, True
                    middles = [middles[0], *_drop_overlapping(middles[1:], out)]
            for m, middle in enumerate(middles, start=1):
                village = _village(grid, divisions, middle) or town_name
                zones.append(_Zone(f"{big_code}-ZQ{m}", f"{village}片区", "middle", big_code, middle))
    return _frame(rng, grid, lots, frame, divisions, zones, limits, n_towns)


def _grid(lots: Lots, divisions: Divisions) -> _Grid:
    n_columns, n_rows = len(lots.column_cuts) - 1, len(lots.row_cuts) - 1
    block = lots.row * n_columns + lots.column
    town_of_column = np.full(n_columns, -1, dtype=np.int64)
    town_of_column[lots.column] = divisions.village_town[divisions.village_of_lot]
    order = np.lexsort((lots.u1, block))
    starts = np.searchsorted(block[order], np.arange(n_rows * n_columns + 1))
    return _Grid(
        column_cuts=lots.column_cuts,
        row_cuts=lots.row_cuts,
        count=np.bincount(block, minlength=n_rows * n_columns).reshape(n_rows, n_columns),
        town_of_column=town_of_column,
        lot_order=order.astype(np.int64),
        block_start=starts.astype(np.int64),
    )


def _place(
    rng: np.random.Generator, grid: _Grid, within: Window, size_km2: tuple[float, float], max_share: float
) -> list[Window]:
    """One or two windows of blocks in ``within`` around its busiest blocks, each about a size drawn
    from the policy's range but no more than ``max_share`` of ``within``."""
    room = grid.area(within)
    low, high = size_km2
    wanted = (low + (high - low) * rng.uniform(*DRAW_WITHIN_RANGE)) * M2_PER_KM2
    target = min(wanted, room * max_share)
    n = 2 if 2 * target <= room * TWO_ZONES_MAX_COVER else 1
    placed: list[Window] = []
    for _ in range(n):
        w = _best_window(grid, within, target, (low * M2_PER_KM2, high * M2_PER_KM2), placed)
        if w is not None:
            placed.append(w)
    return placed


def _best_window(
    grid: _Grid, within: Window, target_m2: float, stated_m2: tuple[float, float], taken: list[Window]
) -> Window | None:
    """The window of about ``target_m2`` inside ``within``, clear of ``taken``, holding the most
    parcels (ties: the first from the south-west). All positions at once, by 2-D prefix sums."""
    c0, c1, r0, r1 = within
    across, up = _shape(grid, within, target_m2)
    count = grid.count[r0:r1, c0:c1]
    # The true area of every position (block sizes vary): windows within the policy's stated
    # range come first, when there are any.
    wide = np.r_[0.0, np.cumsum(grid.width[c0:c1])]
    tall = np.r_[0.0, np.cumsum(grid.height[r0:r1])]
    area = np.outer(tall[up:] - tall[:-up], wide[across:] - wide[:-across])
    in_range = (area >= stated_m2[0]) & (area <= stated_m2[1])
    blocked = np.zeros(count.shape, dtype=np.int64)
    for t in taken:
        blocked[max(t[2] - r0, 0) : max(t[3] - r0, 0), max(t[0] - c0, 0) : max(t[1] - c0, 0)] = 1
    parcels, clash = _window_sums(count, up, across), _window_sums(blocked, up, across)
    free = clash == 0
    score = np.where(free & (in_range if (free & in_range).any() else True), parcels, -1)
    if score.max() < 0:
        return None
    j, i = np.unravel_index(int(np.argmax(score)), score.shape)
    return c0 + int(i), c0 + int(i) + across, r0 + int(j), r0 + int(j) + up


def _shape(grid: _Grid, within: Window, target_m2: float) -> tuple[int, int]:
    """Columns and rows of a window whose area (at mean block sizes) comes nearest the target,
    among shapes no longer than MAX_ASPECT times their width; the squarest if none is."""
    c0, c1, r0, r1 = within
    mean_w, mean_h = float(grid.width[c0:c1].mean()), float(grid.height[r0:r1].mean())
    across = np.arange(1, c1 - c0 + 1)
    up = np.clip(np.round(target_m2 / (across * mean_w * mean_h)), 1, r1 - r0).astype(np.int64)
    miss = np.abs(np.log(across * mean_w * up * mean_h / target_m2))
    aspect = np.maximum(across * mean_w / (up * mean_h), up * mean_h / (across * mean_w))
    best = int(np.argmin(np.where(aspect <= MAX_ASPECT, miss, np.inf + aspect)))
    if aspect[best] > MAX_ASPECT:
        best = int(np.argmin(aspect))
    return int(across[best]), int(up[best])


def _window_sums(values: IntArray, up: int, across: int) -> IntArray:
    """Sum of every up × across window of ``values``, by position of its first row and column."""
    s = np.zeros((values.shape[0] + 1, values.shape[1] + 1), dtype=np.int64)
    s[1:, 1:] = values.cumsum(axis=0).cumsum(axis=1)
    return s[up:, across:] - s[:-up, across:] - s[up:, :-across] + s[:-up, :-across]


def _protrude(grid: _Grid, middle: Window, big: Window, town: Window, elasticity: float) -> Window | None:
    """``middle`` moved to an edge of ``big`` so that whole block rows or columns of it lie outside
    (within the town): of such moves, the one with the smallest share outside that is still more
    than PROTRUDE_OVER_ELASTICITY × the elasticity; None if there is no room for one."""
    c0, c1, r0, r1 = middle
    rows, columns = r1 - r0, c1 - c0
    moves: list[Window] = []
    for k in range(1, rows):  # k rows out past the north edge, or the south edge
        moves += [(c0, c1, big[3] - rows + k, big[3] + k), (c0, c1, big[2] - k, big[2] - k + rows)]
    for k in range(1, columns):  # k columns out past the east edge, or the west edge
        moves += [(big[1] - columns + k, big[1] + k, r0, r1), (big[0] - k, big[0] - k + columns, r0, r1)]
    floor = PROTRUDE_OVER_ELASTICITY * elasticity
    fitting = [w for w in moves if _inside(w, town) and _outside_share(grid, w, big) > floor]
    return min(fitting, key=lambda w: _outside_share(grid, w, big), default=None)


def _inside(w: Window, outer: Window) -> bool:
    return outer[0] <= w[0] and w[1] <= outer[1] and outer[2] <= w[2] and w[3] <= outer[3]


def _outside_share(grid: _Grid, w: Window, big: Window) -> float:
    inner = (max(w[0], big[0]), min(w[1], big[1]), max(w[2], big[2]), min(w[3], big[3]))
    inside = grid.area(inner) if inner[0] < inner[1] and inner[2] < inner[3] else 0.0
    return 1 - inside / grid.area(w)


def _drop_overlapping(windows: list[Window], other: Window) -> list[Window]:
    return [w for w in windows if w[1] <= other[0] or other[1] <= w[0] or w[3] <= other[2] or other[3] <= w[2]]


def _village(grid: _Grid, divisions: Divisions, w: Window) -> str | None:
    """The name of the village holding the window's busiest block; None for a window without parcels."""
    c0, c1, r0, r1 = w
    block = grid.count[r0:r1, c0:c1]
    j, i = np.unravel_index(int(np.argmax(block)), block.shape)
    lots = grid.lots_of(r0 + int(j), c0 + int(i))
    if not len(lots):
        return None
    return divisions.village_names[int(divisions.village_of_lot[lots[0]])]


@dataclass
class _Units:
    """Unit shapes as one or two strip rectangles each, in the local frame."""

    unit: list[int]
    u0: list[float]
    v0: list[float]
    u1: list[float]
    v1: list[float]

    def add(self, unit: int, lots: Lots, chosen: IntArray) -> None:
        """The chosen parcels of a block: per strip (same south edge) a run from the block's west end."""
        for v in np.unique(lots.v0[chosen]):
            strip = chosen[lots.v0[chosen] == v]
            self.unit.append(unit)
            self.u0.append(float(lots.u0[strip].min()))
            self.v0.append(float(v))
            self.u1.append(float(lots.u1[strip].max()))
            self.v1.append(float(lots.v1[strip].max()))


def _frame(
    rng: np.random.Generator,
    grid: _Grid,
    lots: Lots,
    frame: MapFrame,
    divisions: Divisions,
    zones: list[_Zone],
    limits: PlanLimits,
    n_towns: int,
) -> pd.DataFrame:
    assert limits.small_max_mu is not None and limits.elasticity is not None
    target_max = limits.small_max_mu * M2_PER_MU
    shapes = _Units([], [], [], [], [])
    units: list[_Zone] = []
    middles = [z for z in zones if z.level == "middle"]
    oversize = _oversized_block(grid, lots, middles, limits)
    last_town = TOWNS[n_towns - 1][0]
    for middle in middles:
        assert middle.window is not None
        c0, c1, r0, r1 = middle.window
        count = grid.count[r0:r1, c0:c1].ravel()
        busiest = np.argsort(-count, kind="stable")[:UNITS_PER_MIDDLE]
        blocks = [(r0 + int(b) // (c1 - c0), c0 + int(b) % (c1 - c0)) for b in busiest if count[b] > 0]
        if oversize is not None and oversize[0] == middle.code:
            blocks = [oversize[1], *[b for b in blocks if b != oversize[1]]][:UNITS_PER_MIDDLE]
        parent = None if middle.code.startswith(last_town) else middle.code
        for n, (row, column) in enumerate(blocks, start=1):
            block_lots = grid.lots_of(row, column)
            if oversize is not None and (middle.code, (row, column)) == oversize[:2]:
                chosen = block_lots[: oversize[2]]
            else:
                chosen = _prefix(lots, block_lots, rng.uniform(*UNIT_FILL) * target_max)
            unit = len(units)
            shapes.add(unit, lots, chosen)
            village = divisions.village_names[int(divisions.village_of_lot[chosen[0]])]
            units.append(_Zone(f"{middle.code}-XQ{n:02d}", f"{village}{n}号改造单元", "small", parent, unit=unit))
    return _assemble(grid, frame, zones, units, shapes)


def _runs(lots: Lots, block_lots: IntArray) -> tuple[IntArray, FloatArray]:
    """Where a block's parcels (ordered by east edge) may be cut — after the last of each group
    sharing an east edge, so every strip ends at a parcel line — and the area up to each parcel."""
    area = (lots.u1[block_lots] - lots.u0[block_lots]) * (lots.v1[block_lots] - lots.v0[block_lots])
    east = lots.u1[block_lots]
    return np.flatnonzero(np.r_[east[1:] != east[:-1], True]), np.cumsum(area)


def _prefix(lots: Lots, block_lots: IntArray, target_m2: float) -> IntArray:
    """The block's parcels from its west end, as many as fit in ``target_m2`` (at least up to the
    first cut)."""
    ends, total = _runs(lots, block_lots)
    fits = ends[total[ends] <= target_m2]
    last = int(fits[-1]) if len(fits) else int(ends[0])
    return block_lots[: last + 1]


def _oversized_block(
    grid: _Grid, lots: Lots, middles: list[_Zone], limits: PlanLimits
) -> tuple[str, tuple[int, int], int] | None:
    """The 中圈, block and number of parcels for the deliberately oversized unit: of all blocks in
    中圈, the parcel run from a block's west end that is the smallest above OVERSIZE_OVER_WIDENED ×
    the widened 小圈 maximum (a modest, believable excess); None if no block is that big."""
    widened = limits.widened("small")[1]
    assert widened is not None
    floor = widened * OVERSIZE_OVER_WIDENED * M2_PER_MU
    best: tuple[float, tuple[str, tuple[int, int], int]] | None = None
    for middle in middles:
        assert middle.window is not None
        c0, c1, r0, r1 = middle.window
        for row in range(r0, r1):
            for column in range(c0, c1):
                block_lots = grid.lots_of(row, column)
                if not len(block_lots):
                    continue
                ends, total = _runs(lots, block_lots)
                over = ends[total[ends] > floor]
                if len(over) and (best is None or total[over[0]] < best[0]):
                    best = (float(total[over[0]]), (middle.code, (row, column), int(over[0]) + 1))
    return None if best is None else best[1]


def _assemble(grid: _Grid, frame: MapFrame, zones: list[_Zone], units: list[_Zone], shapes: _Units) -> pd.DataFrame:
    w = np.array([z.window for z in zones], dtype=np.int64).reshape(-1, 4)
    # Along the road centre lines, as the divisions are drawn.
    c, r = grid.column_cuts, grid.row_cuts
    zone_geoms = rectangles(frame, c[w[:, 0]], r[w[:, 2]], c[w[:, 1]], r[w[:, 3]])
    unit_geoms = _unit_geoms(frame, shapes, len(units))
    everything = [*zones, *units]
    return pd.DataFrame(
        {
            "zone_code": pd.Series([z.code for z in everything], dtype=TEXT),
            "name": pd.Series([z.name for z in everything], dtype=TEXT),
            "level": pd.Series([z.level for z in everything], dtype=TEXT),
            "parent_code": pd.Series([z.parent for z in everything], dtype=TEXT),
            "geom": np.concatenate([zone_geoms, unit_geoms]),
        }
    )


def _unit_geoms(frame: MapFrame, shapes: _Units, n: int) -> ObjectArray:
    """Each unit as one MultiPolygon: its strip rectangles unioned (they share a south/north edge)."""
    rects = rectangles(frame, np.array(shapes.u0), np.array(shapes.v0), np.array(shapes.u1), np.array(shapes.v1))
    unit = np.array(shapes.unit, dtype=np.int64)
    first = np.r_[True, unit[1:] != unit[:-1]]
    merged = np.asarray(shapely.get_parts(rects), dtype=object)[first]
    second = np.flatnonzero(~first)
    merged[unit[second]] = shapely.union(merged[unit[second]], shapely.get_parts(rects[second]))
    polygons = shapely.get_parts(merged)
    owner = np.repeat(np.arange(n), shapely.get_num_geometries(merged))
    return np.asarray(shapely.multipolygons(polygons, indices=owner), dtype=object)
