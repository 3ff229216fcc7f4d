"""Fixtures: a real store on both backends — a GeoPackage file and a PostgreSQL + PostGIS server.

The PostGIS server comes from ``LANDRENEWAL_TEST_PG`` (set by .ci/run), or is started here
from the local PostgreSQL binaries. Under CI=true a missing server fails the tests that
need it; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, sync_playwright

from landrenewal.store.admin import create_database, drop_database
from landrenewal.store.engine import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"
_counter = itertools.count()


def _start_local_postgres(tmp: Path) -> str | None:
    if not Path("/usr/lib/postgresql").exists() or shutil.which("psql") is None:
        return None
    # one server per test worker (pytest-xdist names them gw0, gw1 …), each on its own port
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    port = int(os.environ.get("LANDRENEWAL_TEST_PGPORT", "55439")) + worker
    env = {**os.environ, "PGDATA_DIR": str(tmp), "PGPORT": str(port)}
    done = subprocess.run([str(ROOT / ".ci" / "start-postgres")], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return None
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    url = os.environ.get("LANDRENEWAL_TEST_PG")
    started: Path | None = None
    if not url:
        # Not under pytest's private tmp folder: the postgres user must be able to reach it.
        started = Path(tempfile.mkdtemp(prefix="landrenewal-test-pg-"))
        url = _start_local_postgres(started)
    yield url
    if started is not None:
        if url:
            pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
            stop = [str(pgbin / "pg_ctl"), "-D", str(started / "data"), "-m", "immediate", "stop"]
            subprocess.run(["runuser", "-u", "postgres", "--", *stop], capture_output=True)
        shutil.rmtree(started, ignore_errors=True)


def unavailable(reason: str) -> NoReturn:
    """A service a test needs is missing: under CI=true the test fails; on a workstation it is skipped."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def require_postgres(url: str | None) -> str:
    if url:
        return url
    unavailable("no PostgreSQL + PostGIS server (set LANDRENEWAL_TEST_PG or install postgresql-15-postgis-3)")


@pytest.fixture(params=["gpkg", "postgis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_location(backend: str, tmp_path: Path, postgres_url: str | None) -> Iterator[str]:
    """Where a fresh, empty store lives: a GeoPackage path or a PostgreSQL URL."""
    if backend == "gpkg":
        yield str(tmp_path / "store.gpkg")
        return
    url = require_postgres(postgres_url)
    name = f"lr_test_{os.getpid()}_{next(_counter)}"
    yield create_database(url, name)
    drop_database(url, name)


@pytest.fixture
def store(store_location: str) -> Iterator[Store]:
    """A fresh store on each backend, migrated to the current schema."""
    s = open_store(store_location)
    yield s
    s.dispose()


# The UI in a real browser: Debian's chromium driven by Playwright (never a downloaded one).
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "build" / "screenshots"
# As the machine's own probe starts it: root needs --no-sandbox; the closed network refuses the rest.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable("Debian chromium is not installed (apt-get install chromium; .ci/run does)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()
