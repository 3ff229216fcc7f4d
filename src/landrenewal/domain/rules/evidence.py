"""What each piece of a finding's evidence is called, in Chinese and in English.

The rules name their evidence by the land frame's columns; people read the names here, in the
dossiers, the findings table and its exports.
"""

from __future__ import annotations

import json
from collections.abc import Callable

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


def evidence_label(key: str) -> str:
    """The Chinese name of a piece of evidence (its key when it has none)."""
    return EVIDENCE_LABELS.get(key, (key, key))[0]


def readable(text: object, hide: Callable[[str], bool] | None = None, hidden: str = "") -> str:
    """Stored evidence or threshold (a JSON object) as people read it, ``名称: value；…``; values
    whose key ``hide`` picks are shown as ``hidden``. Text that is not a JSON object stays as it is."""
    if not isinstance(text, str):
        return ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    if not isinstance(value, dict):
        return str(value)
    shown = {k: (hidden if hide is not None and hide(k) else v) for k, v in value.items()}
    return "；".join(f"{evidence_label(k)}: {_shown(v)}" for k, v in shown.items())


def _shown(value: object) -> str:
    if value is None:
        return "—"
    return str(round(value, 6)) if isinstance(value, float) else str(value)
