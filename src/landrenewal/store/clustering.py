"""Contiguity clusters computed inside PostGIS: the partition of ``domain.zones.clusters``.

``ST_ClusterDBSCAN(geom, eps := gap, minpoints := 1)`` joins two parcels when their distance is
at most ``gap`` (chains included), the same rule as ``shapely.dwithin`` in ``clusters``. Its
cluster ids follow the server's own order, so they are renumbered here the way ``clusters``
numbers them: 0, 1, … by each cluster's first position in the caller's order.

The selected codes travel to the server in one binary COPY into a temporary table with their
position, and the answer comes back as one binary COPY of (position, cluster id) pairs; both
ends are packed and unpacked with numpy, so no Python work is done per parcel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection

from landrenewal.domain.language import say
from landrenewal.store.engine import StoreError

# Binary COPY framing (PostgreSQL manual, "COPY", binary format): signature, flags, header
# extension length, then tuples, then a -1 field count.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"
# A tuple going in: 2 fields, the int4 position, then the code's length (its UTF-8 bytes follow).
_ROW_IN = np.dtype([("fields", ">i2"), ("ord_len", ">i4"), ("ord", ">i4"), ("code_len", ">i4")])
# A tuple coming back: 2 fields, both int4 and never NULL.
_ROW_OUT = np.dtype([("fields", ">i2"), ("ord_len", ">i4"), ("ord", ">i4"), ("cid_len", ">i4"), ("cid", ">i4")])

_SELECTION = "lr_cluster_selection"


def postgis_clusters(conn: Connection, codes: Sequence[str] | pd.Series | None, gap: float) -> npt.NDArray[np.int64]:
    """A cluster number for each code, as ``domain.zones.clusters`` gives for their geometries.

    ``codes`` selects parcels by ``parcel_code`` and fixes the order; ``None`` means every parcel,
    ordered by ``parcel_code`` (code point order, as Python sorts strings). -1 for a code that is
    missing, unknown, or whose parcel has no geometry or an empty one.
    """
    if conn.dialect.name != "postgresql":
        raise StoreError(
            say(
                f"库不是 PostGIS（而是 {conn.dialect.name}），不能在库内聚类；请改用 landrenewal.domain.zones.clusters",
                f"postgis_clusters needs a PostGIS store, not {conn.dialect.name}; "
                "use landrenewal.domain.zones.clusters on the geometries instead",
            )
        )
    if not math.isfinite(gap) or gap < 0:
        raise ValueError(f"gap must be a finite, non-negative distance: {gap}")
    # COPY takes no bind parameters; a float's repr is a valid SQL numeric literal.
    eps = repr(float(gap))
    # An empty geometry would be a cluster of its own in ST_ClusterDBSCAN; clusters() gives it -1.
    if codes is None:
        # One statement, so that the parcels numbered are the parcels clustered. A parcel without
        # usable geometry clusters as NULL and comes back as -1.
        query = (
            '(SELECT (row_number() OVER (ORDER BY parcel_code COLLATE "C") - 1)::int4, cid FROM '
            "(SELECT parcel_code, coalesce(ST_ClusterDBSCAN(CASE WHEN NOT ST_IsEmpty(geom) THEN geom END, "
            f"eps := {eps}, minpoints := 1) OVER (), -1) AS cid FROM parcels) c)"
        )
        rows = _copy_out(conn, query)
        return _numbered(rows, len(rows))
    positions, text = _known_codes(codes)
    # Dropped first too: a call that failed in an autocommit session leaves its table behind.
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{_SELECTION}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {_SELECTION} (ord int4 NOT NULL, code text NOT NULL)")
    _copy_in(conn, positions, text)
    conn.exec_driver_sql(f"ANALYZE {_SELECTION}")  # its size and codes, for the join's plan
    query = (
        f"(SELECT s.ord, ST_ClusterDBSCAN(p.geom, eps := {eps}, minpoints := 1) OVER () "
        f"FROM {_SELECTION} s JOIN parcels p ON p.parcel_code = s.code "
        "WHERE p.geom IS NOT NULL AND NOT ST_IsEmpty(p.geom))"
    )
    rows = _copy_out(conn, query)
    conn.exec_driver_sql(f"DROP TABLE {_SELECTION}")
    return _numbered(rows, len(codes))


def _known_codes(codes: Sequence[str] | pd.Series) -> tuple[npt.NDArray[np.int32], pa.LargeStringArray]:
    """The positions of the codes that are present, and those codes as one Arrow string array."""
    text = pa.array(codes, type=pa.large_string(), from_pandas=True)  # None, NaN and pd.NA are nulls
    if isinstance(text, pa.ChunkedArray):  # a Series backed by Arrow chunks
        text = text.combine_chunks()
    present = np.flatnonzero(text.is_valid().to_numpy(zero_copy_only=False)).astype(np.int32)
    return present, text.drop_null()


def _copy_in(conn: Connection, positions: npt.NDArray[np.int32], text: pa.LargeStringArray) -> None:
    """Send (position, code) rows in the binary COPY format, packed as one buffer with numpy."""
    n = len(positions)
    _, offset_buffer, data_buffer = text.buffers()
    # Arrow leaves out the buffers of an empty array, and the data of one that holds only "".
    offsets = (
        np.frombuffer(offset_buffer, dtype=np.int64)[text.offset : text.offset + n + 1] if n else np.zeros(1, np.int64)
    )
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, dtype=np.uint8)
    lengths = np.diff(offsets)
    heads = np.zeros(n, dtype=_ROW_IN)
    heads["fields"], heads["ord_len"], heads["ord"], heads["code_len"] = 2, 4, positions, lengths
    size = _ROW_IN.itemsize
    starts = np.arange(n, dtype=np.int64) * size + (offsets[:-1] - offsets[0])
    out = np.empty(n * size + int(lengths.sum()), dtype=np.uint8)
    out[starts[:, None] + np.arange(size)] = heads.view(np.uint8).reshape(n, size)
    # Each code's bytes land right after its head: byte k of the codes goes to k + its row's shift.
    shift = np.repeat(starts + size - (offsets[:-1] - offsets[0]), lengths)
    out[shift + np.arange(len(shift))] = data[offsets[0] : offsets[-1]]
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {_SELECTION} (ord, code) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_SIGNATURE + out.tobytes() + _TRAILER)


def _copy_out(conn: Connection, query: str) -> npt.NDArray[np.void]:
    """The (position, cluster id) rows of ``query``, read as one binary COPY."""
    # The planner prices ST_ClusterDBSCAN so high that PostgreSQL would compile the query (in each
    # parallel worker too): most of a second on 3·10⁵ parcels, for nothing. Off for this statement
    # (set for the transaction, so put back afterwards; a rollback puts it back on its own).
    jit = conn.exec_driver_sql("SHOW jit").scalar_one()
    conn.exec_driver_sql("SELECT set_config('jit', 'off', true)")
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {query} TO STDOUT (FORMAT BINARY)") as copy:
        payload = b"".join(bytes(block) for block in copy)
    conn.exec_driver_sql("SELECT set_config('jit', %(jit)s, true)", {"jit": jit})
    if not payload.startswith(_SIGNATURE) or not payload.endswith(_TRAILER):
        raise StoreError("PostgreSQL sent an unexpected binary COPY header")
    body = payload[len(_SIGNATURE) : -len(_TRAILER)]
    if len(body) % _ROW_OUT.itemsize:
        raise StoreError("PostgreSQL sent binary COPY rows of an unexpected size")
    rows = np.frombuffer(body, dtype=_ROW_OUT)
    if not ((rows["fields"] == 2) & (rows["ord_len"] == 4) & (rows["cid_len"] == 4)).all():
        raise StoreError("PostgreSQL sent binary COPY rows of an unexpected shape")
    return rows


def _numbered(rows: npt.NDArray[np.void], count: int) -> npt.NDArray[np.int64]:
    """Labels by position (-1 where no cluster came back), clusters renumbered 0, 1, … in the order
    of their first position."""
    labels = np.full(count, -1, dtype=np.int64)
    rows = rows[rows["cid"] >= 0]
    rows = rows[np.argsort(rows["ord"], kind="stable")]
    # np.unique's first index of each id, in position order, is the cluster's first position.
    ids, first, inverse = np.unique(rows["cid"], return_index=True, return_inverse=True)
    number = np.empty(len(ids), dtype=np.int64)
    number[np.argsort(first)] = np.arange(len(ids))
    labels[rows["ord"]] = number[inverse]
    return labels
