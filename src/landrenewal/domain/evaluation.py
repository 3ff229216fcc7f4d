"""亩均效益综合评价 of one year (docs/evaluation.md): who is rated, their scores, classes and ranks.

The evaluated unit is not always one enterprise. Enterprises that share a parcel are merged
and share one result, and an enterprise on several parcels sums its land; both follow from
taking the connected pieces of the enterprise–parcel graph of the year's occupancy. A unit
whose every occupancy is rented is listed apart from those on their own land.

Every number comes from :class:`EvaluationRules`, read from the policy; nothing here knows
Zhejiang's weights or Jiangsu's shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from landrenewal.domain import keys
from landrenewal.domain.indicators import INDICATORS, indicators
from landrenewal.domain.language import say
from landrenewal.domain.policy import PolicyError, ResolvedPolicy
from landrenewal.domain.units import M2_PER_MU

FIGURES = (
    "tax_wan",
    "value_added_wan",
    "revenue_wan",
    "output_wan",
    "energy_tce",
    "electricity_wan_kwh",
    "emissions_t",
    "rd_spending_wan",
    "employees_avg",
)
# The lists a unit is scored and ranked in: 规上, 规下, and rented premises listed apart.
LISTS = {
    "above": "规上企业",
    "below": "规下企业",
    "rented_above": "租赁厂房规上企业（单列）",
    "rented_below": "租赁厂房规下企业（单列）",
}
# A unit's standing: rated, T (not yet producing), outside the evaluation's scope, or producing
# without a single reported figure for the year (listed so that the data can be chased, not ranked).
STATUS = {
    "rated": "参评",
    "not_rated": "暂不评价",
    "overdue": "超过约定竣工日期未投产",
    "out_of_scope": "不纳入评价",
    "no_data": "缺少年度数据",
}
CLASSES = ("A", "B", "C", "D")
METHODS = ("ratio", "minmax")


@dataclass(frozen=True)
class Scheme:
    """How one list is scored: Σ weight × value ÷ benchmark (ratio), or Anhui's min-max scaling."""

    method: str
    weights: Mapping[str, float]
    benchmarks: Mapping[str, float]
    benchmark_multiple_of_prior_mean: float | None
    fill_with_list_mean: tuple[str, ...]  # indicators whose missing values take the list's mean
    minmax_floor: float


@dataclass(frozen=True)
class ClassRule:
    method: str  # "ranked_shares" | "score_thresholds"
    ranked_shares: Mapping[str, float]
    score_thresholds: Mapping[str, float]
    names: Mapping[str, str]
    overdue_class: str | None  # the class given directly to land overdue and not producing, if any


@dataclass(frozen=True)
class EvaluationRules:
    above: Scheme
    below: Scheme
    below_scale_land_min_mu: float
    classes: ClassRule

    @classmethod
    def from_policy(cls, policy: ResolvedPolicy) -> EvaluationRules:
        """The evaluation parameters of a resolved policy; every missing or malformed one is named."""
        problems: list[str] = []

        def get(name: str, default: object = None, required: bool = True) -> object:
            if name in policy.values:
                return policy.values[name].value
            if required:
                problems.append(
                    say(
                        f"政策 {policy.policy_id} 在 {policy.on} 缺少参数 {name}。",
                        f"policy {policy.policy_id} has no parameter {name} on {policy.on}.",
                    )
                )
            return default

        def scheme(prefix: str) -> Scheme:
            method = str(get(f"{prefix}.method", "ratio", required=False))
            if method not in METHODS:
                problems.append(
                    say(
                        f"{prefix}.method：{method!r} 不是已知的计分方法（{'/'.join(METHODS)}）。",
                        f"{prefix}.method: {method!r} is not a known scoring method ({'/'.join(METHODS)}).",
                    )
                )
            weights = _number_map(get(f"{prefix}.weights", {}), f"{prefix}.weights", problems)
            unknown = sorted(set(weights) - set(INDICATORS))
            if unknown:
                problems.append(
                    say(
                        f"{prefix}.weights：未知指标 {'、'.join(unknown)}。",
                        f"{prefix}.weights: unknown indicators {', '.join(unknown)}.",
                    )
                )
            multiple = get(f"{prefix}.benchmark_multiple_of_prior_mean", None, required=False)
            given = get(f"{prefix}.benchmarks", {}, required=method == "ratio" and multiple is None)
            benchmarks = _number_map(given, f"{prefix}.benchmarks", problems)
            if method == "ratio" and multiple is None and set(weights) - set(benchmarks):
                absent = sorted(set(weights) - set(benchmarks))
                problems.append(
                    say(
                        f"{prefix}.benchmarks：缺少 {'、'.join(absent)} 的基准值。",
                        f"{prefix}.benchmarks: no benchmark for the weighted indicators {', '.join(absent)}.",
                    )
                )
            fill = get(f"{prefix}.fill_missing_with_list_mean", [], required=False)
            return Scheme(
                method=method,
                weights=weights,
                benchmarks=benchmarks,
                benchmark_multiple_of_prior_mean=None if multiple is None else float(str(multiple)),
                fill_with_list_mean=tuple(str(x) for x in fill) if isinstance(fill, list) else (),
                minmax_floor=float(str(get(f"{prefix}.minmax_floor", 0.0, required=method == "minmax"))),
            )

        above, below = scheme("evaluation.above_scale"), scheme("evaluation.below_scale")
        method = str(get("evaluation.classes.method", "ranked_shares", required=False))
        shares = _number_map(get("evaluation.classes.ranked_shares", {}, method == "ranked_shares"), "shares", problems)
        thresholds = _number_map(
            get("evaluation.classes.score_thresholds", {}, method == "score_thresholds"), "thresholds", problems
        )
        if method == "ranked_shares" and shares and abs(sum(shares.values()) - 1.0) > 1e-9:
            problems.append(
                say(
                    f"evaluation.classes.ranked_shares：比例之和为 {sum(shares.values())}，应为 1。",
                    f"evaluation.classes.ranked_shares: the shares sum to {sum(shares.values())}, they must sum to 1.",
                )
            )
        names = get("evaluation.classes.names", {}, required=True)
        overdue = get("evaluation.classes.overdue_not_producing", None, required=False)
        if overdue is not None and overdue not in CLASSES:
            problems.append(
                say(
                    f"evaluation.classes.overdue_not_producing：{overdue!r} 不是 A/B/C/D 中的类别。",
                    f"evaluation.classes.overdue_not_producing: {overdue!r} is not a class (A/B/C/D).",
                )
            )
        land_min = float(str(get("evaluation.scope.below_scale_land_min", 0.0)))
        if problems:
            raise PolicyError(problems)
        labels = {str(k): str(v) for k, v in dict(names).items()}  # type: ignore[call-overload]
        rule = ClassRule(method, shares, thresholds, labels, None if overdue is None else str(overdue))
        return cls(above, below, land_min, rule)

    @property
    def overdue_class(self) -> str | None:
        return self.classes.overdue_class


def _number_map(value: object, where: str, problems: list[str]) -> dict[str, float]:
    if not isinstance(value, Mapping):
        problems.append(
            say(f"{where}：应为“指标: 数值”的映射。", f"{where}: expected a mapping of indicators to numbers.")
        )
        return {}
    out: dict[str, float] = {}
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            problems.append(say(f"{where}.{key}：{number!r} 不是数值。", f"{where}.{key}: {number!r} is not a number."))
        else:
            out[str(key)] = float(number)
    return out


@dataclass(frozen=True)
class Inputs:
    """The inventory an evaluation and an identification read. Dates are datetime64 columns.

    parcels: parcel_code, area_m2, division_code, production_date, agreed_completion_date (and the
    fields the rules read); enterprises: uscc, scale, industry_code; occupancy: uscc, parcel_code,
    start_date, end_date, land_share, tenure; metrics: uscc, year and the FIGURES columns;
    buildings: parcel_code, floor_area_m2, storeys, storeys_over_8m, footprint_m2, use_type.
    """

    parcels: pd.DataFrame
    enterprises: pd.DataFrame
    occupancy: pd.DataFrame
    metrics: pd.DataFrame
    buildings: pd.DataFrame | None = None

    @cached_property
    def ids(self) -> InputIds:
        """Parcel codes and USCCs as integer ids, computed once per inventory."""
        buildings = () if self.buildings is None else (self.buildings["parcel_code"],)
        # The two hash passes are independent and Arrow releases the GIL: one per core.
        with ThreadPoolExecutor(max_workers=2) as pool:
            by_code = pool.submit(
                keys.encode_together, self.parcels["parcel_code"], self.occupancy["parcel_code"], *buildings
            )
            by_uscc = pool.submit(
                keys.encode_together,
                self.enterprises["uscc"],
                self.occupancy["uscc"],
                self.metrics.get("uscc", pd.Series(dtype="str")),
            )
        codes, (parcels, occupancy, *built) = by_code.result()
        usccs, (enterprises, occupants, metrics) = by_uscc.result()
        return InputIds(
            parcel_codes=codes,
            parcel_row=keys.rows_of(parcels, len(codes)),
            occupancy_parcel=occupancy,
            building_parcel=built[0] if built else np.zeros(0, dtype=np.int64),
            usccs=usccs,
            enterprise_row=keys.rows_of(enterprises, len(usccs)),
            occupancy_uscc=occupants,
            metrics_uscc=metrics,
        )


@dataclass(frozen=True)
class InputIds:
    """Ids follow string order (see keys.encode_together): the smallest id is the smallest code.
    ``*_row`` give, for each id, its row in the parcels or enterprises table (-1 if none)."""

    parcel_codes: pa.Array
    parcel_row: keys.Positions
    occupancy_parcel: keys.Positions
    building_parcel: keys.Positions
    usccs: pa.Array
    enterprise_row: keys.Positions
    occupancy_uscc: keys.Positions
    metrics_uscc: keys.Positions


@dataclass(frozen=True)
class Evaluation:
    """One year's result: a row per unit, and which enterprises and parcels make each unit."""

    year: int
    units: pd.DataFrame
    members: pd.DataFrame  # uscc, unit_key
    parcels: pd.DataFrame  # parcel_code, unit_key, land_mu (the unit's land on that parcel)


def evaluate(inputs: Inputs, year: int, rules: EvaluationRules) -> Evaluation:
    units, members, parcels, links = _units(inputs, year)
    _scope(units, links, inputs, year, rules)
    values = indicators(units)
    for name in INDICATORS:
        units[name] = values[name]
    prior = _prior_means(inputs, year) if _derives_benchmarks(rules) else {}
    units["score"] = np.nan
    for parts in _part_columns():
        units[parts] = np.nan
    units["filled"] = ""
    for list_name in LISTS:
        rated = (units["list"] == list_name) & (units["status"] == "rated")
        if not rated.any():
            continue
        scale = _scale_of_list(list_name)
        scheme = rules.above if scale == "above" else rules.below
        _score(units, rated.to_numpy(), scheme, prior.get(scale, {}))
    _rank(units)
    _classify(units, rules.classes)
    return Evaluation(year, units, members, parcels)


def _part_columns() -> list[str]:
    return [f"part_{name}" for name in INDICATORS]


def _scale_of_list(list_name: str) -> str:
    return "above" if list_name.endswith("above") else "below"


def _derives_benchmarks(rules: EvaluationRules) -> bool:
    return any(s.method == "ratio" and s.benchmark_multiple_of_prior_mean for s in (rules.above, rules.below))


def active_occupancy(occupancy: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> npt.NDArray[np.bool_]:
    """Which occupancy rows are in force at some time between ``first`` and ``last`` (inclusive)."""
    start, end = occupancy["start_date"], occupancy["end_date"]
    return np.asarray(((start <= last) & (end.isna() | (end > first))).to_numpy(dtype=bool, na_value=False))


@dataclass(frozen=True)
class _Links:
    """Integer links of the parcels frame: each row's place in ``inputs.parcels`` and its unit's row."""

    parcel_row: npt.NDArray[np.int64]
    unit_row: npt.NDArray[np.int64]


def _units(inputs: Inputs, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, _Links]:
    first, last = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    ids = inputs.ids
    active = active_occupancy(inputs.occupancy, first, last) & (ids.occupancy_uscc >= 0) & (ids.occupancy_parcel >= 0)
    ent, par = ids.occupancy_uscc[active], ids.occupancy_parcel[active]
    n_usccs, n_codes = len(ids.usccs), len(ids.parcel_codes)
    area = keys.at(inputs.parcels["area_m2"].to_numpy(dtype="float64", na_value=np.nan), ids.parcel_row, np.nan)
    share = inputs.occupancy["land_share"].to_numpy(dtype="float64", na_value=np.nan)[active]
    land_mu = np.nan_to_num(share * area[par] / M2_PER_MU)
    graph = coo_matrix((np.ones(len(ent), dtype=np.int8), (ent, par + n_usccs)), shape=(n_usccs + n_codes,) * 2)
    _, component = connected_components(graph, directed=False)
    # Ids follow string order, so a unit's smallest USCC (its stable name) is its first member.
    members_id = np.flatnonzero(np.bincount(ent, minlength=n_usccs))
    parcels_id = np.flatnonzero(np.bincount(par, minlength=n_codes))
    key_id = np.sort(members_id[keys.first_of_groups(component[members_id])])
    unit_of_component = np.full(component.max() + 1 if len(component) else 0, -1, dtype=np.int64)
    unit_of_component[component[key_id]] = np.arange(len(key_id))
    n_units = len(key_id)
    member_unit = unit_of_component[component[members_id]]
    parcel_unit = unit_of_component[component[parcels_id + n_usccs]]
    members = pd.DataFrame(
        {"uscc": keys.take(ids.usccs, members_id), "unit_key": keys.take(ids.usccs, key_id[member_unit])}
    )
    parcel_land = np.bincount(par, weights=land_mu, minlength=n_codes)[parcels_id]
    parcels = pd.DataFrame(
        {
            "parcel_code": keys.take(ids.parcel_codes, parcels_id),
            "unit_key": keys.take(ids.usccs, key_id[parcel_unit]),
            "land_mu": parcel_land,
        }
    )
    tenure = inputs.occupancy.get("tenure")
    rented = np.zeros(len(ent), bool) if tenure is None else tenure.eq("rented").to_numpy(dtype=bool)[active]
    occ_unit = unit_of_component[component[ent]]
    units = pd.DataFrame(
        {
            "unit_key": keys.take(ids.usccs, key_id),
            "land_mu": np.bincount(occ_unit, weights=land_mu, minlength=n_units),
            "rented_only": np.bincount(occ_unit, weights=~rented, minlength=n_units) == 0,
            "parcel_count": np.bincount(parcel_unit, minlength=n_units),
            "member_count": np.bincount(member_unit, minlength=n_units),
        }
    )
    enterprise_row = ids.enterprise_row[members_id]
    this_year = (inputs.metrics["year"] == year).to_numpy(dtype=bool) if "year" in inputs.metrics else np.zeros(0, bool)
    metric_row = keys.rows_of(np.where(this_year, ids.metrics_uscc, -1), n_usccs)[members_id]
    member_figures = {name: _take_float(inputs.metrics, name, metric_row) for name in FIGURES}
    for name, value in member_figures.items():
        units[name] = keys.group_sum(member_unit, value, n_units)
    is_above = inputs.enterprises["scale"].eq("above").to_numpy(dtype=bool)
    units["above"] = np.bincount(member_unit, weights=keys.at(is_above, enterprise_row, False), minlength=n_units) > 0
    # The unit's industry is its biggest member's (by revenue, then by USCC).
    member_revenue = np.nan_to_num(member_figures["revenue_wan"], nan=-1.0)
    lead = keys.first_of_groups(member_unit, -member_revenue, members_id)
    units["industry_code"] = keys.take(keys.strings(inputs.enterprises["industry_code"]), enterprise_row[lead])
    units["lead_uscc"] = keys.take(ids.usccs, members_id[lead])
    parcel_row = ids.parcel_row[parcels_id]
    biggest = keys.first_of_groups(parcel_unit, -parcel_land, parcels_id)
    units["division_code"] = keys.take(keys.strings(inputs.parcels["division_code"]), parcel_row[biggest])
    # LISTS in order: above, below, rented_above, rented_below.
    list_code = 2 * units["rented_only"].to_numpy(dtype=np.int64) + ~units["above"].to_numpy(dtype=bool)
    units["list"] = keys.labels(list(LISTS), list_code)
    return units, members, parcels, _Links(parcel_row, parcel_unit)


def _take_float(frame: pd.DataFrame, column: str, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """frame[column] at each of ``rows`` as floats, NaN where the row is -1 or the column absent."""
    if column not in frame:
        return np.full(len(rows), np.nan)
    return keys.at(frame[column].to_numpy(dtype="float64", na_value=np.nan), rows, np.nan)


def _scope(units: pd.DataFrame, links: _Links, inputs: Inputs, year: int, rules: EvaluationRules) -> None:
    """status: out of scope (规下 on too little land), T (not producing yet, not overdue), overdue
    (not producing past the agreed completion, classed directly if the policy says so), no data, rated."""
    end = pd.Timestamp(year=year, month=12, day=31)
    n = len(units)

    def any_parcel(dates: pd.Series, test: str) -> npt.NDArray[np.bool_]:
        hit = np.asarray((dates <= end) if test == "<=" else (dates < end), dtype=bool)  # NaT compares False
        on_link = keys.at(hit, links.parcel_row, False)
        return np.bincount(links.unit_row, weights=on_link, minlength=n) > 0

    produced = any_parcel(inputs.parcels["production_date"], "<=") | (units["revenue_wan"].fillna(0) > 0).to_numpy()
    overdue_any = any_parcel(inputs.parcels["agreed_completion_date"], "<")
    small = ~units["above"].to_numpy(dtype=bool) & (units["land_mu"] < rules.below_scale_land_min_mu).to_numpy()
    no_data = units[list(FIGURES)].isna().all(axis=1).to_numpy()
    overdue_only = ~produced & overdue_any
    status = np.select(
        [small, ~produced & ~overdue_any, overdue_only & (rules.overdue_class is not None), overdue_only, no_data],
        [3, 1, 2, 0, 4],
        0,
    )
    units["status"] = keys.labels(["rated", "not_rated", "overdue", "out_of_scope", "no_data"], status)
    # Past the agreed completion and still not producing: judged on what it produces, which is nothing.
    units.loc[overdue_only, list(FIGURES)] = units.loc[overdue_only, list(FIGURES)].fillna(0.0)


def _prior_means(inputs: Inputs, year: int) -> dict[str, dict[str, float]]:
    """The mean of each indicator over last year's producing units on their own land, per scale
    (for benchmarks derived as a multiple of it, as Huai'an takes about twice the county mean)."""
    units, _, _, _ = _units(inputs, year - 1)
    values = indicators(units)
    out: dict[str, dict[str, float]] = {}
    for scale in ("above", "below"):
        mine = ((units["list"] == scale) & (units["revenue_wan"] > 0)).to_numpy()
        out[scale] = {str(k): float(v) for k, v in values[mine].mean().items() if pd.notna(v)}
    return out


def _score(units: pd.DataFrame, rated: np.ndarray, scheme: Scheme, prior_means: Mapping[str, float]) -> None:
    values = units.loc[rated, list(INDICATORS)].copy()
    filled: list[pd.Series] = []
    for name in scheme.fill_with_list_mean:
        missing = values[name].isna()
        values[name] = values[name].fillna(values[name].mean())
        filled.append(missing.map({True: name + " ", False: ""}))
    parts = pd.DataFrame(index=values.index)
    for name in INDICATORS:  # one fixed order, so that sums do not depend on how the policy lists weights
        if name not in scheme.weights:
            continue
        weight, x = scheme.weights[name], values[name]
        if scheme.method == "minmax":
            low, high = x.min(), x.max()
            scaled = (x - low) / (high - low) if high > low else pd.Series(1.0, index=x.index)
            part = weight * (scheme.minmax_floor + (100.0 - scheme.minmax_floor) * scaled) / 100.0
        else:
            benchmark = scheme.benchmarks.get(name)
            if benchmark is None and scheme.benchmark_multiple_of_prior_mean:
                benchmark = prior_means.get(name, np.nan) * scheme.benchmark_multiple_of_prior_mean
            part = x / float(benchmark) * weight if benchmark else pd.Series(np.nan, index=x.index)
        parts[f"part_{name}"] = part.fillna(0.0)  # an unknown indicator earns nothing
    index = units.index[rated]
    for column in parts.columns:
        units.loc[index, column] = parts[column].to_numpy()
    units.loc[index, "score"] = parts.sum(axis=1).to_numpy()
    if filled:
        units.loc[index, "filled"] = pd.concat(filled, axis=1).sum(axis=1).str.strip().to_numpy()


def _classify(units: pd.DataFrame, rule: ClassRule) -> None:
    units["class"] = pd.Series("T", index=units.index, dtype=object).where(units["status"] == "not_rated", None)
    if rule.overdue_class is not None:
        units.loc[units["status"] == "overdue", "class"] = rule.overdue_class
    rated = units["status"] == "rated"
    if rule.method == "score_thresholds":
        cls = pd.Series("D", index=units.index)
        for name in reversed([c for c in CLASSES if c in rule.score_thresholds]):
            cls = cls.where(units["score"] < rule.score_thresholds[name], name)
        units.loc[rated, "class"] = cls[rated]
        return
    shares = [rule.ranked_shares.get(c, 0.0) for c in CLASSES]
    bounds = np.cumsum(shares)
    rank = units["rank"].to_numpy(dtype="float64", na_value=np.nan)
    size = units["rank_size"].to_numpy(dtype="float64", na_value=np.nan)
    # Rank r of n falls in the class whose cumulative share first reaches r/n (ties share the better class).
    last_rank_of_class = np.round(np.outer(np.nan_to_num(size), bounds))
    which = (last_rank_of_class < np.nan_to_num(rank)[:, None]).sum(axis=1)
    cls = np.array(CLASSES)[np.minimum(which, len(CLASSES) - 1)]
    units.loc[rated, "class"] = cls[rated.to_numpy()]


def _rank(units: pd.DataFrame) -> None:
    """Rank among the rated units of the same list, and of the same list and industry division."""
    rated = (units["status"] == "rated").to_numpy(dtype=bool)
    units["industry_division"] = units["industry_code"].astype("string").str[:2]
    score = np.where(rated, units["score"].to_numpy(dtype="float64", na_value=np.nan), np.nan)
    _, list_code = keys.encode(units["list"])
    _, division = keys.encode(units["industry_division"])
    by_industry = np.where(division >= 0, list_code * (division.max(initial=0) + 1) + division, -1)
    for name, group in (("rank", list_code), ("rank_industry", by_industry)):
        units[name] = pd.Series(keys.rank_descending(score, group), index=units.index).astype("Int64")
        counted = rated & (group >= 0)
        size = np.bincount(group[counted], minlength=int(group.max(initial=-1)) + 1)
        in_group = np.where(counted, keys.at(size, group, 0), np.nan)
        units[f"{name}_size"] = pd.Series(in_group, index=units.index).astype("Int64")
