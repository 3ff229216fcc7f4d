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

from landrenewal.domain.zones import clusters
from landrenewal.store import schema
from landrenewal.store.admin import create_database, drop_database
from landrenewal.store.clustering import postgis_clusters
from landrenewal.store.engine import Store, open_store
from landrenewal.store.frames import read_table
from landrenewal.store.writes import insert_frame
from tests.builders import EPSG
from tests.cli import run
from tests.conftest import require_postgres

CITY_PARCELS = "1500"


@pytest.fixture
def postgis(postgres_url: str | None) -> Iterator[Store]:
    url = require_postgres(postgres_url)
    name = f"lr_test_cluster_{os.getpid()}"
    store = open_store(create_database(url, name))
    yield store
    store.dispose()
    drop_database(url, name)


def _city(location: str) -> pd.DataFrame:
    run("demo", "build", "--db", location, "--parcels", CITY_PARCELS, "--json", check=True)
    store = open_store(location, create=False)
    try:
        with store.engine.connect() as conn:
            parcels = read_table(conn, store, schema.parcels, ["parcel_code", "geom"])
    finally:
        store.dispose()
    return parcels.sort_values("parcel_code", ignore_index=True)


def test_the_embedded_store_and_postgis_give_the_same_partition(tmp_path: Path, postgis: Store) -> None:
    embedded = _city(str(tmp_path / "city.gpkg"))
    served = _city(postgis.location)
    assert embedded["parcel_code"].tolist() == served["parcel_code"].tolist()  # the same city in both
    some = np.random.default_rng(3).random(len(embedded)) < 0.3
    for gap, chosen in ((30.0, some), (30.0, np.ones(len(embedded), dtype=bool)), (80.0, some), (10.0, some)):
        ours = clusters(embedded["geom"].to_numpy(dtype=object)[chosen], gap)
        with postgis.engine.begin() as conn:
            theirs = postgis_clusters(conn, served["parcel_code"][chosen], gap)
        assert (ours == theirs).all(), f"gap {gap}: {(ours != theirs).sum()} parcels differ"
        assert 1 < ours.max() + 1 < chosen.sum()  # a real partition, neither one zone nor all apart


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
    assert clusters(np.asarray(list(squares), dtype=object), 30.0).tolist() == [0, 0, 1, 2]


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
