"""The web app's settings: one typed object, read from ``LANDRENEWAL_*`` environment variables.

The fields' types do the reading (pydantic): ``LANDRENEWAL_PORT=eighty`` or
``LANDRENEWAL_COOKIE_SECURE=maybe`` is refused with the variable's name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from landrenewal.domain.language import say

PREFIX = "LANDRENEWAL_"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    db: str = "demo/landrenewal.gpkg"  # a GeoPackage path or a postgresql:// URL
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Server processes: each holds its own copy of the city view and tiles; one per core.
    workers: int = Field(default=1, ge=1)
    session_hours: float = 12.0
    # Send the session cookie over HTTPS only: on when the intranet serves the app behind TLS. (A
    # request that a trusted proxy marks as HTTPS gets a Secure cookie anyway.)
    cookie_secure: bool = False
    # Failed logins allowed per (user name, client address) within the window; then that pair gets
    # 429 for the window, twice as long after each further run of failures, at most login_block_max_s.
    login_attempts: int = 5
    login_window_s: float = 300.0
    login_block_max_s: float = 3600.0
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated
    # addresses or networks ("10.0.0.5, 10.1.0.0/16"). None by default: the peer is the client.
    trusted_proxies: str = ""
    # An optional raster basemap (天地图 with its token, or an intranet tile server); none by default.
    basemap_url: str | None = None
    basemap_attribution: str = ""
    # How long a looked-up session is trusted without asking the store again (seconds).
    session_check_s: float = 2.0
    # Encoded tiles kept in memory.
    tile_cache: int = 4096
    # Tiles up to this zoom are rendered ahead when the app starts or the city changes, and kept
    # (at most tile_seed_mib): the low zooms cost most to cut. -1: none ahead.
    tile_seed_zoom: int = 15
    tile_seed_mib: int = 512
    # How often (seconds) the app asks the store whether imports or runs changed what it shows.
    refresh_s: float = 2.0

    # ---- files users upload (operational limits, not policy) ----
    # Largest upload (MiB); a county's zipped inventory is a few dozen.
    upload_max_mib: int = 100
    # What a zip or an XLSX may inflate to, all members together (MiB), and by how much each
    # member may inflate (real files 3–30×, a zip bomb about 1000×).
    unzip_max_mib: int = 1024
    unzip_max_ratio: int = 200
    # Columns a table may have (inventory files have dozens).
    table_max_columns: int = 500

    @field_validator("basemap_url", mode="before")
    @classmethod
    def _none_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``LANDRENEWAL_<FIELD>`` variables, then the explicit overrides (CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {
            name: env[f"{PREFIX}{name.upper()}"] for name in cls.model_fields if f"{PREFIX}{name.upper()}" in env
        }
        values |= {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            name = str(e.errors()[0]["loc"][0])
            raw = values.get(name)
            raise ValueError(
                say(
                    f"环境变量 {PREFIX}{name.upper()} 的值无效：{raw!r}",
                    f"the environment variable {PREFIX}{name.upper()} has an invalid value: {raw!r}",
                )
            ) from None


def to_env(settings: Settings) -> dict[str, str]:
    """The settings as ``LANDRENEWAL_*`` variables: how worker processes receive them."""
    out = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is not None:
            out[f"{PREFIX}{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return out
