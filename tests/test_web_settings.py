"""The web app's settings come from defaults, then LANDRENEWAL_* variables, then flags."""

from __future__ import annotations

import pytest

from landrenewal.web.settings import Settings


def test_environment_variables_override_defaults_and_flags_override_both() -> None:
    env = {"LANDRENEWAL_PORT": "9000", "LANDRENEWAL_COOKIE_SECURE": "true", "LANDRENEWAL_BASEMAP_URL": "http://t/{z}"}
    settings = Settings.from_env(env, host="0.0.0.0")
    assert (settings.port, settings.cookie_secure, settings.basemap_url, settings.host) == (
        9000,
        True,
        "http://t/{z}",
        "0.0.0.0",
    )
    assert Settings.from_env(env, port=8100).port == 8100
    assert Settings.from_env({}).basemap_url is None and Settings.from_env({}).host == "127.0.0.1"


def test_a_bad_value_names_the_variable() -> None:
    with pytest.raises(ValueError, match="LANDRENEWAL_PORT"):
        Settings.from_env({"LANDRENEWAL_PORT": "eighty"})
    with pytest.raises(ValueError, match="LANDRENEWAL_COOKIE_SECURE"):
        Settings.from_env({"LANDRENEWAL_COOKIE_SECURE": "maybe"})
