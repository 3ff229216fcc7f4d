"""What a town officer must not receive, read straight from the store, and the means to spot it in
whatever the web app sends: JSON, XLSX, GeoPackage, GeoJSON, vector tiles.

Private (SPEC §6): an enterprise's yearly figures and everything computed from them — per-mu
figures, scores, ranks, limits derived from them, orderings by them. A value belongs to the town of
the ENTERPRISE (an evaluation unit: of its members), wherever it appears. A zone's totals belong to
every town whose units they sum; an industry mean to the towns of the units it averages, and it is
shared once it pools at least ``POOLED_UNITS`` units of other towns.

A number is searched for as the texts it can be printed as (``spellings``): its full repr, rounded
to 1, 2, 3 or 6 decimals, or to 15 significant digits (GDAL's GeoJSON). Only spellings distinctive
enough not to be met by chance are kept (non-integers of at least 4 significant digits), and any
spelling that also spells a public number of the store, or one of the officer's own values, is
dropped: a hit is then another town's private value and nothing else.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import sqlalchemy as sa

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.privacy import is_private
from landrenewal.domain.rules.evidence import EVIDENCE_LABELS
from landrenewal.domain.units import M2_PER_MU
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from landrenewal.web.tables import LISTS

# Figures derived from private ones although their names carry no private stem (SPEC §6: scores,
# ranks, limits derived from them).
DERIVED = frozenset({"score", "score_change", "rank", "rank_industry", "points", "limit"})
# The zone figures that sum the units' private figures.
ZONE_TOTALS = ("tax_wan", "value_added_wan", "tax_per_mu", "value_added_per_mu")
# An average over at least this many units of other towns is shared (none of them can be worked out).
POOLED_UNITS = 3
# Where a response holds positions, not figures.
PLACE_KEYS = frozenset({"geometry", "bbox", "bounds", "coordinates", "lon", "lat"})
# What the app writes where it withheld a value.
WITHHELD = ("无权查看",)
EDGE_BEFORE, EDGE_AFTER = r"(?<![0-9A-Za-z_.])", r"(?![0-9A-Za-z_]|\.[0-9])"
NUMBER = re.compile(EDGE_BEFORE + r"-?\d+\.\d+(?:[eE][-+]?\d+)?" + EDGE_AFTER)
KEY_BEFORE = re.compile(r'"([^"\\]+)"\s*:')
# The kinds of value a hit is named after when two private values are spelled alike.
KIND_ORDER = ("metrics.", "evaluation unit.score", "zone.", "finding evidence.", "evaluation unit.tax_per_mu")


@functools.cache
def private_name(name: str) -> bool:
    """Whether a field called ``name`` holds a private figure or one derived from them."""
    return is_private(name) or name in DERIVED


def distinctive(token: str) -> bool:
    """A non-integer of at least 4 significant digits: not printed by chance by something else."""
    mantissa = token.lower().split("e")[0].lstrip("-")
    if "." not in mantissa:
        return False
    whole, fraction = mantissa.split(".", 1)
    if not fraction.strip("0"):
        return False
    return len((whole + fraction).lstrip("0")) >= 4


def spellings(value: object) -> list[str]:
    """The texts the app could print ``value`` as, the most exact first: the JSON float repr, 16 or
    15 significant digits (a spreadsheet's cell, GDAL's GeoJSON), rounded to 6, 3, 2 or 1 decimals."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return []
    number = float(value)
    if not math.isfinite(number):
        return []
    forms = (
        number,
        float(f"{number:.16g}"),
        float(f"{number:.15g}"),
        *(round(number, decimals) for decimals in (6, 3, 2, 1)),
    )
    return [t for t in dict.fromkeys(repr(f) for f in forms) if distinctive(t)]


def tokens_of_text(text: str) -> set[str]:
    """The decimal numbers written in a text (a JSON answer, evidence such as ``亩均税收: 8.476``)."""
    found = set(NUMBER.findall(text))
    return found | {repr(float(t)) for t in found}


def tokens_of_value(value: object) -> set[str]:
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, float | np.floating):
        return {repr(float(value))} if math.isfinite(float(value)) else set()
    if isinstance(value, str):
        return tokens_of_text(value)
    return set()


def _priority(kind: str) -> int:
    """Which of two private values spelled alike a hit is named after, when the context does not tell."""
    return next((i for i, prefix in enumerate(KIND_ORDER) if kind.startswith(prefix)), len(KIND_ORDER))


@functools.cache
def names_of(field_name: str) -> frozenset[str]:
    """A field's name and the Chinese names the app prints it under (headers, evidence labels)."""
    names = {field_name}
    names.update(f.header for entity in ENTITIES.values() for f in entity.fields if f.name == field_name)
    names.update(c.zh for spec in LISTS.values() for c in spec.columns if c.name == field_name)
    if field_name in EVIDENCE_LABELS:
        names.add(EVIDENCE_LABELS[field_name][0])
    return frozenset(names)


@dataclass(frozen=True)
class Owner:
    whose: str
    kind: str  # metrics.tax_wan, evaluation unit.score, zone.tax_per_mu …
    rank: tuple[int, int]  # how exact the spelling is, then _priority

    @property
    def field(self) -> str:
        return self.kind.rsplit(".", 1)[-1]


@dataclass
class Ledger:
    """Private values by their spellings: the other towns' (must not be seen) and the officer's own."""

    town: str
    other: dict[str, list[Owner]] = field(default_factory=dict)  # spelling → whose values are spelled so
    own: dict[str, list[Owner]] = field(default_factory=dict)
    public: set[str] = field(default_factory=set)
    pooled: set[str] = field(default_factory=set)  # shared aggregates: neither kept nor forbidden

    def add(self, value: object, kind: str, whose: str, mine: bool) -> None:
        target = self.own if mine else self.other
        for exactness, token in enumerate(spellings(value)):
            target.setdefault(token, []).append(Owner(whose, kind, (exactness, _priority(kind))))

    def add_public(self, values: Iterable[object]) -> None:
        for value in values:
            self.public.update(spellings(value))

    def settle(self) -> None:
        """Drop the spellings that are ambiguous: also public, also the officer's own, also pooled."""
        for token in list(self.other):
            if token in self.public or token in self.own or token in self.pooled:
                del self.other[token]
            else:
                self.other[token].sort(key=lambda o: o.rank)
        for token in list(self.own):
            if token in self.public or token in self.pooled:
                del self.own[token]


def _town(code: object) -> str:
    return str(code)[:9] if isinstance(code, str) else "?"


def read_ledger(store: Store, town: str) -> Ledger:
    """Every private value in the store, sorted into the officer's own and the other towns'; the
    caller adds what else it knows to be public, then ``settle``s it."""
    ledger = Ledger(town)
    with store.engine.connect() as conn:
        enterprises = read_table(conn, store, schema.enterprises, ["uscc", "division_code"])
        metrics = read_table(conn, store, schema.metrics)
        units = read_table(conn, store, schema.evaluation_units)
        members = read_table(conn, store, schema.evaluation_members, ["run_id", "uscc", "unit_key"])
        links = read_table(conn, store, schema.evaluation_parcels, ["run_id", "parcel_code", "unit_key"])
        zone_runs = read_table(conn, store, schema.zone_runs, ["id", "evaluation_run_id"])
        zones = read_table(conn, store, schema.zones)
        zone_parcels = read_table(conn, store, schema.zone_parcels, ["run_id", "zone_no", "parcel_code"])
        findings = read_table(
            conn, store, schema.findings, ["run_id", "parcel_code", "rule_id", "evidence", "threshold"]
        )
        idents = read_table(conn, store, schema.identification_runs, ["id", "evaluation_run_id"])
        public = _public_numbers(conn, store)
    ledger.add_public(public)
    division = dict(zip(enterprises["uscc"], enterprises["division_code"], strict=True))

    figures = [c for c in metrics.columns if private_name(c)]
    for row in metrics.to_dict("records"):
        home = _town(division.get(row["uscc"]))
        for column in figures:
            whose = f"metrics.{column} of enterprise {row['uscc']} ({row['year']}), town {home}"
            ledger.add(row[column], f"metrics.{column}", whose, home == town)

    # A unit is the officer's only when every member enterprise is in the officer's town.
    members = members.assign(home=members["uscc"].map(division).map(_town))
    others = members.assign(other=members["home"] != town).groupby(["run_id", "unit_key"])["other"].sum()
    units = units.merge(others.rename("other_members").reset_index(), on=["run_id", "unit_key"], how="left")
    units["other_members"] = units["other_members"].fillna(0).astype(int)
    unit_figures = [c for c in units.columns if private_name(c)]
    for row in units.to_dict("records"):
        mine = row["other_members"] == 0
        home = _town(row["division_code"])
        for column in unit_figures:
            whose = f"evaluation unit {row['unit_key']} (run {row['run_id']}).{column}, town {home}"
            ledger.add(row[column], f"evaluation unit.{column}", whose, mine)

    _zone_totals(ledger, zones, zone_parcels, zone_runs, links, units)
    _industry_limits(ledger, findings, idents, units)
    return ledger


def _zone_totals(
    ledger: Ledger,
    zones: pd.DataFrame,
    zone_parcels: pd.DataFrame,
    zone_runs: pd.DataFrame,
    links: pd.DataFrame,
    units: pd.DataFrame,
) -> None:
    """A zone's totals are the officer's when every unit they sum is the officer's; they reveal
    another town's part as soon as one unit of another town is in them."""
    evaluation_of = dict(zip(zone_runs["id"], zone_runs["evaluation_run_id"], strict=True))
    taxed = units[units["tax_wan"].notna() | units["value_added_wan"].notna()]
    for (run_id, zone_no), parcels in zone_parcels.groupby(["run_id", "zone_no"]):
        evaluation = evaluation_of.get(run_id)
        used = links[(links["run_id"] == evaluation) & links["parcel_code"].isin(parcels["parcel_code"])]
        summed = taxed[(taxed["run_id"] == evaluation) & taxed["unit_key"].isin(used["unit_key"])]
        foreign = sorted({_town(d) for d in summed.loc[summed["other_members"] > 0, "division_code"]})
        row = zones[(zones["run_id"] == run_id) & (zones["zone_no"] == zone_no)]
        if not len(row):
            continue
        for column in ZONE_TOTALS:
            value = row.iloc[0][column]
            if foreign:
                whose = f"zone {zone_no} (run {run_id}).{column}, summing units of towns {', '.join(foreign)}"
                ledger.add(value, f"zone.{column}", whose, mine=False)
            else:
                ledger.add(value, f"zone.{column}", f"zone {zone_no}.{column} (own units only)", mine=True)


def _industry_limits(ledger: Ledger, findings: pd.DataFrame, idents: pd.DataFrame, units: pd.DataFrame) -> None:
    """认定限值 and the industry mean it comes from: the mean 亩均税收 of the rated units of a list and
    industry division; another town's figure while it averages one or two units of other towns."""
    evaluation_of = dict(zip(idents["id"], idents["evaluation_run_id"], strict=True))
    every = units.assign(industry=units["industry_code"].astype("string").str[:2], foreign=units["other_members"] > 0)
    rated = every[every["status"] == "rated"]  # the means average these
    groups = rated.groupby(["run_id", "list", "industry"])["foreign"].sum()
    # an overdue unit's finding quotes its group's mean too, though the unit is not in it
    group_of = {
        (r, k): (lst, ind)
        for r, k, lst, ind in every[["run_id", "unit_key", "list", "industry"]].itertuples(index=False)
    }
    for row in findings.itertuples(index=False):
        evidence = json.loads(row.evidence) if isinstance(row.evidence, str) else {}
        if "limit" not in evidence and "industry_mean_tax_per_mu" not in evidence:
            continue
        run_id = evaluation_of.get(row.run_id)
        group = group_of.get((run_id, evidence.get("unit_key")))
        if group is None:
            continue
        foreign = int(groups.get((run_id, *group), 0))
        for key in ("limit", "industry_mean_tax_per_mu"):
            value = evidence.get(key)
            if foreign >= POOLED_UNITS:
                ledger.pooled.update(spellings(value))
                continue
            whose = (
                f"{key} of industry {group[1]} ({group[0]}, evaluation run {run_id}) on parcel "
                f"{row.parcel_code}: averages {foreign} unit(s) of other towns"
            )
            ledger.add(value, f"finding evidence.{key}", whose, mine=foreign == 0)


def _public_numbers(conn: sa.Connection, store: Store) -> list[object]:
    """Every public number the store holds (areas, shares, agreed figures, policy values in the findings …)."""
    out: list[object] = []
    for table in schema.metadata.sorted_tables:
        numeric = [
            c.name
            for c in table.columns
            if isinstance(c.type, sa.Float | sa.Numeric) and not private_name(c.name) and c.name != "id"
        ]
        if not numeric:
            continue
        frame = read_table(conn, store, table, numeric)
        for column in numeric:
            out.extend(frame[column].dropna().tolist())
    parcels = read_table(conn, store, schema.parcels, ["area_m2"])
    out.extend((parcels["area_m2"] / M2_PER_MU).round(3).tolist())
    findings = read_table(conn, store, schema.findings, ["evidence", "threshold"])
    for text in [*findings["evidence"], *findings["threshold"]]:
        value = json.loads(text) if isinstance(text, str) else {}
        if isinstance(value, dict):
            out.extend(v for k, v in value.items() if not private_name(k) and k != "industry_mean_tax_per_mu")
    return out


@dataclass(frozen=True)
class Asked:
    """A request as the failure messages name it: the OpenAPI path and the query sent."""

    path: str  # the path as the OpenAPI document names it: /api/parcels/{code}
    url: str  # what was asked: /api/parcels/4407…?sort=tax_wan&order=desc
    kind: str  # json list | dossier | xlsx | gpkg | geojson | tile …

    def __str__(self) -> str:
        return f"GET {self.url}"


def _context(text: str, token: str) -> tuple[str, set[str]]:
    """Where a number stands in a JSON text: the key before it and what leads up to it; and the
    names around it (that key, the label just before it in a text such as evidence)."""
    found = re.search(EDGE_BEFORE + re.escape(token) + EDGE_AFTER, text)
    if found is None:
        return "(as a number)", set()
    keys = list(KEY_BEFORE.finditer(text, max(0, found.start() - 400), found.start()))
    if not keys:
        return "…" + text[max(0, found.start() - 40) : found.end()], set()
    key = keys[-1]
    lead = text[key.end() : found.start()].lstrip().lstrip('"')
    label = re.split(r"[；;，,]", lead)[-1].split(":")[0].strip()
    shown = lead + token
    return f'"{key.group(1)}": ' + (shown if len(shown) <= 80 else "…" + shown[-80:]), {key.group(1), label}


@dataclass(frozen=True)
class Hit:
    asked: Asked
    where: str  # where in the answer: "tax_wan": 12.5, findings row 3 column 证据 …
    token: str
    owner: Owner
    also: int  # how many other private values are spelled the same

    @property
    def kind(self) -> str:
        return self.owner.kind

    def __str__(self) -> str:
        also = f" (or {self.also} other value(s) spelled alike)" if self.also else ""
        value = "" if self.where.endswith(self.token) else f" = {self.token}"
        return f"{self.asked}  {self.where}{value}  ← {self.owner.whose}{also}"


@dataclass
class Finder:
    """Looks for spellings of private values in answers: remembers each other-town value met (once
    per answer), and how many of the officer's own values each kind of answer showed."""

    ledger: Ledger
    leaks: list[Hit] = field(default_factory=list)
    own_seen: dict[str, int] = field(default_factory=dict)  # kind of answer → own values found in it

    def _met(self, tokens: Iterable[str], asked: Asked, where: Callable[[str], tuple[str, set[str]]]) -> None:
        own = 0
        for token in tokens:
            owners = self.ledger.other.get(token)
            if owners:
                place, names = where(token)
                # Named after the value whose field the context names (the key, the label before it).
                owner = next((o for o in owners if names & names_of(o.field)), owners[0])
                self.leaks.append(Hit(asked, place, token, owner, len(owners) - 1))
            elif token in self.ledger.own:
                own += 1
        if own:
            self.own_seen[asked.kind] = self.own_seen.get(asked.kind, 0) + own

    def text(self, text: str, asked: Asked) -> None:
        """A JSON (or CSV …) answer as sent: every number in it, figures and quoted evidence alike."""
        self._met(tokens_of_text(text), asked, lambda token: _context(text, token))

    def scalar(self, value: object, asked: Asked, where: str, name: str = "") -> None:
        self._met(tokens_of_value(value), asked, lambda token: (where, {name}))

    def table(self, frame: pd.DataFrame, asked: Asked, name: str) -> None:
        for column in frame.columns:
            first: dict[str, int] = {}
            for i, value in enumerate(frame[column].tolist()):
                for token in tokens_of_value(value):
                    first.setdefault(token, i)
            self._met(first, asked, lambda token, c=column, at=first: self._cell(name, c, at[token], frame, token))

    @staticmethod
    def _cell(name: str, column: str, row: int, frame: pd.DataFrame, token: str) -> tuple[str, set[str]]:
        value = frame[column].iloc[row]
        names = {str(column)}
        if isinstance(value, str):  # a text quoting figures: the label just before the number
            _, around = _context(f'"{column}": "{value}"', token)
            names |= around
        return f"{name} row {row + 1} column {column}", names


def withheld_but_shown(value: Any, where: str = "") -> Iterator[tuple[str, str, Any]]:
    """(where, field, value) for each private field that an object flagged ``restricted`` still fills."""
    if isinstance(value, dict):
        if value.get("restricted") is True:
            for key, item in value.items():
                withheld = item is None or isinstance(item, dict | list) or str(item).startswith(WITHHELD)
                if private_name(key) and not withheld:
                    yield where, key, item
        for key, item in value.items():
            if key not in PLACE_KEYS and isinstance(item, dict | list):
                yield from withheld_but_shown(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from withheld_but_shown(item, f"{where}[{i}]")


def read_xlsx(content: bytes) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook, its first row the header."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows:
            header = [str(h) if h is not None else f"列{i + 1}" for i, h in enumerate(rows[0])]
            sheets[sheet.title] = pd.DataFrame(rows[1:], columns=header, dtype=object)
    book.close()
    return sheets


def read_gpkg(path: Path) -> dict[str, pd.DataFrame]:
    """Every layer or attribute table of a GeoPackage, without geometry; and what the file says of itself."""
    out = {}
    for name, _ in pyogrio.list_layers(path):
        out[str(name)] = pd.DataFrame(pyogrio.read_dataframe(path, layer=name, read_geometry=False))
    with sqlite3.connect(path) as db:
        about = db.execute("SELECT table_name, description FROM gpkg_contents").fetchall()
    out["gpkg_contents"] = pd.DataFrame(about, columns=["table_name", "description"], dtype=object)
    return out


def read_geojson(content: bytes) -> dict[str, pd.DataFrame]:
    features = json.loads(content)["features"]
    return {"features": pd.DataFrame([f.get("properties") or {} for f in features], dtype=object)}


@dataclass(frozen=True)
class Placed:
    """One row of a sorted list as the officer received it."""

    hidden: bool  # the officer may not see this row's private figures
    shown: Any  # the sort column's value as the officer received it
    true: Any  # its value in the store (as the city sees it)
    key: tuple[str, ...] = ()  # the row's public key (an order by it tells nothing hidden)


def _ranks(values: Sequence[Any]) -> np.ndarray:
    numeric = all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values)
    series = pd.Series(list(values), dtype="float64" if numeric else object)
    if not numeric:
        series = series.astype(str)
    return series.rank(method="average").to_numpy(dtype="float64")


def order_leak(rows: Sequence[Placed], min_rows: int = 20, max_rho: float = 0.3) -> str | None:
    """Why the order of ``rows`` gives away the hidden rows' values, or None.

    Two signs: the hidden rows, whose sort value the officer did not receive, sit among the visible
    rows' values (interleaved by value); or, among hidden rows the officer received with the same
    shown value, the sequence follows their true values (Spearman |rho| ≥ ``max_rho`` over at least
    ``min_rows`` rows, or a perfect order over 5 or more).
    """
    hidden = [(i, r) for i, r in enumerate(rows) if r.hidden and r.true is not None]
    if not hidden:
        return None
    problems = []
    if all(r.shown is None for _, r in hidden):
        valued = [i for i, r in enumerate(rows) if not r.hidden and r.shown is not None]
        if valued:
            first, last = min(valued), max(valued)
            among = [i for i, _ in hidden if first < i < last]
            if among:
                problems.append(
                    f"{len(among)} of {len(hidden)} hidden rows sit among the visible rows' values "
                    f"(positions {first + 1}–{last + 1} of {len(rows)}), placed by value"
                )
    groups: dict[str, list[tuple[int, Any]]] = {}
    for position, (_, r) in enumerate(hidden):
        groups.setdefault(repr(r.shown), []).append((position, r.true))
    cross = spread_p = spread_t = 0.0
    n = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        p = np.arange(len(members), dtype="float64")  # already in sequence order
        t = _ranks([m[1] for m in members])
        p, t = p - p.mean(), t - t.mean()
        cross += float((p * t).sum())
        spread_p += float((p * p).sum())
        spread_t += float((t * t).sum())
        n += len(members)
    keys = [r.key for _, r in hidden]
    in_key_order = all(keys) and keys == sorted(keys)  # ordered by what everyone sees: no value told
    if n and spread_p > 0 and spread_t > 0 and not in_key_order:
        rho = cross / math.sqrt(spread_p * spread_t)
        if (n >= min_rows and abs(rho) >= max_rho) or (n >= 5 and abs(rho) > 0.999):
            problems.append(f"the {n} hidden rows come in the order of their hidden values (Spearman rho {rho:+.2f})")
    return "; ".join(problems) or None
