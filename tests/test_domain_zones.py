"""Contiguity: parcels within the gap of each other, transitively, form one cluster."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from landrenewal.domain.zones import clusters


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
    with pytest.raises(ValueError, match="negative"):
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
