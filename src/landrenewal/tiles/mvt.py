"""A Mapbox Vector Tile (v2.1) encoder for polygon layers, written in numpy over whole layers at once.

A tile of 10⁵ parcels holds millions of geometry integers; encoding them feature by feature in
Python (or through protobuf objects) takes seconds. Here every step is an array operation over the
whole layer: rings are cleaned and oriented with cyclic index arithmetic, geometry commands and
zigzag deltas are laid out by offset, and varints are cut seven bits at a time for all integers
together. Features are made of varints only, so all of a layer's features are laid out as one
stream of integers (keys, lengths, ids, tags, geometry) and encoded in one pass; the value
table is gathered from bytes each column encoded once.

Geometry comes in as flat arrays (what ``shapely.to_ragged_array`` gives): coordinates, ring
offsets into them, polygon offsets into the rings and feature offsets into the polygons, in tile
coordinates (extent 4096 by default, y down). Properties come as columns; each column's values
are deduplicated (``np.unique``) and encoded once, so a layer's value table only gathers them.

Spec: https://github.com/mapbox/vector-tile-spec/blob/master/2.1/README.md (§4.3.4.4 winding).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import shapely

IntArray = npt.NDArray[np.int64]
UIntArray = npt.NDArray[np.uint64]
ByteArray = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]

EXTENT = 4096
VERSION = 2
POLYGON = 3  # Feature.type

# Command integers (§4.3.1): id in the low 3 bits, count above. MoveTo and ClosePath always have count 1.
MOVE_TO_ONE = (1 << 3) | 1
LINE_TO = 2
CLOSE_PATH = (1 << 3) | 7

# Field keys: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited).
TILE_LAYER = 0x1A  # Tile.layers = 3
LAYER_NAME, LAYER_FEATURE, LAYER_KEY, LAYER_VALUE = 0x0A, 0x12, 0x1A, 0x22  # 1, 2, 3, 4
LAYER_EXTENT, LAYER_VERSION = 0x28, 0x78  # 5, 15
FEATURE_ID, FEATURE_TAGS, FEATURE_TYPE, FEATURE_GEOMETRY = 0x08, 0x12, 0x18, 0x22  # 1, 2, 3, 4
VALUE_STRING, VALUE_DOUBLE, VALUE_UINT, VALUE_SINT, VALUE_BOOL = 0x0A, 0x19, 0x28, 0x30, 0x38  # 1, 3, 5, 6, 7

_SEVEN_BIT_LIMITS = np.array([1 << (7 * k) for k in range(1, 10)], dtype=np.uint64)

__all__ = [
    "EXTENT",
    "Column",
    "Layer",
    "Polygons",
    "Ragged",
    "clean_polygons",
    "encode_clean_layer",
    "encode_tile",
    "varints",
]


# --- ragged arrays -------------------------------------------------------------------------------


def _starts(lengths: IntArray) -> IntArray:
    """Offsets of rows of these lengths laid end to end, with the total last (len + 1 items)."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """start, start + 1 … start + length - 1 for every (start, length), concatenated."""
    offsets = _starts(lengths)
    return np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1], dtype=np.int64)


@dataclass(frozen=True)
class Ragged:
    """Rows of bytes laid end to end: row i is ``data[offsets[i]:offsets[i + 1]]``."""

    data: ByteArray
    offsets: IntArray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> IntArray:
        return np.diff(self.offsets)

    def take(self, rows: IntArray) -> Ragged:
        start, length = self.offsets[rows], self.offsets[rows + 1] - self.offsets[rows]
        return Ragged(self.data[_ranges(start, length)], _starts(length))

    @classmethod
    def of_varints(cls, values: UIntArray) -> Ragged:
        """One varint per row."""
        data, sizes = varints(values)
        return cls(data, _starts(sizes))


def _interleave(pieces: Sequence[Ragged | bytes], rows: int) -> Ragged:
    """Row i of the result is row i of each piece in turn; a ``bytes`` piece is the same in every row.

    This is how the Value messages are built: each field is a piece, and every byte is scattered
    once to its place (a loop over the few pieces, never over rows)."""
    lengths = np.empty((rows, len(pieces)), dtype=np.int64)
    for k, piece in enumerate(pieces):
        lengths[:, k] = len(piece) if isinstance(piece, bytes) else piece.lengths
    offsets = _starts(lengths.sum(axis=1))
    starts = _running(lengths, offsets[:-1])
    out = np.empty(offsets[-1], dtype=np.uint8)
    for k, piece in enumerate(pieces):
        if isinstance(piece, bytes):
            if piece:
                out[starts[:, k, None] + np.arange(len(piece))] = np.frombuffer(piece, dtype=np.uint8)
        else:
            out[_ranges(starts[:, k], lengths[:, k])] = piece.data
    return Ragged(out, offsets)


def varint_sizes(values: npt.NDArray[np.unsignedinteger]) -> npt.NDArray[np.uint8]:
    """How many bytes the varint of each value takes."""
    sizes = np.ones(len(values), dtype=np.uint8)  # narrow: summing into int64 costs several times more
    top = int(values.max()) if len(values) else 0
    for limit in _SEVEN_BIT_LIMITS[top >= _SEVEN_BIT_LIMITS]:
        sizes += values >= limit
    return sizes


def varints(values: npt.NDArray[np.integer]) -> tuple[ByteArray, IntArray]:
    """Protobuf base-128 varints of unsigned integers: all their bytes, and each one's size."""
    given = np.asarray(values)
    v = given if given.dtype in (np.uint32, np.uint64) else given.astype(np.uint64)
    return _encode_varints(v, varint_sizes(v))


def _encode_varints(v: npt.NDArray[np.unsignedinteger], small: npt.NDArray[np.uint8]) -> tuple[ByteArray, IntArray]:
    multi = small > 1
    low = v.astype(np.uint8) & np.uint8(0x7F)
    if not multi.any():  # the common case of small deltas and indices
        return low, small.astype(np.int64)
    sizes = small.astype(np.int64)
    ends = np.cumsum(sizes)
    at = ends - sizes
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    out[at] = low | (multi.view(np.uint8) << np.uint8(7))
    # Most values take one byte: later bytes are written for the shrinking rest only.
    more, k = np.flatnonzero(multi), 1
    while len(more):
        last = small[more] == k + 1
        seven = (v[more] >> v.dtype.type(7 * k)).astype(np.uint8) & np.uint8(0x7F)
        out[at[more] + k] = seven | ((~last).view(np.uint8) << np.uint8(7))
        more, k = more[~last], k + 1
    return out, sizes


def _varint(value: int) -> bytes:
    return varints(np.array([value], dtype=np.uint64))[0].tobytes()


def _zigzag(values: IntArray) -> UIntArray:
    return ((values << 1) ^ (values >> 63)).view(np.uint64)


def _field(key: int, payload: bytes) -> bytes:
    """A length-delimited field."""
    return bytes([key]) + _varint(len(payload)) + payload


# --- geometry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Polygons:
    """Features of one or more polygons as flat arrays.

    ``coords`` (n, 2); ring i is ``coords[ring_offsets[i]:ring_offsets[i + 1]]``; polygon j is rings
    ``polygon_offsets[j]:polygon_offsets[j + 1]`` (exterior first, then holes); feature f is
    polygons ``feature_offsets[f]:feature_offsets[f + 1]``.
    """

    coords: npt.NDArray[np.float64] | IntArray
    ring_offsets: IntArray
    polygon_offsets: IntArray
    feature_offsets: IntArray

    def __len__(self) -> int:
        return len(self.feature_offsets) - 1

    @classmethod
    def from_shapely(cls, geoms: npt.NDArray[np.object_]) -> Polygons:
        """One feature per geometry; whatever is not a non-empty polygon part is left out (so None or
        an empty geometry is a feature without polygons, which ``clean_polygons`` reports as dropped)."""
        parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
        polygonal = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & ~shapely.is_empty(parts)
        parts, owner = parts[polygonal], owner[polygonal]
        per_feature = np.bincount(owner, minlength=len(geoms)).astype(np.int64)
        if not len(parts):
            zero = np.zeros(1, dtype=np.int64)
            return cls(np.empty((0, 2)), zero, zero, _starts(per_feature))
        _, coords, (rings, polygons) = shapely.to_ragged_array(parts, include_z=False)
        return cls(coords, rings.astype(np.int64), polygons.astype(np.int64), _starts(per_feature))

    def take(self, rows: IntArray) -> Polygons:
        """The features at these rows, in this order."""
        fo, po, ro = self.feature_offsets, self.polygon_offsets, self.ring_offsets
        first_polygon, polygon_count = fo[rows], fo[rows + 1] - fo[rows]
        polygon = _ranges(first_polygon, polygon_count)
        ring_count = po[polygon + 1] - po[polygon]
        ring = _ranges(po[polygon], ring_count)
        # A feature's coordinates are contiguous: gather them by feature, not by ring.
        first_coord = ro[po[first_polygon]]
        coord_count = ro[po[first_polygon + polygon_count]] - first_coord
        return Polygons(
            self.coords[_ranges(first_coord, coord_count)],
            _starts(ro[ring + 1] - ro[ring]),
            _starts(ring_count),
            _starts(polygon_count),
        )

    @classmethod
    def concat(cls, parts: Sequence[Polygons]) -> Polygons:
        def chained(offsets: list[IntArray]) -> IntArray:
            ends = np.cumsum([0] + [int(o[-1]) for o in offsets[:-1]])
            return np.concatenate([offsets[0][:1]] + [o[1:] + e for o, e in zip(offsets, ends, strict=True)])

        return cls(
            np.concatenate([p.coords for p in parts]),
            chained([p.ring_offsets for p in parts]),
            chained([p.polygon_offsets for p in parts]),
            chained([p.feature_offsets for p in parts]),
        )


def _cyclic_neighbours(counts: IntArray) -> tuple[IntArray, IntArray]:
    """For points laid out in rings of these sizes: each point's predecessor and successor in its ring."""
    offsets = _starts(counts)
    n = int(offsets[-1])
    prev, succ = np.arange(-1, n - 1, dtype=np.int64), np.arange(1, n + 1, dtype=np.int64)
    nonempty = counts > 0
    first, last = offsets[:-1][nonempty], offsets[1:][nonempty] - 1
    prev[first], succ[last] = last, first
    return prev, succ


def _thin(x: IntArray, y: IntArray, ring: IntArray, keep: BoolArray, rings: int) -> tuple[IntArray, ...]:
    kept_ring = ring[keep]
    return x[keep], y[keep], kept_ring, np.bincount(kept_ring, minlength=rings).astype(np.int64)


def _moved(x: IntArray, y: IntArray, counts: IntArray) -> BoolArray:
    """Points that differ from the one before them in their ring."""
    prev, _ = _cyclic_neighbours(counts)
    return (x != x[prev]) | (y != y[prev])


def clean_polygons(polygons: Polygons) -> tuple[Polygons, BoolArray]:
    """Polygons on the integer grid made fit for MVT, and which features survive.

    Coordinates are rounded; a ring is read as closed whether or not its last point repeats the
    first, and is returned open (ClosePath closes it). Repeated points go, then points on a straight
    line with their neighbours (spikes included: they add no area), then repeats again. A ring of
    fewer than 3 points or no area goes; a polygon whose exterior goes goes with its holes; a
    feature with no polygon left goes. Exteriors end with positive area by the surveyor's formula
    in tile coordinates (clockwise with y down), holes with negative, as §4.3.4.4 demands.
    """
    given = np.asarray(polygons.coords)
    grid = given if given.dtype.kind in "iu" else np.rint(given)
    x, y = grid[:, 0].astype(np.int64), grid[:, 1].astype(np.int64)
    ro = polygons.ring_offsets
    rings, counts = len(ro) - 1, np.diff(ro)
    ring = np.repeat(np.arange(rings, dtype=np.int64), counts)

    x, y, ring, counts = _thin(x, y, ring, _moved(x, y, counts), rings)
    prev, succ = _cyclic_neighbours(counts)
    turn = (x - x[prev]) * (y[succ] - y) - (y - y[prev]) * (x[succ] - x)
    x, y, ring, counts = _thin(x, y, ring, turn != 0, rings)
    x, y, ring, counts = _thin(x, y, ring, _moved(x, y, counts), rings)

    # Twice the signed area of each ring (surveyor's formula), exact in integers.
    _, succ = _cyclic_neighbours(counts)
    area2 = _segment_sums(x * y[succ] - x[succ] * y, counts)

    po, fo = polygons.polygon_offsets, polygons.feature_offsets
    polygon_count, feature_count = len(po) - 1, len(fo) - 1
    ring_polygon = np.repeat(np.arange(polygon_count, dtype=np.int64), np.diff(po))
    polygon_feature = np.repeat(np.arange(feature_count, dtype=np.int64), np.diff(fo))
    ring_fit = (counts >= 3) & (area2 != 0)
    exterior = np.zeros(rings, dtype=bool)
    exterior[po[:-1][np.diff(po) > 0]] = True
    polygon_fit = np.zeros(polygon_count, dtype=bool)
    polygon_fit[ring_polygon[exterior]] = ring_fit[exterior]
    ring_kept = ring_fit & polygon_fit[ring_polygon]
    rings_per_polygon = np.bincount(ring_polygon[ring_kept], minlength=polygon_count).astype(np.int64)
    polygons_per_feature = np.bincount(polygon_feature[polygon_fit], minlength=feature_count).astype(np.int64)
    feature_kept = polygons_per_feature > 0

    point_kept = ring_kept[ring]
    x, y = x[point_kept], y[point_kept]
    kept_counts = counts[ring_kept]
    offsets = _starts(kept_counts)
    # Reverse the rings wound the wrong way: point i of [start, end) goes to start + end - 1 - i.
    flip = ((area2 > 0) != exterior)[ring_kept]
    if flip.any():
        order = np.arange(len(x), dtype=np.int64)
        flipped = np.repeat(flip, kept_counts)
        first, last = np.repeat(offsets[:-1], kept_counts), np.repeat(offsets[1:] - 1, kept_counts)
        order[flipped] = (first + last - order)[flipped]
        x, y = x[order], y[order]
    clean = Polygons(
        np.column_stack([x, y]),
        offsets,
        _starts(rings_per_polygon[polygon_fit]),
        _starts(polygons_per_feature[feature_kept]),
    )
    return clean, feature_kept


def _geometry_layout(polygons: Polygons) -> tuple[IntArray, IntArray, IntArray]:
    """Where each ring's integers start within its feature's geometry, how many integers each feature
    has, and each ring's feature. A ring of n points takes 2n + 3: MoveTo, x, y, LineTo, 2 (n - 1)
    parameters, ClosePath."""
    per_ring = 2 * np.diff(polygons.ring_offsets) + 3
    ring_at = _starts(per_ring)
    first_ring = polygons.polygon_offsets[polygons.feature_offsets]
    ring_feature = np.repeat(np.arange(len(polygons), dtype=np.int64), np.diff(first_ring))
    return ring_at[:-1] - ring_at[first_ring[:-1]][ring_feature], np.diff(ring_at[first_ring]), ring_feature


def _write_geometry(out: npt.NDArray[np.unsignedinteger], polygons: Polygons, ring_start: IntArray) -> None:
    """Each ring's commands written at ``out[ring_start]`` onwards: zigzag deltas, with the cursor
    running on across the rings and polygons of a feature and starting at (0, 0) for each."""
    coords = np.asarray(polygons.coords, dtype=np.int64)
    counts = np.diff(polygons.ring_offsets)
    first_point = polygons.ring_offsets[polygons.polygon_offsets[polygons.feature_offsets[:-1]]]
    before = np.empty_like(coords)
    before[1:] = coords[:-1]
    before[first_point] = 0
    params = _zigzag(coords - before)
    out[ring_start] = MOVE_TO_ONE
    out[ring_start + 3] = LINE_TO | ((counts - 1) << 3)
    out[ring_start + 2 * counts + 2] = CLOSE_PATH
    k = np.arange(len(coords), dtype=np.int64) - np.repeat(polygons.ring_offsets[:-1], counts)
    at = np.repeat(ring_start, counts) + 1 + 2 * k + (k > 0)
    out[at], out[at + 1] = params[:, 0], params[:, 1]


# --- properties ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A property column, dictionary-encoded: each feature's code (-1: no value) into the distinct
    values, each held as its ready-made ``Layer.values`` field (key, length, Value message)."""

    codes: IntArray
    values: Ragged

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, rows: IntArray) -> Column:
        return Column(self.codes[rows], self.values)

    @classmethod
    def of(cls, values: npt.ArrayLike, present: BoolArray | None = None) -> Column:
        """A column of str (None or NaN: no value), int, float (NaN: no value) or bool values.

        Strings become ``string_value``, floats ``double_value`` (exact), integers ``uint_value``
        or, when negative, ``sint_value``, booleans ``bool_value``."""
        array = np.asarray(values)
        given = np.ones(len(array), dtype=bool) if present is None else np.asarray(present, dtype=bool)
        kind = array.dtype.kind
        if kind == "f":
            given &= ~np.isnan(array)
        elif kind in "OUST":
            given &= ~np.asarray(pd.isna(array), dtype=bool)
            array = array.astype(str) if kind != "U" else array
        elif kind not in "biu":
            raise TypeError(f"a tile property must be text, a number or a flag, not {array.dtype}")
        distinct, inverse = np.unique(array[given], return_inverse=True)
        codes = np.full(len(array), -1, dtype=np.int64)
        codes[given] = inverse
        return cls(codes, _value_fields(distinct))


def _value_fields(distinct: npt.NDArray[np.generic]) -> Ragged:
    n = len(distinct)
    kind = distinct.dtype.kind
    if kind == "U":
        text = pa.array(distinct, type=pa.large_string())
        offsets = np.frombuffer(text.buffers()[1], dtype=np.int64, count=n + 1)
        data = np.frombuffer(text.buffers()[2] or b"", dtype=np.uint8, count=int(offsets[-1] - offsets[0]))
        utf8 = Ragged(data, offsets - offsets[0])
        size = Ragged.of_varints(utf8.lengths.astype(np.uint64))
        message_length = Ragged.of_varints((1 + size.lengths + utf8.lengths).astype(np.uint64))
        return _interleave([bytes([LAYER_VALUE]), message_length, bytes([VALUE_STRING]), size, utf8], n)
    if kind == "f":
        fields = np.empty((n, 11), dtype=np.uint8)
        fields[:, :3] = (LAYER_VALUE, 9, VALUE_DOUBLE)
        fields[:, 3:] = distinct.astype("<f8").view(np.uint8).reshape(n, 8)
        return Ragged(fields.ravel(), np.arange(0, 11 * n + 1, 11, dtype=np.int64))
    if kind == "b":
        fields = np.empty((n, 4), dtype=np.uint8)
        fields[:, :3] = (LAYER_VALUE, 2, VALUE_BOOL)
        fields[:, 3] = distinct.astype(np.uint8)
        return Ragged(fields.ravel(), np.arange(0, 4 * n + 1, 4, dtype=np.int64))
    if kind == "u":
        negative, raw = np.zeros(n, dtype=bool), distinct.astype(np.uint64)
    else:
        signed = distinct.astype(np.int64)
        negative = signed < 0
        raw = np.where(negative, _zigzag(signed), signed.astype(np.uint64))
    number = Ragged.of_varints(raw)
    key = Ragged(np.where(negative, VALUE_SINT, VALUE_UINT).astype(np.uint8), np.arange(n + 1, dtype=np.int64))
    message_length = Ragged.of_varints((1 + number.lengths).astype(np.uint64))
    return _interleave([bytes([LAYER_VALUE]), message_length, key, number], n)


# --- layers and tiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One layer of polygon features in tile coordinates, with an id and properties per feature."""

    name: str
    polygons: Polygons
    ids: npt.NDArray[np.integer]
    properties: Mapping[str, npt.ArrayLike | Column] = field(default_factory=dict)
    extent: int = EXTENT


def encode_tile(layers: Sequence[Layer]) -> bytes:
    """The Tile message of these layers; layers left without features are left out (b"": no layer)."""
    return b"".join(_layer_field(layer) for layer in layers)


def _layer_field(layer: Layer) -> bytes:
    if len(layer.ids) != len(layer.polygons):
        raise ValueError(f"layer {layer.name!r}: {len(layer.ids)} ids for {len(layer.polygons)} features")
    columns = {key: v if isinstance(v, Column) else Column.of(v) for key, v in layer.properties.items()}
    for key, column in columns.items():
        if len(column) != len(layer.ids):
            raise ValueError(f"layer {layer.name!r}: property {key!r} has {len(column)} values, not {len(layer.ids)}")
    polygons, kept = clean_polygons(layer.polygons)
    rows = np.flatnonzero(kept)
    kept_columns = {key: column.take(rows) for key, column in columns.items()}
    return encode_clean_layer(layer.name, polygons, np.asarray(layer.ids)[rows], kept_columns, layer.extent)


def encode_clean_layer(
    name: str, polygons: Polygons, ids: npt.NDArray[np.integer], columns: Mapping[str, Column], extent: int = EXTENT
) -> bytes:
    """The ``Tile.layers`` field of a layer whose polygons ``clean_polygons`` has already made fit
    (for a caller that has to see which features survive, and adds its own, before encoding)."""
    rows = len(polygons)
    if rows == 0:
        return b""
    keys: list[str] = []
    pairs: list[tuple[IntArray, IntArray]] = []  # per used column: (key index, value index) per feature
    value_fields: list[Ragged] = []
    next_value = 0
    for key, column in columns.items():
        present = column.codes >= 0
        used, local = _used_values(column.codes, present, len(column.values))
        if not len(used):
            continue
        local = np.where(present, local + next_value, -1)
        pairs.append((np.full(rows, len(keys), dtype=np.int64), local))
        keys.append(key)
        value_fields.append(column.values.take(used))
        next_value += len(used)

    features = _feature_fields(np.asarray(ids).astype(np.uint64), pairs, polygons)
    layer = b"".join(
        [
            bytes([LAYER_VERSION, VERSION]),
            _field(LAYER_NAME, name.encode()),
            features.tobytes(),
            *(_field(LAYER_KEY, key.encode()) for key in keys),
            *(v.data.tobytes() for v in value_fields),
            bytes([LAYER_EXTENT]) + _varint(extent),
        ]
    )
    return _field(TILE_LAYER, layer)


def _used_values(codes: IntArray, present: BoolArray, table: int) -> tuple[IntArray, IntArray]:
    """The distinct codes of a column in this layer, sorted, and each feature's index among them
    (meaningless where no value is present)."""
    if not present.any():
        return np.empty(0, dtype=np.int64), np.zeros(len(codes), dtype=np.int64)
    if 4 * len(codes) < table:  # few features of a large table (a street's parcels among the city's codes)
        used = np.unique(codes[present])
        return used, np.searchsorted(used, codes)
    # Many features: a mark per table entry beats sorting them.
    mark = np.zeros(table, dtype=bool)
    mark[codes[present]] = True
    rank = np.cumsum(mark, dtype=np.int64) - 1
    return np.flatnonzero(mark), rank[codes]


def _feature_fields(ids: UIntArray, pairs: list[tuple[IntArray, IntArray]], polygons: Polygons) -> ByteArray:
    """The ``Layer.features`` fields of all features, laid end to end.

    Every byte of a Feature is part of a varint (keys, lengths, ids, tags and geometry are all
    varints, keys and the type below 128), so the fields are laid out as one stream of integers in
    the order they are written, tags and geometry put straight in their places; the lengths are
    filled in once the sizes of what they measure are known; one pass encodes the stream."""
    rows = len(ids)
    if pairs:
        key_index = np.stack([k for k, _ in pairs], axis=1)
        value_index = np.stack([v for _, v in pairs], axis=1)
    else:
        key_index = value_index = np.full((rows, 0), -1, dtype=np.int64)
    has = value_index >= 0
    tag_counts = 2 * has.sum(axis=1)
    tagged = tag_counts > 0
    ring_start, geometry_counts, ring_feature = _geometry_layout(polygons)

    one, tag_key = np.ones(rows, dtype=np.int64), tagged.astype(np.int64)
    layout = np.stack(
        [
            one,  # 0: Layer.features key
            one,  # 1: Feature length
            one,  # 2: id key
            one,  # 3: id
            tag_key,  # 4: tags key, when the feature has properties
            tag_key,  # 5: tags length
            tag_counts,  # 6: tags
            3 * one,  # 7: type key, POLYGON, geometry key
            one,  # 8: geometry length
            geometry_counts,  # 9: geometry
        ],
        axis=1,
    )
    offsets = _starts(layout.sum(axis=1))
    at = _running(layout, offsets[:-1])
    # Tags and geometry always fit 32 bits; ids mostly do, and half the width is half the traffic.
    wide = rows and int(ids.max()) >= 1 << 32
    stream: npt.NDArray[np.unsignedinteger] = np.zeros(int(offsets[-1]), dtype=np.uint64 if wide else np.uint32)
    stream[at[:, 0]] = LAYER_FEATURE
    stream[at[:, 2]] = FEATURE_ID
    stream[at[:, 3]] = ids
    stream[at[tagged, 4]] = FEATURE_TAGS
    slot = _running(2 * has.astype(np.int64), at[:, 6])
    stream[slot[has]], stream[slot[has] + 1] = key_index[has], value_index[has]
    stream[at[:, 7]], stream[at[:, 7] + 1], stream[at[:, 7] + 2] = FEATURE_TYPE, POLYGON, FEATURE_GEOMETRY
    _write_geometry(stream, polygons, ring_start + at[ring_feature, 9])

    sizes = varint_sizes(stream)
    before = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
    tag_bytes = before[at[:, 6] + tag_counts] - before[at[:, 6]]
    geometry_bytes = before[at[:, 9] + geometry_counts] - before[at[:, 9]]
    stream[at[tagged, 5]] = tag_bytes[tagged]
    sizes[at[tagged, 5]] = varint_sizes(tag_bytes[tagged].astype(np.uint64))
    stream[at[:, 8]] = geometry_bytes
    sizes[at[:, 8]] = varint_sizes(geometry_bytes.astype(np.uint64))
    body = before[offsets[1:]] - before[at[:, 2]]  # id onwards, with the lengths still at one byte each
    body += sizes[at[:, 8]] - 1 + np.where(tagged, sizes[at[:, 5]].astype(np.int64) - 1, 0)
    stream[at[:, 1]] = body
    sizes[at[:, 1]] = varint_sizes(body.astype(np.uint64))
    return _encode_varints(stream, sizes)[0]


def _running(counts: IntArray, base: IntArray) -> IntArray:
    """Where each column's items start in each row, the row starting at ``base``: a loop over the few
    columns, as numpy's cumsum along a short axis is several times slower."""
    at = np.empty_like(counts)
    running = base.copy()
    for k in range(counts.shape[1]):
        at[:, k] = running
        running += counts[:, k]
    return at


def _segment_sums(values: npt.NDArray[np.integer], counts: IntArray) -> IntArray:
    """Sums of consecutive runs of ``values`` of these lengths."""
    return np.diff(np.concatenate([[0], np.cumsum(values, dtype=np.int64)])[_starts(counts)])
