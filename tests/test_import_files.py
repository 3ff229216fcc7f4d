"""Importing real files through the Python API: CRS decisions, repairs and unknown codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_file
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from tests import builders, filemakers

OPTIONS = ImportOptions(today=builders.TODAY)


def test_lonlat_geojson_into_a_new_store_suggests_the_gauss_kruger_zone(store: Store, tmp_path: Path) -> None:
    report = import_file(store, "parcels", filemakers.geojson_lonlat_without_crs(tmp_path), OPTIONS)
    assert store.epsg() == 4547
    notes = " ".join(report.notes)
    assert "CGCS2000 (EPSG:4490)" in notes
    assert "EPSG:4547" in notes and "经度" in notes
    with store.engine.connect() as conn:
        stored = read_table(conn, store, schema.parcels, ["parcel_code", "area_m2", "geom", "rights_holder"])
    stored = stored.sort_values("parcel_code", key=lambda codes: codes.str[-5:])  # the order they were drawn
    # Back in the zone the squares were drawn in: 100 m × 100 m each, to the centimetre.
    assert stored["area_m2"].to_numpy() == pytest.approx([10000.0] * 3, abs=0.5)
    assert shapely.equals_exact(stored["geom"].to_numpy(), builders.squares(3), tolerance=0.01).all()
    assert list(stored["rights_holder"]) == filemakers.HOLDERS


def test_unknown_land_use_code_is_refused_by_row(store: Store, tmp_path: Path) -> None:
    path = filemakers.gbk_shapefile_without_cpg(tmp_path)
    import geopandas as gpd

    table = gpd.read_file(path, encoding="gbk")
    table.loc[1, "土地用途"] = "9999"
    bad = tmp_path / "bad.gpkg"
    table.to_file(bad, layer="宗地")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "parcels", bad, OPTIONS)
    errors = refused.value.report.errors
    assert list(zip(errors["row"], errors["field"], strict=True)) == [(2, "land_use_code")]
    assert "GB/T 21010" in errors.iloc[0]["reason"]
    assert store.epsg() is None  # nothing written, not even the CRS
