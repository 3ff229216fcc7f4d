"""Coordinate reference systems of the CGCS2000 family.

CGCS2000 geographic is EPSG:4490. Its 3° Gauss-Krüger zones come twice: EPSG:4513–4533
carry the zone number in the false easting (zones 25–45), EPSG:4534–4554 do not
(central meridians 75°E–135°E). We suggest the latter, as most city surveys use it.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from landrenewal.domain.language import say

CGCS2000_GEOGRAPHIC = 4490
GK3_FIRST_CM = 75
GK3_LAST_CM = 135
GK3_CM_FIRST_EPSG = 4534  # CM 75°E, no zone prefix
GK3_ZONE_FIRST_EPSG = 4513  # zone 25 (CM 75°E), with zone prefix


def gk3_central_meridian(lon: float) -> int:
    """The central meridian (°E) of the 3° zone a longitude falls in."""
    cm = 3 * math.floor(lon / 3.0 + 0.5)  # zone edges belong to the zone to the east
    if not GK3_FIRST_CM <= cm <= GK3_LAST_CM:
        raise ValueError(
            say(
                f"经度 {lon:.4f}° 不在我国 CGCS2000 3° 分带范围内（东经 73.5°–136.5°）",
                f"longitude {lon:.4f}° is outside China's CGCS2000 3° zones (73.5°E–136.5°E)",
            )
        )
    return cm


def suggest_gk3_epsg(lon: float, *, zone_prefix: bool = False) -> int:
    """The CGCS2000 3° Gauss-Krüger EPSG code for data centred at this longitude."""
    step = (gk3_central_meridian(lon) - GK3_FIRST_CM) // 3
    return (GK3_ZONE_FIRST_EPSG if zone_prefix else GK3_CM_FIRST_EPSG) + step


def is_cgcs2000_gk3(epsg: int) -> bool:
    return GK3_ZONE_FIRST_EPSG <= epsg <= GK3_CM_FIRST_EPSG + (GK3_LAST_CM - GK3_FIRST_CM) // 3


WEB_MERCATOR = 3857
WGS84 = 4326


def reproject(geoms: npt.NDArray[np.object_], source: int, target: int) -> npt.NDArray[np.object_]:
    """Geometries from EPSG ``source`` to EPSG ``target``, all coordinates at once (x = east, y = north)."""
    if source == target:
        return geoms
    transformer = _transformer(source, target)
    return np.asarray(shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))))


@functools.lru_cache(maxsize=16)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)
