"""Mapbox Vector Tiles of the parcels: tile arithmetic (mercator), a numpy encoder (mvt), the source (source)."""
