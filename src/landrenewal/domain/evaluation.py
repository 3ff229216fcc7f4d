"""亩均效益综合评价 of one year (SPEC §5.1): who is rated, their scores, classes and ranks.

The evaluated unit is not always one enterprise. Enterprises that share a parcel are merged
and share one result, and an enterprise on several parcels sums its land; both follow from
taking the connected pieces of the enterprise–parcel graph of the year's occupancy. A unit
whose every occupancy is rented is listed apart from those on their own land.

Every number comes from :class:`EvaluationRules`, read from the policy; nothing here knows
Zhejiang's weights or Jiangsu's shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from landrenewal.domain import keys
from landrenewal.domain.indicators import INDICATORS, indicators
from landrenewal.domain.policy import PolicyError, ResolvedPolicy
from landrenewal.domain.units import M2_PER_MU

FIGURES = (
    "tax_wan",
    "value_added_wan",
    "revenue_wan",
    "output_wan",
    "energy_tce",
    "electricity_kwh",
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
                problems.append(f"政策 {policy.policy_id} 在 {policy.on} 缺少参数 {name} (missing parameter)")
            return default

        def scheme(prefix: str) -> Scheme:
            method = str(get(f"{prefix}.method", "ratio", required=False))
            if method not in METHODS:
                problems.append(f"{prefix}.method: {method!r} 不是 {'/'.join(METHODS)} (unknown scoring method)")
            weights = _number_map(get(f"{prefix}.weights", {}), f"{prefix}.weights", problems)
            unknown = sorted(set(weights) - set(INDICATORS))
            if unknown:
                problems.append(f"{prefix}.weights: 未知指标 {', '.join(unknown)} (unknown indicators)")
            multiple = get(f"{prefix}.benchmark_multiple_of_prior_mean", None, required=False)
            given = get(f"{prefix}.benchmarks", {}, required=method == "ratio" and multiple is None)
            benchmarks = _number_map(given, f"{prefix}.benchmarks", problems)
            if method == "ratio" and multiple is None and set(weights) - set(benchmarks):
                absent = ", ".join(sorted(set(weights) - set(benchmarks)))
                problems.append(f"{prefix}.benchmarks: 缺少 {absent} 的基准值 (no benchmark for weighted indicators)")
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
                f"evaluation.classes.ranked_shares: 比例之和为 {sum(shares.values())}，应为 1 (must sum to 1)"
            )
        names = get("evaluation.classes.names", {}, required=True)
        overdue = get("evaluation.classes.overdue_not_producing", None, required=False)
        if overdue is not None and overdue not in CLASSES:
            problems.append(f"evaluation.classes.overdue_not_producing: {overdue!r} 不是 A/B/C/D (not a class)")
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
        problems.append(f"{where}: 应为 指标: 数值 的映射 (expected a mapping of numbers)")
        return {}
    out: dict[str, float] = {}
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            problems.append(f"{where}.{key}: {number!r} 不是数值 (not a number)")
        else:
            out[str(key)] = float(number)
    return out


@dataclass(frozen=True)
class Inputs:
    """The inventory an evaluation reads. Dates are datetime64 columns.

    parcels: parcel_code, area_m2, division_code, production_date, agreed_completion_date;
    enterprises: uscc, scale, industry_code; occupancy: uscc, parcel_code, start_date, end_date,
    land_share, tenure; metrics: uscc, year and the FIGURES columns.
    """

    parcels: pd.DataFrame
    enterprises: pd.DataFrame
    occupancy: pd.DataFrame
    metrics: pd.DataFrame


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
    _classify(units, rules.classes)
    _rank(units)
    return Evaluation(year, units, members, parcels)


def _part_columns() -> list[str]:
    return [f"part_{name}" for name in INDICATORS]


def _scale_of_list(list_name: str) -> str:
    return "above" if list_name.endswith("above") else "below"


def _derives_benchmarks(rules: EvaluationRules) -> bool:
    return any(s.method == "ratio" and s.benchmark_multiple_of_prior_mean for s in (rules.above, rules.below))


def active_occupancy(occupancy: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """Occupancy rows in force at some time between ``first`` and ``last`` (inclusive)."""
    active = (occupancy["start_date"] <= last) & (occupancy["end_date"].isna() | (occupancy["end_date"] > first))
    return occupancy[active.to_numpy(dtype=bool)]


@dataclass(frozen=True)
class _Links:
    """Integer links of the parcels frame: each row's place in ``inputs.parcels`` and its unit's row."""

    parcel_row: npt.NDArray[np.int64]
    unit_row: npt.NDArray[np.int64]


def _units(inputs: Inputs, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, _Links]:
    first, last = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    occ = active_occupancy(inputs.occupancy, first, last)
    usccs, codes = keys.sorted_unique(occ["uscc"]), keys.sorted_unique(occ["parcel_code"])
    ent, par = keys.positions(occ["uscc"], usccs), keys.positions(occ["parcel_code"], codes)
    parcel_row = keys.positions(codes, inputs.parcels["parcel_code"])
    area = inputs.parcels["area_m2"].to_numpy(dtype="float64", na_value=np.nan)
    code_area = keys.at(area, parcel_row, np.nan)
    land_mu = np.nan_to_num(occ["land_share"].to_numpy(dtype="float64", na_value=np.nan) * code_area[par] / M2_PER_MU)
    n_ent, n_par = len(usccs), len(codes)
    graph = coo_matrix((np.ones(len(occ), dtype=np.int8), (ent, par + n_ent)), shape=(n_ent + n_par,) * 2)
    _, component = connected_components(graph, directed=False)
    # A unit is named by the smallest USCC among its enterprises: stable across runs. usccs is
    # sorted, so that is the component's first enterprise; units are numbered in that order.
    _, key_position = np.unique(component[:n_ent], return_index=True)
    key_position = np.sort(key_position)
    unit_of_component = np.empty(component.max() + 1 if len(component) else 0, dtype=np.int64)
    unit_of_component[component[key_position]] = np.arange(len(key_position))
    n_units = len(key_position)
    member_unit, parcel_unit = unit_of_component[component[:n_ent]], unit_of_component[component[n_ent:]]
    members = pd.DataFrame(
        {"uscc": keys.take(usccs, np.arange(n_ent)), "unit_key": keys.take(usccs, key_position[member_unit])}
    )
    parcel_land = np.bincount(par, weights=land_mu, minlength=n_par)
    parcels = pd.DataFrame(
        {
            "parcel_code": keys.take(codes, np.arange(n_par)),
            "unit_key": keys.take(usccs, key_position[parcel_unit]),
            "land_mu": parcel_land,
        }
    )
    rented = occ["tenure"].eq("rented").to_numpy(dtype=bool) if "tenure" in occ else np.zeros(len(occ), bool)
    occ_unit = member_unit[ent]
    units = pd.DataFrame(
        {
            "unit_key": keys.take(usccs, key_position),
            "land_mu": np.bincount(occ_unit, weights=land_mu, minlength=n_units),
            "rented_only": np.bincount(occ_unit, weights=~rented, minlength=n_units) == 0,
            "parcel_count": np.bincount(parcel_unit, minlength=n_units),
            "member_count": np.bincount(member_unit, minlength=n_units),
        }
    )
    enterprise_row = keys.positions(usccs, inputs.enterprises["uscc"])
    year_metrics = inputs.metrics[(inputs.metrics["year"] == year).to_numpy(dtype=bool)]
    metric_row = keys.positions(usccs, year_metrics["uscc"])
    member_figures = {name: _take_float(year_metrics, name, metric_row) for name in FIGURES}
    for name, value in member_figures.items():
        units[name] = keys.group_sum(member_unit, value, n_units)
    is_above = inputs.enterprises["scale"].eq("above").to_numpy(dtype=bool)
    member_above = keys.at(is_above, enterprise_row, False)
    units["above"] = np.bincount(member_unit, weights=member_above, minlength=n_units) > 0
    # The unit's industry is its biggest member's (by revenue, then by USCC).
    member_revenue = np.nan_to_num(member_figures["revenue_wan"], nan=-1.0)
    lead = keys.first_of_groups(member_unit, -member_revenue, np.arange(n_ent))
    industries = keys.strings(inputs.enterprises["industry_code"])
    units["industry_code"] = keys.take(industries, enterprise_row[lead])
    units["lead_uscc"] = keys.take(usccs, lead)
    biggest = keys.first_of_groups(parcel_unit, -parcel_land, np.arange(n_par))
    divisions = keys.strings(inputs.parcels["division_code"])
    units["division_code"] = keys.take(divisions, parcel_row[biggest])
    scale = np.where(units["above"], "above", "below")
    units["list"] = np.where(units["rented_only"], np.char.add("rented_", scale.astype(str)), scale)
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
    units["status"] = np.select(
        [small, ~produced & ~overdue_any, overdue_only & (rules.overdue_class is not None), overdue_only, no_data],
        ["out_of_scope", "not_rated", "overdue", "rated", "no_data"],
        "rated",
    )
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
    for list_name in LISTS:
        mine = rated & (units["list"] == list_name)
        n = int(mine.sum())
        if n == 0:
            continue
        rank = units.loc[mine, "score"].rank(ascending=False, method="min").to_numpy()
        # Rank r falls in the class whose cumulative share first reaches r/n (ties share the better class).
        last_rank_of_class = np.round(bounds * n)
        which = np.searchsorted(last_rank_of_class, rank, side="left")
        units.loc[mine, "class"] = np.array(CLASSES)[np.minimum(which, len(CLASSES) - 1)]


def _rank(units: pd.DataFrame) -> None:
    rated = units["status"] == "rated"
    units["industry_division"] = units["industry_code"].astype("string").str[:2]
    score = units["score"].where(rated)
    units["rank"] = score.groupby(units["list"]).rank(ascending=False, method="min").astype("Int64")
    units["rank_size"] = rated.groupby(units["list"]).transform("sum").where(rated).astype("Int64")
    key = [units["list"], units["industry_division"]]
    units["rank_industry"] = score.groupby(key).rank(ascending=False, method="min").astype("Int64")
    units["rank_industry_size"] = rated.groupby(key).transform("sum").where(rated).astype("Int64")
