"""Integer positions for the string keys of the inventory (parcel codes, USCCs).

The hot paths look each key up once, in Arrow's C++ hash and sort kernels, and then join, group
and sort on integers: pandas' own joins and group-bys on Arrow string columns spend most of
their time turning the strings into Python objects and back.
"""

from __future__ import annotations

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
    if hasattr(values, "_pa_array"):
        array = values._pa_array
    elif isinstance(values, pa.Array | pa.ChunkedArray):
        array = values
    else:
        array = pa.array(np.asarray(values, dtype=object), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], pa.large_string())
    return array.cast(pa.large_string())


def positions(values: Any, universe: Any) -> Positions:
    """For each value, the position of its first occurrence in ``universe``; -1 where absent or null."""
    found = pc.index_in(strings(values), value_set=strings(universe))
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def sorted_unique(values: Any) -> pa.Array:
    """The distinct non-null values in code-point order (the order Python sorts ``str`` in)."""
    unique = pc.unique(strings(values)).drop_null()
    return unique.take(pc.sort_indices(unique))


def ranks(values: Any) -> Positions:
    """Each value's place in code-point order (0 first); equal values get consecutive places."""
    order = np.asarray(pc.sort_indices(strings(values)).to_numpy(), dtype=np.int64)
    out = np.empty(len(order), dtype=np.int64)
    out[order] = np.arange(len(order))
    return out


def take(universe: pa.Array, at: Positions) -> pd.Series:
    """``universe[at]`` as a pandas string column, missing where ``at`` is -1."""
    index = pa.array(at, mask=at < 0, type=pa.int64())
    return pd.Series(universe.take(index), dtype="str")


def at(values: npt.NDArray[Any], rows: Positions, missing: Any) -> npt.NDArray[Any]:
    """``values[rows]``, with ``missing`` where a row is -1."""
    if not len(values):
        return np.full(len(rows), missing, dtype=values.dtype if missing is None else None)
    return np.where(rows >= 0, values[np.maximum(rows, 0)], missing)


def first_of_groups(group: Positions, *keys: npt.NDArray[Any]) -> Positions:
    """The row with the smallest ``keys`` (compared in the given order) in each group, by group."""
    order = np.lexsort((*reversed(keys), group))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.array([], dtype=np.int64)
    return np.asarray(order[starts], dtype=np.int64)


def group_sum(group: Positions, values: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
    """Σ values per group, unknown (NaN) values left out; NaN where a group has no known value."""
    known = ~np.isnan(values)
    total = np.bincount(group[known], weights=values[known], minlength=size)
    count = np.bincount(group[known], minlength=size)
    return np.where(count > 0, total, np.nan)
