"""The 大/中/小圈 plan checks on hand-made rectangles: each check at its bound and just past it,
parents given or found, overlaps, values the policy lacks, and the 70 % rule per town."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenewal.domain import planning
from landrenewal.domain.language import speaking
from landrenewal.domain.planning import (
    BIG_KM2,
    ELASTICITY,
    MIDDLE_KM2,
    SMALL_MAX,
    VIOLATION_COLUMNS,
    PlanLimits,
    area_inside_big,
    check_plan,
    not_run,
    share_inside_big,
)
from landrenewal.domain.policy import PolicyError, ResolvedPolicy
from landrenewal.domain.units import M2_PER_MU
from landrenewal.domain.zone_policy import SHARE_INSIDE_BIG_MIN
from landrenewal.policies.files import resolve_policy

ON = dt.date(2024, 6, 30)
KM = 1000.0


@pytest.fixture(scope="module")
def dongguan() -> ResolvedPolicy:
    return resolve_policy("gd-dongguan", ON)


@pytest.fixture(scope="module")
def limits(dongguan: ResolvedPolicy) -> PlanLimits:
    return PlanLimits.of(dongguan)


def _without(policy: ResolvedPolicy, *names: str) -> ResolvedPolicy:
    return dataclasses.replace(policy, values={k: v for k, v in policy.values.items() if k not in names})


def _with(policy: ResolvedPolicy, name: str, value: object) -> ResolvedPolicy:
    values = dict(policy.values)
    values[name] = dataclasses.replace(values[name], value=value)
    return dataclasses.replace(policy, values=values)


def _box(x: float, y: float, width: float, height: float) -> shapely.Geometry:
    return shapely.box(x, y, x + width, y + height)


def _plan(*zones: tuple[str, str, str | None, shapely.Geometry]) -> pd.DataFrame:
    """Zones as (code, level, parent_code, geometry); each is named after its code."""
    return pd.DataFrame(
        {
            "zone_code": [z[0] for z in zones],
            "name": [f"{z[0]}号" for z in zones],
            "level": [z[1] for z in zones],
            "parent_code": [z[2] for z in zones],
            "geom": np.array([z[3] for z in zones], dtype=object),
        }
    )


def _checks(found: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(found["zone_code"], found["check"], strict=True))


def test_the_limits_come_from_the_policy_and_say_what_is_missing(dongguan: ResolvedPolicy) -> None:
    limits = PlanLimits.of(dongguan)
    assert (limits.big_km2, limits.middle_km2, limits.small_max_mu) == ((5.0, 10.0), (1.0, 3.0), 300.0)
    assert (limits.elasticity, limits.share_inside_big_min) == (0.1, 0.7)
    assert limits.missing() == []
    assert "东府〔2023〕4号" in limits.sources[ELASTICITY] and "（四）优化规划管理机制" in limits.sources[ELASTICITY]
    # Widened by the elasticity at both ends, in each level's own unit.
    assert limits.widened("big") == pytest.approx((4.5, 11.0))
    assert limits.widened("middle") == pytest.approx((0.9, 3.3))
    assert limits.widened("small") == (None, pytest.approx(330.0))
    national = PlanLimits.of(resolve_policy("cn", ON))
    assert set(national.missing()) == {BIG_KM2, MIDDLE_KM2, SMALL_MAX, ELASTICITY, SHARE_INSIDE_BIG_MIN}
    assert national.widened("big") == (None, None)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        (BIG_KM2, [10, 5], "下限"),
        (BIG_KM2, 7, "[下限, 上限]"),
        (SMALL_MAX, -300, "正数"),
        (ELASTICITY, 10, "0–1"),
    ],
)
def test_a_value_of_the_wrong_shape_is_a_policy_error(
    dongguan: ResolvedPolicy, name: str, value: object, words: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        PlanLimits.of(_with(dongguan, name, value))
    assert name in str(caught.value) and words in str(caught.value)


@pytest.mark.parametrize(
    ("level", "height_m", "check"),
    [
        ("big", 11_000.0, None),  # 11 km² = 10 km² + 10 %: passes
        ("big", 11_010.0, "size_too_large"),
        ("big", 4_500.0, None),  # 4.5 km² = 5 km² − 10 %: passes
        ("big", 4_490.0, "size_too_small"),
        ("middle", 3_300.0, None),
        ("middle", 3_310.0, "size_too_large"),
        ("middle", 900.0, None),
        ("middle", 890.0, "size_too_small"),
    ],
)
def test_big_and_middle_sizes_at_their_widened_bounds(
    limits: PlanLimits, level: str, height_m: float, check: str | None
) -> None:
    found = check_plan(_plan(("Z", level, None, _box(0, 0, KM, height_m))), limits)
    sizes = found[found["check"].str.startswith("size")]
    assert _checks(sizes) == ([] if check is None else [("Z", check)])


def test_a_small_zone_may_reach_330_mu_and_has_no_lower_bound(limits: PlanLimits) -> None:
    at_bound = 330.0 * M2_PER_MU / 400.0  # 400 m wide: exactly 330 mu
    plan = _plan(
        ("M", "middle", None, _box(0, 0, KM, 2 * KM)),
        ("S1", "small", "M", _box(0, 0, 400.0, at_bound)),
        ("S2", "small", "M", _box(500.0, 0, 400.0, at_bound + 0.5)),
        ("S3", "small", "M", _box(0, 1500.0, 1.0, 1.0)),  # one square metre
    )
    found = check_plan(plan, limits)
    sizes = found[found["level"] == "small"]
    assert _checks(sizes) == [("S2", "size_too_large")]
    row = sizes.iloc[0]
    assert row["unit"] == "亩" and row["limit"] == pytest.approx(330.0)
    assert row["value"] == pytest.approx((at_bound + 0.5) * 400.0 / M2_PER_MU)
    assert row["message"] == "小圈 S2（S2号）面积 330.3 亩，超过 300 亩（含10%弹性 330.0 亩）"


def test_the_message_carries_the_stated_and_the_widened_bound(limits: PlanLimits) -> None:
    found = check_plan(_plan(("DG-01", "big", None, _box(0, 0, KM, 11_800.0))), limits)
    assert list(found.columns) == VIOLATION_COLUMNS
    assert found["message"].tolist() == ["大圈 DG-01（DG-01号）面积 11.80 km²，超过 10 km²（含10%弹性 11.00 km²）"]
    assert found[["value", "limit", "unit"]].iloc[0].tolist() == [pytest.approx(11.8), pytest.approx(11.0), "km²"]


@pytest.mark.parametrize(("outside_m", "fires"), [(100.0, False), (101.0, True)])
def test_a_child_may_stick_out_of_its_parent_by_the_elasticity_share(
    limits: PlanLimits, outside_m: float, fires: bool
) -> None:
    """A 1 km² 中圈 with 100 m of its 1 km width outside its 大圈 (10 %) passes; 101 m does not."""
    plan = _plan(
        ("B", "big", None, _box(0, 0, 2500.0, 2500.0)),
        ("M", "middle", "B", _box(2500.0 - KM + outside_m, 0, KM, KM)),
    )
    found = check_plan(plan, limits)
    assert _checks(found) == ([("M", "outside_parent")] if fires else [])
    if fires:
        row = found.iloc[0]
        assert row["value"] == pytest.approx(0.101) and row["limit"] == 0.1 and row["related_code"] == "B"
        assert row["message"] == "中圈 M（M号）有 10.1% 的面积（0.10 km²）在所属大圈 B 之外，超过10%的弹性调整空间"


def test_without_a_parent_code_the_parent_holds_the_largest_part(limits: PlanLimits) -> None:
    plan = _plan(
        ("B1", "big", None, _box(0, 0, 2500.0, 2500.0)),
        ("B2", "big", None, _box(2500.0, 0, 2500.0, 2500.0)),
        ("M1", "middle", None, _box(2500.0 - 600.0, 0, KM, KM)),  # 60 % in B1, 40 % in B2
        ("M2", "middle", None, _box(2500.0 - 500.0, 1200.0, KM, KM)),  # 50/50: the smaller code
        ("M3", "middle", "B2", _box(100.0, 1200.0, KM, KM)),  # the code wins: wholly outside B2
    )
    found = check_plan(plan, limits).set_index("zone_code")
    assert found["check"].to_dict() == {"M1": "outside_parent", "M2": "outside_parent", "M3": "outside_parent"}
    assert found["related_code"].to_dict() == {"M1": "B1", "M2": "B1", "M3": "B2"}
    assert found["value"].to_numpy() == pytest.approx([0.4, 0.5, 1.0])


def test_a_zone_in_no_zone_one_level_up_has_no_parent(limits: PlanLimits) -> None:
    plan = _plan(
        ("M", "middle", None, _box(0, 0, KM, KM)),
        ("S1", "small", None, _box(KM, 0, 300.0, 300.0)),  # touches M along an edge only
        ("S2", "small", None, _box(5 * KM, 0, 300.0, 300.0)),
        ("S3", "small", None, _box(100.0, 100.0, 300.0, 300.0)),  # inside M: fine
        ("S4", "small", "M", _box(5 * KM, 5 * KM, 300.0, 300.0)),  # given a parent: outside it instead
    )
    found = check_plan(plan, limits)
    assert _checks(found) == [("S1", "no_parent"), ("S2", "no_parent"), ("S4", "outside_parent")]
    assert "S1（S1号）不在任何中圈内" in found.set_index("zone_code").loc["S1", "message"]


def test_unknown_and_wrong_level_parent_codes(limits: PlanLimits) -> None:
    plan = _plan(
        ("B", "big", None, _box(0, 0, 2500.0, 2500.0)),
        ("B9", "big", "B", _box(3000.0, 0, 2500.0, 2500.0)),
        ("M", "middle", "B", _box(0, 0, KM, KM)),
        ("S1", "small", "B", _box(0, 0, 300.0, 300.0)),
        ("S2", "small", "X-404", _box(400.0, 0, 300.0, 300.0)),
    )
    found = check_plan(plan, limits)
    assert _checks(found) == [("B9", "parent_wrong_level"), ("S1", "parent_wrong_level"), ("S2", "parent_missing")]
    by_code = found.set_index("zone_code")
    assert by_code.loc["S1", "message"] == "小圈 S1（S1号）的上级分区 B 是大圈，应为中圈"
    assert by_code.loc["S2", "related_code"] == "X-404" and "X-404 不在规划分区中" in by_code.loc["S2", "message"]
    assert "最上一级" in by_code.loc["B9", "message"]


def test_zones_of_one_level_may_touch_but_not_overlap(limits: PlanLimits) -> None:
    plan = _plan(
        ("M", "middle", None, _box(0, 0, KM, KM)),
        ("S1", "small", "M", _box(0, 0, 300.0, 300.0)),
        ("S2", "small", "M", _box(300.0, 0, 300.0, 300.0)),  # shares an edge with S1
        ("S3", "small", "M", _box(590.0, 0, 300.0, 300.0)),  # 10 m × 300 m over S2
    )
    found = check_plan(plan, limits)
    assert _checks(found) == [("S2", "overlaps_sibling")]
    row = found.iloc[0]
    assert row["related_code"] == "S3" and row["unit"] == "亩"
    assert row["value"] == pytest.approx(3000.0 / M2_PER_MU)
    assert row["message"] == "小圈 S2（S2号）与小圈 S3 重叠 4.5 亩"


def test_a_clean_plan_reports_nothing(limits: PlanLimits) -> None:
    plan = _plan(
        ("B", "big", None, _box(0, 0, 2500.0, 3000.0)),
        ("M1", "middle", "B", _box(0, 0, KM, 2 * KM)),
        ("M2", "middle", None, _box(KM, 0, KM, 1.5 * KM)),
        ("S1", "small", "M1", _box(0, 0, 300.0, 300.0)),
        ("S2", "small", None, _box(KM + 10.0, 0, 300.0, 300.0)),
    )
    assert check_plan(plan, limits).empty
    assert not_run(plan, limits) == {}


def test_missing_policy_values_mean_checks_not_run_never_invented(dongguan: ResolvedPolicy) -> None:
    plan = _plan(
        ("B", "big", None, _box(0, 0, KM, 50 * KM)),  # 50 km²
        ("M", "middle", None, _box(0, 0, 30 * KM, KM)),  # 30 km², mostly outside B
        ("S", "small", None, _box(40 * KM, 0, KM, KM)),  # 1,500 mu, in no 中圈
    )
    no_elasticity = PlanLimits.of(_without(dongguan, ELASTICITY))
    assert no_elasticity.missing() == [ELASTICITY]
    skipped = not_run(plan, no_elasticity)
    assert set(skipped) == {"size:big", "size:middle", "size:small", "outside_parent:middle", "outside_parent:small"}
    assert all(ELASTICITY in why for why in skipped.values())
    # What needs no number still runs.
    assert _checks(check_plan(plan, no_elasticity)) == [("S", "no_parent")]

    no_big = PlanLimits.of(_without(dongguan, BIG_KM2))
    assert set(not_run(plan, no_big)) == {"size:big"} and BIG_KM2 in not_run(plan, no_big)["size:big"]
    found = check_plan(plan, no_big)
    assert ("B", "size_too_large") not in _checks(found) and ("M", "size_too_large") in _checks(found)


def test_a_level_with_nothing_above_it_is_not_judged_for_nesting(limits: PlanLimits) -> None:
    plan = _plan(("S1", "small", None, _box(0, 0, 300.0, 300.0)), ("S2", "small", None, _box(KM, 0, 300.0, 300.0)))
    assert set(not_run(plan, limits)) == {"no_parent:small", "outside_parent:small"}
    assert check_plan(plan, limits).empty
    empty = _plan()
    assert "plan" in not_run(empty, limits)
    assert list(check_plan(empty, limits).columns) == VIOLATION_COLUMNS


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 3000),
    st.integers(0, 3000),
    st.integers(200, 2000),
    st.integers(200, 2000),
    st.sampled_from([0.0, 0.05, 0.1, 0.25]),
)
def test_outside_share_against_a_direct_computation(x: int, y: int, w: int, h: int, elasticity: float) -> None:
    limits = PlanLimits(None, None, None, elasticity, None)
    parent, child = _box(0, 0, 2500.0, 2500.0), _box(x, y, w, h)
    found = check_plan(_plan(("B", "big", None, parent), ("M", "middle", "B", child)), limits)
    share = 1 - shapely.area(shapely.intersection(child, parent)) / shapely.area(child)
    assert (("M", "outside_parent") in _checks(found)) == (share > elasticity + 1e-9)


def test_the_share_of_each_towns_renewal_inside_big_zones() -> None:
    mu = M2_PER_MU
    table = share_inside_big(
        pd.Series(["T1", "T1", "T2", "T2", None, "T3"]),
        np.array([70, 30, 70, 30.01, 10, 0]) * mu,
        np.array([70, 0, 70, 0, 10, 0]) * mu,
        0.7,
    )
    assert list(table.columns) == planning.TOWN_COLUMNS
    rows = table.set_index(table["town"].fillna("?"))
    assert rows.loc["T1", "share"] == pytest.approx(0.7) and bool(rows.loc["T1", "meets"])  # exactly 70 %
    assert rows.loc["T2", "share"] < 0.7 and not bool(rows.loc["T2", "meets"])
    assert rows.loc["?", "area_mu"] == pytest.approx(10.0)  # a missing town is a group of its own
    assert pd.isna(rows.loc["T3", "share"]) and pd.isna(rows.loc["T3", "meets"])
    assert (rows["share_min"] == 0.7).all()
    unjudged = share_inside_big(pd.Series(["T1"]), np.array([100.0]), np.array([150.0]), None)
    assert unjudged.loc[0, "share"] == 1.0 and pd.isna(unjudged.loc[0, "meets"])  # capped at its own area


def test_area_inside_big_zones_counts_overlapping_big_zones_once() -> None:
    zones = _plan(
        ("B1", "big", None, _box(0, 0, 1000.0, 1000.0)),
        ("B2", "big", None, _box(500.0, 0, 1000.0, 1000.0)),  # overlaps B1
        ("M", "middle", None, _box(-1000.0, 0, 1000.0, 1000.0)),  # not a 大圈: does not count
    )
    parcels = np.array([_box(400.0, 100.0, 200.0, 100.0), _box(-100.0, 0, 200.0, 100.0), _box(5000.0, 0, 10, 10)])
    assert area_inside_big(parcels, zones) == pytest.approx([20_000.0, 10_000.0, 0.0])


# What a message may carry in either language: zone codes, their names (data) and the parameters it names.
_DATA = re.compile(r"(DG-01|X-404|S\d|M)号|DG-01|X-404|S\d|zones\.[a-z_0-9]+|planning_zones|km²")
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _every_kind_of_violation() -> pd.DataFrame:
    return _plan(
        ("DG-01", "big", None, _box(0, 0, KM, 11_800.0)),  # too large
        ("M", "middle", None, _box(40 * KM, 0, KM, KM)),  # in no 大圈
        ("S1", "small", "DG-01", _box(0, 0, 300.0, 300.0)),  # a 大圈 as its parent
        ("S2", "small", "X-404", _box(500.0, 0, 300.0, 300.0)),  # an unknown parent
        ("S3", "small", None, _box(40 * KM, 0, 300.0, 300.0)),
        ("S4", "small", None, _box(40 * KM + 200.0, 0, 300.0, 300.0)),  # overlaps S3
    )


def test_violations_and_skipped_checks_read_whole_in_the_readers_language(dongguan: ResolvedPolicy) -> None:
    limits = PlanLimits.of(dongguan)
    plan = _every_kind_of_violation()
    chinese = check_plan(plan, limits)
    with speaking("en"):
        english = check_plan(plan, limits)
        skipped_en = list(not_run(plan, PlanLimits.of(_without(dongguan, ELASTICITY, BIG_KM2))).values())
        skipped_en += list(not_run(_plan(("S", "small", None, _box(0, 0, 1.0, 1.0))), limits).values())
        skipped_en += list(not_run(_plan(), limits).values())
    skipped_zh = list(not_run(plan, PlanLimits.of(_without(dongguan, ELASTICITY, BIG_KM2))).values())
    kinds = {"size_too_large", "parent_missing", "parent_wrong_level", "no_parent", "overlaps_sibling"}
    assert set(chinese["check"]) == set(english["check"]) >= kinds
    for message in [*chinese["message"], *skipped_zh]:
        assert not re.search(r"[A-Za-z]{2,}", _DATA.sub("", message)), message
    for message in [*english["message"], *skipped_en]:
        assert not _CJK.search(_DATA.sub("", message)), message
    by_check = english.set_index("check")["message"]
    assert by_check["size_too_large"] == "big zone DG-01 (DG-01号) has an area of 11.80 km², above 10 km² " + (
        "(11.00 km² with the 10% elasticity)"
    )
    assert by_check["parent_wrong_level"] == (
        "small zone S1 (S1号): its parent zone DG-01 is a big zone; it should be a middle zone"
    )
    assert by_check["overlaps_sibling"] == "small zone S3 (S3号) overlaps small zone S4 by 45.0 mu"
    assert f"the policy has no {BIG_KM2} (the size of a big zone)" in skipped_en[0]
    assert f"the policy has no {ELASTICITY}" in skipped_en[1]
    with speaking("en"), pytest.raises(PolicyError) as caught:
        PlanLimits.of(_with(dongguan, ELASTICITY, 10))
    assert str(caught.value) == f"policy {dongguan.policy_id}: {ELASTICITY} must be a share from 0 to 1, not 10"
