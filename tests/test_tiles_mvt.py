"""The numpy MVT encoder, read back by mapbox-vector-tile (the reference decoder, a dev dependency only)."""

from __future__ import annotations

from typing import Any

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from mapbox_vector_tile.Mapbox import vector_tile_pb2
from shapely.geometry import shape

from landrenewal.tiles.mvt import Column, Layer, Polygons, clean_polygons, encode_tile, varints


def decode(data: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    return decoded


def raw(data: bytes) -> Any:
    tile = vector_tile_pb2.tile()
    tile.ParseFromString(data)
    return tile


def layer_of(geoms: list[shapely.Geometry], ids: list[int] | None = None, **properties: Any) -> Layer:
    ids = ids if ids is not None else list(range(1, len(geoms) + 1))
    columns = {key: np.asarray(values) for key, values in properties.items()}
    return Layer(
        "parcels", Polygons.from_shapely(np.array(geoms, dtype=object)), np.array(ids, dtype=np.uint64), columns
    )


def surveyor(ring: list[list[int]]) -> int:
    """Twice the signed area in tile coordinates (y down): positive is an MVT exterior."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1))


def polygons_of(feature: dict[str, Any]) -> list[list[list[list[int]]]]:
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])


SQUARE = shapely.box(10, 10, 100, 100)
WITH_HOLE = shapely.Polygon([(0, 0), (200, 0), (200, 200), (0, 200)], [[(50, 50), (60, 50), (60, 60), (50, 60)]])
TWO_PARTS = shapely.MultiPolygon([shapely.box(300, 300, 400, 400), shapely.box(500, 500, 600, 700).reverse()])


def test_square_hole_and_multipolygon_round_trip_exactly() -> None:
    geoms = [SQUARE, WITH_HOLE, TWO_PARTS]
    features = decode(encode_tile([layer_of(geoms)]))["parcels"]["features"]
    assert [f["id"] for f in features] == [1, 2, 3]
    assert [f["geometry"]["type"] for f in features] == ["Polygon", "Polygon", "MultiPolygon"]
    for feature, original in zip(features, geoms, strict=True):
        back = shape(feature["geometry"])
        assert back.equals(original)
        # No vertex added or lost: the decoder closes each ring as shapely does.
        assert shapely.get_num_coordinates(back) == shapely.get_num_coordinates(original)


def test_command_stream_is_the_spec_one() -> None:
    ring = Polygons(np.array([(10, 10), (100, 10), (100, 100), (10, 100)]), *(np.array([0, k]) for k in (4, 1, 1)))
    tile = raw(encode_tile([Layer("a", ring, np.array([7], dtype=np.uint64))]))
    feature = tile.layers[0].features[0]
    # MoveTo(10, 10), LineTo ×3 (+90, 0) (0, +90) (-90, 0), ClosePath; zigzag: 20, 180, 179.
    assert list(feature.geometry) == [9, 20, 20, 26, 180, 0, 0, 180, 179, 0, 15]
    assert feature.type == vector_tile_pb2.tile.Polygon
    assert tile.layers[0].version == 2 and tile.layers[0].extent == 4096


def test_winding_is_made_right_whatever_the_input() -> None:
    # The same shapes given with exteriors both ways round, holes both ways round.
    shell = [(0, 0), (400, 0), (400, 400), (0, 400)]
    hole = [(100, 100), (200, 100), (200, 200), (100, 200)]
    geoms = [
        shapely.Polygon(shell, [hole]),
        shapely.Polygon(shell[::-1], [hole[::-1]]),
        shapely.Polygon(shell, [hole[::-1]]),
        shapely.MultiPolygon([shapely.Polygon(shell[::-1]), shapely.box(500, 500, 600, 600)]),
    ]
    features = decode(encode_tile([layer_of(geoms)]))["parcels"]["features"]
    assert len(features) == 4
    for feature in features:
        for polygon in polygons_of(feature):
            assert surveyor(polygon[0]) > 0  # exterior: clockwise on screen
            assert all(surveyor(ring) < 0 for ring in polygon[1:])
    assert [len(polygons_of(f)[0]) for f in features[:3]] == [2, 2, 2]


def test_ids_and_each_kind_of_property() -> None:
    big = 2**63 + 5
    layer = layer_of(
        [SQUARE, WITH_HOLE, TWO_PARTS],
        ids=[0, 123456789, big],
        code=np.array(["440785001001GB00001", "恩平市 A-2", None], dtype=object),
        cls=np.array(["A", "", "D"]),
        mu=np.array([12.5, np.nan, -0.125]),
        zone=np.array([0, -3, 2**40]),
        flag=np.array([True, False, True]),
    )
    features = decode(encode_tile([layer]))["parcels"]["features"]
    assert [f["id"] for f in features] == [0, 123456789, big]
    assert [f["properties"] for f in features] == [
        {"code": "440785001001GB00001", "cls": "A", "mu": 12.5, "zone": 0, "flag": True},
        {"code": "恩平市 A-2", "cls": "", "zone": -3, "flag": False},
        {"cls": "D", "mu": -0.125, "zone": 2**40, "flag": True},
    ]


def test_values_are_deduplicated_per_column() -> None:
    n = 1000
    rng = np.random.default_rng(1)
    x = rng.integers(0, 4000, n)
    geoms = list(shapely.box(x, x, x + 10, x + 10))
    classes = np.array(["A", "B", "C", "D", ""])[rng.integers(0, 5, n)]
    zones = rng.integers(0, 7, n)
    mu = np.round(rng.random(n), 1)
    layer = layer_of(geoms, cls=classes, zone=zones, mu=mu)
    data = encode_tile([layer])
    tile = raw(data).layers[0]
    assert list(tile.keys) == ["cls", "zone", "mu"]
    expected = len(np.unique(classes)) + len(np.unique(zones)) + len(np.unique(mu))
    assert len(tile.values) == expected < 30
    decoded = decode(data)["parcels"]["features"]
    assert [f["properties"]["cls"] for f in decoded] == classes.tolist()
    assert [f["properties"]["zone"] for f in decoded] == zones.tolist()


def test_a_column_keeps_only_the_values_its_features_use() -> None:
    column = Column.of(np.array(["x", "y", "z", "y"]))
    layer = Layer(
        "a", Polygons.from_shapely(np.array([SQUARE, SQUARE])), np.array([1, 2]), {"k": column.take(np.array([1, 3]))}
    )
    tile = raw(encode_tile([layer])).layers[0]
    assert [v.string_value for v in tile.values] == ["y"]
    assert [list(f.tags) for f in tile.features] == [[0, 0], [0, 0]]


def test_several_layers_and_empty_ones() -> None:
    parcels = layer_of([SQUARE, WITH_HOLE], code=np.array(["a", "b"]))
    zones = Layer("zones", Polygons.from_shapely(np.array([TWO_PARTS])), np.array([9]), {"no": np.array([4])})
    nothing = Layer("nothing", Polygons.from_shapely(np.array([], dtype=object)), np.array([], dtype=np.uint64))
    decoded = decode(encode_tile([parcels, nothing, zones]))
    assert list(decoded) == ["parcels", "zones"]
    assert [f["properties"]["code"] for f in decoded["parcels"]["features"]] == ["a", "b"]
    assert decoded["zones"]["features"][0]["properties"] == {"no": 4}
    assert decoded["zones"]["features"][0]["id"] == 9
    assert encode_tile([]) == b"" and encode_tile([nothing]) == b""


def test_cleaning_drops_repeats_straight_runs_and_collapsed_rings() -> None:
    busy = shapely.Polygon(
        [(0, 0), (0, 0), (50, 0), (100, 0), (100, 100), (100, 100), (0, 100), (0, 50)],  # repeats, straight runs
        [[(10, 10), (10, 10), (10, 10), (10, 10)], [(20, 20), (30, 20), (30, 30), (20, 30)]],  # a hole of one point
    )
    sliver = shapely.Polygon([(0, 0), (10, 10), (20, 20), (0, 0)])  # all on a line: no area
    spike = shapely.MultiPolygon([shapely.box(0, 0, 5, 5), shapely.Polygon([(9, 9), (9, 9), (9, 9)])])
    coords_before = shapely.get_coordinates(np.array([busy, sliver, spike]))
    polygons, kept = clean_polygons(Polygons.from_shapely(np.array([busy, sliver, spike], dtype=object)))
    assert kept.tolist() == [True, False, True]
    assert len(polygons) == 2
    assert np.diff(polygons.polygon_offsets).tolist() == [2, 1]  # busy: shell + the real hole; spike: one part
    assert np.diff(polygons.ring_offsets).tolist() == [4, 4, 4]  # open rings, corners only
    assert len(coords_before) > 12
    features = decode(encode_tile([layer_of([busy, sliver, spike])]))["parcels"]["features"]
    assert [f["id"] for f in features] == [1, 3]
    assert shape(features[0]["geometry"]).equals(shapely.Polygon(busy.exterior, [busy.interiors[1]]))
    assert shape(features[1]["geometry"]).equals(shapely.box(0, 0, 5, 5))


def test_coordinates_are_rounded_to_the_grid() -> None:
    features = decode(encode_tile([layer_of([shapely.box(0.4, 0.6, 10.49, 9.5)])]))["parcels"]["features"]
    assert shape(features[0]["geometry"]).equals(shapely.box(0, 1, 10, 10))


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="ids"):
        encode_tile([Layer("a", Polygons.from_shapely(np.array([SQUARE])), np.array([1, 2]))])
    with pytest.raises(ValueError, match="property"):
        encode_tile([layer_of([SQUARE], k=np.array([1, 2]))])


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (2**64 - 1, "ffffffffffffffffff01")],
)
def test_varints(value: int, encoded: str) -> None:
    data, sizes = varints(np.array([value], dtype=np.uint64))
    assert data.tobytes().hex() == encoded and sizes.tolist() == [len(encoded) // 2]


def _reference_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=40))
def test_varints_match_a_reference(values: list[int]) -> None:
    data, sizes = varints(np.array(values, dtype=np.uint64))
    assert data.tobytes() == b"".join(_reference_varint(v) for v in values)
    assert sizes.tolist() == [len(_reference_varint(v)) for v in values]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-64, 4000), st.integers(-64, 4000), st.integers(1, 150), st.integers(1, 150)),
        min_size=1,
        max_size=12,
    )
)
def test_random_boxes_with_holes_round_trip(boxes: list[tuple[int, int, int, int]]) -> None:
    geoms = []
    for x, y, w, h in boxes:
        hole = [[(x + 1, y + 1), (x + 1, y + h - 1), (x + w - 1, y + h - 1), (x + w - 1, y + 1)]] if w > 2 < h else []
        geoms.append(shapely.Polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], hole))
    features = decode(encode_tile([layer_of(geoms)]))["parcels"]["features"]
    assert len(features) == len(geoms)
    for feature, original in zip(features, geoms, strict=True):
        assert shape(feature["geometry"]).equals(original)


def test_a_feature_without_any_property_beside_ones_with() -> None:
    nothing = np.array([None, np.nan, None], dtype=object)
    layer = layer_of([SQUARE, WITH_HOLE, TWO_PARTS], k=np.array([None, "x", None], dtype=object), empty=nothing)
    data = encode_tile([layer])
    features = decode(data)["parcels"]["features"]
    assert [f["properties"] for f in features] == [{}, {"k": "x"}, {}]
    assert list(raw(data).layers[0].keys) == ["k"]  # a column without values has no key
    assert [shape(f["geometry"]).equals(g) for f, g in zip(features, [SQUARE, WITH_HOLE, TWO_PARTS], strict=True)] == [
        True
    ] * 3
