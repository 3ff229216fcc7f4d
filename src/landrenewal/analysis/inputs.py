"""The inventory an evaluation or identification reads, as frames, and a hash that names it.

The hash covers exactly the columns the domain reads, in key order and with one type per
column whatever the store, so that the same data give the same hash in a GeoPackage and in
PostGIS, and a re-run can tell whether its inputs are still those of the run it repeats.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from landrenewal.domain.evaluation import FIGURES, Inputs
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table

PARCEL_COLUMNS = (
    "parcel_code",
    "division_code",
    "land_use_code",
    "rights_type",
    "area_m2",
    "approved_date",
    "supplied_date",
    "agreed_start_date",
    "actual_start_date",
    "agreed_completion_date",
    "completion_date",
    "production_date",
    "stopped_date",
    "agreed_far",
    "agreed_investment_intensity_wan_per_mu",
    "total_investment_wan",
    "invested_wan",
    "developed_area_m2",
    "land_price_wan",
)
BUILDING_COLUMNS = (
    "building_code",
    "parcel_code",
    "floor_area_m2",
    "footprint_m2",
    "storeys",
    "storeys_over_8m",
    "use_type",
)
ENTERPRISE_COLUMNS = ("uscc", "name", "scale", "industry_code")
OCCUPANCY_COLUMNS = ("uscc", "parcel_code", "start_date", "end_date", "land_share", "tenure")
METRIC_COLUMNS = ("uscc", "year", *FIGURES)


@dataclass(frozen=True)
class Inventory:
    inputs: Inputs
    sha256: str


def read_inventory(conn: Connection, store: Store, years: tuple[int, ...] | None = None) -> Inventory:
    """Parcels, buildings, enterprises, occupancy and the metrics of ``years`` (all years if None)."""
    where = schema.metrics.c.year.in_(years) if years is not None else None
    frames = {
        "parcels": _sorted(read_table(conn, store, schema.parcels, PARCEL_COLUMNS), ["parcel_code"]),
        "buildings": _sorted(read_table(conn, store, schema.buildings, BUILDING_COLUMNS), ["building_code"]),
        "enterprises": _sorted(read_table(conn, store, schema.enterprises, ENTERPRISE_COLUMNS), ["uscc"]),
        "occupancy": _sorted(
            read_table(conn, store, schema.occupancy, OCCUPANCY_COLUMNS), ["uscc", "parcel_code", "start_date"]
        ),
        "metrics": _sorted(read_table(conn, store, schema.metrics, METRIC_COLUMNS, where), ["uscc", "year"]),
    }
    digest = hashlib.sha256()
    for name, frame in frames.items():
        digest.update(name.encode())
        digest.update(frame_digest(frame))
    inputs = Inputs(*(frames[name] for name in ("parcels", "enterprises", "occupancy", "metrics", "buildings")))
    return Inventory(inputs, digest.hexdigest())


def _sorted(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return frame.sort_values(key, ignore_index=True, kind="stable")


def frame_digest(frame: pd.DataFrame) -> bytes:
    """A digest of a frame's values that does not depend on the store's column types."""
    digest = hashlib.sha256()
    for column in frame.columns:
        series = frame[column]
        digest.update(column.encode())
        if pd.api.types.is_datetime64_any_dtype(series):
            values = series.to_numpy(dtype="datetime64[D]").astype("int64")
            digest.update(np.where(series.isna(), np.iinfo(np.int64).min, values).tobytes())
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            digest.update(series.astype("float64").fillna(np.nan).to_numpy().tobytes())
        else:
            digest.update(pd.util.hash_pandas_object(series.astype("string"), index=False).to_numpy().tobytes())
    return digest.digest()
