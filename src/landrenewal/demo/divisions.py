"""The county, its towns and their villages, drawn along the road centre lines of the grid.

Towns are bands of block columns; each town is cut into a small grid of villages. Division
boundaries run mid-road, so towns tile the county and villages tile their town, and every
parcel lies in exactly one village. A bigger city gets more towns (up to all eleven of 恩平市)
and more villages per town, so that a village stays a few square kilometres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landrenewal.demo.arrays import IntArray, ObjectArray
from landrenewal.demo.layout import Lots, MapFrame, rectangles
from landrenewal.demo.names import (
    COUNTY_CODE,
    COUNTY_NAME,
    FIRST_VILLAGE_NUMBER,
    MAX_VILLAGES_PER_TOWN,
    TOWNS,
    VILLAGE_SUFFIX,
    town_plan,
    village_names,
    villages_per_town,
)

Span = tuple[int, int, int, int]  # first column, end column, first row, end row of the block grid


@dataclass(frozen=True)
class Divisions:
    codes: list[str]  # county, then each town followed by its villages
    names: list[str]
    geoms: ObjectArray  # MultiPolygon per division
    village_codes: list[str]
    village_names: list[str]  # bare names (黄角), without 村委会
    village_town: IntArray  # town index of each village
    town_codes: list[str]
    village_of_lot: IntArray  # village index of each parcel


def draw_divisions(rng: np.random.Generator, lots: Lots, frame: MapFrame) -> Divisions:
    n_columns, n_rows = len(lots.column_cuts) - 1, len(lots.row_cuts) - 1
    n_towns = min(town_plan(len(lots)), n_columns)
    wanted = villages_per_town(len(lots), n_towns)
    town_of_column = _bands(n_columns, n_towns)

    town_spans: list[Span] = []
    village_spans: list[Span] = []
    village_town: list[int] = []
    # Village of each block, filled town by town: a loop over a dozen towns, not over parcels.
    village_of_block = np.empty((n_rows, n_columns), dtype=np.int64)
    for town in range(n_towns):
        columns = np.flatnonzero(town_of_column == town)
        c0, c1 = int(columns[0]), int(columns[-1]) + 1
        town_spans.append((c0, c1, 0, n_rows))
        across, up = _village_grid(lots, c0, c1, wanted)
        column_band, row_band = _bands(c1 - c0, across), _bands(n_rows, up)
        for i in range(across):
            cols = np.flatnonzero(column_band == i) + c0
            for j in range(up):
                rows = np.flatnonzero(row_band == j)
                village_of_block[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] = len(village_spans)
                village_spans.append((int(cols[0]), int(cols[-1]) + 1, int(rows[0]), int(rows[-1]) + 1))
                village_town.append(town)

    bare = village_names(rng, len(village_spans))
    number_in_town = np.zeros(n_towns, dtype=np.int64)
    village_codes: list[str] = []
    for town in village_town:
        village_codes.append(f"{TOWNS[town][0]}{FIRST_VILLAGE_NUMBER + int(number_in_town[town]):03d}")
        number_in_town[town] += 1

    # The frame lists the county, then each town followed by its villages: parents before children.
    codes, names, spans = [COUNTY_CODE], [COUNTY_NAME], [(0, n_columns, 0, n_rows)]
    for town in range(n_towns):
        codes.append(TOWNS[town][0])
        names.append(TOWNS[town][1])
        spans.append(town_spans[town])
        for v in (i for i, t in enumerate(village_town) if t == town):
            codes.append(village_codes[v])
            names.append(bare[v] + VILLAGE_SUFFIX)
            spans.append(village_spans[v])
    cut = np.asarray(spans, dtype=np.int64)
    u0, v0 = lots.column_cuts[cut[:, 0]], lots.row_cuts[cut[:, 2]]
    u1, v1 = lots.column_cuts[cut[:, 1]], lots.row_cuts[cut[:, 3]]
    return Divisions(
        codes=codes,
        names=names,
        geoms=rectangles(frame, u0, v0, u1, v1),
        village_codes=village_codes,
        village_names=bare,
        village_town=np.asarray(village_town, dtype=np.int64),
        town_codes=[code for code, _ in TOWNS[:n_towns]],
        village_of_lot=village_of_block[lots.row, lots.column],
    )


def _bands(n_items: int, n_bands: int) -> IntArray:
    """Split 0 … n_items - 1 into n_bands runs of near-equal length: the band of each item."""
    return np.minimum(np.arange(n_items) * n_bands // max(n_items, 1), n_bands - 1).astype(np.int64)


def _village_grid(lots: Lots, c0: int, c1: int, wanted: int) -> tuple[int, int]:
    """Columns and rows of villages in a town: cells near square, about ``wanted`` of them."""
    n_columns, n_rows = c1 - c0, len(lots.row_cuts) - 1
    width = float(lots.column_cuts[c1] - lots.column_cuts[c0])
    height = float(lots.row_cuts[-1] - lots.row_cuts[0])
    across = int(np.clip(round(math.sqrt(wanted * width / height)), 1, n_columns))
    up = int(np.clip(math.ceil(wanted / across), 1, n_rows))
    up = min(up, MAX_VILLAGES_PER_TOWN // across)
    return across, up
