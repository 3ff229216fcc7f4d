"""Benchmark of the parcel vector tiles: building the source, and encoding tiles at zooms 10–17.

    python benchmarks/tiles.py --parcels 100000

The demo city (EPSG:4547) is generated, projected to EPSG:3857 and given the properties the web
server passes (code, cls, cat, cats, town, mu, zone). The walk visits, at each zoom, the tiles
under parcels drawn at random (so busy tiles are visited as often as a user would see them),
up to ``--per-zoom`` distinct tiles, each once: every call is a cache miss. Zooms 0–9 (the whole
city in a few tiles, parcels as dots) are measured beside the walk, not in it.

Goal (2 cores): p95 of the per-tile time under 100 ms over the z10–17 walk for 10⁵ parcels.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _own_peak_kib

from landrenewal.demo.city import generate_city
from landrenewal.domain.units import M2_PER_MU
from landrenewal.tiles.mercator import HALF_WORLD, tile_range, tile_size, to_mercator
from landrenewal.tiles.source import ParcelTiles
from landrenewal.web.map_tiles import COARSE_PROPERTIES, DETAIL_ZOOM

WALK_ZOOMS = range(10, 18)
LOW_ZOOMS = range(0, 10)
CATEGORIES = np.array(["", "", "", "idle", "stalled", "unproductive", "low-yield"])


def _properties(parcels: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The columns the web server puts in a tile, with plausible spreads of values."""
    n = len(parcels)
    cat = CATEGORIES[rng.integers(0, len(CATEGORIES), n)]
    return pd.DataFrame(
        {
            "code": parcels["parcel_code"].to_numpy(dtype=object),
            "cls": np.array(["A", "B", "C", "D", ""])[rng.integers(0, 5, n)],
            "cat": cat,
            "cats": np.where(cat == "", "", np.char.add(cat.astype(str), "|idle")),
            "town": parcels["division_code"].str[:9].to_numpy(dtype=object),
            "mu": (parcels["registered_area_m2"] / M2_PER_MU).round(3).to_numpy(),
            "zone": np.where(rng.random(n) < 0.3, rng.integers(1, 400, n), 0),
        }
    )


def _walk(anchors: npt.NDArray[np.float64], z: int, count: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Distinct tiles under parcels drawn at random, in the order first drawn."""
    size = tile_size(z)
    picks = anchors[rng.permutation(len(anchors))[: 20 * count]]
    tx = np.floor((picks[:, 0] + HALF_WORLD) / size).astype(np.int64)
    ty = np.floor((HALF_WORLD - picks[:, 1]) / size).astype(np.int64)
    _, first = np.unique(tx * (1 << z) + ty, return_index=True)
    order = np.sort(first)[:count]
    return list(zip(tx[order].tolist(), ty[order].tolist(), strict=True))


def _features(data: bytes) -> int:
    try:
        from mapbox_vector_tile.Mapbox import vector_tile_pb2  # dev dependency: counting only
    except ImportError:
        return -1
    tile = vector_tile_pb2.tile()
    tile.ParseFromString(data)
    return sum(len(layer.features) for layer in tile.layers)


def _summary(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 1),
        "p95_ms": round(float(np.percentile(a, 95)), 1),
        "max_ms": round(float(a.max()), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--per-zoom", type=int, default=200, help="tiles visited at each zoom of the walk")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    figures: dict[str, Any] = {"benchmark": "parcel_tiles", "parcels": args.parcels, "cores": os.cpu_count()}

    started = time.perf_counter()
    city = generate_city(parcels=args.parcels, seed=args.seed)
    figures["generate_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    geoms = to_mercator(city.parcels["geom"].to_numpy(dtype=object), city.epsg)
    figures["project_s"] = round(time.perf_counter() - started, 2)
    properties = _properties(city.parcels, rng)
    ids = np.arange(1, len(geoms) + 1, dtype=np.uint64)
    del city

    started = time.perf_counter()
    # As the web app makes it: below DETAIL_ZOOM a tile carries only the colouring properties.
    source = ParcelTiles(
        geoms,
        ids,
        properties,
        cache_size=100_000,
        cache_bytes=1 << 40,
        detail_from=DETAIL_ZOOM,
        coarse=COARSE_PROPERTIES,
    )
    figures["build_s"] = round(time.perf_counter() - started, 2)
    bounds = source.bounds
    assert bounds is not None
    anchors = shapely.get_coordinates(shapely.centroid(geoms))

    per_zoom: dict[str, Any] = {}
    walk_ms: list[float] = []
    visited: list[tuple[int, int, int]] = []
    for z in WALK_ZOOMS:
        ms, features, sizes = [], [], []
        for x, y in _walk(anchors, z, args.per_zoom, rng):
            started = time.perf_counter()
            data = source.tile(z, x, y)
            ms.append(1000 * (time.perf_counter() - started))
            features.append(_features(data))
            sizes.append(len(data))
            visited.append((z, x, y))
        walk_ms += ms
        per_zoom[str(z)] = {
            "tiles": len(ms),
            **_summary(ms),
            "features_mean": round(float(np.mean(features)), 1),
            "features_max": int(max(features)),
            "kib_mean": round(float(np.mean(sizes)) / 1024, 1),
        }
    figures["walk"] = {"zooms": f"{WALK_ZOOMS[0]}-{WALK_ZOOMS[-1]}", "tiles": len(walk_ms), **_summary(walk_ms)}
    worst = max(per_zoom, key=lambda z: per_zoom[z]["p95_ms"])
    figures["walk"]["worst_zoom"] = {"zoom": int(worst), **{k: per_zoom[worst][k] for k in ("p95_ms", "max_ms")}}
    figures["per_zoom"] = per_zoom

    cached = []
    for key in visited[:: max(1, len(visited) // 200)]:
        started = time.perf_counter()
        source.tile(*key)
        cached.append(1000 * (time.perf_counter() - started))
    figures["cache_hit_p50_ms"] = round(float(np.percentile(cached, 50)), 3)

    low: dict[str, Any] = {}
    for z in LOW_ZOOMS:
        x0, x1, y0, y1 = tile_range(bounds, z)
        tiles = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        ms, features, sizes = [], [], []
        for x, y in tiles:
            started = time.perf_counter()
            data = source.render(z, x, y)
            ms.append(1000 * (time.perf_counter() - started))
            features.append(_features(data))
            sizes.append(len(data))
        low[str(z)] = {"tiles": len(tiles), "max_ms": round(max(ms), 1), "features": int(sum(features))}
        low[str(z)]["kib_max"] = round(max(sizes) / 1024, 1)
    figures["low_zooms_whole_city"] = low
    figures["peak_rss_mib"] = round(_own_peak_kib() / 1024, 1)
    figures["goal"] = {"walk_p95_ms_lt": 100, "at_parcels": 100_000}
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
