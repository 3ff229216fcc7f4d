"""Contiguity of parcels (SPEC §3.4, §5.5): which parcels lie within a gap of each other.

Two parcels belong to one cluster when a chain of parcels joins them, each link no more than
``gap`` metres apart, so a road between two plants does not split a renewal area. The same
partition as PostGIS's ``ST_ClusterDBSCAN(geom, eps := gap, minpoints := 1)``.

Candidate pairs come from an STRtree query with each parcel's bounding box widened by the gap
(a cheap envelope test), then one vectorized ``dwithin`` over the pairs; connected components of
the pairs that pass are the clusters.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def clusters(geoms: npt.NDArray[np.object_], gap: float) -> npt.NDArray[np.int64]:
    """A cluster number for each geometry, numbered 0, 1, … in the order of each cluster's first
    geometry (so the numbering is stable for the same input); -1 for missing or empty geometry."""
    if gap < 0:
        raise ValueError(f"gap must not be negative: {gap}")
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    labels = np.full(n, -1, dtype=np.int64)
    present = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if not len(present):
        return labels
    shapes = geoms[present]
    tree = shapely.STRtree(shapes)
    low_x, low_y, high_x, high_y = shapely.bounds(shapes).T
    widened = shapely.box(low_x - gap, low_y - gap, high_x + gap, high_y + gap)
    left, right = tree.query(widened)
    ordered = left < right  # each pair once; a parcel is always in its own cluster
    left, right = left[ordered], right[ordered]
    near = shapely.dwithin(shapes[left], shapes[right], gap)
    m = len(present)
    graph = coo_matrix((np.ones(int(near.sum()), dtype=np.int8), (left[near], right[near])), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    first = np.full(component.max() + 1, m, dtype=np.int64)
    np.minimum.at(first, component, np.arange(m))
    number = np.empty(len(first), dtype=np.int64)
    number[np.argsort(first)] = np.arange(len(first))
    labels[present] = number[component]
    return labels
