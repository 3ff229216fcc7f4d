"""Contiguity: parcels within the gap of each other, transitively, form one cluster."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from landrenewal.domain.zones import clusters, outlines


def _square(x: float, y: float, size: float = 100.0) -> shapely.Geometry:
    return shapely.box(x, y, x + size, y + size)


def test_a_road_width_apart_joins_and_a_wider_gap_does_not() -> None:
    geoms = np.array([_square(0, 0), _square(130, 0), _square(260.01, 0)])  # gaps 30 m and 30.01 m
    assert clusters(geoms, 30.0).tolist() == [0, 0, 1]
    assert clusters(geoms, 29.99).tolist() == [0, 1, 2]


def test_chains_join_parcels_farther_apart_than_the_gap() -> None:
    geoms = np.array([_square(0, 0), _square(500, 0), _square(120, 0), _square(240, 0), _square(370, 0)])
    assert clusters(geoms, 30.0).tolist() == [0, 0, 0, 0, 0]


def test_boxes_that_are_near_but_shapes_that_are_not_stay_apart() -> None:
    # Two L-shapes whose bounding boxes overlap but whose nearest edges are 60 m apart.
    first = shapely.Polygon([(0, 0), (200, 0), (200, 20), (20, 20), (20, 200), (0, 200)])
    second = shapely.affinity.rotate(first, 180, origin=(140, 140))
    geoms = np.array([first, second])
    assert shapely.distance(first, second) > 30
    assert clusters(geoms, 30.0).tolist() == [0, 1]


def test_missing_and_empty_geometry_are_not_clustered() -> None:
    geoms = np.array([None, _square(0, 0), shapely.Polygon(), _square(110, 0)], dtype=object)
    assert clusters(geoms, 30.0).tolist() == [-1, 0, -1, 0]
    assert clusters(np.array([], dtype=object), 30.0).tolist() == []
    with pytest.raises(ValueError, match="连片间距不能为负"):
        clusters(geoms, -1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 2000), st.integers(5, 150)), min_size=1, max_size=40),
    st.sampled_from([0.0, 10.0, 30.0, 80.0]),
)
def test_same_partition_as_all_pairwise_distances(squares: list[tuple[int, int, int]], gap: float) -> None:
    geoms = np.array([_square(x, y, size) for x, y, size in squares])
    within = shapely.distance(geoms[:, None], geoms[None, :]) <= gap
    _, expected = connected_components(within, directed=False)
    got = clusters(geoms, gap)
    # Same partition: two parcels share a cluster in one exactly when they do in the other.
    assert np.array_equal(got[:, None] == got[None, :], expected[:, None] == expected[None, :])
    assert got[0] == 0 and set(got) == set(range(got.max() + 1))


def test_an_outline_closes_the_road_between_its_parcels_and_keeps_their_corners() -> None:
    geoms = np.array([_square(0, 0), _square(130, 0), _square(1000, 0)])  # a 30 m road, then far away
    labels = clusters(geoms, 30.0)
    shapes = outlines(geoms, labels, 30.0)
    assert len(shapes) == 2
    assert shapely.get_type_id(shapes).tolist() == [6, 6]  # MultiPolygon, whatever the parts
    # The two squares and the 30 m road between them: a 230 × 100 rectangle with square corners,
    # its edges at most 2 % of half the gap outside the parcels (the rounded erosion's margin).
    rectangle = shapely.box(0, 0, 230, 100)
    margin = 0.02 * 15
    assert shapely.covers(shapes[0], rectangle)
    assert shapely.covers(shapely.buffer(rectangle, margin, join_style="mitre"), shapes[0])
    assert shapely.get_num_coordinates(shapes[0]) == 5  # four corners, no rounding
    assert shapely.equals(shapes[1], shapely.multipolygons([_square(1000, 0)]))


def test_an_outline_of_an_l_shaped_cluster_fills_only_the_gaps() -> None:
    geoms = np.array([_square(0, 0), _square(120, 0), _square(0, 120)])  # 20 m roads, an L of three
    shapes = outlines(geoms, clusters(geoms, 30.0), 30.0)
    assert len(shapes) == 1
    # The roads between the squares are filled; the empty quarter of the L is not.
    assert shapely.covers(shapes[0], shapely.box(100, 0, 120, 100))
    assert shapely.covers(shapes[0], shapely.box(0, 100, 100, 120))
    assert not shapely.intersects(shapes[0], shapely.box(130, 130, 220, 220))
    assert 3 * 100 * 100 + 2 * 20 * 100 <= shapely.area(shapes[0]) < 3 * 100 * 100 + 2 * 20 * 100 + 30 * 30


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.integers(0, 7), st.integers(0, 7)),  # a cell of 400 m: parcels never overlap
        st.tuples(st.floats(0, 80), st.floats(0, 80), st.floats(20, 170), st.floats(20, 170), st.floats(0, 90)),
        min_size=1,
        max_size=40,
    ),
    st.floats(0, 150),
)
def test_every_parcel_lies_inside_its_cluster_outline(
    boxes: dict[tuple[int, int], tuple[float, float, float, float, float]], gap: float
) -> None:
    rects = [
        shapely.affinity.rotate(shapely.box(i * 400 + x, j * 400 + y, i * 400 + x + w, j * 400 + y + h), a)
        for (i, j), (x, y, w, h, a) in boxes.items()
    ]
    geoms = np.array(rects, dtype=object)
    labels = clusters(geoms, gap)
    shapes = outlines(geoms, labels, gap)
    assert len(shapes) == labels.max() + 1
    assert shapely.is_valid(shapes).all()
    assert shapely.covers(shapes[labels], geoms).all()
