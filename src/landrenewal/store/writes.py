"""Writing validated frames into the store: upsert on natural keys, in the caller's transaction.

Only the columns a frame carries are compared and written, so a file that lacks a column
leaves the stored values of that column alone. Rows whose values are all equal to the
stored ones are not touched: importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, Date, Double, Integer, Table

from landrenewal.store import geometry, gpkg
from landrenewal.store.changes import log_changes
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_rows_in, read_table


@dataclass(frozen=True)
class Changes:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated


def _normalized(series: pd.Series, table: Table, name: str) -> pd.Series:
    """Values in one comparable form per column type, whatever the store or file gave."""
    type_ = table.c[name].type
    if isinstance(type_, Date):
        return pd.to_datetime(series, errors="coerce")
    if isinstance(type_, Double | Integer):
        return pd.to_numeric(series, errors="coerce").astype("float64")
    return series.astype("string")


def _geometries(series: pd.Series) -> np.ndarray:
    """Shapely objects with None where a merge left NaN."""
    return series.astype(object).where(series.notna(), None).to_numpy(dtype=object)


def _equal(new: pd.Series, old: pd.Series) -> np.ndarray:
    both_missing = new.isna().to_numpy() & old.isna().to_numpy()
    same = (new == old).fillna(False).to_numpy(dtype=bool)
    return both_missing | same


def _python_values(series: pd.Series, table: Table, name: str, store: Store) -> list[object]:
    """Column values as the database driver wants them: None for missing, ISO dates for SQLite."""
    type_ = table.c[name].type
    if isinstance(type_, Date):
        dates = pd.to_datetime(series, errors="coerce")
        if store.is_postgis:
            return dates.dt.date.astype(object).where(dates.notna(), None).tolist()
        return dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), None).tolist()
    if isinstance(type_, Integer):
        whole = pd.to_numeric(series, errors="coerce").astype("Int64").astype(object)  # Python ints
        return whole.where(whole.notna(), None).tolist()
    if isinstance(type_, Double):
        numbers = pd.to_numeric(series, errors="coerce").astype("float64")
        return numbers.astype(object).where(numbers.notna(), None).tolist()
    return series.astype(object).where(series.notna(), None).tolist()


def encoded_geometry(geoms: np.ndarray, store: Store, epsg: int) -> list[bytes | None]:
    return geometry.to_ewkb(geoms, epsg) if store.is_postgis else geometry.to_gpkg(geoms, epsg)


def upsert(
    conn: Connection,
    store: Store,
    table: Table,
    frame: pd.DataFrame,
    key: tuple[str, ...],
    *,
    dry_run: bool = False,
    log_to: int | None = None,
) -> Changes:
    """Insert new rows and update changed ones of ``table`` from ``frame`` (canonical columns).

    A ``geom`` column, if present, holds shapely geometries in the store's CRS. A dry run
    counts what would change and writes nothing (it needs only a reading connection). With
    ``log_to`` (an import's id) each inserted and updated record gets its row in import_changes.
    """
    if frame.empty:
        return Changes()
    columns = [c for c in frame.columns if c in table.c and c != "id"]
    value_columns = [c for c in columns if c not in key]
    existing = _existing(conn, store, table, columns, frame, key)
    merged = frame[columns].merge(existing, on=list(key), how="left", suffixes=("", "__old"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    same = np.ones(len(merged), dtype=bool)
    differs: dict[str, np.ndarray] = {}
    for name in value_columns:
        if name == "geom":
            # Stored geometry comes back as WKB; the same bytes mean the same coordinates in the same order.
            new_wkb = pd.Series(shapely.to_wkb(_geometries(merged["geom"]), byte_order=1, output_dimension=2))
            equal = _equal(new_wkb, merged["geom__old"].reset_index(drop=True))
        else:
            equal = _equal(_normalized(merged[name], table, name), _normalized(merged[f"{name}__old"], table, name))
        same &= equal
        differs[name] = ~equal
    is_changed = ~is_new & ~same
    changes = Changes(int(is_new.sum()), int(is_changed.sum()), int((~is_new & same).sum()))
    if dry_run:
        return changes
    epsg = store.epsg(conn)
    if "geom" in columns and epsg is None:
        raise ValueError("the store has no CRS yet; set it before writing geometry")

    inserts = frame[columns][is_new]
    updates = frame[columns][is_changed]
    if len(inserts):
        insert_frame(conn, store, table, inserts, epsg)
    if len(updates):
        _update(conn, store, table, updates, key, value_columns, epsg)
    if log_to is not None:
        old = merged.loc[is_changed, value_columns + [f"{c}__old" for c in value_columns]]
        old = old.drop(columns=value_columns).rename(columns=lambda c: c.removesuffix("__old"))
        changed = {name: mask[is_changed] for name, mask in differs.items()}
        log_changes(conn, store, table, log_to, key, inserts, updates, old, changed)
    if not store.is_postgis and (len(inserts) or len(updates)):
        bounds = None
        if "geom" in columns:
            changed_geoms = pd.concat([inserts["geom"], updates["geom"]]).to_numpy(dtype=object)
            box = shapely.total_bounds(changed_geoms)
            bounds = None if np.isnan(box).any() else (box[0], box[1], box[2], box[3])
        gpkg.touch(conn, table.name, bounds)
    return changes


def _existing(
    conn: Connection, store: Store, table: Table, columns: list[str], frame: pd.DataFrame, key: tuple[str, ...]
) -> pd.DataFrame:
    """The stored rows an incoming frame may match: by key for a one-column key, else the whole table."""
    if len(key) != 1:
        return read_table(conn, store, table, columns, geometry_as_wkb=True)
    keys = frame[key[0]].dropna().unique().tolist()
    return read_rows_in(conn, store, table, columns, key[0], keys, geometry_as_wkb=True)


def _column_values(
    frame: pd.DataFrame, names: list[str], store: Store, table: Table, epsg: int | None
) -> list[list[object]]:
    values: list[list[object]] = []
    for name in names:
        if name == "geom":
            assert epsg is not None
            values.append(list(encoded_geometry(frame["geom"].to_numpy(dtype=object), store, epsg)))
        else:
            values.append(_python_values(frame[name], table, name, store))
    return values


# Rows are converted for the driver a slice at a time, so memory holds one slice of Python objects.
_CHUNK_ROWS = 100_000


def _chunks(
    frame: pd.DataFrame, names: list[str], store: Store, table: Table, epsg: int | None
) -> Iterator[tuple[pd.DataFrame, list[tuple[object, ...]]]]:
    for start in range(0, len(frame), _CHUNK_ROWS):
        part = frame.iloc[start : start + _CHUNK_ROWS]
        yield part, list(zip(*_column_values(part, names, store, table, epsg), strict=True))


def insert_frame(conn: Connection, store: Store, table: Table, frame: pd.DataFrame, epsg: int | None = None) -> None:
    """Insert every row of ``frame`` (columns named as in ``table``): binary COPY in PostgreSQL."""
    names = list(frame.columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    if store.is_postgis:
        types = [_pg_type(table, n) for n in names]
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(types)
            for _, rows in _chunks(frame, names, store, table, epsg):
                for row in rows:
                    copy.write_row(row)
    elif "geom" in names:
        with gpkg.rtree_trigger_paused(raw, table.name):
            for part, rows in _chunks(frame, names, store, table, epsg):
                bounds = shapely.bounds(part["geom"].to_numpy(dtype=object))
                gpkg.insert_indexed(raw, table.name, names, rows, bounds)
    else:
        marks = ", ".join("?" for _ in names)
        for _, rows in _chunks(frame, names, store, table, epsg):
            raw.executemany(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", rows)


def _pg_type(table: Table, name: str) -> str:
    if name == "geom":
        return "bytea"  # geometry_recv reads EWKB sent as raw bytes
    type_ = table.c[name].type
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, Integer):
        return "int4"
    if isinstance(type_, Double):
        return "float8"
    return "text"


def _update(
    conn: Connection,
    store: Store,
    table: Table,
    frame: pd.DataFrame,
    key: tuple[str, ...],
    value_columns: list[str],
    epsg: int | None,
) -> None:
    names = value_columns + list(key)
    mark = "%s" if store.is_postgis else "?"
    sets = ", ".join(
        f"{c} = ST_GeomFromEWKB({mark})" if c == "geom" and store.is_postgis else f"{c} = {mark}" for c in value_columns
    )
    where = " AND ".join(f"{c} = {mark}" for c in key)
    raw = conn.connection.driver_connection
    assert raw is not None
    sql = f"UPDATE {table.name} SET {sets} WHERE {where}"
    for _, rows in _chunks(frame[names], names, store, table, epsg):
        if store.is_postgis:
            with raw.cursor() as cur:
                cur.executemany(sql, rows)
        else:
            raw.executemany(sql, rows)
