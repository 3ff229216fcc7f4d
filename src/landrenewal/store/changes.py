"""What each import changed, record by record (the ``import_changes`` table): written and read.

The upsert already knows, per row and column, what is new and what differs from the stored row;
from that this module writes one row per inserted or updated record, in the import's transaction:
an update keeps the changed columns only (the old values before, the new after), an insert its
values after. Geometry is not copied: it shows as ``GEOMETRY_MARK`` where there is one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, Date, Double, Integer, Table, func, select

from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import utc_iso

# What a change row holds in place of a geometry (the file and the store keep the geometry itself).
GEOMETRY_MARK = "changed"
_KEY_SEPARATOR = "/"
# Change rows are built and written this many records at a time, so memory holds one slice of text.
_CHUNK_ROWS = 100_000


def _json_values(series: pd.Series, table: Table, name: str) -> npt.NDArray[np.object_]:
    """A column as JSON has it: ISO dates, Python ints and floats, text, None for missing; geometry marked."""
    if name == "geom":
        marks = np.full(len(series), None, dtype=object)
        marks[series.notna().to_numpy()] = GEOMETRY_MARK
        return marks
    type_ = table.c[name].type
    if isinstance(type_, Date):
        dates = pd.to_datetime(series, errors="coerce")
        values = dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), None)
    elif isinstance(type_, Integer):
        whole = pd.to_numeric(series, errors="coerce").astype("Int64")
        values = whole.astype(object).where(whole.notna(), None)
    elif isinstance(type_, Double):
        numbers = pd.to_numeric(series, errors="coerce").astype("float64")
        values = numbers.astype(object).where(numbers.notna(), None)
    else:
        text = series.astype("string")
        values = text.astype(object).where(text.notna(), None)
    return values.to_numpy(dtype=object)


def record_keys(frame: pd.DataFrame, table: Table, key: tuple[str, ...]) -> pd.Series:
    """Each row's natural key as text; a key of several columns joined by "/" (``uscc/year``)."""
    parts = [pd.Series(_json_values(frame[k], table, k), index=frame.index).astype(str) for k in key]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + _KEY_SEPARATOR + part
    return joined


def _dumps(pairs: Mapping[str, Any]) -> str:
    return json.dumps(pairs, ensure_ascii=False)


def _only_changed(
    names: npt.NDArray[np.object_], mask: npt.NDArray[np.bool_], values: npt.NDArray[np.object_]
) -> list[str]:
    return [_dumps(dict(zip(names[m], v[m], strict=True))) for m, v in zip(mask, values, strict=True)]


def log_changes(
    conn: Connection,
    store: Store,
    table: Table,
    import_id: int,
    key: tuple[str, ...],
    inserts: pd.DataFrame,
    updates: pd.DataFrame,
    old: pd.DataFrame,
    differs: Mapping[str, npt.NDArray[np.bool_]],
) -> None:
    """Write the change rows of one import.

    ``inserts`` and ``updates`` hold the new values (columns named as in ``table``); ``old`` the
    stored values of the updated rows (same columns, same order of rows); ``differs`` per value
    column which of the updated rows changed it.
    """
    from landrenewal.store.writes import insert_frame  # writes uses this module

    for start in range(0, len(inserts), _CHUNK_ROWS):
        part = inserts.iloc[start : start + _CHUNK_ROWS]
        values = pd.DataFrame({c: _json_values(part[c], table, c) for c in part.columns}, index=part.index)
        after = values.to_json(orient="records", lines=True, force_ascii=False, double_precision=15)
        rows = pd.DataFrame(
            {
                "import_id": import_id,
                "record_key": record_keys(part, table, key).to_numpy(),
                "change": "insert",
                "before": None,
                "after": after.rstrip("\n").split("\n"),
            }
        )
        insert_frame(conn, store, schema.import_changes, rows)
    names = np.array(list(differs), dtype=object)
    for start in range(0, len(updates), _CHUNK_ROWS):
        new_part = updates.iloc[start : start + _CHUNK_ROWS]
        old_part = old.iloc[start : start + _CHUNK_ROWS]
        mask = np.column_stack([differs[n][start : start + _CHUNK_ROWS] for n in names])
        new_values = np.column_stack([_json_values(new_part[n], table, n) for n in names])
        old_values = np.column_stack([_json_values(old_part[n], table, n) for n in names])
        rows = pd.DataFrame(
            {
                "import_id": import_id,
                "record_key": record_keys(new_part, table, key).to_numpy(),
                "change": "update",
                # One small dict per changed record: only its changed columns.
                "before": _only_changed(names, mask, old_values),
                "after": _only_changed(names, mask, new_values),
            }
        )
        insert_frame(conn, store, schema.import_changes, rows)


def import_row(conn: Connection, import_id: int) -> dict[str, Any] | None:
    """One import: what came in, what it changed, when (UTC, with the zone) and who (from the audit log)."""
    i, log = schema.imports, schema.audit_log
    row = conn.execute(select(i).where(i.c.id == import_id)).first()
    if row is None:
        return None
    by = conn.execute(
        select(log.c.username)
        .where((log.c.action == "import") & (log.c.entity == row.kind) & (log.c.entity_key == str(import_id)))
        .order_by(log.c.id)
    ).scalar()
    return {
        "id": int(row.id),
        "kind": row.kind,
        "file": row.source,
        "sha256": row.sha256,
        "at": utc_iso(row.started_at),
        "by": by,
        "rows_read": row.rows_read,
        "inserted": row.inserted,
        "updated": row.updated,
        "unchanged": row.unchanged,
        "rejected": row.rejected,
    }


def change_rows(conn: Connection, import_id: int, offset: int, limit: int) -> list[dict[str, Any]]:
    """One import's changes in the order they were written; before and after as objects."""
    t = schema.import_changes
    rows = conn.execute(
        select(t.c.record_key, t.c.change, t.c.before, t.c.after)
        .where(t.c.import_id == import_id)
        .order_by(t.c.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        {
            "key": r.record_key,
            "change": r.change,
            "before": None if r.before is None else json.loads(r.before),
            "after": None if r.after is None else json.loads(r.after),
        }
        for r in rows
    ]


def change_count(conn: Connection, import_id: int) -> int:
    t = schema.import_changes
    return int(conn.execute(select(func.count()).select_from(t).where(t.c.import_id == import_id)).scalar_one())
