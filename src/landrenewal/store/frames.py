"""Reading store tables into pandas frames, with geometry decoded to shapely arrays."""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, Table, func, select
from sqlalchemy.sql.elements import ColumnElement

from landrenewal.store import geometry
from landrenewal.store.engine import Store


def read_table(
    conn: Connection,
    store: Store,
    table: Table,
    columns: Sequence[str] | None = None,
    where: ColumnElement[bool] | None = None,
    *,
    geometry_as_wkb: bool = False,
) -> pd.DataFrame:
    """A table (or some of its columns) as a frame; a geometry column comes back as shapely objects,
    or as little-endian 2D WKB bytes with ``geometry_as_wkb`` (cheap to compare, no GEOS objects)."""
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    selected: list[ColumnElement[Any]] = []
    for name in names:
        col = table.c[name]
        if name == "geom" and store.is_postgis:
            selected.append(func.ST_AsBinary(col, "NDR").label(name))
        else:
            selected.append(col)
    query = select(*selected)
    if where is not None:
        query = query.where(where)
    result = conn.execute(query)
    frame = pd.DataFrame([tuple(row) for row in result], columns=names)  # plain tuples: pandas is slow on Rows
    for name in names:
        if isinstance(table.c[name].type, Date):  # one date type everywhere: datetime64
            frame[name] = pd.to_datetime(frame[name])
    if "geom" in frame.columns:
        raw = frame["geom"].to_numpy(dtype=object)
        if geometry_as_wkb:
            frame["geom"] = raw if store.is_postgis else [None if b is None else geometry.gpkg_wkb(b) for b in raw]
        else:
            frame["geom"] = geometry.from_wkb(raw) if store.is_postgis else geometry.from_gpkg(raw)
    return frame


def read_rows(
    conn: Connection,
    store: Store,
    table: Table,
    columns: Sequence[str] | None = None,
    where: ColumnElement[bool] | None = None,
    order_by: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """A handful of rows (one parcel's, one enterprise's) as JSON-ready dicts: dates as ISO text,
    no geometry. A frame costs a millisecond or more to build, many times the indexed query."""
    names = [n for n in (columns if columns is not None else [c.name for c in table.columns]) if n != "geom"]
    query = select(*(table.c[n] for n in names))
    if where is not None:
        query = query.where(where)
    if order_by:
        query = query.order_by(*(table.c[n] for n in order_by))
    return [{n: plain(v) for n, v in zip(names, row, strict=True)} for row in conn.execute(query)]


def utc_iso(moment: datetime.datetime) -> str:
    """A stored time as ISO text with its zone, in UTC (SQLite gives back the UTC time it was given,
    without the zone; PostgreSQL an aware time in the session's zone)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    return aware.astimezone(datetime.UTC).isoformat()


def plain(value: Any) -> Any:
    """A value from the store (or a frame) as JSON has it: dates and times as ISO text, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


# A list of keys is looked up this many at a time (under SQLite's and PostgreSQL's limits of bound
# parameters); from WHOLE_TABLE_FROM keys on, one scan of the table filtered here is quicker.
KEYS_PER_QUERY = 900
WHOLE_TABLE_FROM = 20_000


def read_rows_in(
    conn: Connection,
    store: Store,
    table: Table,
    columns: Sequence[str] | None,
    column: str,
    values: Sequence[Any],
    *,
    geometry_as_wkb: bool = False,
) -> pd.DataFrame:
    """The rows whose ``column`` is one of ``values``, for any number of values."""
    keys = list(dict.fromkeys(v for v in values if v is not None))
    if len(keys) >= WHOLE_TABLE_FROM:
        frame = read_table(conn, store, table, columns, geometry_as_wkb=geometry_as_wkb)
        return frame[frame[column].isin(keys)].reset_index(drop=True)
    parts = [
        read_table(
            conn,
            store,
            table,
            columns,
            table.c[column].in_(keys[i : i + KEYS_PER_QUERY]),
            geometry_as_wkb=geometry_as_wkb,
        )
        for i in range(0, len(keys), KEYS_PER_QUERY)
    ]
    if not parts:
        return read_table(conn, store, table, columns, table.c[column].in_([]), geometry_as_wkb=geometry_as_wkb)
    return pd.concat(parts, ignore_index=True)
