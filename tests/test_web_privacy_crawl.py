"""A crawler logged in as a town officer: every GET path of the OpenAPI document, every list sorted
by every column both ways, every export format sorted by the private columns, a vector tile of each
layer. Nothing another town keeps private (read from the store, see tests/privacy_crawl.py) may
reach it, as a value or as an order; the officer's own private values must (else the crawler saw
nothing and proves nothing).

The crawl runs once for the module; each test below reads one kind of finding from it, and its
failure names the path, the query, the value and whose it is.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import mapbox_vector_tile
import pandas as pd
import pytest

from landrenewal.store import schema
from landrenewal.store.engine import open_store
from landrenewal.store.frames import read_table
from tests.cli import run as cli
from tests.privacy_crawl import (
    Asked,
    Finder,
    Hit,
    Ledger,
    Placed,
    order_leak,
    private_name,
    read_geojson,
    read_gpkg,
    read_ledger,
    read_xlsx,
    withheld_but_shown,
)
from tests.test_web_api import _tile_of
from tests.web_city import build_city, logged_in, serve

PAGE = 500
SHORT_PAGE = 100  # a list sorted by a public column: its first page is enough
FORMATS = ("xlsx", "gpkg", "geojson")
# The run a list shows may be chosen (?run=); where the runs are listed.
RUN_LISTS = {
    "/api/evaluation/results": "/api/evaluation/runs",
    "/api/findings": "/api/identification/runs",
    "/api/zones": "/api/zones/runs",
    "/api/dashboard": "/api/evaluation/runs",
    "/api/zones/{zone_no}": "/api/zones/runs",
    "/api/zones/geojson": "/api/zones/runs",
}
# Columns that identify a row of a list, tried in this order (the first unique one is the key).
KEYS = (("uscc", "year"), ("parcel_code", "rule_id"), ("building_code",), ("unit_key", "uscc"), ("uscc",))
KEYS_LAST = (("zone_no",), ("parcel_code",))
TILE_PATH = "{z}/{x}/{y}.pbf"
# Sums of public areas that only the app makes, as the administrator receives them.
PUBLIC_SECTIONS = {
    "/api/dashboard": ("classes_by_town", "low_efficiency_by_category_town", "totals"),
    "/api/zones/{zone_no}": ("parcels", "enterprises"),
}
SHOWN_PER_KIND = 3  # examples per (path, kind of value) in a failure message


@dataclass
class Crawl:
    """What the crawl met: the values found, and everything else that went wrong, per kind."""

    finder: Finder
    paths: list[str] = field(default_factory=list)  # the GET paths of the OpenAPI document
    asked: Counter[str] = field(default_factory=Counter)  # OpenAPI path → requests made
    unfilled: list[str] = field(default_factory=list)  # parameters the crawler cannot fill
    failed: list[str] = field(default_factory=list)  # 5xx answers, unreadable files
    withheld: list[tuple[Asked, str, str, Any]] = field(default_factory=list)  # restricted, yet a figure
    orders: list[str] = field(default_factory=list)  # sorted lists and exports whose order gives values away
    orders_checked: int = 0  # sequences with enough hidden rows to judge
    exports_read: Counter[str] = field(default_factory=Counter)
    tiles_read: int = 0
    tile_problems: list[str] = field(default_factory=list)


Rows = dict[tuple[str, ...], dict[str, Any]]


def _key_of(columns: list[str], rows: list[dict[str, Any]]) -> tuple[str, ...]:
    for key in (*KEYS, *KEYS_LAST):
        if all(k in columns for k in key):
            seen = {tuple(_plain(r.get(k)) for k in key) for r in rows}
            if len(seen) == len(rows):
                return key
    raise AssertionError(f"no column identifies the rows of a list with columns {columns}")


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _blank(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, float):
        yield value


class Crawler:
    def __init__(self, officer: httpx.Client, admin: httpx.Client, location: str) -> None:
        self.officer, self.admin = officer, admin
        self.town = str(officer.get("/api/session").json()["user"]["division_code"])
        store = open_store(location, create=False)
        try:
            self.ledger: Ledger = read_ledger(store, self.town)
            self.ids = _ids(store, self.town)
        finally:
            store.dispose()
        self.crawl = Crawl(Finder(self.ledger))
        self.document = officer.get("/openapi.json").json()
        self.gets = {p: ops["get"] for p, ops in self.document["paths"].items() if "get" in ops}
        self.crawl.paths = sorted(self.gets)
        # a list has an export of the same rows; a dossier with an export (a zone's) is not a list
        self.lists = sorted(p for p in self.gets if f"{p}/export" in self.gets and "{" not in p)
        self.runs = {path: sorted(r["id"] for r in admin.get(runs).json()) for path, runs in RUN_LISTS.items()}
        self.policies = list(officer.get("/api/policies").json()["items"])
        self._truth: dict[tuple[str, int | None], tuple[tuple[str, ...], Rows]] = {}

    # -- requests ---------------------------------------------------------------------------
    def get(self, path: str, url: str, params: dict[str, Any], kind: str) -> tuple[httpx.Response, Asked]:
        """Ask as the officer; search the answer (as sent) for private values."""
        self.crawl.asked[path] += 1
        query = {k: v for k, v in params.items() if v is not None}
        asked = Asked(path, f"{url}?{urlencode(query)}" if query else url, kind)
        answer = self.officer.get(url, params=query)
        if answer.status_code >= 500:
            self.crawl.failed.append(f"{asked}: {answer.status_code} {answer.text[:200]}")
        content = answer.headers.get("content-type", "")
        if kind not in FORMATS and ("json" in content or content.startswith("text/")):  # a file is read back
            self.crawl.finder.text(answer.text, asked)
        return answer, asked

    def read(self, answer: httpx.Response, asked: Asked) -> Any:
        """The answer's JSON (None when it is not JSON), its restricted objects checked."""
        if "json" not in answer.headers.get("content-type", ""):
            return None
        body = answer.json()
        self.crawl.withheld.extend((asked, *w) for w in withheld_but_shown(body))
        return body

    def pages(
        self, client: httpx.Client, path: str, params: dict[str, Any], every: bool
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The rows and columns of a list: every page, or the first (a short one)."""
        rows: list[dict[str, Any]] = []
        columns: list[str] = []
        size = PAGE if every else SHORT_PAGE
        for number in itertools.count(1):
            query = params | {"page": number, "page_size": size}
            if client is self.officer:
                answer, asked = self.get(path, path, query, "json list")
                if answer.status_code != 200:
                    if not private_name(str(params.get("sort"))) or answer.status_code != 422:
                        self.crawl.failed.append(f"{asked}: {answer.status_code} {answer.text[:200]}")
                    return rows, columns
                page = answer.json()
                for i, item in enumerate(page["items"]):
                    if item.get("restricted"):
                        shown = [(k, v) for k, v in item.items() if v is not None and private_name(k)]
                        self.crawl.withheld.extend((asked, f"items[{i}]", k, v) for k, v in shown)
            else:
                page = client.get(path, params={k: v for k, v in query.items() if v is not None}).json()
            rows.extend(page["items"])
            columns = [c["name"] for c in page["columns"]]
            if not every or len(rows) >= page["total"] or not page["items"]:
                break
        return rows, columns

    def truth(self, path: str, run: int | None) -> tuple[tuple[str, ...], Rows]:
        """The list as the city's administrator sees it (every value), by row key."""
        if (path, run) not in self._truth:
            rows, columns = self.pages(self.admin, path, {"run": run}, every=True)
            key = _key_of(columns, rows)
            self._truth[path, run] = (key, {tuple(_plain(r.get(k)) for k in key): r for r in rows})
        return self._truth[path, run]

    # -- what is public ---------------------------------------------------------------------
    def learn_public(self) -> None:
        """Numbers the app shows everyone cannot be leaks: the public columns of every list, and the
        sums of public areas the dashboard and the zone dossier make (the store holds neither)."""
        for path in self.lists:
            for run in [None, *self.runs.get(path, [])]:
                _, rows = self.truth(path, run)
                self.ledger.add_public(v for r in rows.values() for k, v in r.items() if not private_name(k))
        for path, sections in PUBLIC_SECTIONS.items():
            for url, params in self.requests(path):
                body = self.admin.get(url, params=params).json()
                self.ledger.add_public(v for section in sections for v in _numbers(body.get(section)))
        self.ledger.settle()

    # -- lists ------------------------------------------------------------------------------
    def walk_list(self, path: str, run: int | None, exports: bool) -> None:
        key, truth = self.truth(path, run)
        base = {"run": run}
        plain, columns = self.pages(self.officer, path, base, every=True)
        hidden = {self._key(r, key): bool(r.get("restricted")) for r in plain}
        # Columns whose values the officer does not receive for some rows, and the private ones.
        bearing = [
            c
            for c in columns
            if private_name(c)
            or any(r.get("restricted") and r.get(c) != truth[self._key(r, key)].get(c) for r in plain)
        ]
        orders = ("asc", "desc") if run is None else ("desc",)
        for column, order in itertools.product(columns, orders):
            if run is not None and column not in bearing:
                continue
            query = base | {"sort": column, "order": order}
            rows, _ = self.pages(self.officer, path, query, every=column in bearing)
            if column in bearing and rows:
                placed = [
                    Placed(
                        bool(r.get("restricted")),
                        r.get(column),
                        truth[self._key(r, key)].get(column),
                        self._key(r, key),
                    )
                    for r in rows
                ]
                shown = {k: v for k, v in query.items() if v is not None}
                self.judge_order(placed, f"GET {path}?{urlencode(shown)} (every page)")
        for other in self.ids.other_towns:
            self.pages(self.officer, path, base | {"town": other}, every=False)
        if exports:
            self.walk_exports(path, key, truth, hidden, bearing)

    @staticmethod
    def _key(row: dict[str, Any], key: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_plain(row.get(k)) for k in key)

    def judge_order(self, placed: list[Placed], what: str) -> None:
        if sum(p.hidden and p.true is not None for p in placed) >= 20:
            self.crawl.orders_checked += 1
        problem = order_leak(placed)
        if problem:
            self.crawl.orders.append(f"{what}: {problem}")

    def walk_exports(
        self, path: str, key: tuple[str, ...], truth: Rows, hidden: dict[tuple[str, ...], bool], bearing: list[str]
    ) -> None:
        """Each format sorted by a private column, and the GeoPackage by every one of them (it is the
        quickest to write); each file read back and its order judged as the list's."""
        sorts = bearing or [None]
        jobs = [("xlsx", sorts[0]), ("geojson", sorts[min(1, len(sorts) - 1)]), *(("gpkg", s) for s in sorts)]
        labels = {c["label_zh"]: c["name"] for c in self.officer.get(path, params={"page_size": 1}).json()["columns"]}
        for fmt, column in jobs:
            params = {"format": fmt, "sort": column, "order": "desc" if column else None}
            answer, asked = self.get(f"{path}/export", f"{path}/export", params, fmt)
            if answer.status_code != 200:
                if column is None or answer.status_code != 422:
                    self.crawl.failed.append(f"{asked}: {answer.status_code} {answer.text[:200]}")
                continue
            tables = self.read_export(fmt, answer.content)
            self.crawl.exports_read[fmt] += 1
            for name, table in tables.items():
                self.crawl.finder.table(table, asked, name)
            data = next((t for n, t in tables.items() if n not in ("说明", "gpkg_contents")), None)
            if column is None or data is None:
                continue
            named = data.rename(columns=labels)
            if "rule_id" in key and "rule_id" not in named.columns and "rule_name" in named.columns:
                # a spreadsheet names the rule, not its id: the id comes back from the name
                ids = {r.get("rule_name"): r.get("rule_id") for r in truth.values()}
                named["rule_id"] = named["rule_name"].map(ids)
            if not all(k in named.columns for k in (*key, column)):
                self.crawl.failed.append(f"{asked}: the export lacks the columns {(*key, column)}")
                continue
            placed = []
            for row in named.to_dict("records"):
                k = tuple(_plain(_blank(row[c])) for c in key)
                if k not in hidden:
                    self.crawl.failed.append(f"{asked}: row {k} is not a row of the list")
                    break
                placed.append(Placed(hidden[k], _blank(row[column]), truth[k].get(column), k))
            else:
                self.judge_order(placed, str(asked))

    @staticmethod
    def read_export(fmt: str, content: bytes) -> dict[str, Any]:
        if fmt == "xlsx":
            return read_xlsx(content)
        if fmt == "geojson":
            return read_geojson(content)
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "export.gpkg"
            target.write_bytes(content)
            return read_gpkg(target)

    # -- every other GET path ---------------------------------------------------------------
    def fill(self, path: str, name: str) -> list[Any] | None:
        """Real values for a parameter; None when the crawler does not know it."""
        ids = self.ids
        values: dict[str, list[Any]] = {
            "code": ids.parcels,
            "uscc": ids.enterprises,
            "zone_no": ids.zones,
            "policy_id": self.policies,
            "token": ["0" * 32],
            "import_id": ids.imports,  # importers only: the officer must get 403 for every one
            "run": self.runs.get(path, []),
            "town": [self.town, *ids.other_towns],
            "level": ids.levels,
            "q": ids.searches,
            "on": ["2024-06-30"],
            "username": ["admin"],  # the audit log's filters (admin only: the officer gets 403)
            "action": ["login"],
            "since": ["2024-01-01"],
            "until": ["2026-12-31"],
            "page": [1],
            "page_size": [50],
            # projects (the demo city has none yet: their dossiers answer 404)
            "as_of": ["2026-10-31"],
            "kind": ["disposal", "renewal"],
            "stage": ["identified", "preliminary"],
            "overdue": [True, False],
            "due_within": [30],
            "sha256": ["0" * 64],
        }
        return values.get(name)

    def requests(self, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each combination of the path's parameters, then each query parameter alone."""
        parameters = self.gets[path].get("parameters", [])
        in_path = [p["name"] for p in parameters if p["in"] == "path"]
        in_query = [p["name"] for p in parameters if p["in"] == "query"]
        filled = {name: self.fill(path, name) or [] for name in in_path + in_query}
        if any(not filled[n] for n in in_path):
            return
        for combination in itertools.product(*(filled[n] for n in in_path)):
            yield path.format(**dict(zip(in_path, combination, strict=True))), {}
        url = path.format(**{n: filled[n][0] for n in in_path})
        for name in in_query:
            for value in filled[name]:
                yield url, {name: value}

    def walk_paths(self) -> None:
        for path, operation in self.gets.items():
            if path in self.lists or path.removesuffix("/export") in self.lists or path.endswith(TILE_PATH):
                continue
            for parameter in operation.get("parameters", []):
                if self.fill(path, parameter["name"]) is None:
                    self.crawl.unfilled.append(f"{path}: {parameter['name']}")
            kind = "dossier" if "{" in path else "json"
            for url, params in self.requests(path):
                self.read(*self.get(path, url, params, kind))

    def walk_tiles(self) -> None:
        """A parcel tile at full detail and a coarse one over a parcel of another town and one of the
        officer's; a zone tile over every zone."""
        places = []
        for code in self.ids.tile_parcels:
            found = self.officer.get("/api/search", params={"q": code}).json()
            hit = next((h for h in found if h["code"] == code), None)
            if hit is not None:
                places.extend(("parcels", z, hit["lon"], hit["lat"]) for z in (15, 11))
        for zone_no in self.ids.zones:
            dossier = self.officer.get(f"/api/zones/{zone_no}").json()
            if dossier.get("bbox"):
                west, south, east, north = dossier["bbox"]
                places.append(("zones", 13, (west + east) / 2, (south + north) / 2))
        for layer, zoom, lon, lat in places:
            x, y = _tile_of(lon, lat, zoom)
            path = next(p for p in self.gets if p.startswith(f"/tiles/{layer}/"))
            answer, asked = self.get(path, path.format(z=zoom, x=x, y=y), {}, "tile")
            if answer.status_code != 200:
                self.crawl.failed.append(f"{asked}: {answer.status_code}")
                continue
            self.crawl.tiles_read += 1
            for name, content in mapbox_vector_tile.decode(answer.content).items():
                for i, feature in enumerate(content["features"]):
                    for prop, value in feature["properties"].items():
                        if private_name(prop):
                            self.crawl.tile_problems.append(f"{asked}: layer {name} carries the property {prop}")
                        self.crawl.finder.scalar(value, asked, f"layer {name} feature {i} {prop}", prop)

    def run(self) -> Crawl:
        self.learn_public()
        for path in self.lists:
            self.walk_list(path, None, exports=True)
            for run in self.runs.get(path, [])[:-1]:  # the earlier runs (the latest is the list's default)
                self.walk_list(path, run, exports=False)
        self.walk_paths()
        self.walk_tiles()
        return self.crawl


@dataclass(frozen=True)
class Ids:
    """Real ids to fill the paths with: the officer's town's and other towns'."""

    parcels: list[str]
    enterprises: list[str]
    zones: list[int]
    other_towns: list[str]
    levels: list[str]
    searches: list[str]
    tile_parcels: list[str]
    imports: list[int]


def _ids(store: Any, town: str) -> Ids:
    with store.engine.connect() as conn:
        parcels = read_table(conn, store, schema.parcels, ["parcel_code", "division_code"])
        companies = read_table(conn, store, schema.enterprises, ["uscc", "name", "division_code"])
        occupancy = read_table(conn, store, schema.occupancy, ["uscc", "parcel_code"])
        findings = read_table(conn, store, schema.findings, ["parcel_code", "rule_id"])
        zones = read_table(conn, store, schema.zones, ["run_id", "zone_no"])
        divisions = read_table(conn, store, schema.divisions, ["division_code", "level"])
        imports = read_table(conn, store, schema.imports, ["id"])
    parcels = parcels.assign(town=parcels["division_code"].str[:9]).sort_values("parcel_code")
    companies = companies.assign(town=companies["division_code"].str[:9]).sort_values("uscc")
    held = occupancy.merge(parcels, on="parcel_code").merge(companies, on="uscc", suffixes=("_parcel", "_firm"))
    # Parcels of one town held by an enterprise of another: where figures must follow the enterprise.
    crossed = held[held["town_parcel"] != held["town_firm"]]
    mine, theirs = parcels[parcels["town"] == town], parcels[parcels["town"] != town]
    found = set(findings["parcel_code"])
    limits = set(findings.loc[findings["rule_id"].str.contains("industry"), "parcel_code"])
    chosen_parcels = list(
        dict.fromkeys(
            [
                *crossed["parcel_code"],
                *[c for c in theirs["parcel_code"] if c in limits][:10],
                *[c for c in mine["parcel_code"] if c in limits][:5],
                *[c for c in theirs["parcel_code"] if c in found][:10],
                *mine["parcel_code"][:5],
            ]
        )
    )
    others = companies[companies["town"] != town]
    held_firms = set(held["uscc"])
    chosen_firms = list(
        dict.fromkeys(
            [
                *crossed["uscc"],
                *[u for u in others["uscc"] if u in held_firms][:15],
                *companies.loc[companies["town"] == town, "uscc"][:5],
            ]
        )
    )
    latest = zones[zones["run_id"] == zones["run_id"].max()]
    other = others.iloc[0]
    return Ids(
        parcels=chosen_parcels,
        enterprises=chosen_firms,
        zones=sorted(int(z) for z in latest["zone_no"]),
        other_towns=sorted(set(parcels["town"]) - {town}),
        levels=sorted(set(divisions["level"])),
        searches=[str(other["uscc"]), str(theirs["parcel_code"].iloc[0]), str(other["name"])[:4]],
        tile_parcels=[str(theirs["parcel_code"].iloc[0]), str(mine["parcel_code"].iloc[0])],
        imports=sorted(int(i) for i in imports["id"]),
    )


def cross_towns(location: str, folder: Path) -> None:
    """An enterprise of another town renting half of an empty parcel of the officer's town, and one
    of the officer's town renting one of another town's: a dossier must show an enterprise's figures
    by the enterprise's town, not the parcel's (the demo city keeps each enterprise in its town)."""
    store = open_store(location, create=False)
    try:
        with store.engine.connect() as conn:
            users = read_table(conn, store, schema.users, ["username", "division_code"])
            parcels = read_table(conn, store, schema.parcels, ["parcel_code", "division_code"])
            companies = read_table(conn, store, schema.enterprises, ["uscc", "division_code"])
            occupancy = read_table(conn, store, schema.occupancy, ["uscc", "parcel_code"])
            metrics = read_table(conn, store, schema.metrics, ["uscc", "tax_wan"])
    finally:
        store.dispose()
    town = str(users.loc[users["username"] == "town", "division_code"].iloc[0])
    empty = parcels[~parcels["parcel_code"].isin(occupancy["parcel_code"])].sort_values("parcel_code")
    reporting = companies[companies["uscc"].isin(metrics.loc[metrics["tax_wan"].notna(), "uscc"])].sort_values("uscc")
    mine = reporting["division_code"].str.startswith(town)
    rows = [
        (reporting.loc[~mine, "uscc"].iloc[0], empty.loc[empty["division_code"].str.startswith(town), "parcel_code"]),
        (reporting.loc[mine, "uscc"].iloc[0], empty.loc[~empty["division_code"].str.startswith(town), "parcel_code"]),
    ]
    table = pd.DataFrame(
        {
            "统一社会信用代码": [uscc for uscc, _ in rows],
            "宗地代码": [codes.iloc[0] for _, codes in rows],
            "起始日期": ["2023-01-01"] * len(rows),
            "终止日期": [None] * len(rows),
            "用地占比": [0.5] * len(rows),
            "使用方式": ["租赁"] * len(rows),
        }
    )
    path = folder / "跨镇街租用.csv"
    table.to_csv(path, index=False)
    cli("import", "occupancy", str(path), "--db", location, check=True)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    folder = tmp_path_factory.mktemp("crawl")
    location = str(folder / "city.gpkg")
    build_city(location)
    cross_towns(location, folder)
    with serve(location) as served, logged_in(served.url, "town") as officer, logged_in(served.url, "admin") as admin:
        yield Crawler(officer, admin, location).run()


def _summary(hits: list[Hit]) -> str:
    """The leaks by path and kind of value: how many, and a few of them in full."""
    grouped: dict[tuple[str, str], list[Hit]] = {}
    for hit in hits:
        grouped.setdefault((hit.asked.path, hit.kind), []).append(hit)
    lines = [f"{len(hits)} other-town private values reached the town officer:"]
    for (path, kind), found in sorted(grouped.items()):
        answers = len({h.asked.url for h in found})
        lines.append(f"- {path}: {len(found)} × {kind} (in {answers} answers), e.g.")
        lines.extend(f"    {h}" for h in found[:SHOWN_PER_KIND])
    return "\n".join(lines)


def _withheld(found: list[tuple[Asked, str, str, Any]]) -> str:
    grouped: dict[tuple[str, str], list[tuple[Asked, str, str, Any]]] = {}
    for item in found:
        grouped.setdefault((item[0].path, item[2]), []).append(item)
    lines = [f"{len(found)} private fields still filled in rows and objects flagged restricted:"]
    for (path, name), items in sorted(grouped.items()):
        answers = len({i[0].url for i in items})
        lines.append(f"- {path}: {name} in {len(items)} restricted objects (in {answers} answers), e.g.")
        lines.extend(f"    {asked}  {where}.{name} = {value!r}" for asked, where, name, value in items[:SHOWN_PER_KIND])
    return "\n".join(lines)


def _listed(problems: list[str], limit: int = 40) -> str:
    more = f"\n… and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(problems[:limit]) + more


def test_the_crawler_reaches_every_get_path_and_the_officers_own_private_values(crawl: Crawl) -> None:
    assert not crawl.unfilled, "the crawler cannot fill these parameters:\n" + _listed(crawl.unfilled)
    assert not crawl.failed, _listed(crawl.failed)
    assert len(crawl.paths) >= 30 and not set(crawl.paths) - set(crawl.asked), set(crawl.paths) - set(crawl.asked)
    # It proves something only if it does see private values where the officer may see them.
    seen = crawl.finder.own_seen
    assert all(seen.get(kind, 0) > 0 for kind in ("json list", "dossier", *FORMATS)), seen
    assert crawl.orders_checked >= 20 and crawl.tiles_read >= 3
    assert set(crawl.exports_read) == set(FORMATS)


def test_no_other_towns_private_value_reaches_a_town_officer_in_json(crawl: Crawl) -> None:
    leaks = [h for h in crawl.finder.leaks if h.asked.kind not in (*FORMATS, "tile")]
    assert not leaks, _summary(leaks)


def test_no_export_carries_another_towns_private_value(crawl: Crawl) -> None:
    leaks = [h for h in crawl.finder.leaks if h.asked.kind in FORMATS]
    assert not leaks, _summary(leaks)


def test_what_is_restricted_from_the_officer_carries_no_private_figure(crawl: Crawl) -> None:
    assert not crawl.withheld, _withheld(crawl.withheld)


def test_no_list_or_export_orders_the_rows_hidden_from_the_officer_by_their_hidden_values(crawl: Crawl) -> None:
    assert not crawl.orders, f"{len(crawl.orders)} sorted answers give hidden values away:\n" + _listed(crawl.orders)


def test_vector_tiles_carry_no_private_property_or_value(crawl: Crawl) -> None:
    leaks = [h for h in crawl.finder.leaks if h.asked.kind == "tile"]
    assert not crawl.tile_problems and not leaks, _listed(crawl.tile_problems) + _summary(leaks)
