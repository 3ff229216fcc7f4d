"""Geometry on the wire to and from each store: GeoPackage binary blobs and PostGIS EWKB.

All functions take and return whole arrays; encoding is one vectorized pass plus byte
concatenation.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import shapely

GeometryArray = npt.NDArray[np.object_]

# GeoPackage binary header: magic "GP", version 0, flags, srs_id, then the envelope.
_FLAGS_LITTLE_ENDIAN_XY_ENVELOPE = 0b0000_0011
_FLAG_EMPTY = 0b0001_0000
_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("envelope", "<f8", (4,))])
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def to_gpkg(geoms: GeometryArray, srs_id: int) -> list[bytes | None]:
    """GeoPackage geometry blobs (little-endian, XY envelope) for an array of geometries."""
    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms)
    header = np.zeros(len(geoms), dtype=_HEADER)
    header["magic"] = b"GP"
    header["flags"] = _FLAGS_LITTLE_ENDIAN_XY_ENVELOPE
    header["srs_id"] = srs_id
    bounds = shapely.bounds(geoms)  # minx, miny, maxx, maxy → GeoPackage order minx, maxx, miny, maxy
    header["envelope"] = bounds[:, [0, 2, 1, 3]]
    empty = shapely.is_empty(geoms) & ~missing
    header["flags"][empty] |= _FLAG_EMPTY
    header["envelope"][empty] = np.nan
    raw = header.tobytes()
    size = _HEADER.itemsize
    wkb = shapely.to_wkb(geoms, byte_order=1, output_dimension=2)
    return [None if w is None else raw[i * size : (i + 1) * size] + w for i, w in enumerate(wkb.tolist())]


def gpkg_wkb(blob: bytes) -> bytes:
    """The WKB part of one GeoPackage blob."""
    return blob[8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0b111] :]


def from_gpkg(blobs: list[bytes | None] | npt.NDArray[np.object_]) -> GeometryArray:
    wkb = [None if b is None else gpkg_wkb(b) for b in blobs]
    return np.asarray(shapely.from_wkb(np.asarray(wkb, dtype=object)), dtype=object)


def to_ewkb(geoms: GeometryArray, srid: int) -> list[bytes | None]:
    """EWKB with the SRID, as PostGIS's binary COPY and bytea casts accept."""
    with_srid = shapely.set_srid(np.asarray(geoms, dtype=object), srid)
    return list(shapely.to_wkb(with_srid, byte_order=1, include_srid=True, output_dimension=2))


def from_wkb(wkb: list[bytes | None] | npt.NDArray[np.object_]) -> GeometryArray:
    return np.asarray(shapely.from_wkb(np.asarray(wkb, dtype=object)), dtype=object)


# Envelope readers for the SQL functions GeoPackage's R-tree triggers call.
def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is None or len(blob) < 8 or blob[3] & _FLAG_EMPTY:
        return None
    if (blob[3] >> 1) & 0b111:
        minx, maxx, miny, maxy = struct.unpack_from("<4d" if blob[3] & 1 else ">4d", blob, 8)
        return minx, maxx, miny, maxy
    x0, y0, x1, y1 = shapely.bounds(shapely.from_wkb(gpkg_wkb(blob)))
    return float(x0), float(x1), float(y0), float(y1)


def st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(_envelope(blob) is None)


def _coordinate(index: int) -> Callable[[bytes | None], float | None]:
    def extract(blob: bytes | None) -> float | None:
        env = _envelope(blob)
        return None if env is None else env[index]

    return extract


st_min_x, st_max_x, st_min_y, st_max_y = (_coordinate(i) for i in range(4))
