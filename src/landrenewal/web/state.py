"""The app's state shared by every request: settings, the store, the city view, the tile sources
and the sessions already looked up."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from landrenewal import accounts
from landrenewal.store.engine import Store
from landrenewal.tiles.source import ParcelTiles
from landrenewal.web.city import CityView, LiveView
from landrenewal.web.map_tiles import tile_source, zone_source
from landrenewal.web.memory import give_back
from landrenewal.web.run_tables import RunTables
from landrenewal.web.settings import Settings


class SessionCache:
    """Sessions already looked up, kept for a few seconds: a map view asks for dozens of tiles at once,
    and each would otherwise take a store connection just to check its cookie. Logging out and any
    change to users through the app drop entries at once; a change made elsewhere (the CLI) shows
    within ``ttl_s``."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._kept: dict[str, tuple[float, accounts.Session]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> accounts.Session | None:
        with self._lock:
            found = self._kept.get(token)
        if found is None or time.monotonic() - found[0] > self.ttl_s:
            return None
        return found[1]

    def put(self, found: accounts.Session) -> None:
        with self._lock:
            if len(self._kept) > 10_000:  # stale entries of sessions nobody uses any more
                self._kept.clear()
            self._kept[found.token] = (time.monotonic(), found)

    def drop(self, token: str | None = None) -> None:
        """Forget one session, or all of them."""
        with self._lock:
            if token is None:
                self._kept.clear()
            else:
                self._kept.pop(token, None)


@dataclass
class AppState:
    settings: Settings
    store: Store
    live: LiveView
    run_tables: RunTables
    sessions: SessionCache
    _tiles: tuple[tuple[object, ...], ParcelTiles] | None = field(default=None)
    _tiles_lock: threading.Lock = field(default_factory=threading.Lock)
    _seeding: threading.Event = field(default_factory=threading.Event)
    _zone_tiles: tuple[tuple[object, ...], ParcelTiles] | None = field(default=None)
    # Set once the current tile source exists and its low zooms are rendered.
    tiles_ready: threading.Event = field(default_factory=threading.Event)

    def view(self) -> CityView:
        return self.live.get()

    def tiles_if_current(self) -> ParcelTiles | None:
        """The parcel tiles when neither a check of the store nor a rebuild is due; else None."""
        view, current = self.live.current(), self._tiles
        if view is None or current is None or current[0] != view.fingerprint:
            return None
        return current[1]

    def tiles(self) -> ParcelTiles:
        """The parcel tiles of the current view, made anew when the view is."""
        view = self.view()
        current = self._tiles
        if current is not None and current[0] == view.fingerprint:
            return current[1]
        with self._tiles_lock:
            if self._tiles is None or self._tiles[0] != view.fingerprint:
                self._seeding.set()  # the old source's seeding, if still running, has no more use
                self._tiles = (view.fingerprint, tile_source(view, self.settings.tile_cache))
                self._seeding = self._seed(self._tiles[1])
            return self._tiles[1]

    def zone_tiles(self) -> ParcelTiles:
        """The outlines of the latest zone run as vector tiles (a GeoJSON of them is tens of MB at
        10⁶ parcels, more than a browser should parse to draw a layer it may not even show)."""
        view = self.view()
        key = (view.zone_run.id if view.zone_run else None, view.zone_run.created_at if view.zone_run else None)
        current = self._zone_tiles
        if current is not None and current[0] == key:
            return current[1]
        with self._tiles_lock:
            if self._zone_tiles is None or self._zone_tiles[0] != key:
                zones = self.run_tables.zones(view.zone_run.id) if view.zone_run else None
                self._zone_tiles = (key, zone_source(zones, view.epsg, self.settings.tile_cache))
            return self._zone_tiles[1]

    def _seed(self, source: ParcelTiles) -> threading.Event:
        """Render the low zooms of a new tile source in the background; the event stops it."""
        stop = threading.Event()
        self.tiles_ready.clear()

        def seed() -> None:
            if self.settings.tile_seed_zoom >= 0:
                source.seed(self.settings.tile_seed_zoom, self.settings.tile_seed_mib * 1024 * 1024, stop)
                give_back()  # what cutting the tiles used on the way
            if not stop.is_set():
                self.tiles_ready.set()

        threading.Thread(target=seed, name="tile-seed", daemon=True).start()
        return stop
