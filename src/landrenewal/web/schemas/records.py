"""Inventory records as the store holds them (their fields are domain/fields.py's, with its headers)."""

from __future__ import annotations

from pydantic import Field

from landrenewal.web.schemas.common import Schema


class ParcelFacts(Schema):
    parcel_code: str = Field(description="宗地代码")
    division_code: str | None = Field(description="行政区划代码")
    land_use_code: str | None = Field(description="土地用途代码")
    rights_type: str | None = Field(description="权利性质")
    rights_holder: str | None = Field(description="权利人")
    registered_area_m2: float | None = Field(description="宗地面积（m²）")
    registered_area_mu: float | None = Field(description="宗地面积（亩）")
    registered_area_ha: float | None = Field(description="宗地面积（公顷）")
    approved_date: str | None = Field(description="批准日期")
    supplied_date: str | None = Field(description="供地日期")
    agreed_start_date: str | None = Field(description="约定动工日期")
    actual_start_date: str | None = Field(description="实际动工日期")
    agreed_completion_date: str | None = Field(description="约定竣工日期")
    completion_date: str | None = Field(description="竣工日期")
    production_date: str | None = Field(description="投产日期")
    stopped_date: str | None = Field(description="停工日期")
    agreed_far: float | None = Field(description="约定容积率")
    agreed_investment_intensity_wan_per_mu: float | None = Field(description="约定投资强度（万元/亩）")
    total_investment_wan: float | None = Field(description="约定总投资（万元）")
    invested_wan: float | None = Field(description="已完成投资（万元）")
    developed_area_m2: float | None = Field(description="已动工开发面积（m²）")
    land_price_wan: float | None = Field(description="土地价款（万元）")
    area_m2: float | None = Field(description="图形面积（m²）")


class Building(Schema):
    building_code: str = Field(description="建筑物编号")
    parcel_code: str = Field(description="宗地代码")
    floor_area_m2: float | None = Field(description="建筑面积（m²）")
    footprint_m2: float | None = Field(description="基底面积（m²）")
    storeys: int | None = Field(description="层数")
    storeys_over_8m: int | None = Field(description="层高超8米层数")
    use_type: str | None = Field(description="建筑用途")


class Metrics(Schema):
    """一家企业一年的经营指标（私有数据）。"""

    year: int = Field(description="年度")
    tax_wan: float | None = Field(description="税收（万元）")
    value_added_wan: float | None = Field(description="工业增加值（万元）")
    revenue_wan: float | None = Field(description="营业收入（万元）")
    output_wan: float | None = Field(description="工业总产值（万元）")
    energy_tce: float | None = Field(description="综合能耗（吨标准煤）")
    electricity_wan_kwh: float | None = Field(description="用电量（万千瓦时）")
    emissions_t: float | None = Field(description="主要污染物排放量（吨）")
    rd_spending_wan: float | None = Field(description="研发经费支出（万元）")
    employees_avg: float | None = Field(description="年平均职工人数（人）")


class EnterpriseMetrics(Metrics):
    uscc: str = Field(description="统一社会信用代码")


class EnterpriseFacts(Schema):
    uscc: str = Field(description="统一社会信用代码")
    name: str | None = Field(description="企业名称")
    industry_code: str | None = Field(description="行业代码")
    scale: str | None = Field(description="企业规模")
    division_code: str | None = Field(description="行政区划代码")
