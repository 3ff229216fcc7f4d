"""Export of stored records to files, with the derived columns users expect (area in mu and ha)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.units import m2_to_ha, m2_to_mu
from landrenewal.files.writers import write_table
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table

FORMATS = ("gpkg", "shp", "geojson", "xlsx", "csv")


def stored_frame(store: Store, kind: str) -> pd.DataFrame:
    """All records of a kind, canonical columns, plus derived area columns for parcels."""
    table = schema.ENTITY_TABLES[kind]
    with store.engine.connect() as conn:
        frame = read_table(conn, store, table).drop(columns=["id"])
    if kind == "parcels":
        frame["area_mu"] = m2_to_mu(frame["area_m2"].to_numpy(dtype="float64"))
        frame["area_ha"] = m2_to_ha(frame["area_m2"].to_numpy(dtype="float64"))
    return frame


def export(store: Store, kind: str, fmt: str, out: Path) -> tuple[int, list[Path]]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    frame = stored_frame(store, kind)
    return len(frame), write_table(frame, ENTITIES[kind], fmt, out, epsg=store.epsg())
