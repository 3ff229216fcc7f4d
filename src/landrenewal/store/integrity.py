"""Is the store whole? The file's own checks, and the GeoPackage's invariants SQLite cannot see.

``PRAGMA integrity_check`` says nothing about a spatial index whose trigger is gone: the
GeoPackage then opens, reads and draws, but new features are missing from the index (GDAL's
spatial filters skip them) and our own bulk writes fail. So each feature layer is checked for
its R-tree table, every trigger that keeps it current, one index entry per feature with a box
holding the feature, the layer's extent in ``gpkg_contents`` and its CRS. ``repair`` rebuilds
what is derived (index, triggers, extent) in one transaction; the features are never touched.
See docs/store.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import Connection, text

from landrenewal.domain.language import say
from landrenewal.store import gpkg, schema
from landrenewal.store.engine import Store

# SQLite keeps R-tree boxes as 32-bit floats rounded outwards: a box may be this much larger.
_BOX_SLACK = "(abs({v}) * 1e-6 + 1e-6)"


@dataclass(frozen=True)
class Problem:
    code: str  # stable, for scripts: "trigger_missing", "rtree_count" …
    table: str | None
    message: str  # for people, in Chinese

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def check_store(store: Store) -> list[Problem]:
    """Everything found wrong with the store (empty when it is whole)."""
    with store.engine.connect() as conn:
        if store.is_postgis:
            return _check_postgis(conn, store)
        return _check_geopackage(conn, store)


def repair_store(store: Store) -> list[str]:
    """Rebuild every feature layer's R-tree, triggers and extent; what was done, layer by layer."""
    if store.is_postgis:
        return []
    done = []
    with store.write() as conn:
        for table, column in _feature_layers(conn):
            for name in _trigger_names(table, column):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_rtree(table, column)}")
            for ddl in gpkg.rtree_ddl(table, column):
                conn.exec_driver_sql(ddl)
            conn.exec_driver_sql(
                f"INSERT INTO {_rtree(table, column)} SELECT id, ST_MinX({column}), ST_MaxX({column}), "
                f"ST_MinY({column}), ST_MaxY({column}) FROM {table} WHERE {_present(column)}"
            )
            conn.execute(
                text("INSERT OR IGNORE INTO gpkg_extensions VALUES (:t, :c, 'gpkg_rtree_index', :d, 'write-only')"),
                {"t": table, "c": column, "d": gpkg.RTREE_EXTENSION},
            )
            _reset_extent(conn, table, column)
            count = conn.execute(text(f"SELECT count(*) FROM {_rtree(table, column)}")).scalar_one()
            done.append(f"{table}: 重建空间索引（{count} 个要素）、触发器和范围")
    return done


def _present(column: str) -> str:
    return f"{column} IS NOT NULL AND NOT ST_IsEmpty({column})"


def _rtree(table: str, column: str) -> str:
    return f"rtree_{table}_{column}"


def _trigger_names(table: str, column: str) -> list[str]:
    suffixes = ("insert", "update1", "update2", "update3", "update4", "delete")
    return [f"{_rtree(table, column)}_{s}" for s in suffixes]


def _feature_layers(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(text("SELECT table_name, column_name FROM gpkg_geometry_columns ORDER BY table_name"))
    return [(str(t), str(c)) for t, c in rows]


def _reset_extent(conn: Connection, table: str, column: str) -> None:
    conn.exec_driver_sql(
        f"UPDATE gpkg_contents SET (min_x, min_y, max_x, max_y) = (SELECT min(ST_MinX({column})), "
        f"min(ST_MinY({column})), max(ST_MaxX({column})), max(ST_MaxY({column})) FROM {table} "
        f"WHERE {_present(column)}) WHERE table_name = '{table}'"
    )


def _check_geopackage(conn: Connection, store: Store) -> list[Problem]:
    problems: list[Problem] = []
    verdict = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    if verdict != ["ok"]:
        problems.append(
            Problem(
                "sqlite_integrity",
                None,
                say("SQLite 完整性检查未通过：", "SQLite integrity check failed: ") + "; ".join(verdict[:5]),
            )
        )
    broken_keys = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken_keys:
        tables = sorted({str(r[0]) for r in broken_keys})
        problems.append(
            Problem(
                "foreign_keys",
                None,
                say(
                    f"{len(broken_keys)} 行引用了不存在的记录（{'、'.join(tables)}）",
                    f"{len(broken_keys)} rows refer to records that do not exist ({', '.join(tables)})",
                ),
            )
        )
    application_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
    if application_id != gpkg.APPLICATION_ID:
        problems.append(
            Problem(
                "application_id",
                None,
                say(
                    "文件头不是 GeoPackage（application_id 不是 GPKG）",
                    "the file header is not a GeoPackage's (application_id is not GPKG)",
                ),
            )
        )
    epsg = store.epsg(conn)
    existing = {str(r[0]) for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    for table, column in _feature_layers(conn):
        problems += _check_layer(conn, table, column, existing, epsg)
    return problems


def _check_layer(conn: Connection, table: str, column: str, existing: set[str], epsg: int | None) -> list[Problem]:
    rtree = _rtree(table, column)
    problems = [
        Problem(
            "trigger_missing",
            table,
            say(
                f"空间索引触发器 {name} 缺失：新增或修改的图形不会进入索引",
                f"spatial index trigger {name} is missing: new or changed geometry will not be indexed",
            ),
        )
        for name in _trigger_names(table, column)
        if name not in existing
    ]
    features = int(conn.execute(text(f"SELECT count(*) FROM {table} WHERE {_present(column)}")).scalar_one())
    if rtree not in existing:
        problems.append(
            Problem("rtree_missing", table, say(f"空间索引表 {rtree} 缺失", f"spatial index table {rtree} is missing"))
        )
        return problems
    indexed = int(conn.execute(text(f"SELECT count(*) FROM {rtree}")).scalar_one())
    if indexed != features:
        problems.append(
            Problem(
                "rtree_count",
                table,
                say(
                    f"空间索引有 {indexed} 条，图层有 {features} 个非空图形",
                    f"the spatial index has {indexed} entries, the layer {features} non-empty geometries",
                ),
            )
        )
    unindexed = conn.execute(
        text(f"SELECT count(*) FROM {table} WHERE {_present(column)} AND id NOT IN (SELECT id FROM {rtree})")
    ).scalar_one()
    if unindexed:
        problems.append(
            Problem(
                "rtree_unindexed",
                table,
                say(f"{unindexed} 个图形不在空间索引中", f"{unindexed} geometries are not in the spatial index"),
            )
        )
    wrong_box = conn.execute(
        text(
            f"SELECT count(*) FROM {table} t JOIN {rtree} r ON r.id = t.id WHERE "
            + " OR ".join(
                f"abs(r.{bound} - ST_{fn}(t.{column})) > {_BOX_SLACK.format(v=f'r.{bound}')}"
                for bound, fn in (("minx", "MinX"), ("maxx", "MaxX"), ("miny", "MinY"), ("maxy", "MaxY"))
            )
        )
    ).scalar_one()
    if wrong_box:
        problems.append(
            Problem(
                "rtree_box",
                table,
                say(
                    f"{wrong_box} 个空间索引框与图形范围不符",
                    f"{wrong_box} spatial index boxes do not match their geometry",
                ),
            )
        )
    problems += _check_contents(conn, table, column, features, epsg)
    return problems


def _check_contents(conn: Connection, table: str, column: str, features: int, epsg: int | None) -> list[Problem]:
    row = conn.execute(
        text("SELECT min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents WHERE table_name = :t"), {"t": table}
    ).first()
    if row is None:
        return [
            Problem("contents_missing", table, say("gpkg_contents 中没有该图层", "the layer is not in gpkg_contents"))
        ]
    problems = []
    srs = conn.execute(
        text("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = :t"), {"t": table}
    ).scalar_one()
    if epsg is not None and table in {t.name for t in schema.GEOMETRY_TABLES} and (srs != epsg or row[4] != epsg):
        problems.append(
            Problem(
                "srs",
                table,
                say(
                    f"图层坐标系为 {srs}/{row[4]}，库的坐标系为 EPSG:{epsg}",
                    f"the layer's CRS is {srs}/{row[4]}, the store's EPSG:{epsg}",
                ),
            )
        )
    if not features:
        return problems
    actual = conn.execute(
        text(
            f"SELECT min(ST_MinX({column})), min(ST_MinY({column})), max(ST_MaxX({column})), "
            f"max(ST_MaxY({column})) FROM {table} WHERE {_present(column)}"
        )
    ).one()
    declared = tuple(row[:4])
    if any(v is None for v in declared):
        problems.append(
            Problem(
                "extent_missing",
                table,
                say("gpkg_contents 未记录图层范围", "gpkg_contents records no extent for the layer"),
            )
        )
        return problems
    x0, y0, x1, y1 = (float(v) for v in declared)
    if actual[0] < x0 or actual[1] < y0 or actual[2] > x1 or actual[3] > y1:
        problems.append(
            Problem(
                "extent",
                table,
                say(
                    f"gpkg_contents 记录的范围（{x0:.1f}, {y0:.1f}, {x1:.1f}, {y1:.1f}）未包含全部图形"
                    f"（{actual[0]:.1f}, {actual[1]:.1f}, {actual[2]:.1f}, {actual[3]:.1f}）",
                    f"the extent in gpkg_contents ({x0:.1f}, {y0:.1f}, {x1:.1f}, {y1:.1f}) does not hold every "
                    f"geometry ({actual[0]:.1f}, {actual[1]:.1f}, {actual[2]:.1f}, {actual[3]:.1f})",
                ),
            )
        )
    return problems


def _check_postgis(conn: Connection, store: Store) -> list[Problem]:
    problems = []
    epsg = store.epsg(conn)
    for table in schema.GEOMETRY_TABLES:
        indexed = conn.execute(
            text(
                "SELECT count(*) FROM pg_indexes WHERE tablename = :t AND indexdef ILIKE '%USING gist%' "
                "AND indexdef ILIKE '%(geom)%'"
            ),
            {"t": table.name},
        ).scalar_one()
        if not indexed:
            problems.append(
                Problem(
                    "gist_missing",
                    table.name,
                    say("图形列没有 GiST 空间索引", "the geometry column has no GiST spatial index"),
                )
            )
        srid = conn.execute(text("SELECT Find_SRID('public', :t, 'geom')"), {"t": table.name}).scalar_one()
        if epsg is not None and srid != epsg:
            problems.append(
                Problem(
                    "srs",
                    table.name,
                    say(
                        f"图形列坐标系为 {srid}，库的坐标系为 EPSG:{epsg}",
                        f"the geometry column's CRS is {srid}, the store's EPSG:{epsg}",
                    ),
                )
            )
    return problems
