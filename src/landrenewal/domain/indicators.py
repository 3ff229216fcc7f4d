"""亩均 indicators and weighted scores (SPEC §5.1), over whole columns of enterprises.

Land: an enterprise's mu is the sum over the parcels it occupies during the year of its
share of each parcel's area. Indicators divide the year's figures by that land, energy,
emissions, employees or revenue. A score is Σ indicator ÷ benchmark × weight, so that an
enterprise whose every indicator equals its benchmark scores the sum of the weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from landrenewal.domain.units import M2_PER_MU

# indicator → (numerator, denominator) columns of the metrics-with-land frame.
INDICATORS: dict[str, tuple[str, str]] = {
    "tax_per_mu": ("tax_wan", "land_mu"),
    "value_added_per_mu": ("value_added_wan", "land_mu"),
    "value_added_per_tce": ("value_added_wan", "energy_tce"),
    "value_added_per_emission": ("value_added_wan", "emissions_t"),
    "value_added_per_employee": ("value_added_wan", "employees_avg"),
    "rd_share": ("rd_spending_wan", "revenue_wan"),
    "tax_per_kwh": ("tax_wan", "electricity_kwh"),
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
    for name, (numerator, denominator) in INDICATORS.items():
        num = figures[numerator].astype("float64") if numerator in figures else unknown
        den = figures[denominator].astype("float64") if denominator in figures else unknown
        out[name] = (num / den.where(den > 0)).astype("float64")
    return out


def weighted_score(values: pd.DataFrame, weights: Mapping[str, float], benchmarks: Mapping[str, float]) -> pd.Series:
    """Σ value ÷ benchmark × weight over the weighted indicators (Zhejiang's method)."""
    missing = set(weights) - set(benchmarks)
    if missing:
        raise ValueError(f"no benchmark for weighted indicators: {', '.join(sorted(missing))}")
    parts = [values[name] / float(benchmarks[name]) * float(weight) for name, weight in weights.items()]
    return pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))


def fill_with_group_mean(values: pd.Series, group: pd.Series) -> pd.Series:
    """Missing values replaced by the mean of their group (e.g. the 规上 average for missing emissions)."""
    means = values.groupby(group.to_numpy()).transform("mean")
    return values.fillna(means)
