"""Load benchmark of the web app: 50 people browsing the map and opening dossiers at once.

    python benchmarks/web_load.py                       # 10⁵ parcels, 50 users, 60 s, embedded store
    python benchmarks/web_load.py --pg                  # and again in PostGIS (found or started)
    python benchmarks/web_load.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The demo city is built with the CLI (demo build, two evaluations, identification, zones, the
demo logins) into ``--work`` and kept there, keyed by parcel count and seed, so a re-run skips the
build. ``landrenewal serve`` runs as a child process; this script is the client, so the
server's CPU is not shared with an in-process client's event loop (only with the machine's).

Each simulated user logs in (the demo logins of the roles in ``--roles``, in turn), then loops
until the time is up: a parcel from a pool of known positions, the tiles a 1366×768 viewport
needs around it at a random zoom 12–17 (fetched six at a time, as a browser does over HTTP/1.1),
that parcel's dossier, and now and then the dossier of an enterprise on it. ``--think`` is the mean
pause between views: 1 s by default, quicker than anyone reads a dossier; 0 is a closed loop, every
user always waiting on the server (a measure of capacity, not of people).

Prints one JSON line per store: per kind of request its count, errors (any status outside
2xx, or no answer), latency percentiles and rate, and the goals: tile p95 < 100 ms, dossier
p95 < 200 ms. A goal counts as met only without errors, since a fast error would flatter it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _postgres_url

SEED = 20261123
AS_OF = "2026-10-31"
YEARS = (2024, 2025)
VIEWPORT = (1366, 768)
ZOOMS = (12, 17)
BROWSER_CONNECTIONS = 6  # what a browser opens to one host over HTTP/1.1
GOALS_P95_MS = {"tile": 100.0, "parcel_dossier": 200.0, "enterprise_dossier": 200.0}
KINDS = tuple(GOALS_P95_MS)
ERROR_SAMPLES = 10


def log(message: str) -> None:
    # stdout carries only the JSON figures; progress goes to stderr.
    print(message, file=sys.stderr, flush=True)


def _cli() -> list[str]:
    """The ``landrenewal`` console script beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("landrenewal")
    return [str(script)] if script.exists() else [sys.executable, "-m", "landrenewal"]


def _failure(stderr: str) -> str:
    """The lines that name the error: the CLI's traceback ends in the SQL and its parameters, which
    can run to megabytes and hide the cause."""
    named = [line for line in stderr.splitlines() if re.match(r"[\w.]*(Error|Exception)\b.*:", line)]
    return "\n".join(dict.fromkeys(named)) if named else stderr[-2000:]


def _run_cli(*args: str) -> str:
    # Wide enough that the CLI's rich traceback does not wrap the error line.
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    done = subprocess.run([*_cli(), *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"landrenewal {' '.join(args[:3])} … failed ({done.returncode}): {_failure(done.stderr)}")
    return done.stdout


def build_city(db: str, parcels: int, seed: int) -> tuple[list[dict[str, str]], dict[str, float]]:
    """The demo city with everything the UI shows (two evaluation years, findings, zones) and its
    logins; the seconds of each step."""
    steps: dict[str, float] = {}

    def timed(name: str, *args: str) -> str:
        started = time.perf_counter()
        log(f"  {name} …")
        out = _run_cli(*args)
        steps[name] = round(time.perf_counter() - started, 1)
        return out

    timed("demo_build", "demo", "build", "--db", db, "--parcels", str(parcels), "--seed", str(seed), "--json")
    for year in YEARS:
        timed(f"evaluate_{year}", "evaluate", "--db", db, "--year", str(year))
    timed("identify", "identify", "--db", db, "--as-of", AS_OF)
    timed("zones_build", "zones", "build", "--db", db)
    logins = json.loads(timed("users_demo", "users", "demo", "--db", db, "--json"))
    steps["total"] = round(sum(steps.values()), 1)
    return logins, steps


def cached_gpkg(work: Path, parcels: int, seed: int) -> tuple[str, list[dict[str, str]], dict[str, Any]]:
    """The GeoPackage city in ``work``, built once; the build goes to a scratch name first, so an
    interrupted build is never taken for a finished one."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"web_load_{parcels}_{seed}.gpkg"
    if path.exists():
        log(f"city: reusing {path}")
        logins = json.loads(_run_cli("users", "demo", "--db", str(path), "--json"))
        return str(path), logins, {"cached": True}
    scratch = path.with_suffix(".building.gpkg")
    scratch.unlink(missing_ok=True)
    log(f"city: building {parcels} parcels into {path}")
    logins, steps = build_city(str(scratch), parcels, seed)
    scratch.rename(path)
    return str(path), logins, {"cached": False, "build_s": steps}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A ``landrenewal serve`` child, its address and its log files."""

    process: subprocess.Popen[bytes]
    base: str
    stderr_path: Path
    ready_s: float | None = None

    def pids(self) -> list[int]:
        """The server and, with --workers, its worker processes."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            children = Path(f"/proc/{pid}/task/{pid}/children")
            if children.exists():
                todo += [int(c) for c in children.read_text().split()]
        return found

    def cpu_s(self) -> float:
        # utime and stime of each server process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def peak_rss_mib(self) -> float | None:
        """The sum of the server processes' high-water marks."""
        return self._status_mib("VmHWM:")

    def rss_mib(self) -> float | None:
        """The sum of what the server processes hold now."""
        return self._status_mib("VmRSS:")

    def _status_mib(self, field: str) -> float | None:
        kib = [
            int(line.split()[1])
            for pid in self.pids()
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith(field)
        ]
        return round(sum(kib) / 1024, 1) if kib else None

    def stderr_tail(self, chars: int = 4000) -> str:
        return self.stderr_path.read_text(errors="replace")[-chars:]


@contextmanager
def serving(db: str, logs: Path, workers: int, timeout_s: float = 300.0) -> Iterator[Server]:
    """The web app on a free port, up and warm (``GET /api/health``: tiles ready, their low zooms
    rendered, in every process) until the block ends."""
    port = _free_port()
    logs.mkdir(parents=True, exist_ok=True)
    stderr_path = logs / f"serve_{port}.err"
    with open(logs / f"serve_{port}.out", "wb") as out, open(stderr_path, "wb") as err:
        process = subprocess.Popen(
            [*_cli(), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            stdout=out,
            stderr=err,
        )
    server = Server(process, f"http://127.0.0.1:{port}", stderr_path)
    try:
        started = time.perf_counter()
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"landrenewal serve exited ({process.returncode}):\n{server.stderr_tail()}")
            try:
                # Every server process answers ready (several asks, since any process may answer).
                if all(httpx.get(f"{server.base}/api/health", timeout=5).json()["tiles_ready"] for _ in range(8)):
                    break
            except (httpx.TransportError, ValueError, KeyError):
                pass
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(f"landrenewal serve did not answer within {timeout_s:.0f} s")
            time.sleep(0.25)
        server.ready_s = round(time.perf_counter() - started, 1)
        log(f"server: up and warm at {server.base} after {server.ready_s} s (log {stderr_path})")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tile_of(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Fractional slippy-map tile coordinates (Web Mercator) of a point at a zoom."""
    n = 2.0**zoom
    rad = math.radians(lat)
    return (lon + 180.0) / 360.0 * n, (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n


def viewport_tiles(lon: float, lat: float, zoom: int, tile_px: int) -> list[tuple[int, int, int]]:
    """The tiles a viewport centred on the point covers, centre first (the order a map asks in)."""
    x, y = tile_of(lon, lat, zoom)
    half_w, half_h = VIEWPORT[0] / 2 / tile_px, VIEWPORT[1] / 2 / tile_px
    last = 2**zoom - 1
    xs = range(max(math.floor(x - half_w), 0), min(math.floor(x + half_w), last) + 1)
    ys = range(max(math.floor(y - half_h), 0), min(math.floor(y + half_h), last) + 1)
    tiles = [(zoom, tx, ty) for tx in xs for ty in ys]
    return sorted(tiles, key=lambda t: (t[1] + 0.5 - x) ** 2 + (t[2] + 0.5 - y) ** 2)


@dataclass
class Pools:
    """What the users pick from: parcels with a position, enterprises, and each user's login."""

    parcels: list[tuple[str, float, float]]
    usccs: list[str]


@dataclass
class Record:
    """Every timed request's latency and status, by kind."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    error_samples: list[dict[str, Any]] = field(default_factory=list)
    views: int = 0
    tiles_per_view: list[int] = field(default_factory=list)
    empty_tiles: int = 0
    logins_failed: int = 0

    def add(self, kind: str, url: str, ms: float, status: str, detail: str = "") -> None:
        self.latencies_ms[kind].append(ms)
        self.statuses[kind][status] += 1
        if not status.startswith("2"):
            self.errors[kind] += 1
            if len(self.error_samples) < ERROR_SAMPLES:
                self.error_samples.append({"kind": kind, "url": url, "status": status, "body": detail[:500]})


async def timed_get(client: aiohttp.ClientSession, record: Record, kind: str, url: str) -> Any:
    """GET ``url``, recorded under ``kind``; the JSON body of a dossier (None for a tile or an error)."""
    started = time.perf_counter()
    try:
        async with client.get(url) as response:
            body = await response.read()
            status = response.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        record.add(kind, url, (time.perf_counter() - started) * 1000, f"exception:{type(exc).__name__}", str(exc))
        return None
    ms = (time.perf_counter() - started) * 1000
    ok = 200 <= status < 300
    record.add(kind, url, ms, str(status), "" if ok else body.decode(errors="replace"))
    if kind == "tile":
        record.empty_tiles += ok and not body
        return None
    return json.loads(body) if ok else None


def _client(base: str, timeout_s: float) -> aiohttp.ClientSession:
    # One client per user: its own cookie jar (unsafe=True: cookies for an IP address such as
    # 127.0.0.1) and at most a browser's connections. aiohttp, not httpx: the client shares the
    # machine's cores with the server, and costs several times less CPU per request.
    return aiohttp.ClientSession(
        base_url=base,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=aiohttp.TCPConnector(limit=BROWSER_CONNECTIONS),
        timeout=aiohttp.ClientTimeout(total=timeout_s),
    )


async def log_in(client: aiohttp.ClientSession, login: dict[str, str]) -> None:
    async with client.post(
        "/api/session", json={"username": login["username"], "password": login["password"]}
    ) as response:
        text = await response.text()
        if response.status != 200 or not any(c.key == "lr_session" for c in client.cookie_jar):
            raise RuntimeError(f"login {login['username']} failed: {response.status} {text[:300]}")


async def _json(client: aiohttp.ClientSession, url: str) -> Any:
    async with client.get(url) as response:
        if response.status != 200:
            raise RuntimeError(f"GET {url} → {response.status} {(await response.text())[:500]}")
        return await response.json()


async def _column(client: aiohttp.ClientSession, listing: str, page: int, key: str) -> list[str]:
    items = (await _json(client, f"/api/{listing}?page_size=500&page={page}"))["items"]
    return [str(item[key]) for item in items]


async def gather_pools(client: aiohttp.ClientSession, rng: random.Random, positions: int) -> Pools:
    """Parcel codes from a few random pages of the list, the positions of a sample of them (search
    answers lon/lat), and enterprises from a page or two; gathering them also warms the server."""
    first = await _json(client, "/api/parcels?page_size=500&page=1")
    pages = max(math.ceil(int(first["total"]) / 500), 1)
    codes = [item["parcel_code"] for item in first["items"]]
    for page in rng.sample(range(2, pages + 1), min(max(math.ceil(positions / 500) + 1, 3), pages - 1)):
        codes += await _column(client, "parcels", page, "parcel_code")
    sample = rng.sample(codes, min(positions, len(codes)))
    gate = asyncio.Semaphore(BROWSER_CONNECTIONS)

    async def position(code: str) -> tuple[str, float, float] | None:
        async with gate:
            hits = await _json(client, f"/api/search?q={code}")
        for hit in hits:
            if hit.get("kind") == "parcel" and hit.get("code") == code and hit.get("lon") is not None:
                return code, float(hit["lon"]), float(hit["lat"])
        return None

    found = [p for p in await asyncio.gather(*(position(c) for c in sample)) if p is not None]
    if not found:
        raise RuntimeError("search gave no parcel positions")
    enterprises = await _json(client, "/api/enterprises?page_size=500&page=1")
    usccs = [item["uscc"] for item in enterprises["items"]]
    more = max(math.ceil(int(enterprises["total"]) / 500), 1)
    if more > 1:
        page = rng.randrange(2, more + 1)
        usccs += await _column(client, "enterprises", page, "uscc")
    return Pools(found, usccs)


async def warm_up(client: aiohttp.ClientSession, pools: Pools, rng: random.Random, tile_px: int) -> None:
    """A few views and dossiers, untimed: the first requests of a process open its store connections."""
    for code, lon, lat in rng.sample(pools.parcels, min(4, len(pools.parcels))):
        for z, x, y in viewport_tiles(lon, lat, rng.randint(*ZOOMS), tile_px):
            await _drain(client, f"/tiles/parcels/{z}/{x}/{y}.pbf")
        await _drain(client, f"/api/parcels/{code}")
    for uscc in rng.sample(pools.usccs, min(2, len(pools.usccs))):
        await _drain(client, f"/api/enterprises/{uscc}")
    await _drain(client, "/api/map")


async def _drain(client: aiohttp.ClientSession, url: str) -> None:
    async with client.get(url) as response:
        await response.read()


async def user(
    index: int,
    base: str,
    login: dict[str, str],
    pools: Pools,
    record: Record,
    deadline: float,
    args: argparse.Namespace,
) -> None:
    rng = random.Random(args.seed + index)
    async with _client(base, args.timeout) as client:
        try:
            await log_in(client, login)
        except (TimeoutError, RuntimeError, aiohttp.ClientError) as exc:
            record.logins_failed += 1
            log(f"user {index}: {exc}")
            return
        # Users start a moment apart, as people do, not all on the same tick.
        await asyncio.sleep(rng.uniform(0, 1.0))

        gate = asyncio.Semaphore(BROWSER_CONNECTIONS)

        async def tile(z: int, x: int, y: int) -> None:
            # Timed inside the gate, so a request's latency is the server's, not the wait for a connection.
            async with gate:
                if time.perf_counter() < deadline:
                    await timed_get(client, record, "tile", f"/tiles/parcels/{z}/{x}/{y}.pbf")

        while time.perf_counter() < deadline:
            code, lon, lat = rng.choice(pools.parcels)
            tiles = viewport_tiles(lon, lat, rng.randint(*ZOOMS), args.tile_px)
            await asyncio.gather(*(tile(*t) for t in tiles))
            record.views += 1
            record.tiles_per_view.append(len(tiles))
            # No request starts after the deadline, so the run ends at most one timeout after it.
            if time.perf_counter() >= deadline:
                break
            dossier = await timed_get(client, record, "parcel_dossier", f"/api/parcels/{code}")
            if rng.random() < args.enterprise_share and time.perf_counter() < deadline:
                on_parcel = [e["uscc"] for e in (dossier or {}).get("enterprises") or [] if e.get("uscc")]
                uscc = rng.choice(on_parcel or pools.usccs)
                await timed_get(client, record, "enterprise_dossier", f"/api/enterprises/{uscc}")
            if args.think > 0:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * args.think)


def _stats(latencies: list[float], errors: int, statuses: Counter[str], elapsed: float) -> dict[str, Any]:
    if not latencies:
        return {"count": 0, "errors": errors}
    values = np.asarray(latencies)
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {
        "count": len(latencies),
        "errors": errors,
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": round(float(p50), 1),
        "p95_ms": round(float(p95), 1),
        "p99_ms": round(float(p99), 1),
        "max_ms": round(float(values.max()), 1),
        "requests_per_s": round(len(latencies) / elapsed, 1),
    }


def _goals(kinds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    goals: dict[str, Any] = {}
    for kind, limit in GOALS_P95_MS.items():
        figures = kinds[kind]
        p95 = figures.get("p95_ms")
        met = p95 is not None and p95 < limit and figures["errors"] == 0
        goals[kind] = {"p95_ms_lt": limit, "p95_ms": p95, "errors": figures["errors"], "met": met}
    goals["all_met"] = all(g["met"] for g in goals.values())
    return goals


async def load(server: Server, logins: list[dict[str, str]], args: argparse.Namespace) -> dict[str, Any]:
    """Pools and warm-up through one client, then the users for ``args.seconds``; the figures."""
    by_role = {login["role"]: login for login in logins}
    roles = [r for r in args.roles.split(",") if r]
    missing = [r for r in roles if r not in by_role]
    if missing:
        raise RuntimeError(f"no demo login for role(s) {missing}; have {sorted(by_role)}")
    rng = random.Random(args.seed)
    async with _client(server.base, max(args.timeout, 120.0)) as client:
        await log_in(client, by_role[roles[0]])
        started = time.perf_counter()
        pools = await gather_pools(client, rng, args.positions)
        await warm_up(client, pools, rng, args.tile_px)
        warm_s = time.perf_counter() - started
    log(f"load: {len(pools.parcels)} parcel positions, {len(pools.usccs)} enterprises; warm-up {warm_s:.1f} s")
    record = Record()
    server_cpu = server.cpu_s()
    client_cpu = time.process_time()
    started = time.perf_counter()
    deadline = started + args.seconds
    await asyncio.gather(
        *(
            user(i, server.base, by_role[roles[i % len(roles)]], pools, record, deadline, args)
            for i in range(args.users)
        )
    )
    # Requests in flight at the deadline still finish (or time out); rates are over the time the users ran.
    elapsed = time.perf_counter() - started
    kinds = {k: _stats(record.latencies_ms[k], record.errors[k], record.statuses[k], elapsed) for k in KINDS}
    return {
        "elapsed_s": round(elapsed, 1),
        "warm_up_s": round(warm_s, 1),
        "views": record.views,
        "tiles_per_view_mean": round(float(np.mean(record.tiles_per_view)), 1) if record.tiles_per_view else None,
        "empty_tiles": record.empty_tiles,
        "logins_failed": record.logins_failed,
        **kinds,
        "goals": _goals(kinds),
        # Both on the same cores: a client near elapsed_s of CPU would be measuring itself.
        "server_cpu_s": round(server.cpu_s() - server_cpu, 1),
        "client_cpu_s": round(time.process_time() - client_cpu, 1),
        "server_peak_rss_mib": server.peak_rss_mib(),
        "server_rss_mib": server.rss_mib(),
        "server_ready_s": server.ready_s,
        "error_samples": record.error_samples,
    }


def measure(store: str, db: str, logins: list[dict[str, str]], city: dict[str, Any], args: argparse.Namespace) -> None:
    figures: dict[str, Any] = {
        "benchmark": "web_load",
        "store": store,
        "parcels": args.parcels,
        "users": args.users,
        "seconds": args.seconds,
        "think_s": args.think,
        "server_workers": args.workers,
        "timeout_s": args.timeout,
        "roles": args.roles,
        "tile_px": args.tile_px,
        "cores": os.cpu_count(),
        "city": city,
    }
    with serving(db, args.work / "logs", args.workers) as server:
        try:
            figures.update(asyncio.run(load(server, logins, args)))
        finally:
            figures["server_exit"] = server.process.poll()
        if any(kind["errors"] for kind in figures.values() if isinstance(kind, dict) and "errors" in kind):
            figures["server_stderr_tail"] = server.stderr_tail(2000)
    print(json.dumps(figures, ensure_ascii=False), flush=True)


def _pg_server(given: str) -> tuple[str | None, str]:
    """The PostgreSQL server to use and where it came from: ``--pg URL``, LANDRENEWAL_BENCH_PG, or
    as benchmarks/run.py finds or starts one."""
    if given:
        return given, "--pg"
    if os.environ.get("LANDRENEWAL_BENCH_PG"):
        return os.environ["LANDRENEWAL_BENCH_PG"], "LANDRENEWAL_BENCH_PG"
    return _postgres_url(), "LANDRENEWAL_TEST_PG or .ci/start-postgres"


def measure_postgis(args: argparse.Namespace) -> None:
    """The same city built afresh into a new PostGIS database, served and loaded the same way."""
    from landrenewal.store.admin import create_database, drop_database

    server, source = _pg_server(args.pg)
    if not server:
        note = {"benchmark": "web_load", "store": "postgis", "skipped": f"no PostgreSQL server ({source} gave none)"}
        print(json.dumps(note, ensure_ascii=False), flush=True)
        return
    name = f"lr_bench_web_{os.getpid()}"
    try:
        url = create_database(server, name)
    except Exception as exc:  # any failure to reach or use the server only skips this half
        note = {"benchmark": "web_load", "store": "postgis", "skipped": f"{source}: {type(exc).__name__}: {exc}"}
        print(json.dumps(note, ensure_ascii=False), flush=True)
        return
    try:
        log(f"city: building {args.parcels} parcels into PostGIS database {name}")
        try:
            logins, steps = build_city(url, args.parcels, args.seed)
        except RuntimeError as exc:
            note = {"benchmark": "web_load", "store": "postgis", "skipped": f"city build failed: {exc}"}
            print(json.dumps(note, ensure_ascii=False), flush=True)
            return
        measure("postgis", url, logins, {"cached": False, "build_s": steps}, args)
    finally:
        drop_database(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="server processes (landrenewal serve --workers)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "landrenewal-web-load")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--roles", default="city,town,viewer", help="demo logins the users take in turn")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a request may take before it is an error")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause between views (s): 1 is quicker than people browse (pan, read a dossier); 0 = closed loop",
    )
    parser.add_argument("--enterprise-share", type=float, default=0.3, help="share of views that open an enterprise")
    parser.add_argument("--positions", type=int, default=400, help="parcels whose position the users browse around")
    parser.add_argument(
        "--tile-px",
        type=int,
        default=512,
        help="screen size of a tile: 512 as the app's MapLibre map draws vector tiles; 256 the raster standard",
    )
    parser.add_argument(
        "--pg",
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help="also PostGIS: a server URL, or none to find or start one as benchmarks/run.py does",
    )
    parser.add_argument("--skip-gpkg", action="store_true", help="only PostGIS")
    args = parser.parse_args()
    if not args.skip_gpkg:
        db, logins, city = cached_gpkg(args.work, args.parcels, args.seed)
        measure("gpkg", db, logins, city, args)
    if args.pg is not None:
        measure_postgis(args)


if __name__ == "__main__":
    main()
