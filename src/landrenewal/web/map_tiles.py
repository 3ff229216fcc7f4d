"""The map's vector tile sources built from the city view: parcels coloured by class and finding,
and the latest zone run's outlines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landrenewal.tiles.mercator import to_mercator
from landrenewal.tiles.source import ParcelTiles
from landrenewal.web.city import CityView

# From this zoom a parcel tile carries every property (code, area, zone …); below it only what colours the map.
DETAIL_ZOOM = 13
COARSE_PROPERTIES = ("cls", "cat", "town")  # what a parcel tile carries below DETAIL_ZOOM: its colours


def tile_source(view: CityView, cache: int) -> ParcelTiles:
    p = view.parcels
    properties = {
        "code": p["parcel_code"],
        "cls": p["class"],
        "cat": p["category"],
        "cats": p["categories"],
        "town": p["town_code"].fillna(""),
        "mu": p["area_mu"],
        "zone": p["zone_no"],
    }
    return ParcelTiles(
        view.mercator,
        p["id"].to_numpy(dtype="uint64"),
        pd.DataFrame(properties),
        cache_size=cache,
        detail_from=DETAIL_ZOOM,
        coarse=COARSE_PROPERTIES,
    )


ZONE_PROPERTIES = ("zone_no", "area_mu", "parcel_count", "verdict", "town_name", "contiguous_candidate", "scattered")


def zone_source(zones: pd.DataFrame | None, epsg: int | None, cache: int) -> ParcelTiles:
    """Zone outlines as tiles, a zone's number its feature id (none: a source of empty tiles)."""
    if zones is None or epsg is None or not len(zones):
        return ParcelTiles(np.empty(0, dtype=object), np.empty(0, dtype=np.uint64), layer="zones")
    shapes = to_mercator(zones["geom"].to_numpy(dtype=object), epsg)
    properties = zones[list(ZONE_PROPERTIES)].reset_index(drop=True)
    ids = zones["zone_no"].to_numpy(dtype="uint64")
    return ParcelTiles(shapes, ids, properties, layer="zones", cache_size=cache)
