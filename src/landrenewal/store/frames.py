"""Reading store tables into pandas frames, with geometry decoded to shapely arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
