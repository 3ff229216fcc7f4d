"""Both stores from the same migrations: CRS handling, spatial indexes, geometry round trip."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store import schema
from landrenewal.store.engine import Store, StoreError, alembic_config, open_store
from landrenewal.store.frames import read_table
from tests import builders


def test_reopening_a_store_keeps_its_data_and_migration_head(store: Store, store_location: str) -> None:
    import_frame(
        store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=ImportOptions(today=builders.TODAY)
    )
    store.dispose()
    again = open_store(store_location)
    with again.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        frame = read_table(conn, again, schema.parcels, ["parcel_code", "geom"])
        head = ScriptDirectory.from_config(alembic_config(conn)).get_current_head()
    again.dispose()
    assert version == head
    assert len(frame) == 4
    assert all(g.geom_type == "MultiPolygon" for g in frame["geom"])


def test_crs_cannot_change_once_geometry_is_stored(store: Store) -> None:
    import_frame(
        store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=ImportOptions(today=builders.TODAY)
    )
    with pytest.raises(StoreError, match="EPSG:4547"), store.engine.begin() as conn:
        store.set_epsg(conn, 4546)
    assert store.epsg() == builders.EPSG


@pytest.mark.parametrize("backend", ["postgis"])  # the GeoPackage side: test_store_geopackage.py
def test_postgis_columns_are_typed_and_indexed(store: Store) -> None:
    import_frame(
        store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=ImportOptions(today=builders.TODAY)
    )
    with store.engine.connect() as conn:
        srid = conn.execute(text("SELECT Find_SRID('public', 'parcels', 'geom')")).scalar_one()
        kind = conn.execute(text("SELECT type FROM geometry_columns WHERE f_table_name = 'parcels'")).scalar_one()
        gist = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'parcels' AND indexdef ILIKE '%gist%'")
        ).scalar_one()
        area = conn.execute(text("SELECT sum(ST_Area(geom)) FROM parcels")).scalar_one()
    assert srid == builders.EPSG
    assert kind == "MULTIPOLYGON"
    assert "geom" in gist
    assert area == pytest.approx(40000.0)


def test_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    """Autogenerate finds nothing to change after the migrations ran (geometry typing aside)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)

    def about_geometry_or_extension_tables(change: object) -> bool:
        text_ = str(change)
        return "'geom'" in text_ or "gpkg_" in text_ or "rtree_" in text_ or "spatial_ref_sys" in text_

    assert [c for c in diff if not about_geometry_or_extension_tables(c)] == []


def test_electricity_recorded_in_kwh_reads_in_wan_kwh_after_the_upgrade(store: Store) -> None:
    """0008: a store kept 用电量 in 千瓦时; after the upgrade the same figure reads in 万千瓦时, and back."""
    from alembic import command

    from landrenewal.store.engine import migrate

    options = ImportOptions(today=builders.TODAY)
    import_frame(store, "divisions", builders.divisions(), "d", epsg=builders.EPSG, options=options)
    import_frame(store, "enterprises", builders.enterprises(1), "e", options=options)
    uscc = builders.enterprises(1)["uscc"].iloc[0]
    with store.write() as conn:
        command.downgrade(alembic_config(conn), "0007")
        conn.execute(
            text("INSERT INTO metrics (uscc, year, tax_wan, electricity_kwh) VALUES (:u, 2025, 12.5, 1234567.0)"),
            {"u": uscc},
        )
    migrate(store)
    with store.engine.connect() as conn:
        wan_kwh = conn.execute(text("SELECT electricity_wan_kwh FROM metrics")).scalar_one()
    assert wan_kwh == pytest.approx(123.4567, rel=1e-15)
    with store.write() as conn:
        command.downgrade(alembic_config(conn), "0007")
        kwh = conn.execute(text("SELECT electricity_kwh FROM metrics")).scalar_one()
    assert kwh == pytest.approx(1234567.0, rel=1e-15)
