"""What each piece of a finding's evidence and threshold is called, in Chinese and in English.

The rules name their evidence by the land frame's columns and their thresholds by the policy
parameters they compare with; people read the names here, in the dossiers, the findings table
and its exports. A parameter's unit is the one its policy file gives it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from landrenewal.domain.language import say

EVIDENCE_LABELS: dict[str, tuple[str, str]] = {
    "far": ("容积率", "FAR"),
    "agreed_far": ("约定容积率", "Agreed FAR"),
    "far_min": ("行业容积率下限", "Industry FAR minimum"),
    "far_floor_area_m2": ("计容建筑面积（m²）", "Floor area counted for FAR (m²)"),
    "area_m2": ("图形面积（m²）", "Mapped area (m²)"),
    "footprint_m2": ("基底面积（m²）", "Footprint (m²)"),
    "building_coverage": ("建筑系数", "Building coverage"),
    "office_living_share": ("行政办公及生活服务设施用地占比", "Office and living share"),
    "office_living_footprint_m2": ("行政办公及生活服务设施占地（m²）", "Office and living footprint (m²)"),
    "industry_code": ("行业代码", "Industry code"),
    "industry_division_2002": ("行业大类（2002版）", "Industry division (2002)"),
    "invested_wan": ("已完成投资（万元）", "Invested (10k yuan)"),
    "invested_intensity_wan_per_mu": ("已完成投资强度（万元/亩）", "Investment made per mu (10k yuan)"),
    "agreed_investment_intensity_wan_per_mu": ("约定投资强度（万元/亩）", "Agreed investment intensity (10k yuan/mu)"),
    "land_price_wan": ("土地价款（万元）", "Land price (10k yuan)"),
    "developed_share": ("已开发面积占比", "Share developed"),
    "invested_share": ("已投资额占比", "Share invested"),
    "idle_since": ("闲置起算日", "Idle since"),
    "days_idle": ("闲置天数", "Days idle"),
    "idle_fee_wan": ("土地闲置费（万元）", "Idle-land fee (10k yuan)"),
    "approved_date": ("批准日期", "Approved"),
    "supplied_date": ("供地日期", "Supplied"),
    "agreed_start_date": ("约定动工日期", "Agreed start"),
    "completion_date": ("竣工日期", "Completed"),
    "production_date": ("投产日期", "In production"),
    "days_since_approved": ("批准后天数", "Days since approval"),
    "days_since_completion": ("竣工后天数", "Days since completion"),
    "days_past_agreed_start": ("超过约定动工日期天数", "Days past the agreed start"),
    "last_user_left": ("最后一家企业迁出日期", "Last user left"),
    "days_empty": ("空置天数", "Days empty"),
    "class": ("评价类别", "Class"),
    "score": ("得分", "Score"),
    "rank": ("排名", "Rank"),
    "rank_size": ("参评数", "Ranked"),
    "unit_key": ("评价单元", "Evaluation unit"),
    "tax_per_mu": ("亩均税收（万元/亩）", "Tax per mu (10k yuan)"),
    "industry_mean_tax_per_mu": ("同行业亩均税收平均值（万元/亩）", "Industry mean tax per mu (10k yuan)"),
    "limit": ("认定限值", "Limit"),
}


# The short names of the policy parameters a rule compares with (their long descriptions and
# sources are in the policy files; each rule's parameters must have a name here: rules/base.py).
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "identification.approved_not_supplied_after_years": (
        "批而未供认定年限（年）",
        "Approved, not supplied after (years)",
    ),
    "identification.built_not_producing_after_years": ("建而未投认定年限（年）", "Built, not producing after (years)"),
    "identification.tax_per_mu_min": ("亩均税收下限（万元/亩）", "Minimum tax per mu (10k yuan)"),
    "identification.tax_per_mu_industry_share_min": (
        "亩均税收占同行业平均值的最低比例",
        "Minimum share of the industry mean tax per mu",
    ),
    "idle_land.unstarted_after_years": ("未动工认定年限（年）", "Unstarted after (years)"),
    "idle_land.developed_share_min": ("已开发面积最低占比", "Minimum share developed"),
    "idle_land.invested_share_min": ("已投资额最低占比", "Minimum share invested"),
    "idle_land.stopped_years": ("中止开发认定年限（年）", "Stalled for (years)"),
    "idle_land.idle_fee_share_of_land_price": (
        "土地闲置费占土地价款比例",
        "Idle-land fee as a share of the land price",
    ),
    "idle_land.recovery_after_years": ("无偿收回年限（年）", "Taken back without compensation after (years)"),
    "land_control.building_coverage_min": ("建筑系数下限", "Minimum building coverage"),
    "land_control.office_living_share_max": ("行政办公及生活服务设施用地占比上限", "Maximum office and living share"),
    "land_control.far_min_by_industry_2002": ("行业容积率下限", "Industry FAR minimum"),
    "land_control.double_counted_storey_height_m": ("容积率加倍计算层高（m）", "Storey height counted twice (m)"),
}
# A threshold given per industry division: the value of the parcel's division, named by its evidence.
PER_INDUSTRY = {"land_control.far_min_by_industry_2002": "industry_division_2002"}


def evidence_label(key: str) -> str:
    """The name of a piece of evidence or of a threshold in the reader's language (its key when it has none)."""
    zh, en = EVIDENCE_LABELS.get(key) or PARAMETER_LABELS.get(key) or (key, key)
    return say(zh, en)


def readable(
    text: object,
    hide: Callable[[str], bool] | None = None,
    hidden: str = "",
    evidence: Mapping[str, object] | str | None = None,
) -> str:
    """Stored evidence or threshold (a JSON object) as people read it, ``名称: value；…`` (``Name: value; …``
    for the English reader); values
    whose key ``hide`` picks are shown as ``hidden``. A threshold given per industry shows the value
    of the industry its ``evidence`` (stored text, or already read) names. Text that is not a JSON
    object stays as it is."""
    if not isinstance(text, str):
        return ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    if not isinstance(value, dict):
        return str(value)
    facts = evidence if isinstance(evidence, Mapping) else json_object(evidence)
    return described(value, facts, hide, hidden)


def described(
    values: Mapping[str, object],
    evidence: Mapping[str, object] | None = None,
    hide: Callable[[str], bool] | None = None,
    hidden: str = "",
) -> str:
    """Evidence or a threshold already read: ``名称: value；…`` (see ``readable``)."""
    facts = evidence or {}
    shown = {k: (hidden if hide is not None and hide(k) else _of_industry(k, v, facts)) for k, v in values.items()}
    return say("；", "; ").join(f"{evidence_label(k)}: {_shown(v)}" for k, v in shown.items())


def json_object(text: object) -> dict[str, Any]:
    """Stored JSON text as an object; anything else (no text, not JSON, not an object) as {}."""
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _of_industry(key: str, value: object, evidence: Mapping[str, object]) -> object:
    if key not in PER_INDUSTRY or not isinstance(value, dict):
        return value
    division = evidence.get(PER_INDUSTRY[key])
    return value.get(str(division)) if division is not None else None


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):  # stored through a float column: a rank of 76 reads 76, not 76.0
        return str(int(value)) if value.is_integer() else str(round(value, 6))
    return str(value)
