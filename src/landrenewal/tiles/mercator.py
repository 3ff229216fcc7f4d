"""Web Mercator tile arithmetic (XYZ scheme, y counted from the north) and the projections around it.

Parcels are stored in a projected CRS of the survey (CGCS2000 3° Gauss-Krüger, EPSG:4534–4554,
say); maps want EPSG:3857 for tiles and lon/lat for everything else. Geometries are projected
as whole arrays through ``shapely.transform``: one pyproj call over every coordinate at once.
"""

from __future__ import annotations

import math
import threading
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from pyproj.transformer import TransformerUnsafe

WEB_MERCATOR = 3857
LONLAT = 4326
# Half the width of the Web Mercator square: pi times the WGS84 semi-major axis.
HALF_WORLD = math.pi * 6378137.0
MAX_LATITUDE = math.degrees(math.atan(math.sinh(math.pi)))  # ±85.0511°, the square's north and south edges

Bounds = tuple[float, float, float, float]  # min x, min y, max x, max y (west, south, east, north in lon/lat)
Geometries = TypeVar("Geometries", shapely.Geometry, npt.NDArray[np.object_])

__all__ = [
    "HALF_WORLD",
    "WEB_MERCATOR",
    "Bounds",
    "check_tile",
    "mercator_to_lonlat_bounds",
    "project",
    "tile_bounds",
    "tile_for_lonlat",
    "tile_lonlat_bounds",
    "tile_range",
    "tile_size",
    "to_lonlat",
    "to_mercator",
]


def check_tile(z: int, x: int, y: int) -> None:
    if z < 0 or not (0 <= x < 1 << z and 0 <= y < 1 << z):
        raise ValueError(f"no tile {z}/{x}/{y}: x and y run from 0 to 2^z - 1")


def tile_size(z: int) -> float:
    """Width of a zoom-z tile in EPSG:3857 metres."""
    return 2 * HALF_WORLD / (1 << z)


def tile_bounds(z: int, x: int, y: int) -> Bounds:
    """The tile's square in EPSG:3857."""
    check_tile(z, x, y)
    size = tile_size(z)
    west, north = -HALF_WORLD + x * size, HALF_WORLD - y * size
    return (west, north - size, west + size, north)


def tile_lonlat_bounds(z: int, x: int, y: int) -> Bounds:
    """The tile's west, south, east, north in degrees."""
    return mercator_to_lonlat_bounds(tile_bounds(z, x, y))


def mercator_to_lonlat_bounds(bounds: Bounds) -> Bounds:
    """EPSG:3857 bounds as west, south, east, north degrees (the spherical formulas: exact, no pyproj)."""
    west, south, east, north = bounds
    return (_lon(west), _lat(south), _lon(east), _lat(north))


def tile_for_lonlat(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x, y of the zoom-z tile holding a point; latitudes beyond ±85.05° fall in the edge rows."""
    n = 1 << z
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_range(bounds: Bounds, z: int) -> tuple[int, int, int, int]:
    """First and last x, first and last y (inclusive) of the zoom-z tiles meeting EPSG:3857 bounds."""
    x0, x1, y0, y1 = tile_ranges(np.asarray([bounds], dtype=np.float64), z)[0].tolist()
    return x0, x1, y0, y1


def tile_ranges(bounds: npt.NDArray[np.float64], z: int) -> npt.NDArray[np.int64]:
    """``tile_range`` of many bounds at once (rows of west, south, east, north): rows of x0, x1, y0, y1."""
    size = tile_size(z)
    edges = np.column_stack(
        [bounds[:, 0] + HALF_WORLD, bounds[:, 2] + HALF_WORLD, HALF_WORLD - bounds[:, 3], HALF_WORLD - bounds[:, 1]]
    )
    return np.clip(np.floor(edges / size), 0, (1 << z) - 1).astype(np.int64)


def project(geoms: Geometries, source: int, target: int) -> Geometries:
    """Geometries (one, or an array; None passes through) from one EPSG to another, x/y as east/north."""
    if source == target:
        return geoms
    transformer, lock = _transformer(source, target)

    def move(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    with lock:
        return shapely.transform(geoms, move)


_made: dict[tuple[int, int], tuple[Transformer, threading.Lock]] = {}
_making = threading.Lock()


def _transformer(source: int, target: int) -> tuple[Transformer, threading.Lock]:
    """One transformer per pair of CRS for the process, used by one thread at a time. pyproj's own
    thread safety makes a new one for each thread that touches it (~50 ms), and the server's
    worker threads come and go; a lock is far cheaper than that for a dossier's one polygon."""
    with _making:
        if (source, target) not in _made:
            made = Transformer.from_crs(source, target, always_xy=True)
            # Unsafe only when shared without a lock: ours always holds one.
            _made[(source, target)] = (Transformer(TransformerUnsafe(made._transformer)), threading.Lock())
        return _made[(source, target)]


def to_mercator(geoms: Geometries, epsg: int) -> Geometries:
    """Geometries from a projected (or geographic) EPSG into EPSG:3857, as the tile source wants them."""
    return project(geoms, epsg, WEB_MERCATOR)


def to_lonlat(geoms: Geometries, epsg: int) -> Geometries:
    """Geometries from their EPSG to lon/lat (EPSG:4326; CGCS2000 coincides with it at map accuracy)."""
    return project(geoms, epsg, LONLAT)


def _lon(x: float) -> float:
    return math.degrees(x / 6378137.0)


def _lat(y: float) -> float:
    return math.degrees(math.atan(math.sinh(y / 6378137.0)))
