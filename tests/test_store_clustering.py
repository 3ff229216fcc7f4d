"""Same answer in both stores: in-process clustering and PostGIS ST_ClusterDBSCAN give one partition."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from landrenewal.demo.build import build_demo
from landrenewal.domain.zones import clusters
from landrenewal.store import schema
from landrenewal.store.admin import create_database, drop_database
from landrenewal.store.clustering import postgis_clusters
from landrenewal.store.engine import Store, StoreError, open_store
from landrenewal.store.frames import read_table
from landrenewal.store.writes import insert_frame
from tests.builders import EPSG
from tests.cli import run
from tests.conftest import require_postgres

CITY_PARCELS = 3000
CITY_SEED = 5


@pytest.fixture
def postgis(postgres_url: str | None) -> Iterator[Store]:
    """A PostGIS store of its own, beside the ``store`` fixture (which may be a GeoPackage)."""
    url = require_postgres(postgres_url)
    name = f"lr_test_cluster_{os.getpid()}"
    store = open_store(create_database(url, name))
    yield store
    store.dispose()
    drop_database(url, name)


def _city(store: Store) -> pd.DataFrame:
    """The demo city built into ``store``; its parcels as the store gives them back, by code."""
    build_demo(store, parcels=CITY_PARCELS, seed=CITY_SEED)
    with store.engine.connect() as conn:
        parcels = read_table(conn, store, schema.parcels, ["parcel_code", "geom"])
    return parcels.sort_values("parcel_code", ignore_index=True)


def test_in_process_clusters_from_either_store_equal_postgis(store: Store, request: pytest.FixtureRequest) -> None:
    parcels = _city(store)
    # On a GeoPackage the PostGIS answer comes from a second store holding the same city.
    served: Store = store if store.is_postgis else request.getfixturevalue("postgis")
    if not store.is_postgis:
        there = _city(served)
        assert there["parcel_code"].tolist() == parcels["parcel_code"].tolist()
        assert shapely.equals_exact(there["geom"].to_numpy(), parcels["geom"].to_numpy(), tolerance=0).all()
    geoms, codes = parcels["geom"].to_numpy(dtype=object), parcels["parcel_code"]
    every = np.ones(len(parcels), dtype=bool)
    some = np.random.default_rng(3).random(len(parcels)) < 0.3
    with served.engine.begin() as conn:
        for gap, chosen in ((30.0, every), (30.0, some), (10.0, some), (80.0, some)):
            ours = clusters(geoms[chosen], gap)
            theirs = postgis_clusters(conn, codes[chosen], gap)
            assert np.array_equal(ours, theirs), f"gap {gap}: {(ours != theirs).sum()} of {chosen.sum()} differ"
            assert 1 < ours.max() + 1 < chosen.sum()  # a real partition: neither one cluster nor all apart
        # Every parcel, ordered by code, without sending any codes.
        assert np.array_equal(postgis_clusters(conn, None, 30.0), clusters(geoms, 30.0))


def test_postgis_joins_at_exactly_the_gap_and_not_beyond(postgis: Store) -> None:
    x = np.array([0.0, 130.0, 260.01, 1000.0])  # 100 m squares: gaps of 30 m, then 30.01 m, then far
    squares = shapely.multipolygons(shapely.get_parts(shapely.box(x, 0, x + 100, 100)), indices=np.arange(4))
    frame = pd.DataFrame({"parcel_code": ["A", "B", "C", "D"], "area_m2": shapely.area(squares), "geom": list(squares)})
    with postgis.engine.begin() as conn:
        postgis.set_epsg(conn, EPSG)
        insert_frame(conn, postgis, schema.parcels, frame, EPSG)
        assert postgis_clusters(conn, ["A", "B", "C", "D", "missing"], 30.0).tolist() == [0, 0, 1, 2, -1]
        assert postgis_clusters(conn, ["D", "C", "B", "A"], 30.0).tolist() == [0, 1, 2, 2]
        assert postgis_clusters(conn, ["A", "B"], 29.99).tolist() == [0, 1]
        assert postgis_clusters(conn, ["B", "C"], 30.01).tolist() == [0, 0]
        assert postgis_clusters(conn, None, 30.0).tolist() == [0, 0, 1, 2]
        conn.exec_driver_sql("SET LOCAL jit = on")
        postgis_clusters(conn, ["A"], 30.0)
        assert conn.exec_driver_sql("SHOW jit").scalar_one() == "on"  # runs without JIT, then puts it back
    assert clusters(np.asarray(list(squares), dtype=object), 30.0).tolist() == [0, 0, 1, 2]
    assert clusters(np.asarray(list(squares), dtype=object), 29.99).tolist() == [0, 1, 2, 3]


def test_codes_of_any_text_travel_and_unusable_ones_get_minus_one(postgis: Store) -> None:
    # Characters that COPY's text format would have to escape, a code that reads as its NULL
    # marker, and non-ASCII; one parcel with an empty geometry.
    codes = ["tab\there", "back\\slash", "\\N", "new\nline", "宗地一", "empty"]
    x = np.arange(len(codes)) * 120.0  # a 20 m road between neighbours: one cluster
    geoms = list(shapely.multipolygons(shapely.get_parts(shapely.box(x, 0, x + 100, 100)), indices=np.arange(6)))
    geoms[-1] = shapely.MultiPolygon()
    frame = pd.DataFrame({"parcel_code": codes, "area_m2": 1.0, "geom": geoms})
    with postgis.engine.begin() as conn:
        postgis.set_epsg(conn, EPSG)
        insert_frame(conn, postgis, schema.parcels, frame, EPSG)
        asked = pd.Series([None, "nowhere", *codes[::-1]], index=np.arange(8) * 7)  # any index: by position
        assert postgis_clusters(conn, asked, 30.0).tolist() == [-1, -1, -1, 0, 0, 0, 0, 0]
        assert postgis_clusters(conn, asked, 10.0).tolist() == [-1, -1, -1, 0, 1, 2, 3, 4]
        assert postgis_clusters(conn, [], 30.0).tolist() == []
        assert postgis_clusters(conn, None, 10.0).tolist() == [0, 1, -1, 2, 3, 4]  # by code point: \\, b, e, n, t, 宗
        with pytest.raises(ValueError, match="non-negative"):
            postgis_clusters(conn, codes, -1.0)


def test_a_geopackage_store_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.gpkg")
    try:
        with store.engine.connect() as conn, pytest.raises(StoreError, match="库不是 PostGIS"):
            postgis_clusters(conn, ["A"], 30.0)
    finally:
        store.dispose()


def test_zones_built_in_postgis_equal_zones_built_in_process(postgis: Store) -> None:
    run("demo", "build", "--db", postgis.location, "--parcels", "800", check=True)
    built = {
        engine: json.loads(
            run(
                "zones", "build", "--db", postgis.location, "--select", "all", "--engine", engine, "--json", check=True
            ).stdout
        )
        for engine in ("python", "postgis")
    }
    with postgis.engine.connect() as conn:
        members = read_table(conn, postgis, schema.zone_parcels, ["run_id", "parcel_code", "zone_no"])
    python, served = (
        members[members["run_id"] == built[e]["run_id"]].set_index("parcel_code")["zone_no"].sort_index()
        for e in ("python", "postgis")
    )
    assert built["postgis"]["engine"] == "postgis"
    pd.testing.assert_series_equal(python, served)
