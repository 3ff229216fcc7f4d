"""The demo city judged by its own policy looks like a real county: low-efficiency land is a
minority of the industrial land, no enterprise scores absurdly far above its benchmarks, and
every rule the policy switches on still has parcels to find."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from landrenewal.analysis.evaluation_runs import year_end
from landrenewal.demo.city import DEMO_POLICY, DemoCity, generate_city
from landrenewal.domain.evaluation import Evaluation, EvaluationRules, Inputs, evaluate
from landrenewal.domain.identification import Identification, active_rules, identify
from landrenewal.domain.land import land_on
from landrenewal.policyfiles import resolve_policy

INDUSTRIAL = "0601"
# A real county's survey finds a minority of its industrial land low-efficiency (Enping's 2022–23
# targets of 3,000 and 2,000 mu against some tens of thousands of mu; Zhejiang's D class ~5–10 %).
LOW_EFFICIENCY_SHARE = (0.15, 0.30)
# Huangyan's weights sum to 100: a firm at every benchmark scores 100, the best few a few times that.
MAX_SCORE = 400.0
RULE_SHARE_MAX = 0.15  # of the industrial land, found by any one rule


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return generate_city()


@pytest.fixture(scope="module")
def judged(city: DemoCity) -> tuple[Evaluation, pd.DataFrame, Identification]:
    """The demo's own run: the evaluation of the last full year, the identification on the demo's date."""
    parcels = city.parcels.drop(columns=["geom"]).assign(area_m2=shapely.area(city.parcels["geom"].to_numpy()))
    buildings = city.buildings.drop(columns=["geom"])
    inputs = Inputs(parcels, city.enterprises, city.occupancy, city.metrics, buildings)
    year = city.today.year - 1
    rules = EvaluationRules.from_policy(resolve_policy(DEMO_POLICY, year_end(year)))
    evaluation = evaluate(inputs, year, rules)
    as_of = pd.Timestamp(city.today)
    land = land_on(inputs, as_of, evaluation.units, evaluation.parcels)
    return evaluation, land, identify(land, resolve_policy(DEMO_POLICY, city.today), as_of, evaluated=True)


def test_low_efficiency_land_is_a_minority_of_the_industrial_land(
    judged: tuple[Evaluation, pd.DataFrame, Identification],
) -> None:
    _, land, result = judged
    industrial = land[land["land_use_code"] == INDUSTRIAL]
    found = industrial["parcel_code"].isin(result.findings["parcel_code"])
    share = industrial.loc[found, "area_mu"].sum() / industrial["area_mu"].sum()
    assert LOW_EFFICIENCY_SHARE[0] <= share <= LOW_EFFICIENCY_SHARE[1], share


def test_no_enterprise_scores_far_above_its_benchmarks(judged: tuple[Evaluation, pd.DataFrame, Identification]) -> None:
    evaluation, _, _ = judged
    rated = evaluation.units[evaluation.units["status"] == "rated"]
    assert len(rated) > 1000
    assert rated["score"].max() <= MAX_SCORE, rated.nlargest(3, "score")[["unit_key", "list", "score"]]
    assert 60 <= rated["score"].median() <= 140  # the typical firm is near its benchmarks


def test_every_rule_of_the_demo_policy_finds_some_parcels_and_none_a_large_part(
    judged: tuple[Evaluation, pd.DataFrame, Identification], city: DemoCity
) -> None:
    """Each finding is there to be shown, and each is a minority case on its own."""
    _, land, result = judged
    switched_on = set(active_rules(resolve_policy(DEMO_POLICY, city.today)))
    assert result.skipped == {}
    counts = result.findings["rule_id"].value_counts()
    assert {rule: int(counts.get(rule, 0)) for rule in switched_on if counts.get(rule, 0) < 5} == {}
    mu = land.set_index("parcel_code")["area_mu"]
    industrial_mu = land.loc[land["land_use_code"] == INDUSTRIAL, "area_mu"].sum()
    found = result.findings.drop_duplicates(["rule_id", "parcel_code"])
    share = found["parcel_code"].map(mu).groupby(found["rule_id"]).sum() / industrial_mu
    assert share[share > RULE_SHARE_MAX].to_dict() == {}
