"""A finding's evidence and threshold as people read them: names, not keys; counts as counts."""

from __future__ import annotations

import json

from landrenewal.domain.rules import RULES
from landrenewal.domain.rules.evidence import PARAMETER_LABELS, readable


def test_every_parameter_a_rule_compares_with_has_a_name_in_both_languages() -> None:
    used = {p for rule in RULES.values() for p in rule.parameters}
    assert used <= set(PARAMETER_LABELS)
    assert all(zh and en and zh != en for zh, en in PARAMETER_LABELS.values())


def test_a_threshold_reads_by_its_name_and_a_per_industry_table_by_the_parcels_industry() -> None:
    evidence = json.dumps({"far": 0.41, "far_min": 0.8, "industry_division_2002": "17"})
    table = {str(code): 1.0 for code in range(13, 43)} | {"17": 0.8}
    threshold = json.dumps(
        {"land_control.far_min_by_industry_2002": table, "land_control.double_counted_storey_height_m": 8}
    )
    shown = readable(threshold, evidence=evidence)
    assert shown == "行业容积率下限: 0.8；容积率加倍计算层高（m）: 8"
    assert "land_control" not in readable(json.dumps({"identification.tax_per_mu_min": 5}))


def test_a_rank_stored_as_a_float_reads_as_a_whole_number_and_a_ratio_keeps_its_digits() -> None:
    shown = readable(json.dumps({"rank": 76.0, "rank_size": 286.0, "tax_per_mu": 4.439, "score": None}))
    assert shown == "排名: 76；参评数: 286；亩均税收（万元/亩）: 4.439；得分: —"


def test_a_hidden_value_is_replaced_whatever_its_shape() -> None:
    shown = readable(json.dumps({"tax_per_mu": 4.439, "rank": 3.0}), lambda key: key == "tax_per_mu", "无权查看")
    assert shown == "亩均税收（万元/亩）: 无权查看；排名: 3"
