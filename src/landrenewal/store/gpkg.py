"""What makes our SQLite file a GeoPackage (OGC 12-128r18, version 1.4) that GDAL and QGIS open.

The core tables (spatial reference systems, contents, geometry columns, extensions), a
layer entry per feature table with an R-tree spatial index, and attribute entries for the
plain tables. Everything here is plain SQL on a SQLite connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
from pyproj import CRS
from sqlalchemy import Connection, text

from landrenewal.store import geometry

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4

CORE_DDL = [
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
        definition TEXT NOT NULL, scope TEXT NOT NULL,
        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
]

_DEFAULT_SRS = [
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
    (
        "WGS 84 geodetic",
        4326,
        "EPSG",
        4326,
        CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
    ),
]

RTREE_EXTENSION = "http://www.geopackage.org/spec/#extension_rtree"


def register_functions(dbapi_connection: sqlite3.Connection) -> None:
    """The SQL functions GeoPackage R-tree triggers call (GDAL registers the same ones)."""
    for name, fn in (
        ("ST_IsEmpty", geometry.st_is_empty),
        ("ST_MinX", geometry.st_min_x),
        ("ST_MaxX", geometry.st_max_x),
        ("ST_MinY", geometry.st_min_y),
        ("ST_MaxY", geometry.st_max_y),
    ):
        dbapi_connection.create_function(name, 1, fn, deterministic=True)


def init_core(conn: Connection) -> None:
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.exec_driver_sql(f"PRAGMA user_version = {USER_VERSION}")
    for ddl in CORE_DDL:
        conn.exec_driver_sql(ddl)
    conn.execute(
        text(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys "
            "(srs_name, srs_id, organization, organization_coordsys_id, definition, description) "
            "VALUES (:n, :i, :o, :oi, :d, :de)"
        ),
        [dict(zip(("n", "i", "o", "oi", "d", "de"), row, strict=True)) for row in _DEFAULT_SRS],
    )


def _rtree_values(column: str, pk: str) -> str:
    return f"(NEW.{pk}, ST_MinX(NEW.{column}), ST_MaxX(NEW.{column}), ST_MinY(NEW.{column}), ST_MaxY(NEW.{column}))"


def _present(column: str) -> str:
    return f"(NEW.{column} NOT NULL AND NOT ST_IsEmpty(NEW.{column}))"


def _insert_trigger_ddl(table: str, column: str, pk: str = "id") -> str:
    rt = f"rtree_{table}_{column}"
    return (
        f"CREATE TRIGGER {rt}_insert AFTER INSERT ON {table} WHEN {_present(column)} "
        f"BEGIN INSERT OR REPLACE INTO {rt} VALUES {_rtree_values(column, pk)}; END"
    )


def rtree_ddl(table: str, column: str, pk: str = "id") -> list[str]:
    rt = f"rtree_{table}_{column}"
    values = _rtree_values(column, pk)
    present = _present(column)
    absent = f"(NEW.{column} IS NULL OR ST_IsEmpty(NEW.{column}))"
    return [
        f"CREATE VIRTUAL TABLE {rt} USING rtree(id, minx, maxx, miny, maxy)",
        _insert_trigger_ddl(table, column, pk),
        f"CREATE TRIGGER {rt}_update1 AFTER UPDATE OF {column} ON {table} "
        f"WHEN OLD.{pk} = NEW.{pk} AND {present} "
        f"BEGIN INSERT OR REPLACE INTO {rt} VALUES {values}; END",
        f"CREATE TRIGGER {rt}_update2 AFTER UPDATE OF {column} ON {table} "
        f"WHEN OLD.{pk} = NEW.{pk} AND {absent} "
        f"BEGIN DELETE FROM {rt} WHERE id = OLD.{pk}; END",
        f"CREATE TRIGGER {rt}_update3 AFTER UPDATE ON {table} "
        f"WHEN OLD.{pk} != NEW.{pk} AND {present} "
        f"BEGIN DELETE FROM {rt} WHERE id = OLD.{pk}; INSERT OR REPLACE INTO {rt} VALUES {values}; END",
        f"CREATE TRIGGER {rt}_update4 AFTER UPDATE ON {table} "
        f"WHEN OLD.{pk} != NEW.{pk} AND {absent} "
        f"BEGIN DELETE FROM {rt} WHERE id IN (OLD.{pk}, NEW.{pk}); END",
        f"CREATE TRIGGER {rt}_delete AFTER DELETE ON {table} WHEN OLD.{column} NOT NULL "
        f"BEGIN DELETE FROM {rt} WHERE id = OLD.{pk}; END",
    ]


def register_features(
    conn: Connection, table: str, column: str, identifier: str, description: str, srs_id: int = -1
) -> None:
    """A feature layer with its R-tree index, as GDAL would create it."""
    conn.execute(
        text(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
            "VALUES (:t, 'features', :i, :d, :s)"
        ),
        {"t": table, "i": identifier, "d": description, "s": srs_id},
    )
    conn.execute(
        text("INSERT INTO gpkg_geometry_columns VALUES (:t, :c, 'MULTIPOLYGON', :s, 0, 0)"),
        {"t": table, "c": column, "s": srs_id},
    )
    for ddl in rtree_ddl(table, column):
        conn.exec_driver_sql(ddl)
    conn.execute(
        text("INSERT INTO gpkg_extensions VALUES (:t, :c, 'gpkg_rtree_index', :d, 'write-only')"),
        {"t": table, "c": column, "d": RTREE_EXTENSION},
    )


def register_attributes(conn: Connection, table: str, identifier: str, description: str) -> None:
    """A plain table listed in the GeoPackage, so QGIS offers it as a table layer."""
    conn.execute(
        text(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
            "VALUES (:t, 'attributes', :i, :d)"
        ),
        {"t": table, "i": identifier, "d": description},
    )


def set_srs(conn: Connection, epsg: int) -> None:
    """Declare the CRS of every feature layer (allowed while they hold no geometry)."""
    crs = CRS.from_epsg(epsg)
    conn.execute(
        text(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys "
            "(srs_name, srs_id, organization, organization_coordsys_id, definition, description) "
            "VALUES (:n, :i, 'EPSG', :i, :d, :de)"
        ),
        {"n": crs.name, "i": epsg, "d": crs.to_wkt("WKT1_GDAL"), "de": crs.name},
    )
    conn.execute(text("UPDATE gpkg_geometry_columns SET srs_id = :s"), {"s": epsg})
    conn.execute(text("UPDATE gpkg_contents SET srs_id = :s WHERE data_type = 'features'"), {"s": epsg})


def touch(conn: Connection, table: str, bounds: tuple[float, float, float, float] | None) -> None:
    """Record a change to a layer: its last-change time and, for features, its extent."""
    params: dict[str, Any] = {"t": table}
    if bounds is None:
        conn.execute(
            text("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = :t"),
            params,
        )
        return
    params.update(zip(("x0", "y0", "x1", "y1"), bounds, strict=True))
    conn.execute(
        text(
            "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
            "min_x = min(coalesce(min_x, :x0), :x0), min_y = min(coalesce(min_y, :y0), :y0), "
            "max_x = max(coalesce(max_x, :x1), :x1), max_y = max(coalesce(max_y, :y1), :y1) "
            "WHERE table_name = :t"
        ),
        params,
    )


@contextmanager
def rtree_trigger_paused(raw: sqlite3.Connection, table: str, column: str = "geom") -> Iterator[None]:
    """Write features without the per-row R-tree trigger; the caller indexes them (insert_indexed).

    The trigger is dropped and recreated inside the caller's transaction, so no other
    connection ever sees the file without it. That holds only because the store begins its
    transactions itself (``Store.write``): Python's sqlite3 would have committed the DROP at once.
    """
    if not raw.in_transaction:
        raise RuntimeError("the R-tree trigger may only be paused inside a writing transaction")
    raw.execute(f"DROP TRIGGER rtree_{table}_{column}_insert")
    yield
    raw.execute(_insert_trigger_ddl(table, column))


def insert_indexed(
    raw: sqlite3.Connection,
    table: str,
    names: list[str],
    rows: Iterable[tuple[object, ...]],
    bounds: npt.NDArray[np.float64],
    column: str = "geom",
) -> None:
    """Insert features with ids after the current maximum and their R-tree entries from ``bounds``."""
    start = (raw.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone() or (0,))[0] + 1
    ids = np.arange(start, start + len(bounds), dtype=np.int64)
    marks = ", ".join("?" for _ in range(len(names) + 1))
    raw.executemany(
        f"INSERT INTO {table} (id, {', '.join(names)}) VALUES ({marks})",
        ((int(i), *row) for i, row in zip(ids, rows, strict=True)),
    )
    indexed = ~np.isnan(bounds).any(axis=1)
    raw.executemany(
        f"INSERT INTO rtree_{table}_{column} VALUES (?, ?, ?, ?, ?)",
        zip(
            ids[indexed].tolist(),
            bounds[indexed, 0].tolist(),
            bounds[indexed, 2].tolist(),
            bounds[indexed, 1].tolist(),
            bounds[indexed, 3].tolist(),
            strict=True,
        ),
    )
