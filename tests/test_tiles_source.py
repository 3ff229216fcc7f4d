"""Tile arithmetic and the parcel tile source: clipping at tile edges, parcels at every zoom, threads."""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import mapbox_vector_tile
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from landrenewal.tiles.mercator import (
    HALF_WORLD,
    mercator_to_lonlat_bounds,
    tile_bounds,
    tile_for_lonlat,
    tile_lonlat_bounds,
    tile_range,
    to_lonlat,
    to_mercator,
)
from landrenewal.tiles.source import ParcelTiles

GK3_114E = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E: the demo city's CRS
EXTENT, BUFFER = 4096, 64


def decode(data: bytes) -> list[dict[str, Any]]:
    if not data:
        return []
    features: list[dict[str, Any]] = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})["parcels"][
        "features"
    ]
    return features


def in_tile_units(geoms: Any, z: int, x: int, y: int) -> Any:
    west, _, east, north = tile_bounds(z, x, y)
    scale = EXTENT / (east - west)
    return shapely.transform(geoms, lambda c: np.column_stack([(c[:, 0] - west) * scale, (north - c[:, 1]) * scale]))


def gk3(lon: float, lat: float) -> tuple[float, float]:
    x, y = Transformer.from_crs(4490, GK3_114E, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def city(lon: float, lat: float, rows: int, columns: int, size_m: float, pitch_m: float) -> np.ndarray:
    """A grid of square parcels in EPSG:4547 with its south-west corner at lon/lat, made in EPSG:3857."""
    x0, y0 = gk3(lon, lat)
    i, j = np.divmod(np.arange(rows * columns), columns)
    x, y = x0 + j * pitch_m, y0 + i * pitch_m
    return np.asarray(to_mercator(shapely.box(x, y, x + size_m, y + size_m), GK3_114E), dtype=object)


def properties(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [f"440785001001GB{i:05d}" for i in range(n)],
            "cls": np.array(["A", "B", "C", "D", ""])[np.arange(n) % 5],
            "cat": pd.array(["闲置", None] * (n // 2) + ["闲置"] * (n % 2), dtype="string"),
            "cats": "idle|stalled",
            "town": "440785001",
            "mu": np.round(np.arange(n) * 0.37, 3),
            "zone": np.arange(n) % 7,
        }
    )


# --- tile arithmetic -----------------------------------------------------------------------------


def test_world_tile_and_its_quarters() -> None:
    assert tile_bounds(0, 0, 0) == pytest.approx((-20037508.34, -20037508.34, 20037508.34, 20037508.34), abs=0.01)
    assert tile_bounds(1, 1, 0) == pytest.approx((0, 0, HALF_WORLD, HALF_WORLD))
    assert tile_bounds(1, 0, 1) == pytest.approx((-HALF_WORLD, -HALF_WORLD, 0, 0))
    assert mercator_to_lonlat_bounds(tile_bounds(1, 1, 0)) == pytest.approx((0, 0, 180, 85.0511287798))
    with pytest.raises(ValueError, match="no tile"):
        tile_bounds(3, 8, 0)


def test_the_tile_of_a_point_in_jiangmen() -> None:
    assert tile_for_lonlat(112.9, 22.3, 12) == (3332, 1787)
    west, south, east, north = tile_lonlat_bounds(12, 3332, 1787)
    assert west < 112.9 < east and south < 22.3 < north
    assert east - west == pytest.approx(360 / 4096)
    assert tile_for_lonlat(-180, 89.9, 3) == (0, 0) and tile_for_lonlat(180, -89.9, 3) == (7, 7)


def test_projection_from_gauss_kruger() -> None:
    lon, lat = 112.9, 22.3
    point = shapely.Point(gk3(lon, lat))
    mercator = to_mercator(point, GK3_114E)
    assert mercator.x == pytest.approx(math.radians(lon) * 6378137.0, abs=0.01)
    assert mercator.y == pytest.approx(6378137.0 * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)), abs=0.01)
    back = to_lonlat(np.array([point, None], dtype=object), GK3_114E)
    assert (back[0].x, back[0].y) == pytest.approx((lon, lat), abs=1e-9) and back[1] is None


def test_tile_range_covers_bounds() -> None:
    box = tile_bounds(10, 800, 400)
    inner = (box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)
    assert tile_range(inner, 10) == (800, 800, 400, 400)
    assert tile_range(inner, 11) == (1600, 1601, 800, 801)


# --- the source ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def block() -> tuple[np.ndarray, ParcelTiles]:
    """400 parcels of 60 m at an 80 m pitch around lon 112.9 lat 22.3, one a MultiPolygon, one missing."""
    geoms = city(112.9, 22.3, 20, 20, 60.0, 80.0)
    geoms[5] = shapely.MultiPolygon([geoms[5], shapely.affinity.translate(geoms[5], 0, 30.0).difference(geoms[5])])
    geoms[7] = None
    return geoms, ParcelTiles(geoms, np.arange(len(geoms)) + 1000, properties(len(geoms)))


def test_a_tile_of_clipped_parcels(block: tuple[np.ndarray, ParcelTiles]) -> None:
    geoms, source = block
    # A z17 tile (about 280 m) that the block's parcels straddle on every side.
    centre = shapely.centroid(shapely.union_all(geoms[np.array([g is not None for g in geoms])]))
    lon, lat = mercator_to_lonlat_bounds((centre.x, centre.y, centre.x, centre.y))[:2]
    z, (x, y) = 17, tile_for_lonlat(lon, lat, 17)
    features = decode(source.tile(z, x, y))
    units = in_tile_units(geoms, z, x, y)
    clipped = shapely.clip_by_rect(units, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
    areas = shapely.area(clipped)
    crossing = (areas > 0) & (areas < shapely.area(units) - 1)
    assert crossing.sum() >= 8  # the test is about clipping: enough parcels cross the buffered edge
    expected = {int(i) + 1000 for i in np.flatnonzero(areas >= 4)}
    got = {f["id"] for f in features}
    assert expected <= got and got <= {int(i) + 1000 for i in np.flatnonzero(areas > 0)}
    for feature in features:
        row = feature["id"] - 1000
        drawn = shape(feature["geometry"])
        coords = shapely.get_coordinates(drawn)
        assert coords.min() >= -BUFFER and coords.max() <= EXTENT + BUFFER
        assert drawn.is_valid
        # Rounding to the grid moves each edge at most half a unit.
        assert abs(drawn.area - areas[row]) <= 0.5 * shapely.length(clipped[row]) + 1
        assert drawn.symmetric_difference(clipped[row]).area <= 0.5 * shapely.length(clipped[row]) + 1
    props = {f["id"]: f["properties"] for f in features}
    frame = properties(len(geoms))
    for fid, got_props in props.items():
        row = frame.iloc[fid - 1000]
        want = {k: row[k] for k in ("code", "cls", "cats", "town", "mu", "zone")}
        if isinstance(row["cat"], str):
            want["cat"] = row["cat"]
        assert got_props == want
    assert 1007 not in got  # the parcel without a shape


def test_the_multipolygon_parcel_keeps_both_parts(block: tuple[np.ndarray, ParcelTiles]) -> None:
    geoms, source = block
    lon, lat = to_lonlat(shapely.centroid(geoms[5]), 3857).coords[0]
    z, (x, y) = 18, tile_for_lonlat(lon, lat, 18)
    feature = next(f for f in decode(source.tile(z, x, y)) if f["id"] == 1005)
    assert feature["geometry"]["type"] == "MultiPolygon" and len(feature["geometry"]["coordinates"]) == 2


def test_tiny_parcels_show_as_one_dot_per_cell_the_largest_parcels_and_each_in_one_tile_only() -> None:
    # 900 parcels of 2-5 m, 6 m apart, around a z12 tile corner: at z12 a dot (16 units) is about 38 m.
    z = 12
    _, _, east, north = tile_lonlat_bounds(z, *tile_for_lonlat(112.9, 22.3, z))
    x0, y0 = gk3(east - 0.0008, north - 0.0008)
    i, j = np.divmod(np.arange(900), 30)
    size = 2.0 + (np.arange(900) * 7 % 13) * 0.25  # every size from 2 to 5 m, mixed
    boxes = shapely.box(x0 + j * 6.0, y0 + i * 6.0, x0 + j * 6.0 + size, y0 + i * 6.0 + size)
    geoms = np.asarray(to_mercator(boxes, GK3_114E), dtype=object)
    source = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)))
    tx0, tx1, ty0, ty1 = tile_range(source.bounds or (0, 0, 0, 0), z)
    assert (tx1 - tx0, ty1 - ty0) == (1, 1)  # the parcels straddle four tiles
    areas = shapely.area(geoms)
    seen: list[int] = []
    for x in (tx0, tx1):
        for y in (ty0, ty1):
            dots = [(f["id"], shape(f["geometry"])) for f in decode(source.tile(z, x, y))]
            seen += [i for i, _ in dots]
            centres = shapely.centroid(in_tile_units(geoms, z, x, y))
            inside = (shapely.get_x(centres) >= 0) & (shapely.get_x(centres) < EXTENT)
            inside &= (shapely.get_y(centres) >= 0) & (shapely.get_y(centres) < EXTENT)
            for parcel, dot in dots:
                west, south, _, _ = dot.bounds
                assert dot.equals(shapely.box(west, south, west + 16, south + 16)) and west % 16 == south % 16 == 0
                within = np.flatnonzero(shapely.contains_xy(dot, shapely.get_x(centres), shapely.get_y(centres)))
                assert areas[parcel] == areas[within].max()  # the cell shows its largest parcel
            # no parcel whose centre is in this tile is left without a dot over it
            covered = shapely.union_all([dot for _, dot in dots]) if dots else shapely.Polygon()
            assert shapely.contains_xy(covered, shapely.get_x(centres[inside]), shapely.get_y(centres[inside])).all()
    assert len(seen) == len(set(seen)) > 4  # each dot in one tile only
    # From afar the whole block is one dot, the largest parcel's.
    far = decode(source.tile(0, 0, 0))
    assert [f["id"] for f in far] == [int(np.argmax(areas))]


def test_many_vertex_parcels_are_simplified_at_low_zoom_only() -> None:
    x, y = gk3(112.9, 22.3)
    rings = shapely.buffer(shapely.points(np.array([x, x + 400.0]), np.array([y, y])), 150.0, quad_segs=64)
    geoms = np.asarray(to_mercator(rings, GK3_114E), dtype=object)
    simplifying, exact = ParcelTiles(geoms, np.array([1, 2])), ParcelTiles(geoms, np.array([1, 2]), simplify_below=0)
    lon, lat = to_lonlat(shapely.Point(x, y), GK3_114E).coords[0]
    z, (tx, ty) = 13, tile_for_lonlat(lon, lat, 13)
    original = in_tile_units(geoms[0], z, tx, ty)
    vertices = []
    for source in (simplifying, exact):
        polygon = shape(next(f for f in decode(source.tile(z, tx, ty)) if f["id"] == 1)["geometry"])
        vertices.append(len(polygon.exterior.coords))
        assert polygon.is_valid and polygon.symmetric_difference(original).area <= 0.5 * original.length
    assert vertices[0] < 0.7 * vertices[1]
    z, (tx, ty) = 16, tile_for_lonlat(lon, lat, 16)
    assert simplifying.tile(z, tx, ty) == exact.tile(z, tx, ty) != b""


def test_an_empty_tile_is_empty_bytes(block: tuple[np.ndarray, ParcelTiles]) -> None:
    _, source = block
    assert source.tile(12, 0, 0) == b""
    with pytest.raises(ValueError, match="no tile"):
        source.tile(2, 4, 1)


def test_threads_get_the_same_bytes_as_one_caller(block: tuple[np.ndarray, ParcelTiles]) -> None:
    geoms, _ = block
    tiles = [(z, x, y) for z in (14, 15, 16, 17) for x, y in _tiles_of(geoms, z)]
    assert len(tiles) > 20
    serial = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)), cache_size=0)
    expected = [serial.tile(*t) for t in tiles]
    assert sum(len(b) > 0 for b in expected) > 20
    shared = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)), cache_size=16)
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):  # with the cache cold, then churning (more tiles than it holds)
            assert list(pool.map(lambda t: shared.tile(*t), tiles * 2)) == expected * 2
    assert shared.cache_info()[0] <= 16


def test_the_cache_is_bounded_and_serves_repeats(block: tuple[np.ndarray, ParcelTiles]) -> None:
    geoms, _ = block
    source = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)), cache_size=3)
    tiles = list(_tiles_of(geoms, 17))[:5]
    first = source.tile(17, *tiles[0])
    assert source.tile(17, *tiles[0]) is first
    for t in tiles:
        source.tile(17, *t)
    count, size = source.cache_info()
    assert count == 3 and size == sum(len(source.render(17, *t)) for t in tiles[-3:])


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="ids"):
        ParcelTiles(np.array([shapely.box(0, 0, 1, 1)], dtype=object), np.array([1, 2]))


def _tiles_of(geoms: np.ndarray, z: int) -> list[tuple[int, int]]:
    box = shapely.bounds(shapely.union_all(geoms[np.array([g is not None for g in geoms])]))
    x0, x1, y0, y1 = tile_range(tuple(float(v) for v in box), z)  # type: ignore[arg-type]
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def test_a_source_without_any_shape_serves_empty_tiles() -> None:
    source = ParcelTiles(np.array([None, shapely.Polygon()], dtype=object), np.array([1, 2]), properties(2))
    assert len(source) == 0 and source.bounds is None
    assert source.tile(0, 0, 0) == b""


def test_below_the_detail_zoom_a_tile_carries_only_the_coarse_properties() -> None:
    geoms = city(112.9, 22.3, 20, 20, 60.0, 80.0)
    source = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)), detail_from=13, coarse=("cls", "town"))
    centre = shapely.centroid(shapely.union_all(geoms))
    lon, lat = mercator_to_lonlat_bounds((centre.x, centre.y, centre.x, centre.y))[:2]
    coarse = decode(source.tile(12, *tile_for_lonlat(lon, lat, 12)))
    detailed = decode(source.tile(13, *tile_for_lonlat(lon, lat, 13)))
    assert coarse and detailed
    assert all(set(f["properties"]) <= {"cls", "town"} for f in coarse)
    assert any({"code", "mu", "zone"} <= set(f["properties"]) for f in detailed)


def test_the_tiles_a_parcel_reaches_are_those_with_its_bounds(block: tuple[np.ndarray, ParcelTiles]) -> None:
    geoms, source = block
    drawn = geoms[np.array([g is not None for g in geoms])]
    for z in (10, 14, 17):
        expected = set()
        for b in shapely.bounds(drawn):
            x0, x1, y0, y1 = tile_range(tuple(b), z)
            expected |= {(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
        assert {tuple(t) for t in source.reached(z).tolist()} == expected
    assert len(source.reached(17)) > len(source.reached(14)) >= 1


def test_seeded_tiles_are_the_rendered_ones_and_outlast_the_cache(block: tuple[np.ndarray, ParcelTiles]) -> None:
    geoms, _ = block
    source = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)), cache_size=1)
    count, held = source.seed(14, max_bytes=1 << 30)
    expected = {(z, x, y): source.render(z, x, y) for z in range(15) for x, y in source.reached(z).tolist()}
    assert count == len(expected) and held == sum(len(b) for b in expected.values())
    for x, y in _tiles_of(geoms, 17)[:4]:  # through the LRU of one tile, which the seeded ones are not in
        source.tile(17, x, y)
    for key, data in expected.items():
        assert source.cached(*key) == data and source.tile(*key) == data


def test_seeding_stops_at_its_byte_limit_and_on_request(block: tuple[np.ndarray, ParcelTiles]) -> None:
    geoms, _ = block
    source = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)))
    first = len(source.render(0, 0, 0))
    assert source.seed(16, max_bytes=first) == (1, first)  # z0 only: z1's tile no longer fits
    stopped = threading.Event()
    stopped.set()
    fresh = ParcelTiles(geoms, np.arange(len(geoms)), properties(len(geoms)))
    assert fresh.seed(16, max_bytes=1 << 30, stop=stopped) == (0, 0)
