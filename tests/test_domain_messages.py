"""The domain's messages, each written once per language: the Chinese reader gets a whole Chinese
sentence, the English reader a whole English one, with the same values in both."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from landrenewal.domain import crs, divisions, uscc
from landrenewal.domain.access import Role, User, role_of
from landrenewal.domain.evaluation import EvaluationRules
from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.identification import CATEGORIES, active_rules, identify
from landrenewal.domain.language import speaking
from landrenewal.domain.policy import PolicyError, ResolvedPolicy
from landrenewal.domain.rules.evidence import described, readable
from landrenewal.domain.selection import parse_selection, selected
from landrenewal.domain.zone_policy import ZoneThresholds, judge
from landrenewal.domain.zones import clusters
from landrenewal.policies.files import resolve_policy

_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
# Codes and names a Chinese message carries as they are written (parameter names, role codes, GB).
_CODES = re.compile(r"[a-z_]+(\.[a-z_0-9]+)+|'[^']*'|\b(admin|city|town|viewer|evaluate|all|GB|CGCS2000)\b|\bli\b")


def _message(make: Callable[[], object]) -> str:
    """What ``make`` says: the text it returns, or the message of what it raises."""
    try:
        said = make()
    except (ValueError, PolicyError, KeyError) as error:
        return "\n".join(error.problems) if isinstance(error, PolicyError) else str(error.args[0])
    assert isinstance(said, str), said
    return said


def _policy_with(name: str, value: object) -> ResolvedPolicy:
    policy = resolve_policy("zj-quzhou", dt.date(2025, 1, 1))
    values = dict(policy.values)
    values[name] = dataclasses.replace(values[name], value=value)
    return dataclasses.replace(policy, values=values)


FIELDS = {f.name: f for e in ENTITIES.values() for f in e.fields}

CASES: list[tuple[Callable[[], object], str, str]] = [
    (
        lambda: User("li", "李", Role.TOWN, None),
        "镇街用户 li 必须指定所属行政区划。",
        "town officer li needs a division.",
    ),
    (
        lambda: User("li", "李", Role.TOWN, "440785"),
        "镇街用户 li 只能绑定到镇（街道）：440785 不是 9 位的镇街代码。",
        "town officer li needs a town: 440785 is not a 9-digit town code.",
    ),
    (
        lambda: role_of("mayor"),
        "未知的角色 'mayor'；可选：admin, city, town, viewer。",
        "unknown role 'mayor'; one of: admin, city, town, viewer.",
    ),
    (
        lambda: crs.gk3_central_meridian(150.0),
        "经度 150.0000° 不在我国 CGCS2000 3° 分带范围内（东经 73.5°–136.5°）",
        "longitude 150.0000° is outside China's CGCS2000 3° zones (73.5°E–136.5°E)",
    ),
    (
        lambda: clusters(np.array([], dtype=object), -1.0),
        "连片间距不能为负：-1.0",
        "the gap must not be negative: -1.0",
    ),
    (lambda: divisions.level_of("44x"), "区划代码只能是数字：'44x'", "a division code must be digits: '44x'"),
    (
        lambda: divisions.level_of("4407851"),
        "区划代码应为6、9或12位：'4407851'",
        "a division code must have 6, 9 or 12 digits: '4407851'",
    ),
    (
        lambda: uscc.problem("9144030070846113"),
        "统一社会信用代码应为18位，实为16位",
        "a unified social credit code must have 18 characters, this one has 16",
    ),
    (
        lambda: uscc.problem("91440300708461136I"),
        "含非法字符 'I'（不在 GB 32100 规定的字符集内）",
        "characters outside the GB 32100 alphabet: 'I'",
    ),
    (
        lambda: uscc.problem("91440300708461136A"),
        "校验码错误：应为 T，实为 A",
        "wrong check character: should be T, is A",
    ),
    (lambda: FIELDS["registered_area_mu"].range_problem(-1), "不能为负数", "must not be negative"),
    (
        lambda: FIELDS["tax_wan"].range_problem(-20_000),
        "小于合理下限 -10000 万元",
        "below the plausible minimum of -10000 10k yuan",
    ),
    (
        lambda: FIELDS["energy_tce"].range_problem(1e9),
        "超过合理上限 1e+08 吨标准煤，疑为单位错误",
        "above the plausible maximum of 1e+08 tce: wrong unit?",
    ),
    (
        lambda: FIELDS["land_share"].range_problem(60),
        "超过合理上限 1，疑为单位错误；若为百分数请写 %",
        "above the plausible maximum of 1: wrong unit?; write % for a percentage",
    ),
    (lambda: parse_selection(" ; "), "选取条件为空。", "the selection is empty."),
    (
        lambda: parse_selection("class:C,X"),
        "未知的分类 X；可选：A、B、C、D、T。",
        "unknown class X; one of: A, B, C, D, T.",
    ),
    (
        lambda: parse_selection("all:C"),
        "选取条件 all 不带取值：'all:C'",
        "selection all takes no values: 'all:C'",
    ),
    (
        lambda: selected(parse_selection("findings"), pd.Series(["P1"])),
        "按认定结果选取需要一次低效认定。",
        "selecting by findings needs an identification run.",
    ),
    (
        lambda: EvaluationRules.from_policy(_policy_with("evaluation.classes.ranked_shares", {"A": 0.5, "B": 0.25})),
        "evaluation.classes.ranked_shares：比例之和为 0.75，应为 1。",
        "evaluation.classes.ranked_shares: the shares sum to 0.75, they must sum to 1.",
    ),
    (
        lambda: EvaluationRules.from_policy(_policy_with("evaluation.above_scale.weights", {"tax_per_mu": "多"})),
        "evaluation.above_scale.weights.tax_per_mu：'多' 不是数值。",
        "evaluation.above_scale.weights.tax_per_mu: '多' is not a number.",
    ),
    (
        lambda: active_rules(_policy_with(CATEGORIES, {"idle.unstarted": "闲置土地", "idle.nowhere": "闲置土地"})),
        "identification.categories：未知规则 'idle.nowhere'；已有的规则：",
        "identification.categories: unknown rule 'idle.nowhere'; the known rules are ",
    ),
    (
        lambda: resolve_policy("cn", dt.date(2025, 1, 1))["no.such"],
        "政策 cn 在 2025-01-01 没有参数 'no.such'。",
        "policy cn has no parameter 'no.such' on 2025-01-01.",
    ),
]


@pytest.mark.parametrize(("make", "zh", "en"), CASES, ids=[c[2][:40] for c in CASES])
def test_each_reader_gets_the_whole_sentence_in_their_language(make: Callable[[], object], zh: str, en: str) -> None:
    chinese = _message(make)
    with speaking("en"):
        english = _message(make)
    assert chinese.startswith(zh) and english.startswith(en)
    assert not re.search(r"[A-Za-z]{3,}", _CODES.sub("", chinese)), chinese
    assert not _CJK.search(re.sub(r"'[^']*'", "", english)), english


def test_a_rule_waiting_for_an_evaluation_says_why_in_the_readers_language() -> None:
    policy = _policy_with(CATEGORIES, {"evaluation.class_d": "亩均效益D类"})  # only a rule that needs one
    land = pd.DataFrame({"parcel_code": pd.Series([], dtype="str")})
    with speaking("en"):
        english = identify(land, policy, pd.Timestamp("2025-01-01"), evaluated=False).skipped
    chinese = identify(land, policy, pd.Timestamp("2025-01-01"), evaluated=False).skipped
    assert set(english.values()) == {"there is no evaluation run to judge by; run evaluate first."}
    assert set(chinese.values()) == {"没有可用的亩均评价结果，请先运行 evaluate。"}


def test_evidence_reads_with_the_names_of_the_readers_language() -> None:
    evidence = {"far": 0.5, "industry_division_2002": "34", "rank": 76.0}
    threshold = {"land_control.far_min_by_industry_2002": {"34": 0.7}}
    assert described(evidence) == "容积率: 0.5；行业大类（2002版）: 34；排名: 76"
    assert described(threshold, evidence) == "行业容积率下限: 0.7"
    with speaking("en"):
        assert described(evidence) == "FAR: 0.5; Industry division (2002): 34; Rank: 76"
        assert readable('{"days_idle": 400, "idle_since": "2023-01-01"}') == "Days idle: 400; Idle since: 2023-01-01"


def test_zone_verdicts_read_whole_in_the_readers_language() -> None:
    t = ZoneThresholds(300.0, 500.0, 50.0, 75.0, 0.4, 0.7)
    area = np.array([49.99, 299.99, 500.0])
    with speaking("en"):
        english = judge(area, t)["verdict"].tolist()
    chinese = judge(area, t)["verdict"].tolist()
    assert english == [
        "scattered block (< 50 mu), listed for elimination",
        "the parking rule applies (≥ 75 mu, 0.4 spaces per 100 m² of floor area)",
        "candidate contiguous renewal area (≥ 300 mu); "
        "candidate contiguous industrial-to-industrial renewal (≥ 500 mu); "
        "the parking rule applies (≥ 75 mu, 0.4 spaces per 100 m² of floor area)",
    ]
    assert chinese[0] == "零星区块（<50亩），列入消除清单"
    assert not [v for v in chinese if re.search(r"[A-Za-z]{2,}", v)]
    no_threshold = ZoneThresholds(None, None, None, None, None, None)
    with speaking("en"):
        assert judge(area[:1], no_threshold)["verdict"].tolist() == ["the policy sets no contiguous area threshold"]
