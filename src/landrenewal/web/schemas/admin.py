"""Users, the audit log, runs and policies."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from landrenewal.web.schemas.common import Schema


class UserRecord(Schema):
    username: str = Field(description="用户名")
    display_name: str | None = Field(description="显示名称")
    role: str = Field(description="角色代码")
    division_code: str | None = Field(description="所属镇街；全市用户为空")
    active: bool = Field(description="是否启用")


class AuditRow(Schema):
    at: str = Field(description="时间（ISO 8601，UTC）")
    username: str = Field(description="操作人")
    action: str = Field(description="操作，如 login、import、metrics.update")
    entity: str | None = Field(description="对象的数据类型")
    key: str | None = Field(description="对象的键")
    before: str | None = Field(description="变更前（JSON 文本）；无权查看的企业指标为空")
    after: str | None = Field(description="变更后（JSON 文本）；无权查看的企业指标为空")


class AuditPage(Schema):
    items: list[AuditRow]
    total: int
    page: int
    page_size: int
    usernames: list[str] = Field(description="日志中出现过的操作人（筛选用）")
    actions: list[str] = Field(description="日志中出现过的操作（筛选用）")
    time_zone: str = Field(description="按日筛选所用的时区")


class EvaluationRun(Schema):
    id: int
    year: int = Field(description="评价年度")
    policy_id: str
    policy_version: str
    input_sha256: str = Field(description="输入数据的摘要")
    created_at: str
    unit_count: int = Field(description="评价单元数")
    rated_count: int = Field(description="参评单元数")


class IdentificationRun(Schema):
    id: int
    as_of: str = Field(description="认定基准日")
    policy_id: str
    policy_version: str
    input_sha256: str
    evaluation_run_id: int | None = Field(description="所用评价批次")
    rules: list[str] = Field(description="所用认定规则")
    created_at: str
    finding_count: int = Field(description="认定结果条数")


class ZoneRun(Schema):
    id: int
    selection: str = Field(description="参与连片的宗地范围")
    gap_m: float = Field(description="连片间距（米）")
    engine: str
    policy_id: str
    policy_version: str
    input_sha256: str
    identification_run_id: int | None
    evaluation_run_id: int | None
    created_at: str
    parcel_count: int
    zone_count: int
    area_mu: float


class Policies(Schema):
    active: str | None = Field(description="库的默认政策")
    items: list[str] = Field(description="随系统提供的政策")


class PolicyValue(Schema):
    value: Any = Field(description="取值（数、文字、表或列表）")
    unit: str | None = Field(description="单位")
    description: str | None = Field(description="含义")
    description_en: str | None = Field(None, description="含义（英文）")
    from_: str = Field(alias="from", description="生效日期")
    source: str = Field(description="出处（文件、条款）；无公开出处的写明“本系统默认值”")
    defined_in: str = Field(description="定义它的政策文件")


class PolicyDescribed(Schema):
    policy: str
    version: str
    on: str = Field(description="取值的日期")
    chain: list[str] = Field(description="继承链：本政策及其所继承的政策")
    values: dict[str, PolicyValue] = Field(description="参数名 → 当日的取值")
