"""A demo city served by the real web app on a loopback port, for the API and browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn

from landrenewal.cli.web import DEMO_USERS
from landrenewal.store.engine import open_store
from landrenewal.web.app import create_app
from landrenewal.web.settings import Settings
from tests.cli import run

DEMO_PARCELS = "600"
PASSWORDS = {username: secret for username, _, _, secret in DEMO_USERS}


def build_city(location: str) -> None:
    """The demo city evaluated for two years, identified, zoned, with one login per role."""
    run("demo", "build", "--db", location, "--parcels", DEMO_PARCELS, "--json", check=True)
    run("evaluate", "--year", "2024", "--db", location, check=True)
    run("evaluate", "--year", "2025", "--db", location, check=True)
    run("identify", "--as-of", "2026-10-31", "--db", location, check=True)
    run("zones", "build", "--db", location, "--json", check=True)
    run("users", "demo", "--db", location, "--json", check=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    url: str
    location: str


@contextmanager
def serve(location: str, dispose: bool = True, **settings: object) -> Iterator[Served]:
    """The app over ``location`` on a loopback port, in a thread, until the block ends. The app
    closes the store's connections as it shuts down; ``dispose`` closes them here too (for a store
    whose app did not start), False leaves that to the app alone."""
    port = _free_port()
    config = Settings.from_env({}, db=location, port=port, **settings)
    store = open_store(location, create=False)
    app = create_app(config, store)
    # As `landrenewal serve` runs it: the server believes no forwarded headers, the app decides.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", location)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if dispose:
            store.dispose()


@contextmanager
def logged_in(base: str, username: str) -> Iterator[httpx.Client]:
    """An HTTP client holding ``username``'s session cookie and sending its CSRF token on writes."""
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post("/api/session", json={"username": username, "password": PASSWORDS[username]})
        answer.raise_for_status()
        client.headers["X-CSRF-Token"] = answer.json()["csrf"]
        yield client
