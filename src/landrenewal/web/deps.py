"""What every request needs: the app's state, the logged-in user, CSRF, and JSON errors with a reason."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
import pandas as pd
from annotated_types import Ge, Le
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BeforeValidator

from landrenewal import accounts
from landrenewal.domain.access import User
from landrenewal.domain.language import say
from landrenewal.store.engine import Store
from landrenewal.tiles.mercator import to_mercator
from landrenewal.tiles.source import ParcelTiles
from landrenewal.web.city import CityView, LiveView
from landrenewal.web.memory import give_back
from landrenewal.web.run_tables import RunTables
from landrenewal.web.settings import Settings

SESSION_COOKIE = "lr_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# From this zoom a parcel tile carries every property (code, area, zone …); below it only what colours the map.
DETAIL_ZOOM = 13
COARSE_PROPERTIES = ("cls", "cat", "town")  # what a parcel tile carries below DETAIL_ZOOM: its colours
# Every whole number a request brings (ids, pages, years, tile numbers) fits the stores' 64-bit
# integers: a bigger one would overflow in SQLite, psycopg or numpy, and is answered 422 up front.
MAX_INT = 2**63 - 1
Int = Annotated[int, Ge(-MAX_INT - 1), Le(MAX_INT)]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(raw: object) -> object:
    # pydantic would also take a number as seconds since 1970 (until=0 → 1970-01-01): a day a user
    # never meant. A day comes as the document says, YYYY-MM-DD.
    if isinstance(raw, str) and not _ISO_DAY.match(raw):
        raise ValueError(say("应为日期，格式 YYYY-MM-DD", "must be a day, YYYY-MM-DD"))
    return raw


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


def whole_number(name: str, raw: object) -> int:
    """A whole number from a raw query value, in the stores' range; ValueError naming ``name`` otherwise."""
    try:
        value = int(str(raw))
    except ValueError:
        raise ValueError(
            say(f"{name}：应为整数，而不是 {raw!r}", f"{name}: must be a whole number, not {raw!r}")
        ) from None
    if not -MAX_INT - 1 <= value <= MAX_INT:
        raise ValueError(say(f"{name}：数值超出范围，最大 {MAX_INT}", f"{name}: out of range, at most {MAX_INT}"))
    return value


class ApiError(HTTPException):
    """An error the client is told about: a status, a reason code and a message in the reader's language."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(status_code=status, detail=detail)
        self.reason = reason

    def retry_after(self, seconds: int) -> ApiError:
        """The same error telling the client when to try again (429, 503)."""
        self.headers = {"Retry-After": str(seconds)}
        return self


def not_found(zh: str, en: str) -> ApiError:
    """404 naming what is missing (``宗地 GB00001``, ``parcel GB00001``)."""
    return ApiError(404, "not_found", say(f"没有找到{zh}", f"{en} not found"))


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


async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.landrenewal
    return state


State = Annotated[AppState, Depends(app_state)]


def _stored_session(state: AppState, token: str) -> accounts.Session | None:
    with state.store.engine.connect() as conn:
        return accounts.session_of(conn, token)


# Async (on the event loop), so that a request whose session is already known costs no thread hop;
# only a lookup in the store goes to a worker thread.
async def session(request: Request, state: State) -> accounts.Session:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise ApiError(401, "unauthenticated", say("请先登录", "log in first"))
    found = state.sessions.get(token)
    if found is None:
        found = await run_in_threadpool(_stored_session, state, token)
        if found is not None:
            state.sessions.put(found)
    if found is None or found.expires_at <= dt.datetime.now(dt.UTC):
        raise ApiError(401, "unauthenticated", say("登录已失效，请重新登录", "the session has expired; log in again"))
    sent = request.headers.get(CSRF_HEADER, "")
    if request.method not in SAFE_METHODS and not secrets.compare_digest(sent.encode(), found.csrf.encode()):
        raise ApiError(403, "csrf", say("缺少或错误的 CSRF 令牌", "missing or wrong CSRF token"))
    return found


CurrentSession = Annotated[accounts.Session, Depends(session)]


async def current_user(found: CurrentSession) -> User:
    return found.user


CurrentUser = Annotated[User, Depends(current_user)]


async def importer(user: CurrentUser) -> User:
    if not user.may_import:
        raise ApiError(
            403, "forbidden", say("只有市级用户和管理员可以导入数据", "only city users and administrators import data")
        )
    return user


async def administrator(user: CurrentUser) -> User:
    if not user.may_administer:
        raise ApiError(403, "forbidden", say("只有管理员可以管理用户", "only administrators manage users"))
    return user


Importer = Annotated[User, Depends(importer)]
Administrator = Annotated[User, Depends(administrator)]
