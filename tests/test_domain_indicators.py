"""亩均 indicators and the weighted score, with the published Huangyan weights and benchmarks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from landrenewal.domain.indicators import enterprise_land, fill_with_group_mean, indicators, weighted_score
from landrenewal.domain.units import M2_PER_MU
from landrenewal.policies.files import resolve_policy

HUANGYAN_2022 = resolve_policy("zj", dt.date(2022, 12, 31))


def _figures_at(benchmarks: dict[str, float], land_mu: float = 10.0) -> pd.DataFrame:
    """Figures of an enterprise whose every indicator equals its benchmark."""
    value_added = benchmarks["value_added_per_mu"] * land_mu
    return pd.DataFrame(
        {
            "tax_wan": [benchmarks["tax_per_mu"] * land_mu],
            "value_added_wan": [value_added],
            "energy_tce": [value_added / benchmarks["value_added_per_tce"]],
            "emissions_t": [value_added / benchmarks["value_added_per_emission"]],
            "employees_avg": [value_added / benchmarks["value_added_per_employee"]],
            "rd_spending_wan": [1000.0 * benchmarks["rd_share"]],
            "revenue_wan": [1000.0],
            "electricity_wan_kwh": [100.0],
            "land_mu": [land_mu],
        }
    )


def test_an_enterprise_at_every_benchmark_scores_exactly_100() -> None:
    weights = HUANGYAN_2022["evaluation.above_scale.weights"]
    benchmarks = HUANGYAN_2022["evaluation.above_scale.benchmarks"]
    assert sum(weights.values()) == 100
    score = weighted_score(indicators(_figures_at(benchmarks)), weights, benchmarks)
    assert score.iloc[0] == pytest.approx(100.0, abs=1e-9)


def test_twice_the_tax_per_mu_adds_its_weight_once_more() -> None:
    weights = HUANGYAN_2022["evaluation.above_scale.weights"]
    benchmarks = HUANGYAN_2022["evaluation.above_scale.benchmarks"]
    figures = _figures_at(benchmarks)
    figures["tax_wan"] *= 2
    assert weighted_score(indicators(figures), weights, benchmarks).iloc[0] == pytest.approx(130.0)


def test_the_same_figures_score_differently_against_last_years_benchmarks() -> None:
    weights = HUANGYAN_2022["evaluation.above_scale.weights"]
    this_year = HUANGYAN_2022["evaluation.above_scale.benchmarks"]
    last_year = resolve_policy("zj", dt.date(2021, 12, 31))["evaluation.above_scale.benchmarks"]
    values = indicators(_figures_at(this_year))
    expected = sum(this_year[k] / last_year[k] * w for k, w in weights.items())
    assert weighted_score(values, weights, last_year).iloc[0] == pytest.approx(expected)


def test_zero_or_missing_denominators_make_the_indicator_unknown() -> None:
    figures = pd.DataFrame(
        {"tax_wan": [10.0, 10.0], "value_added_wan": [5.0, 5.0], "land_mu": [0.0, 2.0], "energy_tce": [np.nan, 1.0]}
    )
    values = indicators(figures)
    assert np.isnan(values.loc[0, "tax_per_mu"]) and values.loc[1, "tax_per_mu"] == 5.0
    assert np.isnan(values.loc[0, "value_added_per_tce"]) and values.loc[1, "value_added_per_tce"] == 5.0
    assert values["rd_share"].isna().all()  # no R&D columns given


def test_land_sums_shares_over_parcels_active_in_the_year_and_marks_renters() -> None:
    area = pd.Series({"P1": 10 * M2_PER_MU, "P2": 20 * M2_PER_MU})
    occupancy = pd.DataFrame(
        {
            "uscc": ["A", "A", "B", "C"],
            "parcel_code": ["P1", "P2", "P1", "P2"],
            "land_share": [0.5, 1.0, 0.5, 0.25],
            "start_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01", "2024-03-01"]),
            "end_date": pd.to_datetime([None, None, None, "2024-01-01"]),
            "tenure": ["owned", "owned", "rented", "rented"],
        }
    )
    land = enterprise_land(occupancy, area, 2024)
    assert land.loc["A", "land_mu"] == pytest.approx(25.0)
    assert land.loc["B", "land_mu"] == pytest.approx(5.0) and land.loc["B", "rented_only"]
    assert "C" not in land.index  # started after it ended: never there in 2024
    assert not land.loc["A", "rented_only"]


def test_missing_emissions_take_the_above_scale_average() -> None:
    values = pd.Series([10.0, np.nan, 30.0, np.nan])
    scale = pd.Series(["above", "above", "above", "below"])
    filled = fill_with_group_mean(values, scale)
    assert list(filled[:3]) == [10.0, 20.0, 30.0]
    assert np.isnan(filled[3])
