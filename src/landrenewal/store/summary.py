"""What a store holds, in a few numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from landrenewal.domain.units import m2_to_ha, m2_to_mu
from landrenewal.store import schema
from landrenewal.store.engine import Store


def summarize(store: Store) -> dict[str, Any]:
    with store.engine.connect() as conn:
        counts = {
            kind: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for kind, table in schema.ENTITY_TABLES.items()
        }
        area = conn.execute(select(func.coalesce(func.sum(schema.parcels.c.area_m2), 0.0))).scalar_one()
        epsg = store.epsg(conn)
    return {
        "location": store.location,
        "epsg": epsg,
        "counts": counts,
        "parcel_area_m2": float(area),
        "parcel_area_mu": float(m2_to_mu(float(area))),
        "parcel_area_ha": float(m2_to_ha(float(area))),
    }
