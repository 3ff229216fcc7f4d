"""Overlays of parcels and zones with towns, villages and planning zones (docs/zones.md).

Whole arrays in, whole arrays out: one STRtree query per overlay, areas by vectorized
intersection, groups by integer ids.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landrenewal.domain import keys

Geoms = npt.NDArray[np.object_]


def containing(geoms: Geoms, areas: Geoms, codes: pd.Series) -> pd.Series:
    """The code of the area that holds each geometry's interior point (parcels are small beside towns,
    villages and planning zones, so one point decides); missing where no area holds it."""
    if not len(areas) or not len(geoms):
        return pd.Series(pd.NA, index=range(len(geoms)), dtype="string")
    points = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    item, area = shapely.STRtree(areas).query(points, predicate="intersects")
    first = keys.first_of_groups(item, area)  # on a shared border: the first area listed
    row = np.full(len(geoms), -1, dtype=np.int64)
    row[item[first]] = area[first]
    return keys.take(keys.strings(codes), row)


def dominant(
    group: npt.NDArray[np.int64], codes: pd.Series, weights: npt.NDArray[np.float64], n: int
) -> tuple[pd.Series, npt.NDArray[np.int64]]:
    """For each group 0 … n-1: the code with the largest total weight in it (ties: the smaller
    code), and how many distinct codes it holds; missing codes are left out."""
    universe, ids = keys.encode(codes)
    known = (ids >= 0) & (group >= 0)
    pair, at = np.unique(np.stack([group[known], ids[known]]), axis=1, return_inverse=True)
    totals = np.bincount(at.ravel(), weights=weights[known], minlength=pair.shape[1])
    best = keys.first_of_groups(pair[0], -totals, pair[1])
    row = np.full(n, -1, dtype=np.int64)
    row[pair[0][best]] = pair[1][best]
    return keys.take(universe, row), np.bincount(pair[0], minlength=n)


def area_inside(geoms: Geoms, areas: Geoms) -> npt.NDArray[np.float64]:
    """The area of each geometry that lies inside the union of ``areas`` (overlaps counted once)."""
    inside = np.zeros(len(geoms), dtype=np.float64)
    if not len(areas) or not len(geoms):
        return inside
    pieces = shapely.get_parts(shapely.union_all(areas))
    item, piece = shapely.STRtree(pieces).query(geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[item], pieces[piece]))
    return np.bincount(item, weights=overlap, minlength=len(geoms)).astype(np.float64)
