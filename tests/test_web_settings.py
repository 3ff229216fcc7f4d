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
    with pytest.raises(ValueError, match="LANDRENEWAL_WORKERS"):
        Settings.from_env({"LANDRENEWAL_WORKERS": "0"})
    with pytest.raises(ValueError, match="LANDRENEWAL_TILE_SEED_MIB"):
        Settings.from_env({"LANDRENEWAL_TILE_SEED_MIB": "1.5"})


def test_trusted_proxies_are_addresses_or_networks_and_none_by_default() -> None:
    from landrenewal.web.security import trusted_proxies

    assert trusted_proxies(Settings.from_env({})) == []
    env = {"LANDRENEWAL_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16,"}
    assert trusted_proxies(Settings.from_env(env)) == ["10.0.0.5", "10.1.0.0/16"]
    with pytest.raises(ValueError, match=r"LANDRENEWAL_TRUSTED_PROXIES.*gateway"):
        trusted_proxies(Settings.from_env({"LANDRENEWAL_TRUSTED_PROXIES": "gateway"}))


def test_the_content_security_policy_lets_the_page_reach_only_its_server_and_the_basemap() -> None:
    from landrenewal.web.security import content_security_policy

    own = content_security_policy(Settings.from_env({}))
    assert "script-src 'self';" in own and "connect-src 'self';" in own and "http" not in own
    tianditu = Settings.from_env({"LANDRENEWAL_BASEMAP_URL": "https://t{s}.tianditu.gov.cn/DataServer?x={x}&tk=k"})
    policy = content_security_policy(tianditu)
    assert "connect-src 'self' https://*.tianditu.gov.cn;" in policy and "tk=" not in policy
