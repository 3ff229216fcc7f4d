"""Parcel vector tiles at every zoom, cut on request from geometry held in memory.

Built once per city view: an STRtree over the parcels, their polygons as flat coordinate arrays,
each property dictionary-encoded with its values already in protobuf form, and an anchor point
per parcel. A tile then is one tree query and array work over the parcels it meets:

- a parcel wholly inside the buffered tile is gathered straight from the flat arrays; only those
  crossing the buffer's edge go through ``shapely.clip_by_rect`` (and, below ``simplify_below``,
  those with many vertices through ``shapely.simplify`` at a fraction of a tile unit);
- coordinates are rounded to the tile grid and cleaned (``mvt.clean_polygons``);
- a parcel smaller than a dot of ``dot_units`` square (a city seen from zoom 8), or one the grid
  collapses, is drawn as that dot in the dot-sized cell of the tile grid holding its anchor (a
  point on its surface), so that land shows where it is at every zoom; a cell holds one dot, the
  largest such parcel's (as a raster pixel shows one value), which keeps a low-zoom tile of a
  city of 10⁶ parcels to tens of thousands of features. A dot is drawn by the one tile holding
  its anchor, never twice.

Encoded tiles are kept in a bounded LRU cache; ``tile`` may be called from many threads at once.
``seed`` renders the low zooms ahead (as GeoWebCache or MapProxy seed a cache) and keeps them
outside the LRU: there a tile holds thousands of parcels and costs the most to cut.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landrenewal.tiles.mercator import check_tile, tile_bounds, tile_ranges
from landrenewal.tiles.mvt import EXTENT, Column, Polygons, clean_polygons, encode_clean_layer

IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

BUFFER = 64  # tile units drawn beyond each edge, so that outlines do not show seams between tiles
SIMPLIFY_BELOW_ZOOM = 16  # from z16 a tile unit is under 15 cm: simplifying there gains nothing
SIMPLIFY_UNITS = 0.5  # the tolerance, in tile units: below the rounding the grid does anyway
SIMPLIFY_FROM_VERTICES = 16  # rectangles and other simple shapes have nothing to lose
DOT_UNITS = 16  # side of the square a parcel too small to draw is drawn as: 2 px where a tile is 512 px
# Below this zoom dots are twice as wide (4 px): a county of 10⁶ parcels seen whole is still its
# pattern of land, in a quarter of the features (at 10⁶ parcels a z10 tile of 1.6 MB → 0.4 MB).
WIDER_DOTS_BELOW_ZOOM = 11
CACHE_TILES = 4096
CACHE_BYTES = 256 * 1024 * 1024

__all__ = ["ParcelTiles"]


class ParcelTiles:
    """Vector tiles of one parcel layer.

    ``geoms``: (Multi)Polygons in EPSG:3857, one per parcel (None or empty: a parcel without
    shape, never drawn); ``ids``: each parcel's feature id; ``properties``: one row per parcel,
    columns of text, integers, floats or booleans (missing values are left out of the feature).
    """

    def __init__(
        self,
        geoms: npt.ArrayLike,
        ids: npt.ArrayLike,
        properties: pd.DataFrame | None = None,
        *,
        layer: str = "parcels",
        extent: int = EXTENT,
        buffer: int = BUFFER,
        cache_size: int = CACHE_TILES,
        cache_bytes: int = CACHE_BYTES,
        simplify_below: int = SIMPLIFY_BELOW_ZOOM,
        dot_units: int = DOT_UNITS,
        detail_from: int = 0,
        coarse: Sequence[str] = (),
    ) -> None:
        shapes = np.asarray(geoms, dtype=object)
        ids_array = np.asarray(ids)
        frame = properties if properties is not None else pd.DataFrame(index=range(len(shapes)))
        if not len(shapes) == len(ids_array) == len(frame):
            raise ValueError(f"{len(shapes)} geometries, {len(ids_array)} ids and {len(frame)} property rows")
        drawable = ~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)
        polygonal = [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
        drawable &= np.isin(shapely.get_type_id(shapes), polygonal)
        rows = np.flatnonzero(drawable)

        self.layer, self.extent, self.buffer = layer, extent, buffer
        self.simplify_below, self.dot_units = simplify_below, dot_units
        # Below ``detail_from`` a tile carries only the ``coarse`` properties: a code and an area per
        # parcel are most of a low-zoom tile's bytes, and nobody picks one parcel out of thousands there.
        self.detail_from, self.coarse = detail_from, frozenset(coarse)
        self._geoms: ObjectArray = shapes[rows]
        # Wound clockwise here, y up, rings come out of the grid wound as MVT wants them (y down) and
        # the encoder has none to reverse. (An optimisation only: shapely < 2.1 lacks it.)
        orient = getattr(shapely, "orient_polygons", None)
        if orient is not None:
            self._geoms = orient(self._geoms, exterior_cw=True)
        self._ids = ids_array[rows].astype(np.uint64)
        self._columns = {str(name): _column(frame[name]).take(rows) for name in frame.columns}
        self._polygons = Polygons.from_shapely(self._geoms)
        offsets = self._polygons.ring_offsets[self._polygons.polygon_offsets[self._polygons.feature_offsets]]
        self._vertices = np.diff(offsets)  # coordinates per parcel
        self._bounds = shapely.bounds(self._geoms)
        self._areas = shapely.area(self._geoms)
        anchors = shapely.point_on_surface(self._geoms)
        self._anchors = np.column_stack([shapely.get_x(anchors), shapely.get_y(anchors)])  # NaN: never drawn
        self._tree = shapely.STRtree(self._geoms)
        self._tree.query(shapely.box(0, 0, 1, 1))  # GEOS may build the tree on a first query: not in threads

        self._seeded: dict[tuple[int, int, int], bytes] = {}
        self._cache: OrderedDict[tuple[int, int, int], bytes] = OrderedDict()
        self._cache_size, self._cache_bytes, self._cached_bytes = cache_size, cache_bytes, 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Parcels with a shape (those drawn)."""
        return len(self._geoms)

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """EPSG:3857 bounds of every drawn parcel, or None when there is none."""
        if not len(self._bounds):
            return None
        low, high = self._bounds[:, :2].min(axis=0), self._bounds[:, 2:].max(axis=0)
        return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))

    def tile(self, z: int, x: int, y: int) -> bytes:
        """The encoded tile (b"" when no parcel reaches it)."""
        check_tile(z, x, y)
        key = (z, x, y)
        seeded = self._seeded.get(key)
        if seeded is not None:
            return seeded
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        # Rendered outside the lock: two threads asking for one tile both render it, identically.
        data = self.render(z, x, y)
        with self._lock:
            if key not in self._cache and len(data) <= self._cache_bytes:
                self._cache[key] = data
                self._cached_bytes += len(data)
                while len(self._cache) > self._cache_size or self._cached_bytes > self._cache_bytes:
                    _, dropped = self._cache.popitem(last=False)
                    self._cached_bytes -= len(dropped)
        return data

    def cached(self, z: int, x: int, y: int) -> bytes | None:
        """The tile if it is in the cache (None otherwise): cheap enough for an event loop."""
        seeded = self._seeded.get((z, x, y))
        if seeded is not None:
            return seeded
        with self._lock:
            found = self._cache.get((z, x, y))
            if found is not None:
                self._cache.move_to_end((z, x, y))
            return found

    def render(self, z: int, x: int, y: int) -> bytes:
        """The tile made afresh, without the cache."""
        west, south, east, north = tile_bounds(z, x, y)
        scale = self.extent / (east - west)  # tile units per metre
        pad = self.buffer / scale
        box = (west - pad, south - pad, east + pad, north + pad)
        hits = np.sort(self._tree.query(shapely.box(*box)))
        if not len(hits):
            return b""

        # A parcel smaller than a dot is drawn as one; its outline is not even looked at.
        dot = self.dot_units * (2 if z < WIDER_DOTS_BELOW_ZOOM else 1)
        tiny = self._areas[hits] * scale**2 < dot**2
        hits, small = hits[~tiny], hits[tiny]
        bounds = self._bounds[hits]
        inside = np.all((bounds[:, :2] >= box[:2]) & (bounds[:, 2:] <= box[2:]), axis=1)
        simplify = z < self.simplify_below
        reshaped = ~inside | (simplify & (self._vertices[hits] >= SIMPLIFY_FROM_VERTICES))
        gathered, redrawn = hits[~reshaped], hits[reshaped]
        shapes = self._geoms[redrawn]
        crossing = ~inside[reshaped]
        shapes[crossing] = shapely.clip_by_rect(shapes[crossing], *box)
        if simplify:
            shapes = shapely.simplify(shapes, SIMPLIFY_UNITS / scale)
        polygons = Polygons.concat([self._polygons.take(gathered), Polygons.from_shapely(shapes)])
        rows = np.concatenate([gathered, redrawn])

        coords = np.asarray(polygons.coords, dtype=np.float64)
        grid = np.empty(coords.shape, dtype=np.int64)
        grid[:, 0] = np.rint((coords[:, 0] - west) * scale)
        grid[:, 1] = np.rint((north - coords[:, 1]) * scale)  # tile y runs down
        clean, kept = clean_polygons(dataclasses.replace(polygons, coords=grid))

        # Dots for the small parcels, and for those the grid flattened (a thin strip) or that left
        # only a sliver here; drawn by the tile holding the anchor, so once across tiles.
        dotted = np.concatenate([small, rows[~kept]])
        anchor = (self._anchors[dotted] - (west, north)) * (scale, -scale)
        here = np.all((anchor >= 0) & (anchor < self.extent), axis=1)
        dotted, corner = _one_per_cell(dotted[here], anchor[here], self._areas, dot)
        drawn = np.concatenate([rows[kept], dotted])
        columns = {
            name: column.take(drawn)
            for name, column in self._columns.items()
            if z >= self.detail_from or name in self.coarse
        }
        shapes_drawn = Polygons.concat([clean, _squares(corner[:, 0], corner[:, 1], dot)])
        return encode_clean_layer(self.layer, shapes_drawn, self._ids[drawn], columns, self.extent)

    def reached(self, z: int) -> npt.NDArray[np.int64]:
        """The (x, y) of every tile at zoom ``z`` that some parcel's bounding box reaches, sorted."""
        if not len(self._bounds):
            return np.empty((0, 2), dtype=np.int64)
        x0, x1, y0, y1 = tile_ranges(self._bounds, z).T
        width, count = x1 - x0 + 1, (x1 - x0 + 1) * (y1 - y0 + 1)
        # Every tile of every parcel's range: parcel i's k-th tile is (x0 + k % width, y0 + k // width).
        row = np.repeat(np.arange(len(count)), count)
        k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        tiles = np.column_stack([x0[row] + k % width[row], y0[row] + k // width[row]])
        return np.unique(tiles, axis=0)

    def seed(self, max_zoom: int, max_bytes: int, stop: threading.Event | None = None) -> tuple[int, int]:
        """Render every tile a parcel reaches from zoom 0 to ``max_zoom``, lowest zoom first, and
        keep them for good (until ``max_bytes`` are held, or ``stop`` is set); tiles and bytes held."""
        held = sum(len(b) for b in self._seeded.values())
        for z in range(max_zoom + 1):
            for x, y in self.reached(z).tolist():
                if stop is not None and stop.is_set():
                    return len(self._seeded), held
                key = (z, x, y)
                if key in self._seeded:
                    continue
                data = self.render(z, x, y)
                if held + len(data) > max_bytes:
                    return len(self._seeded), held
                self._seeded[key] = data  # one dict store: atomic, readers need no lock
                held += len(data)
        return len(self._seeded), held

    def cache_info(self) -> tuple[int, int]:
        """Tiles and bytes held in the cache."""
        with self._lock:
            return len(self._cache), self._cached_bytes

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._cached_bytes = 0


def _one_per_cell(
    parcels: IntArray, anchors: npt.NDArray[np.float64], areas: npt.NDArray[np.float64], side: int
) -> tuple[IntArray, IntArray]:
    """Of the parcels whose anchors (tile units) fall in one ``side``-square cell, the largest;
    with each its cell's corner."""
    cells = np.floor(anchors / side).astype(np.int64)
    key = cells[:, 0] * (1 << 32) + cells[:, 1]
    order = np.lexsort((parcels, -areas[parcels], key))  # ties: the first parcel, so every render agrees
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    chosen = order[first]
    return parcels[chosen], cells[chosen] * side


def _squares(x: IntArray, y: IntArray, side: int) -> Polygons:
    """Squares of ``side`` units from each (x, y) towards +x, +y, wound as MVT exteriors (clockwise, y down)."""
    n = len(x)
    corners = np.empty((n, 4, 2), dtype=np.int64)
    corners[:, :, 0] = x[:, None] + np.array([0, side, side, 0])
    corners[:, :, 1] = y[:, None] + np.array([0, 0, side, side])
    one_each = np.arange(n + 1, dtype=np.int64)
    return Polygons(corners.reshape(-1, 2), 4 * one_each, one_each, one_each)


def _column(series: pd.Series) -> Column:
    """A property column from pandas: nullable integers and booleans keep their gaps as missing values."""
    missing = series.isna().to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(series.dtype):
        return Column.of(series.to_numpy(dtype=bool, na_value=False), ~missing)
    if pd.api.types.is_integer_dtype(series.dtype):
        unsigned = pd.api.types.is_unsigned_integer_dtype(series.dtype)
        return Column.of(series.to_numpy(dtype=np.uint64 if unsigned else np.int64, na_value=0), ~missing)
    if pd.api.types.is_float_dtype(series.dtype):
        return Column.of(series.to_numpy(dtype=np.float64, na_value=np.nan))
    return Column.of(series.to_numpy(dtype=object), ~missing)
