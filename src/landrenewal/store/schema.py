"""The tables of the store, as SQLAlchemy Core metadata, derived from the domain field specs.

The same tables live in a GeoPackage (SQLite) file and in PostgreSQL + PostGIS. Column
types are chosen to be GeoPackage data types (TEXT, INTEGER, DOUBLE, DATE) so that GDAL
and QGIS read every column with its proper type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import UserDefinedType

from landrenewal.domain.fields import ENTITIES, EntitySpec, FieldSpec, Kind

metadata = MetaData()

# An integer primary key that is SQLite's rowid (GeoPackage's feature id) and a bigint in PostgreSQL.
PrimaryKey = BigInteger().with_variant(Integer(), "sqlite")


class MultiPolygon(UserDefinedType[bytes]):
    """A MultiPolygon column: GeoPackage geometry blobs in SQLite, PostGIS geometry in PostgreSQL.

    Values travel as bytes already encoded for the dialect (see store.geometry).
    """

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "geometry(MultiPolygon)"


@compiles(MultiPolygon, "sqlite")
def _multipolygon_sqlite(type_: MultiPolygon, compiler: Any, **kw: Any) -> str:
    return "MULTIPOLYGON"


_COLUMN_TYPES = {
    Kind.TEXT: Text,
    Kind.CODE: Text,
    Kind.ENUM: Text,
    Kind.INT: Integer,
    Kind.FLOAT: Double,
    Kind.SHARE: Double,
    Kind.DATE: Date,
}


def _column(spec: FieldSpec) -> Column[Any]:
    return Column(spec.name, _COLUMN_TYPES[spec.kind](), nullable=not spec.required, comment=spec.header)


def _entity_table(entity: EntitySpec, *extra: Any) -> Table:
    columns: list[Any] = [Column("id", PrimaryKey, primary_key=True, autoincrement=True)]
    columns += [_column(f) for f in entity.fields]
    if entity.geometry:
        columns.append(Column(entity.geometry, MultiPolygon(), nullable=not entity.geometry_required))
    columns.append(UniqueConstraint(*entity.key, name=f"uq_{entity.table}_key"))
    return Table(entity.table, metadata, *columns, *extra, comment=entity.zh)


divisions = _entity_table(
    ENTITIES["divisions"],
    Column("level", Text, nullable=False),
    Column("parent_code", Text, nullable=True),
)
parcels = _entity_table(
    ENTITIES["parcels"],
    # Area of the geometry in the store's projected CRS; mu and ha are derived from it.
    Column("area_m2", Double, nullable=False, comment="宗地图形面积（m²）"),
)
buildings = _entity_table(ENTITIES["buildings"])
enterprises = _entity_table(ENTITIES["enterprises"])
occupancy = _entity_table(ENTITIES["occupancy"])
metrics = _entity_table(ENTITIES["metrics"])

ENTITY_TABLES: dict[str, Table] = {
    "divisions": divisions,
    "parcels": parcels,
    "buildings": buildings,
    "enterprises": enterprises,
    "occupancy": occupancy,
    "metrics": metrics,
}

# Lookups by natural key that the importer and later the web app make all the time.
Index("ix_parcels_division_code", parcels.c.division_code)
Index("ix_buildings_parcel_code", buildings.c.parcel_code)
Index("ix_occupancy_parcel_code", occupancy.c.parcel_code)
Index("ix_metrics_year", metrics.c.year)

settings = Table(
    "settings",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    comment="Store-wide settings such as the projected CRS",
)

imports = Table(
    "imports",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("notes", Text, nullable=False),
    comment="One row per import run: what came in and what it changed",
)

# Referential rules the importer checks with row-level reasons; the constraints are the safety net.
_REFERENCES = {
    "buildings": [("parcel_code", "parcels.parcel_code")],
    "occupancy": [("uscc", "enterprises.uscc"), ("parcel_code", "parcels.parcel_code")],
    "metrics": [("uscc", "enterprises.uscc")],
}
for _table, _refs in _REFERENCES.items():
    for _col, _target in _refs:
        ENTITY_TABLES[_table].append_constraint(ForeignKeyConstraint([_col], [_target], name=f"fk_{_table}_{_col}"))
