"""Opening a store: a GeoPackage file path or a PostgreSQL URL, migrated to the current schema."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, exc, select, text

from landrenewal.domain.language import say
from landrenewal.store import gpkg, schema

MIGRATIONS = Path(__file__).parent / "migrations"
CRS_KEY = "crs_epsg"
# How long a writer waits for another writer to finish before it gives up (seconds).
BUSY_TIMEOUT_S = float(os.environ.get("LANDRENEWAL_BUSY_TIMEOUT", "60"))
# The execution option that makes SQLite take the write lock when the transaction begins.
_WRITE_OPTION = "landrenewal_write"


class StoreError(Exception):
    """A store that cannot be opened or used as asked."""


class StoreBusy(StoreError):
    """Another process held the store's write lock for longer than the busy timeout."""


@dataclass(frozen=True)
class Store:
    engine: Engine
    location: str
    _writer: Engine = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_writer", self.engine.execution_options(**{_WRITE_OPTION: True}))

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One writing transaction: everything in it, DDL included, commits together or not at all.

        On SQLite the write lock is taken first (BEGIN IMMEDIATE), so a second writer waits for
        the first instead of failing half way, and never sees the file between two statements.
        """
        conn = self._writer.connect()
        try:
            try:
                transaction = conn.begin()
            except exc.OperationalError as error:
                if _is_locked(error):
                    raise StoreBusy(
                        say(
                            f"{self.location}：库正被另一个写入占用，"
                            f"等待 {BUSY_TIMEOUT_S:.0f} 秒后仍未释放，请稍后再试",
                            f"{self.location}: the store is busy with another writer, still after "
                            f"{BUSY_TIMEOUT_S:.0f} s; try again shortly",
                        )
                    ) from error
                raise
            with transaction:
                yield conn
        finally:
            conn.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgis(self) -> bool:
        return self.dialect == "postgresql"

    def epsg(self, conn: Connection | None = None) -> int | None:
        """The projected CRS all geometry is stored in, or None while not yet configured."""
        query = select(schema.settings.c.value).where(schema.settings.c.key == CRS_KEY)
        if conn is None:
            with self.engine.connect() as c:
                value = c.execute(query).scalar()
        else:
            value = conn.execute(query).scalar()
        return int(value) if value is not None else None

    def set_epsg(self, conn: Connection, epsg: int) -> None:
        """Fix the store's CRS. Allowed once, or again only while no geometry is stored."""
        current = self.epsg(conn)
        if current == epsg:
            return
        if current is not None and _any_geometry(conn):
            raise StoreError(
                say(
                    f"库中已有 EPSG:{current} 的图形，不能改为 EPSG:{epsg}",
                    f"the store already holds geometry in EPSG:{current}; it cannot change to EPSG:{epsg}",
                )
            )
        if self.is_postgis:
            for table in schema.GEOMETRY_TABLES:
                conn.exec_driver_sql(
                    f"ALTER TABLE {table.name} ALTER COLUMN geom "
                    f"TYPE geometry(MultiPolygon, {epsg}) USING ST_SetSRID(geom, {epsg})"
                )
        else:
            gpkg.set_srs(conn, epsg)
        conn.execute(schema.settings.delete().where(schema.settings.c.key == CRS_KEY))
        conn.execute(schema.settings.insert().values(key=CRS_KEY, value=str(epsg)))

    def dispose(self) -> None:
        self.engine.dispose()


def _any_geometry(conn: Connection) -> bool:
    return any(
        conn.execute(text(f"SELECT 1 FROM {t.name} WHERE geom IS NOT NULL LIMIT 1")).first()
        for t in schema.GEOMETRY_TABLES
    )


def is_url(location: str | Path) -> bool:
    return str(location).startswith(("postgresql:", "postgresql+psycopg:", "postgres:"))


def _is_locked(error: exc.OperationalError) -> bool:
    return "locked" in str(error.orig) or "busy" in str(error.orig)


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Python's sqlite3 would open transactions itself, and only before DML: a DROP TRIGGER issued
        # first would commit at once. We begin every transaction ourselves (below) instead.
        dbapi_connection.isolation_level = None
        gpkg.register_functions(dbapi_connection)
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        dbapi_connection.execute("PRAGMA cache_size = -262144")  # 256 MiB

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "BEGIN")

    return engine


def _postgres_engine(url: str) -> Engine:
    url = url.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)
    return create_engine(url, pool_pre_ping=True)


def open_store(location: str | Path, *, create: bool = True) -> Store:
    """Open (and create or migrate) the store at a GeoPackage path or a PostgreSQL URL."""
    if is_url(location):
        engine = _postgres_engine(str(location))
    else:
        path = Path(location)
        if not path.exists() and not create:
            raise StoreError(
                say(
                    f"{path}：库文件不存在，可用导入或 `demo build` 新建",
                    f"{path}: no such store; create it with an import or `demo build`",
                )
            )
        if path.exists() and path.is_dir():
            raise StoreError(say(f"{path}：是目录，不是库文件", f"{path}: a directory, not a store file"))
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = _sqlite_engine(path)
    store = Store(engine, str(location))
    migrate(store)
    return store


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(store: Store, revision: str = "head") -> None:
    """Bring the schema to ``revision``; an up-to-date store is only read (no write lock taken)."""
    with store.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
        wanted = ScriptDirectory.from_config(alembic_config(conn)).get_revisions(revision)
        if {r.revision for r in wanted} == set(current):
            return
    with store.write() as conn:
        command.upgrade(alembic_config(conn), revision)
