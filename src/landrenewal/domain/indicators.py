"""亩均 indicators and weighted scores (docs/evaluation.md), over whole columns of enterprises.

Land: an enterprise's mu is the sum over the parcels it occupies during the year of its
share of each parcel's area. Indicators divide the year's figures by that land, energy,
emissions, employees or revenue. A score is Σ indicator ÷ benchmark × weight, so that an
enterprise whose every indicator equals its benchmark scores the sum of the weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from landrenewal.domain.language import say
from landrenewal.domain.units import M2_PER_MU


@dataclass(frozen=True)
class Indicator:
    numerator: str
    denominator: str
    zh: str
    unit: str
    factor: float = 1.0  # converts numerator/denominator units into ``unit``


# Every indicator a policy may weight, computed from the metrics-with-land frame.
INDICATORS: dict[str, Indicator] = {
    "tax_per_mu": Indicator("tax_wan", "land_mu", "亩均税收", "万元/亩"),
    "value_added_per_mu": Indicator("value_added_wan", "land_mu", "亩均增加值", "万元/亩"),
    "revenue_per_mu": Indicator("revenue_wan", "land_mu", "亩均销售收入", "万元/亩"),
    "value_added_per_tce": Indicator("value_added_wan", "energy_tce", "单位能耗增加值", "万元/吨标准煤"),
    "tax_per_tce": Indicator("tax_wan", "energy_tce", "单位能耗税收", "万元/吨标准煤"),
    "value_added_per_emission": Indicator("value_added_wan", "emissions_t", "单位排放增加值", "万元/吨"),
    "value_added_per_employee": Indicator("value_added_wan", "employees_avg", "全员劳动生产率", "万元/人"),
    "rd_share": Indicator("rd_spending_wan", "revenue_wan", "R&D经费支出占营业收入比重", "比例"),
    "tax_per_kwh": Indicator("tax_wan", "electricity_wan_kwh", "单位电耗税收", "元/千瓦时"),
}


def enterprise_land(occupancy: pd.DataFrame, parcel_area_m2: pd.Series, year: int) -> pd.DataFrame:
    """Land per enterprise in ``year``: ``land_mu`` and whether all of it is rented (listed apart).

    ``occupancy`` has uscc, parcel_code, land_share, start_date, end_date, tenure;
    ``parcel_area_m2`` is indexed by parcel_code.
    """
    first, last = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    active = (occupancy["start_date"] <= last) & (occupancy["end_date"].isna() | (occupancy["end_date"] > first))
    rows = occupancy[active.to_numpy(dtype=bool)]
    area = rows["parcel_code"].map(parcel_area_m2).astype("float64")
    mu = rows["land_share"].astype("float64") * area / M2_PER_MU
    tenure = rows["tenure"] if "tenure" in rows else pd.Series("owned", index=rows.index)
    frame = pd.DataFrame(
        {"uscc": rows["uscc"].to_numpy(), "land_mu": mu.to_numpy(), "rented": (tenure == "rented").to_numpy()}
    )
    return frame.groupby("uscc").agg(land_mu=("land_mu", "sum"), rented_only=("rented", "all"))


def indicators(figures: pd.DataFrame) -> pd.DataFrame:
    """Every indicator of INDICATORS for each row of ``figures`` (metrics joined with land_mu).

    A zero or missing denominator gives NaN, never infinity: the indicator is unknown.
    """
    out = pd.DataFrame(index=figures.index)
    unknown = pd.Series(np.nan, index=figures.index)
    for name, ind in INDICATORS.items():
        num = figures[ind.numerator].astype("float64") if ind.numerator in figures else unknown
        den = figures[ind.denominator].astype("float64") if ind.denominator in figures else unknown
        out[name] = (num * ind.factor / den.where(den > 0)).astype("float64")
    return out


def weighted_score(values: pd.DataFrame, weights: Mapping[str, float], benchmarks: Mapping[str, float]) -> pd.Series:
    """Σ value ÷ benchmark × weight over the weighted indicators (Zhejiang's method)."""
    missing = set(weights) - set(benchmarks)
    if missing:
        raise ValueError(
            say(
                f"有权重的指标缺少基准值：{'、'.join(sorted(missing))}",
                f"no benchmark for the weighted indicators {', '.join(sorted(missing))}",
            )
        )
    parts = [values[name] / float(benchmarks[name]) * float(weight) for name, weight in weights.items()]
    return pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))


def fill_with_group_mean(values: pd.Series, group: pd.Series) -> pd.Series:
    """Missing values replaced by the mean of their group (e.g. the 规上 average for missing emissions)."""
    means = values.groupby(group.to_numpy()).transform("mean")
    return values.fillna(means)
