"""The embedded store is a valid GeoPackage: GDAL (pyogrio) reads our layers, CRS and features."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store.engine import open_store
from tests import builders


def test_gdal_reads_parcels_back_with_crs_and_chinese_text(tmp_path: Path) -> None:
    path = tmp_path / "city.gpkg"
    store = open_store(path)
    options = ImportOptions(today=builders.TODAY)
    import_frame(store, "divisions", builders.divisions(), "d", options=options)
    parcels = builders.parcels()
    import_frame(store, "parcels", parcels, "p", epsg=builders.EPSG, options=options)
    store.dispose()

    layers = dict(pyogrio.list_layers(path))
    assert layers["parcels"] == "MultiPolygon"
    assert layers["enterprises"] is None  # attribute table, listed for QGIS
    info = pyogrio.read_info(path, layer="parcels")
    assert info["crs"] == "EPSG:4547"
    assert info["features"] == 4
    gdf = pyogrio.read_dataframe(path, layer="parcels")
    gdf = gdf.sort_values("parcel_code").reset_index(drop=True)
    expected = parcels.sort_values("parcel_code").reset_index(drop=True)
    assert list(gdf["rights_holder"]) == list(expected["rights_holder"])
    assert np.allclose(gdf["area_m2"], 10000.0)
    assert shapely.equals_exact(gdf.geometry.to_numpy(), expected["geom"].to_numpy(), tolerance=1e-6).all()
    assert str(gdf["supplied_date"].iloc[0])[:10] == "2016-05-10"


def test_file_header_and_spatial_index(tmp_path: Path) -> None:
    path = tmp_path / "city.gpkg"
    store = open_store(path)
    import_frame(
        store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=ImportOptions(today=builders.TODAY)
    )
    store.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 10400
        boxes = conn.execute("SELECT minx, maxx, miny, maxy FROM rtree_parcels_geom ORDER BY id").fetchall()
        extent = conn.execute(
            "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name='parcels'"
        ).fetchone()
    expected = shapely.bounds(builders.squares(4))
    assert len(boxes) == 4
    assert np.allclose(np.array(boxes)[:, [0, 2, 1, 3]], expected, atol=1e-3)  # float32 R-tree
    assert np.allclose(extent, shapely.total_bounds(builders.squares(4)))
    # GDAL's spatial filter goes through the R-tree.
    x0, y0, *_ = expected[0]
    hit = pyogrio.read_dataframe(path, layer="parcels", bbox=(x0 + 1, y0 + 1, x0 + 2, y0 + 2))
    assert len(hit) == 1
