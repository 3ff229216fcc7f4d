"""Integer positions for the string keys of the inventory (parcel codes, USCCs).

The hot paths look each key up once, in Arrow's C++ hash and sort kernels, and then join, group
and sort on integers: pandas' own joins and group-bys on Arrow string columns spend most of
their time turning the strings into Python objects and back.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Positions = npt.NDArray[np.int64]


def strings(values: Any) -> pa.Array:
    """One contiguous Arrow string array of ``values`` (a Series, Index, array or Arrow array)."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array
    if hasattr(values, "__arrow_array__") or isinstance(values, pd.Categorical):
        array = pa.array(values)  # Arrow-backed pandas columns hand over their buffers
    elif isinstance(values, pa.Array | pa.ChunkedArray):
        array = values
    else:
        array = pa.array(np.asarray(values, dtype=object), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], pa.large_string())
    return array.cast(pa.large_string())


def encode_together(*columns: Any) -> tuple[pa.Array, list[Positions]]:
    """The distinct non-null values of all ``columns`` in code-point order, and each column's
    values as positions among them (-1 where null): one hash pass over all of them. Because the
    positions follow string order, comparing or sorting positions compares or sorts the strings."""
    arrays = [strings(c) for c in columns]
    universe, ids = encode(pa.concat_arrays(arrays) if arrays else pa.array([], pa.large_string()))
    bounds = np.cumsum([0, *(len(a) for a in arrays)])
    return universe, [ids[start:end] for start, end in itertools.pairwise(bounds)]


def rows_of(ids: Positions, size: int) -> Positions:
    """The inverse of a column of ids: for each id, the (last) row holding it, -1 where none does."""
    rows = np.full(size, -1, dtype=np.int64)
    held = ids >= 0
    np.maximum.at(rows, ids[held], np.flatnonzero(held))
    return rows


def find_sorted(universe: pa.Array, values: Any) -> Positions:
    """The position of each value in ``universe`` (sorted and distinct, as ``encode`` makes it);
    -1 where absent or null. A binary search: no hash table over the universe."""
    needles = strings(values)
    at = np.asarray(pc.search_sorted(universe, needles).fill_null(len(universe)).to_numpy(), dtype=np.int64)
    inside = at < len(universe)
    if not len(universe):
        return np.full(len(at), -1, dtype=np.int64)
    same = pc.equal(universe.take(pa.array(np.where(inside, at, 0))), needles).fill_null(False)
    return np.where(inside & np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool), at, -1)


def encode(values: Any) -> tuple[pa.Array, Positions]:
    """The distinct non-null values in code-point order (the order Python sorts ``str`` in), and
    each value's position among them (-1 where null): one hash pass and a sort of the distinct."""
    encoded = pc.dictionary_encode(strings(values))
    order = np.asarray(pc.sort_indices(encoded.dictionary).to_numpy(), dtype=np.int64)
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order))
    index = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    if not len(order):  # nothing but nulls
        return encoded.dictionary, np.full(len(index), -1, dtype=np.int64)
    return encoded.dictionary.take(pa.array(order)), np.where(index >= 0, place[np.maximum(index, 0)], -1)


def take(universe: pa.Array, at: Positions) -> pd.Series:
    """``universe[at]`` as a pandas string column, missing where ``at`` is -1."""
    index = pa.array(at, mask=at < 0, type=pa.int64())
    return pd.Series(universe.take(index), dtype="str")


def at(values: npt.NDArray[Any], rows: Positions, missing: Any) -> npt.NDArray[Any]:
    """``values[rows]``, with ``missing`` where a row is -1."""
    if not len(values):
        return np.full(len(rows), missing, dtype=values.dtype if missing is None else None)
    return np.where(rows >= 0, values[np.maximum(rows, 0)], missing)


def labels(names: list[str], codes: npt.NDArray[np.integer[Any]]) -> pd.Series:
    """``names[code]`` for each code, as a pandas string column (missing where the code is -1)."""
    return take(pa.array(names, pa.large_string()), np.asarray(codes, dtype=np.int64))


def rank_descending(values: npt.NDArray[np.float64], group: Positions) -> npt.NDArray[np.float64]:
    """1 + the number of larger values in the same group (pandas' rank(ascending=False,
    method="min")); NaN for NaN values or groups of -1."""
    out = np.full(len(values), np.nan)
    rows = np.flatnonzero(~np.isnan(values) & (group >= 0))
    if not len(rows):
        return out
    order = rows[np.lexsort((-values[rows], group[rows]))]
    g, v = group[order], values[order]
    at = np.arange(len(order))
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, v[1:] != v[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, at, 0))
    value_start = np.maximum.accumulate(np.where(new_value, at, 0))
    out[order] = value_start - group_start + 1
    return out


def first_of_groups(group: Positions, *keys: npt.NDArray[Any]) -> Positions:
    """The row with the smallest ``keys`` (compared in the given order, NaN last, then the
    earliest row) in each group (ids ≥ 0), by group. Linear: each key keeps, of the rows still in
    the running, those equal to their group's minimum."""
    if not len(group):
        return np.zeros(0, dtype=np.int64)
    size = int(group.max()) + 1
    rows = np.arange(len(group))
    for key in keys:
        k = np.asarray(key)[rows]
        if k.dtype == bool:
            k = k.astype(np.int8)
        elif k.dtype.kind == "f":
            k = np.where(np.isnan(k), np.inf, k)
        lowest = np.full(size, np.inf if k.dtype.kind == "f" else np.iinfo(k.dtype).max, dtype=k.dtype)
        np.minimum.at(lowest, group[rows], k)
        rows = rows[k == lowest[group[rows]]]
    first = np.full(size, len(group), dtype=np.int64)
    np.minimum.at(first, group[rows], rows)
    return first[first < len(group)]


def group_sum(group: Positions, values: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
    """Σ values per group, unknown (NaN) values left out; NaN where a group has no known value."""
    known = ~np.isnan(values)
    total = np.bincount(group[known], weights=values[known], minlength=size)
    count = np.bincount(group[known], minlength=size)
    return np.where(count > 0, total, np.nan)
