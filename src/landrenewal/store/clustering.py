"""Contiguity computed inside PostGIS: ``ST_ClusterDBSCAN(geom, eps := gap, minpoints := 1)``.

The same partition as ``domain.zones.clusters`` (a chain of parcels each within the gap of the
next), numbered the same way, so that a shared deployment can cluster where the data lives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection


def postgis_clusters(conn: Connection, codes: Sequence[str] | pd.Series, gap: float) -> npt.NDArray[np.int64]:
    """A cluster number for each parcel code, in the order given: 0, 1, … by each cluster's first
    parcel; -1 for a code without geometry (or not in the store)."""
    if conn.dialect.name != "postgresql":
        raise ValueError("ST_ClusterDBSCAN 需要 PostgreSQL + PostGIS 库 (needs a PostGIS store)")
    if gap < 0:
        raise ValueError(f"gap must not be negative: {gap}")
    codes = pd.Series(codes, dtype="string").reset_index(drop=True)
    lines = pd.Series(np.arange(len(codes)).astype(str), dtype="string") + "\t" + codes.fillna("\\N")
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute("CREATE TEMP TABLE zone_selection (ord integer, parcel_code text) ON COMMIT DROP")
        with cur.copy("COPY zone_selection (ord, parcel_code) FROM STDIN") as copy:
            copy.write(lines.str.cat(sep="\n").encode() + b"\n" if len(codes) else b"")
        cur.execute(
            "SELECT s.ord, ST_ClusterDBSCAN(p.geom, eps := %s, minpoints := 1) OVER () "
            "FROM zone_selection s JOIN parcels p USING (parcel_code) "
            "WHERE p.geom IS NOT NULL AND NOT ST_IsEmpty(p.geom)",
            (float(gap),),
        )
        found = np.asarray(cur.fetchall(), dtype=np.int64).reshape(-1, 2)
        cur.execute("DROP TABLE zone_selection")
    labels = np.full(len(codes), -1, dtype=np.int64)
    if not len(found):
        return labels
    position, cluster = found[:, 0], found[:, 1]
    # Renumber by each cluster's first position, as the in-process clustering numbers them.
    first = np.full(cluster.max() + 1, len(codes), dtype=np.int64)
    np.minimum.at(first, cluster, position)
    used = np.flatnonzero(first < len(codes))
    number = np.full(len(first), -1, dtype=np.int64)
    number[used[np.argsort(first[used])]] = np.arange(len(used))
    labels[position] = number[cluster]
    return labels
