"""Contiguity of parcels (docs/zones.md): which parcels lie within a gap of each other.

Two parcels belong to one cluster when a chain of parcels joins them, each link no more than
``gap`` metres apart, so a road between two plants does not split a renewal area. The same
partition as PostGIS's ``ST_ClusterDBSCAN(geom, eps := gap, minpoints := 1)``.

Candidate pairs come from an STRtree query with each parcel's bounding box widened by the gap
(a cheap envelope test), then one vectorized ``dwithin`` over the pairs; connected components of
the pairs that pass are the clusters.
"""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from landrenewal.domain.language import say


def clusters(geoms: npt.NDArray[np.object_], gap: float) -> npt.NDArray[np.int64]:
    """A cluster number for each geometry, numbered 0, 1, … in the order of each cluster's first
    geometry (so the numbering is stable for the same input); -1 for missing or empty geometry."""
    if gap < 0:
        raise ValueError(say(f"连片间距不能为负：{gap}", f"the gap must not be negative: {gap}"))
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    labels = np.full(n, -1, dtype=np.int64)
    present = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if not len(present):
        return labels
    shapes = geoms[present]
    m = len(present)
    bounds = shapely.bounds(shapes)
    # Each parcel's reach is its bounding box widened by half the gap (and a micrometre, so that
    # rounding never drops a pair exactly the gap apart): two reaches meet when the boxes are within
    # the gap on both axes, as the boxes of every pair within the gap are. A reach is drawn as the
    # box's diagonal, not the box: the tree looks only at envelopes, and a line is cheaper to build.
    half = gap / 2 + 1e-6
    # A reach is one new Python object per parcel, and meanwhile the cyclic collector would walk
    # every live object (the caller's parcels, often just read, among them) several times: up to a
    # third of the time on 3·10⁵ parcels. Geometries cannot form cycles; collection only waits.
    collecting = gc.isenabled()
    gc.disable()
    try:
        reach = shapely.linestrings(np.stack([bounds[:, :2] - half, bounds[:, 2:] + half], axis=1))
    finally:
        if collecting:
            gc.enable()
    tree = shapely.STRtree(reach)
    tree.query(reach[:1])  # GEOS builds the tree on its first query: once, before two threads share it

    def near_pairs(start: int, end: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        found, right = tree.query(reach[start:end])
        left = found + start
        ordered = left < right  # each pair once; a parcel is always in its own cluster
        left, right = left[ordered], right[ordered]
        near = shapely.dwithin(shapes[left], shapes[right], gap)
        return left[near], right[near]

    # Half of the parcels' pairs on each of two threads: the tree query and dwithin release the GIL.
    with ThreadPoolExecutor(2) as pool:
        halves = list(pool.map(near_pairs, (0, m // 2), (m // 2, m)))
    left, right = (np.concatenate(side) for side in zip(*halves, strict=True))
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    first = np.full(component.max() + 1, m, dtype=np.int64)
    np.minimum.at(first, component, np.arange(m))
    number = np.empty(len(first), dtype=np.int64)
    number[np.argsort(first)] = np.arange(len(first))
    labels[present] = number[component]
    return labels


# The erosion's arcs are polygons with this many segments per quarter circle. Eroding by the
# radius of the circle inscribed in that polygon keeps every parcel inside its outline.
_QUAD_SEGMENTS = 4
_INSCRIBED = float(np.cos(np.pi / (4 * _QUAD_SEGMENTS)))


def outlines(geoms: npt.NDArray[np.object_], labels: npt.NDArray[np.int64], gap: float) -> npt.NDArray[np.object_]:
    """One outline per cluster (index = cluster number): its parcels with the gaps between them closed.

    A morphological closing: every parcel grown by half the gap (mitred, so parcel corners stay
    square), the cluster's pieces unioned, and the union shrunk back by a little less than half
    the gap (rounded, so that it never bites into a parcel; the outer edge stays within 2 % of half
    the gap of the parcels, 0.3 m for a 30 m gap). Roads up to the gap wide are filled. A
    single-parcel cluster is its parcel.
    """
    geoms = np.asarray(geoms, dtype=object)
    count = int(labels.max()) + 1 if len(labels) else 0
    result = np.empty(count, dtype=object)
    if not count:
        return result
    members = np.flatnonzero(labels >= 0)
    order = members[np.argsort(labels[members], kind="stable")]
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    single = sizes == 1
    result[sorted_labels[starts[single]]] = geoms[order[starts[single]]]
    grouped = np.flatnonzero(~single)
    if len(grouped):
        closed = _closed(geoms[order[np.repeat(~single, sizes)]], sizes[grouped], gap)
        result[sorted_labels[starts[grouped]]] = closed
    return np.asarray(shapely.multipolygons(shapely.get_parts(result), indices=_part_index(result)), dtype=object)


def _closed(geoms: npt.NDArray[np.object_], sizes: npt.NDArray[np.int64], gap: float) -> npt.NDArray[np.object_]:
    """The closing of each group of parcels: ``geoms`` holds the groups one after another."""
    bounds = np.r_[0, np.cumsum(sizes)]

    # Two halves of about as many parcels each, on two threads (shapely releases the GIL). GEOS has
    # no grouped union, so the union loops over clusters (not parcels).
    def close(first: int, end: int) -> npt.NDArray[np.object_]:
        piece = geoms[bounds[first] : bounds[end]]
        grown = shapely.buffer(piece, gap / 2, join_style="mitre") if gap > 0 else piece
        at = bounds[first : end + 1] - bounds[first]
        merged = np.asarray([shapely.union_all(grown[at[i] : at[i + 1]]) for i in range(end - first)], dtype=object)
        if gap <= 0:
            return merged
        return np.asarray(shapely.buffer(merged, -gap / 2 * _INSCRIBED, quad_segs=_QUAD_SEGMENTS), dtype=object)

    middle = int(np.searchsorted(bounds, bounds[-1] / 2))
    with ThreadPoolExecutor(2) as pool:
        halves = list(pool.map(close, (0, middle), (middle, len(sizes))))
    return np.concatenate(halves)


def _part_index(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.int64]:
    return np.repeat(np.arange(len(geoms)), shapely.get_num_geometries(geoms))
