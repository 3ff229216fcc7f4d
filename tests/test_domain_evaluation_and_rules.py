"""The evaluation's class shares and the rule catalogue's consistency with the land frame and policies."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from landrenewal.domain.dates import add_years
from landrenewal.domain.evaluation import ClassRule, Inputs, _classify, _rank
from landrenewal.domain.identification import active_rules
from landrenewal.domain.land import land_on
from landrenewal.domain.rules import RULES
from landrenewal.policies.files import resolve_policy, shipped_ids

HUAIAN_SHARES = {"A": 0.2, "B": 0.4, "C": 0.35, "D": 0.05}


def _units(scores: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"score": scores, "status": "rated", "list": "above", "industry_code": "3411"})


def _classify_ranked(units: pd.DataFrame, rule: ClassRule) -> None:
    _rank(units)  # classes are read off the ranks in the list
    _classify(units, rule)


def test_ranked_shares_give_exactly_the_policy_counts() -> None:
    units = _units(list(np.linspace(100, 1, 100)))
    _classify_ranked(units, ClassRule("ranked_shares", HUAIAN_SHARES, {}, {}, None))
    assert units["class"].value_counts().to_dict() == {"A": 20, "B": 40, "C": 35, "D": 5}
    assert units["class"].iloc[0] == "A" and units["class"].iloc[-1] == "D"


def test_equal_scores_share_a_class() -> None:
    units = _units([90.0] * 4 + [10.0])  # four tied at the top: no boundary runs through them
    _classify_ranked(units, ClassRule("ranked_shares", HUAIAN_SHARES, {}, {}, None))
    assert units["class"].iloc[:4].nunique() == 1


def test_score_thresholds_are_inclusive_lower_bounds() -> None:
    units = _units([120.0, 119.99, 90.0, 59.99])
    _classify_ranked(units, ClassRule("score_thresholds", {}, {"A": 120, "B": 90, "C": 60}, {}, None))
    assert units["class"].tolist() == ["A", "B", "B", "D"]


def test_a_year_later_is_the_anniversary_and_29_february_falls_back() -> None:
    dates = pd.Series(pd.to_datetime(["2024-02-29", "2023-03-05", None]))
    assert add_years(dates, 1).tolist()[:2] == [pd.Timestamp("2025-02-28"), pd.Timestamp("2024-03-05")]
    assert pd.isna(add_years(dates, 1).iloc[2])


def _empty_land() -> pd.DataFrame:
    parcels = pd.DataFrame(
        {c: pd.Series(dtype="datetime64[ns]") for c in ("production_date", "completion_date", "approved_date")}
    )
    columns = {
        "parcel_code": "string", "division_code": "string", "area_m2": "float64", "invested_wan": "float64",
        "supplied_date": "datetime64[ns]", "agreed_start_date": "datetime64[ns]", "actual_start_date": "datetime64[ns]",
        "agreed_completion_date": "datetime64[ns]", "stopped_date": "datetime64[ns]", "agreed_far": "float64",
        "agreed_investment_intensity_wan_per_mu": "float64", "total_investment_wan": "float64",
        "developed_area_m2": "float64", "land_price_wan": "float64",
    }  # fmt: skip
    for name, dtype in columns.items():
        parcels[name] = pd.Series(dtype=dtype)
    buildings = pd.DataFrame(
        {c: pd.Series(dtype="float64") for c in ("floor_area_m2", "footprint_m2", "storeys", "storeys_over_8m")}
    ).assign(parcel_code=pd.Series(dtype="string"), use_type=pd.Series(dtype="string"))
    occupancy = pd.DataFrame(
        {
            "uscc": pd.Series(dtype="string"),
            "parcel_code": pd.Series(dtype="string"),
            "start_date": pd.Series(dtype="datetime64[ns]"),
            "end_date": pd.Series(dtype="datetime64[ns]"),
            "land_share": pd.Series(dtype="float64"),
        }
    )
    enterprises = pd.DataFrame({"uscc": pd.Series(dtype="string"), "industry_code": pd.Series(dtype="string")})
    return land_on(Inputs(parcels, enterprises, occupancy, pd.DataFrame(), buildings), pd.Timestamp("2025-01-01"))


def test_every_rule_reads_columns_the_land_frame_has() -> None:
    land = _empty_land()
    for rule in RULES.values():
        assert set(rule.reads) <= set(land.columns), rule.id


@pytest.mark.parametrize("policy_id", shipped_ids())
def test_every_shipped_policy_switches_on_known_rules_with_their_values(policy_id: str) -> None:
    categories = active_rules(resolve_policy(policy_id, dt.date(2026, 1, 1)))
    assert categories and set(categories) <= set(RULES)
