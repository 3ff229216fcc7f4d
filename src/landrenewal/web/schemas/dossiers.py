"""一地一档, 一企一档 and the zone dossier."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from landrenewal.web.schemas.admin import AuditRow
from landrenewal.web.schemas.common import Geometry, Number, Schema
from landrenewal.web.schemas.records import Building, EnterpriseFacts, EnterpriseMetrics, Metrics, ParcelFacts


class ThresholdTerm(Schema):
    description: str | None = Field(description="阈值的含义")
    description_en: str | None = Field(None, description="阈值的含义（英文）")
    unit: str | None = Field(description="单位")


class Finding(Schema):
    """一条低效认定结果。``evidence``、``threshold`` 的键随规则而定；无权查看的私有数据和汇聚单元过少的
    行业均值显示为“无权查看”。"""

    parcel_code: str
    rule_id: str = Field(description="认定规则")
    rule_name: str = Field(description="规则名称")
    category: str | None = Field(description="低效类型")
    evidence: dict[str, Any] = Field(description="认定依据：项 → 值")
    threshold: dict[str, Any] = Field(description="所用阈值：政策参数 → 值")
    threshold_terms: dict[str, ThresholdTerm] = Field(description="政策参数 → 含义和单位")
    clause: str | None = Field(description="政策条款")
    milestone: str | None = Field(description="所据的时间节点")


class Identification(Schema):
    run_id: int = Field(description="认定批次")
    as_of: str = Field(description="认定基准日")
    policy: str = Field(description="政策版本")
    evaluation_run_id: int | None = Field(description="所用评价批次")


class ScorePart(Schema):
    indicator: str = Field(description="指标")
    name: str = Field(description="指标名称")
    unit: str | None
    value: Number | None = Field(description="指标值；无权查看时为空")
    benchmark: Number | None = Field(description="基准值")
    weight: Number | None = Field(description="权重")
    points: Number | None = Field(description="得分；无权查看时为空")


class EvaluationMember(Schema):
    uscc: str
    name: str | None
    scale: str | None
    industry_code: str | None


class PreviousYear(Schema):
    run_id: int
    year: int
    class_: str | None = Field(alias="class")
    score: Number | None
    score_change: Number | None = Field(description="较上年得分的变化")


class ParcelEvaluation(Schema):
    """宗地所属评价单元的结果。该年无企业使用的宗地只有批次、年度、政策、``status``（no_user）和 ``note``；
    无权查看时得分、排名和指标值为空。"""

    run_id: int
    year: int
    policy: str = Field(description="政策版本")
    status: str | None = Field(None, description="评价状态")
    note: str | None = Field(None, description="说明（该年无企业使用时）")
    unit_key: str | None = Field(None, description="评价单元")
    list_: str | None = Field(None, alias="list", description="评价名单")
    list_name: str | None = None
    status_name: str | None = None
    class_: str | None = Field(None, alias="class", description="评价类别")
    class_name: str | None = None
    score: Number | None = None
    rank: Number | None = None
    rank_size: Number | None = None
    rank_industry: Number | None = None
    rank_industry_size: Number | None = None
    land_mu: Number | None = None
    filled_with_list_mean: list[str] | None = Field(None, description="以名单均值补缺的指标")
    enterprises: list[EvaluationMember] | None = None
    score_breakdown: list[ScorePart] | None = None
    previous_year: PreviousYear | None = None
    sources: dict[str, str] | None = Field(None, description="评价参数 → 出处")
    restricted: bool = Field(description="私有数据已隐藏")


class ParcelRecord(ParcelFacts):
    area_mu: float | None = Field(description="图形面积（亩）")
    town_name: str | None
    village_name: str | None
    class_: str | None = Field(alias="class", description="评价类别；空为未评价")
    labels: dict[str, str] = Field(description="字段名 → 中文表头")


class ParcelUser(Schema):
    """使用该宗地的企业（用地关系）。"""

    uscc: str
    parcel_code: str
    start_date: str | None = Field(description="起始日期")
    end_date: str | None = Field(description="终止日期；空为仍在使用")
    land_share: float | None = Field(description="用地占比")
    tenure: str | None = Field(description="使用方式")
    name: str | None = Field(description="企业名称")
    division_code: str | None = Field(description="企业的行政区划代码")


class ParcelZone(Schema):
    run_id: int
    zone_no: int
    area_mu: float
    verdict: str | None


class ClassInRun(Schema):
    run_id: int
    year: int
    created_at: str
    class_: str | None = Field(alias="class")
    score: float | None = Field(description="得分；无权查看时为空")


class ParcelDossier(Schema):
    parcel: ParcelRecord
    geometry: Geometry | None = Field(description="宗地图形（经纬度）")
    bbox: list[float] | None
    buildings: list[Building]
    enterprises: list[ParcelUser] = Field(description="用地企业，按起始日期排序")
    metrics: list[EnterpriseMetrics] | None = Field(description="可查看的企业的经营指标；一家都不可查看时为空")
    restricted: bool = Field(description="有企业的经营指标已隐藏")
    metrics_hidden: list[str] = Field(description="经营指标已隐藏的企业")
    evaluation: ParcelEvaluation | None
    identification: Identification | None
    findings: list[Finding]
    zone: ParcelZone | None = Field(description="所在片区（最新批次）")
    classes: list[ClassInRun] = Field(description="历次评价的类别")
    history: list[AuditRow] = Field(description="变更记录，新的在前")


class EnterpriseRecord(EnterpriseFacts):
    town_name: str | None
    labels: dict[str, str] = Field(description="字段名 → 中文表头")


class EnterpriseParcel(Schema):
    parcel_code: str
    start_date: str | None
    end_date: str | None
    land_share: float | None
    tenure: str | None
    area_mu: float | None
    town_name: str | None
    class_: str | None = Field(alias="class")


class EnterpriseEvaluation(Schema):
    run_id: int
    year: int
    class_: str | None = Field(alias="class")
    score: float | None = Field(description="无权查看时为空")
    rank: int | None
    rank_size: int | None
    tax_per_mu: float | None
    value_added_per_mu: float | None


class EnterpriseDossier(Schema):
    enterprise: EnterpriseRecord
    parcels: list[EnterpriseParcel]
    metrics: list[Metrics] | None = Field(description="经营指标；无权查看时为空")
    metric_labels: dict[str, str]
    restricted: bool
    may_edit: bool = Field(description="当前用户可否修改其经营指标")
    evaluations: list[EnterpriseEvaluation]
    findings: list[Finding]
    history: list[AuditRow]


class ZoneParcel(Schema):
    parcel_code: str
    area_mu: float | None
    class_: str | None = Field(alias="class")
    categories: str | None = Field(description="低效类型，以 | 分隔")
    town_name: str | None
    village_name: str | None


class ZoneEnterprise(Schema):
    uscc: str
    land_mu: float | None = Field(description="片区内用地（亩）")
    name: str | None
    class_: str | None = Field(alias="class")


class ZoneFigures(Schema):
    """片区的各项数字。跨镇街的片区，镇街用户只看到本镇街企业的部分（``partial``），一点都没有时 ``restricted``。"""

    zone_no: int
    town_code: str | None
    town_name: str | None
    village_code: str | None
    village_name: str | None
    town_count: int | None = Field(description="涉及镇街数")
    outline_mu: float | None = Field(description="片区范围面积（亩）")
    area_mu: float | None = Field(description="宗地面积合计（亩）")
    parcel_count: int | None
    state_mu: float | None = Field(description="国有土地（亩）")
    collective_mu: float | None = Field(description="集体土地（亩）")
    enterprise_count: int | None
    holder_count: int | None
    tax_wan: float | None = Field(description="税收（万元）；无权查看时为空")
    value_added_wan: float | None
    tax_per_mu: float | None
    value_added_per_mu: float | None
    finding_mu: float | None
    finding_parcels: int | None
    findings: dict[str, int] | None = Field(description="认定规则 → 命中宗地数")
    class_a_mu: float | None
    class_b_mu: float | None
    class_c_mu: float | None
    class_d_mu: float | None
    unrated_mu: float | None
    verdict: str | None = Field(description="片区结论")
    contiguous_candidate: int | bool | None
    industrial_candidate: int | bool | None
    scattered: int | bool | None
    parking_rule: int | bool | None
    inside_big_mu: float | None
    big_zone_code: str | None
    big_zone_name: str | None
    middle_zone_code: str | None
    middle_zone_name: str | None
    small_zone_code: str | None
    small_zone_name: str | None
    partial: bool
    restricted: bool


class ZoneDossier(Schema):
    run_id: int
    zone: ZoneFigures
    parcels: list[ZoneParcel]
    enterprises: list[ZoneEnterprise]
    geometry: Geometry | None
    bbox: list[float] | None


class MetricsSaved(EnterpriseMetrics):
    """保存后的一年经营指标。"""
