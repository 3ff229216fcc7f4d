"""The consent ledger's arithmetic (权益人与意愿): who has consented or signed on a date, the tallies
per project and per parcel, and whether a consent rule of the policy is met (docs/consent.md).

**Holders** (权益人) are the rights holders of a project's demolition scope, one row each:
``project_id``, ``holder_id``, ``parcel_code`` (empty for a holder of the scope not tied to one
parcel), ``kind`` (person | household | enterprise | collective), ``area_m2`` (the land area held in
the scope), ``persons`` (an integer ≥ 1: co-owners each count, so a household of three co-owners
counts 3) and optionally ``old_housing`` (the holding lies in an old housing area, 旧住宅区).

**Events** are what the ledger records: ``project_id``, ``holder_id``, ``kind`` (consent 改造意愿书面
同意 | signed 补偿（收购）协议签订 | withdrawn 撤回同意), ``date`` (the business date: when the
holder signed, not when the clerk typed it) and ``voided`` (a later correction voided it: ignored).
An optional ``seq`` orders events of one holder on one date; without it, their order in the frame
(the order they were recorded) does.

A holder's state on a date follows from the events on or before that date that are not voided:

- a signed agreement implies consent, and it stands: a withdrawal after signing changes nothing
  (the agreement is a contract; undoing it is a correction that voids the ``signed`` event);
- otherwise the latest of consent and withdrawal decides: a withdrawal cancels a consent, a later
  consent renews it.

Everything is vectorised (numpy and pandas, no loop over rows): 10⁵ holders and 10⁶ events tally
for every project at once in a fraction of a second (tests/test_domain_project_consent.py runs
that size and checks the totals).

A **consent rule** is policy data, one mapping per gate (``projects.consent_min``,
``projects.expropriation_petition_signed_min``), so that a city writes its own rule without code:

``basis``
    ``consent`` (written consent, or a signed agreement) or ``signed`` (signed agreements only).
    Optional: the parameter holding the rule gives the default (see :data:`DEFAULT_BASIS`).
``area``, ``persons``
    the minimum shares of the whole scope's land area and persons (Dongguan: 0.8 and 0.8).
``per_parcel: {area, persons}``
    the minimum shares within each parcel (Shenzhen: ¾ and ¾); a parcel meeting them *passes*.
``old_housing_parcel: {area, persons}``
    the shares a parcel of old housing must meet instead (Shenzhen: 95 % and 95 %).
``passing_area_min``
    the passing parcels' land area as a minimum share of the scope's (Shenzhen: 80 %). Without
    it, a per-parcel rule needs every parcel to pass.

A ratio is a number in (0, 1] or a fraction written ``"3/4"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landrenewal.domain.language import say
from landrenewal.domain.projects.outcome import Check, GateOutcome, at_least
from landrenewal.domain.projects.ratios import read_ratio

Basis = Literal["consent", "signed"]
HOLDER_KINDS = ("person", "household", "enterprise", "collective")
EVENT_KINDS = ("consent", "signed", "withdrawn")
HOLDER_COLUMNS = ("project_id", "holder_id", "parcel_code", "kind", "area_m2", "persons")
EVENT_COLUMNS = ("project_id", "holder_id", "kind", "date", "voided")
KEYS = ["project_id", "holder_id"]

# Which basis a rule has when it does not say, by the parameter that holds it.
DEFAULT_BASIS: dict[str, Basis] = {
    "projects.consent_min": "consent",
    "projects.expropriation_petition_signed_min": "signed",
}

# The tally's figures per basis: (area column, persons column, area ratio, persons ratio).
_FIGURES: dict[Basis, tuple[str, str, str, str]] = {
    "consent": ("consented_area_m2", "consented_persons", "consented_area_ratio", "consented_persons_ratio"),
    "signed": ("signed_area_m2", "signed_persons", "signed_area_ratio", "signed_persons_ratio"),
}
_RULE_KEYS = ("basis", "area", "persons", "per_parcel", "old_housing_parcel", "passing_area_min")
_SHARE_KEYS = ("area", "persons")
_EXAMPLES = 5  # rows named per problem; the count says how many more


# ---------------------------------------------------------------------------------------------
# input checks


def _rows(mask: npt.NDArray[np.bool_]) -> tuple[str, str]:
    """The first rows (1-based, as a spreadsheet numbers them) where ``mask`` holds, in Chinese
    (``2、3``, to follow 第) and in English (``rows 2, 3``)."""
    where = np.flatnonzero(mask) + 1
    shown = [str(i) for i in where[:_EXAMPLES]]
    more = len(where) - len(shown)
    zh = "、".join(shown) + (f" 等 {len(where)}" if more > 0 else "")
    en = ("row " if len(where) == 1 else "rows ") + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    return zh, en


def _missing(frame: pd.DataFrame, columns: tuple[str, ...], table_zh: str, table_en: str) -> list[str]:
    absent = [c for c in columns if c not in frame.columns]
    if not absent:
        return []
    return [say(f"{table_zh}缺少列：{'、'.join(absent)}。", f"{table_en}: missing columns: {', '.join(absent)}.")]


def holder_problems(holders: pd.DataFrame) -> list[str]:
    """What is wrong with a holders frame, each problem naming the field and the rows (1-based)."""
    problems = _missing(holders, HOLDER_COLUMNS, "权益人表", "holders")
    if problems:
        return problems
    blank = holders["project_id"].isna().to_numpy() | holders["holder_id"].isna().to_numpy()
    if blank.any():
        problems.append(
            say(
                f"权益人表第 {_rows(blank)[0]} 行：project_id 或 holder_id 为空。",
                f"holders, {_rows(blank)[1]}: project_id or holder_id is empty.",
            )
        )
    twice = holders.duplicated(KEYS, keep="first").to_numpy()
    if twice.any():
        problems.append(
            say(
                f"权益人表第 {_rows(twice)[0]} 行：同一项目中 holder_id 重复。",
                f"holders, {_rows(twice)[1]}: holder_id repeated within a project.",
            )
        )
    kind = ~holders["kind"].isin(HOLDER_KINDS).to_numpy()
    if kind.any():
        problems.append(
            say(
                f"权益人表第 {_rows(kind)[0]} 行：kind 须为 {'、'.join(HOLDER_KINDS)} 之一。",
                f"holders, {_rows(kind)[1]}: kind must be one of {', '.join(HOLDER_KINDS)}.",
            )
        )
    area = pd.to_numeric(holders["area_m2"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad_area = ~(area >= 0)  # NaN too
    if bad_area.any():
        problems.append(
            say(
                f"权益人表第 {_rows(bad_area)[0]} 行：area_m2 须为不小于 0 的数（平方米）。",
                f"holders, {_rows(bad_area)[1]}: area_m2 must be a number of square metres, 0 or more.",
            )
        )
    persons = pd.to_numeric(holders["persons"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad_persons = ~((persons >= 1) & (persons == np.floor(persons)))
    if bad_persons.any():
        problems.append(
            say(
                f"权益人表第 {_rows(bad_persons)[0]} 行：persons 须为不小于 1 的整数（共有人各计一人）。",
                f"holders, {_rows(bad_persons)[1]}: persons must be a whole number, 1 or more (each co-owner counts).",
            )
        )
    return problems


def event_problems(events: pd.DataFrame, holders: pd.DataFrame | None = None) -> list[str]:
    """What is wrong with an events frame; with ``holders``, also events of holders it does not list."""
    problems = _missing(events, EVENT_COLUMNS, "意愿记录表", "consent events")
    if problems:
        return problems
    kind = ~events["kind"].isin(EVENT_KINDS).to_numpy()
    if kind.any():
        problems.append(
            say(
                f"意愿记录表第 {_rows(kind)[0]} 行：kind 须为 {'、'.join(EVENT_KINDS)} 之一。",
                f"consent events, {_rows(kind)[1]}: kind must be one of {', '.join(EVENT_KINDS)}.",
            )
        )
    dates = pd.to_datetime(events["date"], errors="coerce").isna().to_numpy()
    if dates.any():
        problems.append(
            say(
                f"意愿记录表第 {_rows(dates)[0]} 行：date 须为日期，如 2024-03-01。",
                f"consent events, {_rows(dates)[1]}: date must be a date, such as 2024-03-01.",
            )
        )
    voided = ~events["voided"].isin([True, False]).to_numpy()
    if voided.any():
        problems.append(
            say(
                f"意愿记录表第 {_rows(voided)[0]} 行：voided 须为 true 或 false。",
                f"consent events, {_rows(voided)[1]}: voided must be true or false.",
            )
        )
    if holders is not None and not _missing(holders, ("project_id", "holder_id"), "", ""):
        unknown = _holder_rows(holders, events) < 0
        if unknown.any():
            problems.append(
                say(
                    f"意愿记录表第 {_rows(unknown)[0]} 行：权益人表中没有该项目的这个 holder_id。",
                    f"consent events, {_rows(unknown)[1]}: no such holder_id in the project's holders.",
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------
# states and tallies


def _as_bool(values: Any) -> npt.NDArray[np.bool_]:
    """An elementwise comparison's result (numpy, or a pandas array that may hold missing values)
    as numpy booleans, missing → False."""
    if isinstance(values, np.ndarray):
        return values.astype(np.bool_)
    return pd.Series(values).astype("boolean").fillna(False).to_numpy(dtype=np.bool_)


def _positions(values: pd.Series, among: pd.Series) -> npt.NDArray[np.int64]:
    """Where each of ``values`` stands in ``among`` (whose entries are distinct); -1 when absent.

    Text columns held by Arrow are looked up by Arrow; a pandas index would convert 10⁶ strings to
    Python objects first and take seconds. Other columns are hashed together by ``pd.factorize``."""
    arrow = (pd.ArrowDtype, pd.StringDtype)
    if isinstance(values.dtype, arrow) and isinstance(among.dtype, arrow):
        try:
            found = pc.index_in(pa.array(values.array), value_set=pa.array(among.array))
            return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
            pass  # a string dtype stored in Python objects: hashed below
    codes, uniques = pd.factorize(pd.concat([among, values], ignore_index=True))
    where = np.full(len(uniques) + 1, -1, dtype=np.int64)  # the last slot answers missing values (-1)
    held = codes[: len(among)]
    where[held[held >= 0]] = np.flatnonzero(held >= 0)
    return where[codes[len(among) :]]


def _holder_rows(holders: pd.DataFrame, events: pd.DataFrame) -> npt.NDArray[np.int64]:
    """For each event, the position of its holder in ``holders`` (-1 when not listed)."""
    n = len(holders)
    if n == 0 or len(events) == 0:
        return np.full(len(events), -1, dtype=np.int64)
    if holders["holder_id"].is_unique:
        # holder ids unique across projects (the usual case): one lookup, then the project must match
        row = _positions(events["holder_id"], holders["holder_id"])
        found = row >= 0
        same = _as_bool(holders["project_id"].array.take(np.where(found, row, 0)) == events["project_id"].array)
        return np.where(found & same, row, -1).astype(np.int64)
    projects, _ = pd.factorize(pd.concat([holders["project_id"], events["project_id"]], ignore_index=True))
    codes, uniques = pd.factorize(pd.concat([holders["holder_id"], events["holder_id"]], ignore_index=True))
    key = projects.astype(np.int64) * (len(uniques) + 1) + codes
    key[(projects < 0) | (codes < 0)] = -1
    own, asked = key[:n], key[n:]
    order = np.argsort(own, kind="stable")
    ordered = own[order]
    at = np.minimum(np.searchsorted(ordered, asked), n - 1)
    match = (ordered[at] == asked) & (asked >= 0)
    return np.where(match, order[at], -1).astype(np.int64)


def holder_states(holders: pd.DataFrame, events: pd.DataFrame, as_of: dt.date | str | pd.Timestamp) -> pd.DataFrame:
    """The holders with two columns added: ``consented`` (written consent standing, or a signed
    agreement) and ``signed`` (a signed agreement), as of the end of ``as_of``.

    Events of holders the frame does not list are ignored (``event_problems`` reports them)."""
    n = len(holders)
    end = pd.Timestamp(as_of).normalize().to_datetime64()
    row = _holder_rows(holders, events)
    dates = pd.to_datetime(events["date"]).to_numpy(dtype="datetime64[D]")
    kind = events["kind"]
    is_signed = _as_bool(kind == "signed")
    is_consent = _as_bool(kind == "consent")
    is_withdrawn = _as_bool(kind == "withdrawn")
    live = (row >= 0) & ~_as_bool(events["voided"]) & (dates <= end)

    signed = np.zeros(n, dtype=bool)
    signed[row[live & is_signed]] = True  # the same value for every repeat: order does not matter

    # The latest of consent and withdrawal per holder, by date, then seq, then the order recorded:
    # each event gets a rank in that order and each holder keeps the event of its highest rank.
    pick = live & (is_consent | is_withdrawn)
    rows, agreed = row[pick], is_consent[pick]
    days = dates[pick].astype(np.int64)
    if "seq" in events.columns:
        seq = pd.to_numeric(events["seq"], errors="coerce").to_numpy(dtype=float, na_value=np.inf)[pick]
        order = np.lexsort((seq, days))  # lexsort is stable: the order recorded breaks ties
        rank = np.empty(len(rows), dtype=np.int64)
        rank[order] = np.arange(len(rows))
    else:
        rank = (days - (days.min() if len(days) else 0)) * max(len(rows), 1) + np.arange(len(rows))
    latest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(latest, rows, rank)
    last = rank == latest[rows]  # one event per holder: ranks are distinct
    consented = np.zeros(n, dtype=bool)
    consented[rows[last]] = agreed[last]
    return holders.assign(consented=consented | signed, signed=signed)


def _sums(states: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    area = pd.to_numeric(states["area_m2"]).to_numpy(dtype=float)
    persons = pd.to_numeric(states["persons"]).to_numpy(dtype=np.int64)
    consented = states["consented"].to_numpy(dtype=bool)
    signed = states["signed"].to_numpy(dtype=bool)
    old = (
        _as_bool(states["old_housing"].array) if "old_housing" in states.columns else np.zeros(len(states), dtype=bool)
    )
    figures = pd.DataFrame(
        {
            **{key: states[key].reset_index(drop=True) for key in by},  # kept as they are: no conversion
            "holders": np.ones(len(states), dtype=np.int64),
            "area_m2": area,
            "persons": persons,
            "consented_area_m2": np.where(consented, area, 0.0),
            "consented_persons": np.where(consented, persons, 0),
            "signed_area_m2": np.where(signed, area, 0.0),
            "signed_persons": np.where(signed, persons, 0),
            "old_housing": old,
        }
    )
    totals = figures.groupby(by, sort=True, dropna=True).agg(
        holders=("holders", "sum"),
        area_m2=("area_m2", "sum"),
        persons=("persons", "sum"),
        consented_area_m2=("consented_area_m2", "sum"),
        consented_persons=("consented_persons", "sum"),
        signed_area_m2=("signed_area_m2", "sum"),
        signed_persons=("signed_persons", "sum"),
        old_housing=("old_housing", "any"),
    )
    total_area = totals["area_m2"].where(totals["area_m2"] > 0)
    total_persons = totals["persons"].where(totals["persons"] > 0)
    totals["consented_area_ratio"] = totals["consented_area_m2"] / total_area
    totals["consented_persons_ratio"] = totals["consented_persons"] / total_persons
    totals["signed_area_ratio"] = totals["signed_area_m2"] / total_area
    totals["signed_persons_ratio"] = totals["signed_persons"] / total_persons
    return totals.reset_index()


def tally(
    holders: pd.DataFrame, events: pd.DataFrame, as_of: dt.date | str | pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(per_project, per_parcel)`` as of the end of ``as_of``.

    Both carry ``holders``, ``area_m2``, ``persons``, ``consented_area_m2``, ``consented_persons``,
    ``signed_area_m2``, ``signed_persons``, the four ratios ``consented_area_ratio``,
    ``consented_persons_ratio``, ``signed_area_ratio``, ``signed_persons_ratio`` (empty where the
    total is 0) and ``old_housing`` (any holding of old housing). ``per_parcel`` is keyed by
    ``project_id`` and ``parcel_code``; holders tied to no parcel count in their project's totals
    only, so that a per-parcel rule measures passing parcels against the whole scope's area."""
    states = holder_states(holders, events, as_of)
    return _sums(states, ["project_id"]), _sums(states, ["project_id", "parcel_code"])


def not_consented(
    holders: pd.DataFrame,
    events: pd.DataFrame,
    as_of: dt.date | str | pd.Timestamp,
    basis: Basis = "consent",
) -> pd.DataFrame:
    """The holders without consent (or, with ``basis="signed"``, without a signed agreement) as of
    ``as_of``: ``project_id``, ``holder_id``, ``parcel_code``, in the holders' order — whom the
    task force still has to visit."""
    states = holder_states(holders, events, as_of)
    column = "consented" if basis == "consent" else "signed"
    return states.loc[~states[column].to_numpy(dtype=bool), ["project_id", "holder_id", "parcel_code"]].reset_index(
        drop=True
    )


# ---------------------------------------------------------------------------------------------
# rules


@dataclass(frozen=True)
class Shares:
    """Minimum shares of area and persons; None where the rule sets none."""

    area: Fraction | None = None
    persons: Fraction | None = None


@dataclass(frozen=True)
class ConsentRule:
    basis: Basis = "consent"
    whole: Shares = Shares()
    per_parcel: Shares | None = None
    old_housing_parcel: Shares | None = None
    passing_area_min: Fraction | None = None

    @classmethod
    def parse(cls, rule: Mapping[str, Any], default_basis: Basis = "consent") -> ConsentRule:
        """A rule mapping read into its parts; ValueError listing every problem when it is not one."""
        problems = consent_rule_problems(rule)
        if problems:
            raise ValueError(" ".join(problems))

        def shares(part: Any) -> Shares | None:
            if part is None:
                return None
            return Shares(read_ratio(part.get("area")), read_ratio(part.get("persons")))

        return cls(
            basis=rule.get("basis", default_basis),
            whole=Shares(read_ratio(rule.get("area")), read_ratio(rule.get("persons"))),
            per_parcel=shares(rule.get("per_parcel")),
            old_housing_parcel=shares(rule.get("old_housing_parcel")),
            passing_area_min=read_ratio(rule.get("passing_area_min")),
        )


def rule_from_parameter(name: str, value: Mapping[str, Any]) -> ConsentRule:
    """The rule a policy parameter holds, with the basis its name implies when the value does not
    say (``projects.expropriation_petition_signed_min`` counts signed agreements)."""
    return ConsentRule.parse(value, DEFAULT_BASIS.get(name, "consent"))


def _ratio_problem(where: str, value: object) -> str | None:
    if read_ratio(value) is not None:
        return None
    return say(
        f'同意规则 {where}：须为大于 0、不大于 1 的比例，如 0.8 或 "3/4"，实为 {value!r}。',
        f'consent rule {where}: must be a ratio above 0 and at most 1, such as 0.8 or "3/4"; got {value!r}.',
    )


def consent_rule_problems(rule: object) -> list[str]:
    """What is wrong with a consent rule (``policy check`` reports these); empty when it is sound."""
    if not isinstance(rule, Mapping):
        return [
            say(
                "同意规则须为键值结构，如 {area: 0.8, persons: 0.8}。",
                "a consent rule is a mapping, such as {area: 0.8, persons: 0.8}.",
            )
        ]
    problems = []
    for key in sorted(set(map(str, rule)) - set(_RULE_KEYS)):
        problems.append(
            say(
                f"同意规则：未知的键 {key!r}；可用的键：{'、'.join(_RULE_KEYS)}。",
                f"consent rule: unknown key {key!r}; allowed: {', '.join(_RULE_KEYS)}.",
            )
        )
    if "basis" in rule and rule["basis"] not in ("consent", "signed"):
        problems.append(
            say(
                f"同意规则 basis：须为 consent（书面同意）或 signed（已签协议），实为 {rule['basis']!r}。",
                f"consent rule basis: must be consent (written consent) or signed (signed agreements); "
                f"got {rule['basis']!r}.",
            )
        )
    for key in ("area", "persons", "passing_area_min"):
        if key in rule:
            found = _ratio_problem(key, rule[key])
            if found:
                problems.append(found)
    for part in ("per_parcel", "old_housing_parcel"):
        if part not in rule:
            continue
        body = rule[part]
        if not isinstance(body, Mapping) or not body or set(map(str, body)) - set(_SHARE_KEYS):
            problems.append(
                say(
                    f"同意规则 {part}：须为含 area 和/或 persons 的键值结构，如 {{area: 0.75, persons: 0.75}}。",
                    f"consent rule {part}: must be a mapping with area and/or persons, "
                    "such as {area: 0.75, persons: 0.75}.",
                )
            )
            continue
        for key in _SHARE_KEYS:
            if key in body:
                found = _ratio_problem(f"{part}.{key}", body[key])
                if found:
                    problems.append(found)
    for dependent in ("old_housing_parcel", "passing_area_min"):
        if dependent in rule and "per_parcel" not in rule:
            problems.append(
                say(
                    f"同意规则 {dependent}：须与 per_parcel（逐宗地的比例）同时使用。",
                    f"consent rule {dependent}: needs per_parcel (the shares each parcel must meet).",
                )
            )
    if not any(key in rule for key in ("area", "persons", "per_parcel")):
        problems.append(
            say(
                "同意规则：至少须有 area、persons 或 per_parcel 之一。",
                "consent rule: needs at least one of area, persons and per_parcel.",
            )
        )
    return problems


def _names(basis: Basis) -> dict[str, tuple[str, str]]:
    if basis == "signed":
        return {"area": ("面积签约率", "area signed"), "persons": ("人数签约率", "persons signed")}
    return {"area": ("面积同意率", "area consenting"), "persons": ("人数同意率", "persons consenting")}


def _ratio(row: Mapping[str, Any], column: str) -> float | None:
    value = row.get(column)
    if value is None or pd.isna(value):
        return None
    return float(value)


def _share_checks(rule: Shares, row: Mapping[str, Any], basis: Basis) -> list[Check]:
    names = _names(basis)
    _, _, area_ratio, persons_ratio = _FIGURES[basis]
    checks = []
    for key, column, minimum in (("area", area_ratio, rule.area), ("persons", persons_ratio, rule.persons)):
        if minimum is None:
            continue
        value = _ratio(row, column)
        name_zh, name_en = names[key]
        if value is None:  # no area or no persons recorded: nothing to measure against
            checks.append(Check(False, f"{name_zh}：无可计算的总数", f"{name_en}: no total to measure against"))
        else:
            checks.append(at_least(name_zh, name_en, value, float(minimum)))
    return checks


def _passing(rule: ConsentRule, parcels: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which parcels meet their shares (old housing parcels those of ``old_housing_parcel``)."""
    _, _, area_ratio, persons_ratio = _FIGURES[rule.basis]
    n = len(parcels)
    area = parcels[area_ratio].to_numpy(dtype=float, na_value=np.nan) if n else np.zeros(0)
    persons = parcels[persons_ratio].to_numpy(dtype=float, na_value=np.nan) if n else np.zeros(0)
    old = (
        parcels["old_housing"].fillna(False).to_numpy(dtype=bool)
        if n and "old_housing" in parcels.columns
        else np.zeros(n, dtype=bool)
    )

    def meets(shares: Shares) -> npt.NDArray[np.bool_]:
        ok = np.ones(n, dtype=bool)
        if shares.area is not None:
            ok &= area >= float(shares.area) - 1e-12
        if shares.persons is not None:
            ok &= persons >= float(shares.persons) - 1e-12
        return ok

    assert rule.per_parcel is not None
    ordinary = meets(rule.per_parcel)
    if rule.old_housing_parcel is None:
        return ordinary
    return np.where(old, meets(rule.old_housing_parcel), ordinary)


def _parcel_check(rule: ConsentRule, project: Mapping[str, Any], parcels: pd.DataFrame) -> Check:
    passing = _passing(rule, parcels)
    count, total = int(passing.sum()), len(passing)
    verb_zh, verb_en = ("签约", "signed") if rule.basis == "signed" else ("同意", "consenting")
    counted_zh = f"{total} 宗地中 {count} 宗{verb_zh}达标"
    counted_en = f"{count} of {total} parcels pass ({verb_en})"
    if rule.passing_area_min is None:
        return Check(total > 0 and count == total, f"{counted_zh}（须每宗达标）", f"{counted_en} (every parcel must)")
    area = pd.to_numeric(parcels["area_m2"]).to_numpy(dtype=float) if total else np.zeros(0)
    scope = _ratio(project, "area_m2")
    if not scope:
        return Check(False, f"{counted_zh}；未登记用地面积", f"{counted_en}; no area recorded")
    share_of_scope = float(area[passing].sum()) / scope
    share = at_least("达标宗地面积占比", "passing parcels' area", share_of_scope, float(rule.passing_area_min))
    return Check(share.passed, f"{counted_zh}，{share.zh}", f"{counted_en}, {share.en}")


def check_consent(
    rule: ConsentRule | Mapping[str, Any],
    project_row: Mapping[str, Any] | pd.Series,
    parcel_rows: pd.DataFrame | None = None,
    gate: str = "consent",
) -> GateOutcome:
    """Whether one project's tally meets ``rule``: one check per share the rule sets, worded with
    its numbers (``面积同意率 80.0 % ≥ 80 %；人数同意率 79.9 % < 80 %``); for a per-parcel rule, one
    check naming how many parcels pass and their share of the scope's area.

    ``project_row`` is the project's row of ``tally``'s per_project; ``parcel_rows`` per_parcel
    (only the project's own rows are read; needed by a per-parcel rule, under which a project with
    no parcel rows has no parcel passing)."""
    parsed = rule if isinstance(rule, ConsentRule) else ConsentRule.parse(rule)
    if parcel_rows is not None and "project_id" in parcel_rows.columns and "project_id" in project_row:
        parcel_rows = parcel_rows.loc[(parcel_rows["project_id"] == project_row["project_id"]).to_numpy(dtype=bool)]
    project: Mapping[str, Any] = (
        {str(k): v for k, v in project_row.items()} if isinstance(project_row, pd.Series) else project_row
    )
    checks = _share_checks(parsed.whole, project, parsed.basis)
    if parsed.per_parcel is not None:
        parcels = parcel_rows if parcel_rows is not None else pd.DataFrame(columns=["area_m2", "old_housing"])
        checks.append(_parcel_check(parsed, project, parcels))
    return GateOutcome(gate, tuple(checks))
