"""The ground plan of the demo city: blocks between roads, each block cut into parcels.

Parcels are rectangles in a local frame (u along the block columns, v along the rows). Each
block is one or two strips deep, so that every parcel fronts a road, and each strip is cut
into parcels whose areas are drawn skewed (many small, few large) within 3–300 mu. The frame
is then turned by a small angle and placed around 113°E 22.5°N in EPSG:4547, as real street
grids are neither north-up nor at the origin. Everything is arrays; loops run over batches of
block rows or over chunks, never over parcels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from landrenewal.demo.arrays import FloatArray, IntArray, ObjectArray, group_starts
from landrenewal.domain.crs import CGCS2000_GEOGRAPHIC
from landrenewal.domain.units import M2_PER_MU

EPSG = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
CENTRE_LONLAT = (113.0, 22.5)
MAX_TURN_DEG = 20.0

LOCAL_ROAD_M = (15.0, 26.0)
TRUNK_ROAD_M = (30.0, 40.0)
TRUNK_EVERY = 4  # every fourth road between blocks is a trunk road
ROAD_MARGIN_M = TRUNK_ROAD_M[1] / 2  # divisions reach half a trunk road beyond the outer blocks

BLOCK_WIDTH_M = (220.0, 760.0)
BLOCK_DEPTH_M = (140.0, 460.0)
TWO_STRIPS_FROM_DEPTH_M = 240.0  # deeper blocks are usually two strips, back to back
TWO_STRIPS_SHARE = 0.75
MIN_FRONTAGE_M = 25.0

MIN_MU, MAX_MU = 3.0, 300.0
SIZE_MARGIN = 0.01  # drawn parcels stay 1 % inside 3–300 mu, clear of float noise at the limits
MIN_PARCEL_M2 = MIN_MU * M2_PER_MU * (1 + SIZE_MARGIN)
MAX_PARCEL_M2 = MAX_MU * M2_PER_MU * (1 - SIZE_MARGIN)
PARCEL_MEDIAN_MU = 14.0
PARCEL_MU_SIGMA = 0.95

# A first guess to size the grid; the real rate is measured after the first batch of block rows.
PARCELS_PER_BLOCK_GUESS = 10.0
BLOCK_PITCH_M = (  # mean distance from one block to the next, both ways: to make the county square
    sum(BLOCK_WIDTH_M) / 2 + sum(LOCAL_ROAD_M) / 2,
    sum(BLOCK_DEPTH_M) / 2 + sum(LOCAL_ROAD_M) / 2,
)
RECTANGLES_PER_CHUNK = 250_000  # bounds the coordinate arrays alive at once


@dataclass(frozen=True)
class Lots:
    """Parcel rectangles in the local frame, the block each lies in and the road centre lines."""

    u0: FloatArray
    v0: FloatArray
    u1: FloatArray
    v1: FloatArray
    column: IntArray  # block column of each lot
    row: IntArray  # block row of each lot
    column_cuts: FloatArray  # n_columns + 1 lines along u, mid-road between block columns
    row_cuts: FloatArray  # n_rows + 1 lines along v

    def __len__(self) -> int:
        return len(self.u0)


@dataclass(frozen=True)
class MapFrame:
    """Where the local frame lies on the map: its centre's map position and its turn."""

    centre_u: float
    centre_v: float
    x: float
    y: float
    cos: float
    sin: float

    def to_map(self, u: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        du, dv = u - self.centre_u, v - self.centre_v
        return self.x + self.cos * du - self.sin * dv, self.y + self.sin * du + self.cos * dv


def lay_out_lots(rng: np.random.Generator, target: int) -> Lots:
    """Exactly ``target`` parcels in a roughly square grid of blocks, filled row by row."""
    n_columns = _columns_for(target)
    widths = rng.uniform(*BLOCK_WIDTH_M, n_columns)
    column_lo, column_hi = _edges(widths, _road_widths(rng, n_columns, 0), 0.0)
    batches: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray, IntArray]] = []
    row_lo_parts: list[FloatArray] = []
    row_hi_parts: list[FloatArray] = []
    made, rows_made, next_v = 0, 0, 0.0
    per_block = PARCELS_PER_BLOCK_GUESS
    while made < target:  # usually two rounds: the guess, then the rest at the measured rate
        n_rows = max(1, math.ceil((target - made) / (n_columns * per_block)))
        heights = rng.uniform(*BLOCK_DEPTH_M, n_rows)
        roads = _road_widths(rng, n_rows, rows_made)
        row_lo, row_hi = _edges(heights, roads, next_v)
        batch = _cut_blocks(rng, column_lo, column_hi, row_lo, row_hi, rows_made)
        batches.append(batch)
        row_lo_parts.append(row_lo)
        row_hi_parts.append(row_hi)
        next_v = float(row_hi[-1] + roads[-1])
        rows_made += n_rows
        made += len(batch[0])
        per_block = made / (rows_made * n_columns)
    u0, v0, u1, v1, column, row = (np.concatenate(parts)[:target] for parts in zip(*batches, strict=True))
    used_rows = int(row.max()) + 1
    return Lots(
        u0=u0,
        v0=v0,
        u1=u1,
        v1=v1,
        column=column.astype(np.int64),
        row=row.astype(np.int64),
        column_cuts=_cuts(column_lo, column_hi),
        row_cuts=_cuts(np.concatenate(row_lo_parts)[:used_rows], np.concatenate(row_hi_parts)[:used_rows]),
    )


def _columns_for(target: int) -> int:
    blocks = target / PARCELS_PER_BLOCK_GUESS
    return max(3, math.ceil(math.sqrt(blocks * BLOCK_PITCH_M[1] / BLOCK_PITCH_M[0])))


def _road_widths(rng: np.random.Generator, n: int, first_index: int) -> FloatArray:
    """Widths of the roads after blocks first_index … first_index + n - 1: local roads and some trunk roads."""
    trunk = (np.arange(first_index, first_index + n) % TRUNK_EVERY) == TRUNK_EVERY - 1
    local, wide = rng.uniform(*LOCAL_ROAD_M, n), rng.uniform(*TRUNK_ROAD_M, n)
    return np.where(trunk, wide, local)


def _edges(sizes: FloatArray, roads: FloatArray, start: float) -> tuple[FloatArray, FloatArray]:
    """Low and high edges of blocks laid one after another with a road after each."""
    low = start + np.concatenate([[0.0], np.cumsum(sizes[:-1] + roads[:-1])])
    return low, low + sizes


def _cuts(low: FloatArray, high: FloatArray) -> FloatArray:
    """Division boundaries: mid-road between blocks, half a trunk road outside the outermost ones."""
    inner = (high[:-1] + low[1:]) / 2
    return np.concatenate([[low[0] - ROAD_MARGIN_M], inner, [high[-1] + ROAD_MARGIN_M]])


def _cut_blocks(
    rng: np.random.Generator,
    column_lo: FloatArray,
    column_hi: FloatArray,
    row_lo: FloatArray,
    row_hi: FloatArray,
    first_row: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray, IntArray]:
    """The lots of every block in these rows, in row-major block order, strip by strip, west to east."""
    n_columns, n_rows = len(column_lo), len(row_lo)
    block_column = np.tile(np.arange(n_columns), n_rows)
    block_row = np.repeat(np.arange(n_rows), n_columns)
    width = (column_hi - column_lo)[block_column]
    strip_block, strip_offset, strip_depth = _strips(rng, (row_hi - row_lo)[block_row])
    strip, start, end = _cut_strips(rng, width[strip_block], strip_depth)
    block = strip_block[strip]
    u_base = column_lo[block_column[block]]
    v0 = row_lo[block_row[block]] + strip_offset[strip]
    return (
        u_base + start,
        v0,
        u_base + end,
        v0 + strip_depth[strip],
        block_column[block],
        block_row[block] + first_row,
    )


def _strips(rng: np.random.Generator, depth: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Each block as one strip, or two back to back when deep enough: block, offset and depth of each strip."""
    n = len(depth)
    two = (depth >= TWO_STRIPS_FROM_DEPTH_M) & (rng.random(n) < TWO_STRIPS_SHARE)
    front = depth * rng.uniform(0.4, 0.6, n)
    strip_block = np.repeat(np.arange(n), np.where(two, 2, 1))
    back = np.zeros(len(strip_block), dtype=bool)
    back[1:] = strip_block[1:] == strip_block[:-1]
    block_depth, block_front = depth[strip_block], front[strip_block]
    strip_depth = np.where(two[strip_block], np.where(back, block_depth - block_front, block_front), block_depth)
    return strip_block, np.where(back, block_front, 0.0), strip_depth


def _cut_strips(
    rng: np.random.Generator, length: FloatArray, depth: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Cut each strip into parcels of skewed area: strip, start and end (along u) of each parcel.

    Each strip gets enough candidate widths to fill it even if all were the narrowest; the
    candidates past the strip's end are dropped and the last one is cut at the end. A last
    piece too narrow to be a parcel joins its neighbour, or the two share the width equally
    when joined they would pass 300 mu.
    """
    min_width = np.maximum(MIN_FRONTAGE_M, MIN_PARCEL_M2 / depth)
    max_width = np.minimum(length, MAX_PARCEL_M2 / depth)
    per_strip = np.ceil(length / min_width).astype(np.int64) + 1
    strip = np.repeat(np.arange(len(length)), per_strip)
    mu = rng.lognormal(math.log(PARCEL_MEDIAN_MU), PARCEL_MU_SIGMA, len(strip))
    width = np.clip(mu * M2_PER_MU / depth[strip], min_width[strip], max_width[strip])
    first = group_starts(per_strip)
    running = np.cumsum(width)
    end = running - (running - width)[first][strip]
    # Each start is its neighbour's end, bit for bit, so neighbouring parcels share their edge exactly.
    start = np.concatenate([[0.0], end[:-1]])
    start[first] = 0.0
    keep = start < length[strip]
    strip, start, end = strip[keep], start[keep], end[keep]

    last = np.flatnonzero(np.concatenate([strip[1:] != strip[:-1], [True]]))
    end[last] = length[strip[last]]
    narrow = last[(end[last] - start[last]) < min_width[strip[last]]]
    # A narrow last piece never starts its strip (every strip is wider than the narrowest parcel): it has a neighbour.
    previous = narrow - 1
    joined_width = end[narrow] - start[previous]
    fits = joined_width <= max_width[strip[narrow]]
    end[previous[fits]] = end[narrow[fits]]
    middle = (start[previous[~fits]] + end[narrow[~fits]]) / 2
    end[previous[~fits]] = middle
    start[narrow[~fits]] = middle
    drop = np.zeros(len(strip), dtype=bool)
    drop[narrow[fits]] = True
    return strip[~drop], start[~drop], end[~drop]


def place_on_map(rng: np.random.Generator, lots: Lots) -> MapFrame:
    """Centre the grid on 113°E 22.5°N in EPSG:4547 (whole metres), turned by a small angle."""
    lon, lat = CENTRE_LONLAT
    x, y = Transformer.from_crs(CGCS2000_GEOGRAPHIC, EPSG, always_xy=True).transform(lon, lat)
    turn = math.radians(rng.uniform(-MAX_TURN_DEG, MAX_TURN_DEG))
    return MapFrame(
        centre_u=float(lots.column_cuts[0] + lots.column_cuts[-1]) / 2,
        centre_v=float(lots.row_cuts[0] + lots.row_cuts[-1]) / 2,
        x=float(round(x)),
        y=float(round(y)),
        cos=math.cos(turn),
        sin=math.sin(turn),
    )


def rectangles(frame: MapFrame, u0: FloatArray, v0: FloatArray, u1: FloatArray, v1: FloatArray) -> ObjectArray:
    """Local rectangles as MultiPolygons on the map, built from flat coordinates a chunk at a time."""
    n = len(u0)
    out = np.empty(n, dtype=object)
    for lo in range(0, n, RECTANGLES_PER_CHUNK):
        hi = min(n, lo + RECTANGLES_PER_CHUNK)
        out[lo:hi] = _rectangle_chunk(frame, u0[lo:hi], v0[lo:hi], u1[lo:hi], v1[lo:hi])
    return out


def _rectangle_chunk(frame: MapFrame, u0: FloatArray, v0: FloatArray, u1: FloatArray, v1: FloatArray) -> ObjectArray:
    n = len(u0)
    ring_u = np.stack([u0, u1, u1, u0, u0], axis=1)  # counter-clockwise, closed
    ring_v = np.stack([v0, v0, v1, v1, v0], axis=1)
    x, y = frame.to_map(ring_u, ring_v)
    coords = np.stack([x.ravel(), y.ravel()], axis=1)
    one_each = np.arange(n + 1, dtype=np.int64)
    offsets = (np.arange(0, 5 * n + 1, 5, dtype=np.int64), one_each, one_each)
    return np.asarray(shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, coords, offsets), dtype=object)
