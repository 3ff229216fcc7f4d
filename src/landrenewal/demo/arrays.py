"""Array helpers of the demo city: type names, group arithmetic, day draws and Arrow text columns.

The generator works on integer indices (parcel 17, enterprise 4711) and numpy arrays; text
appears only at the end, built as Arrow string arrays, which pandas holds without copying.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DayArray = npt.NDArray[np.datetime64]  # datetime64[D], NaT where an event has not happened
ObjectArray = npt.NDArray[np.object_]

NAT = np.datetime64("NaT", "D")
# pandas' own text dtype (Arrow-backed, NaN for missing): what it infers for text, so frames compare equal.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def group_starts(counts: IntArray) -> IntArray:
    """Index of each group's first item when groups of these sizes are laid end to end."""
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def rank_within(groups: IntArray) -> IntArray:
    """0, 1, 2 … for the items of each group, in their order of appearance."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    first = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    position = np.arange(len(groups), dtype=np.int64)
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = position - np.maximum.accumulate(np.where(first, position, 0))
    return rank


def runs(starts_new: BoolArray) -> IntArray:
    """Label items so that a new label starts wherever ``starts_new`` is True (the first item always)."""
    new = starts_new.copy()
    if len(new):
        new[0] = True
    return np.cumsum(new, dtype=np.int64) - 1


def days_between(rng: np.random.Generator, low: IntArray | int, high: IntArray | int, n: int) -> IntArray:
    """Whole days drawn uniformly from [low, high) where low and high may differ per item."""
    low_a = np.broadcast_to(np.asarray(low, dtype=np.int64), (n,))
    span = np.maximum(np.broadcast_to(np.asarray(high, dtype=np.int64), (n,)) - low_a, 1)
    return low_a + np.floor(rng.random(n) * span).astype(np.int64)


def after(dates: DayArray, days: IntArray) -> DayArray:
    return (dates + days.astype("timedelta64[D]")).astype("datetime64[D]")


def year_of(dates: DayArray) -> IntArray:
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def as_timestamps(dates: DayArray) -> pd.Series:
    """A date column as pandas stores dates (datetime64[ns], NaT where missing)."""
    return pd.Series(dates.astype("datetime64[ns]"))


def text(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """An Arrow string array as a pandas text column, without copying."""
    return pd.Series(values, dtype=TEXT)


def pick(choices: Sequence[str] | pa.Array, index: IntArray, present: BoolArray | None = None) -> pa.Array:
    """choices[index] as Arrow strings, null where ``present`` is False."""
    table = choices if isinstance(choices, pa.Array) else pa.array(list(choices), type=pa.string())
    mask = None if present is None else ~present
    return pc.take(table, pa.array(np.asarray(index, dtype=np.int64), mask=mask))


def fixed_width(chars: npt.NDArray[np.uint8]) -> pa.Array:
    """Rows of ASCII bytes (an n × width matrix) as Arrow strings, straight from the buffer."""
    n, width = chars.shape
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars).tobytes())]
    )


def digits(numbers: IntArray, width: int, base: int = 10, alphabet: bytes = b"0123456789") -> npt.NDArray[np.uint8]:
    """Non-negative integers as zero-padded ASCII digits, an n × width matrix.

    Filled one digit place at a time, so no n × width matrix of 64-bit integers is ever built.
    """
    symbols = np.frombuffer(alphabet, dtype=np.uint8)
    rest = np.asarray(numbers, dtype=np.int64).copy()
    out = np.empty((len(rest), width), dtype=np.uint8)
    for place in range(width - 1, -1, -1):
        out[:, place] = symbols[rest % base]
        rest //= base
    return out


def joined(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of Arrow string arrays (and constant strings)."""
    return pc.binary_join_element_wise(*parts, "")
