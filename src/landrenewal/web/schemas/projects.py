"""Projects: the list, the dossier (stage bar, clocks, timeline, consent, votes, the actions open to
the reader), and what a write answers."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from landrenewal.web.schemas.common import Number, RequestBody, Schema


class ProjectRow(Schema):
    code: str = Field(description="项目编号")
    name: str = Field(description="项目名称")
    kind: str = Field(description="disposal 处置 / renewal 改造")
    kind_name: str = Field(description="项目类型（读者的语言）")
    renewal_type: str | None = Field(description="改造类型代码")
    workflow: str = Field(description="工作流")
    division_code: str = Field(description="所在镇街代码")
    stage: str = Field(description="当前阶段代码")
    stage_name: str = Field(description="当前阶段")
    since: str | None = Field(description="进入当前阶段的日期")
    next_due: str | None = Field(description="最近的期限")
    overdue: bool = Field(description="是否有期限已逾期")
    parcel_count: int = Field(description="宗地数")


class ProjectList(Schema):
    items: list[ProjectRow]
    total: int
    as_of: str = Field(description="计算日期")


class StageEntry(Schema):
    stage: str
    name: str
    entered: str | None = Field(description="进入日期；未到达为空")
    current: bool
    end: bool


class Clock(Schema):
    deadline: str
    name: str
    started: str
    due: str
    met: str | None
    status: str
    status_name: str
    suspended_days: int
    extended_days: int
    missed_recorded: bool
    exempt: bool


class Ban(Schema):
    deadline: str
    name: str
    until: str


class DocumentOut(Schema):
    kind: str
    kind_name: str
    name: str
    sha256: str
    media_type: str
    size: int


class EventOut(Schema):
    seq: int
    kind: str
    kind_name: str
    action: str | None
    action_name: str | None
    day: str
    recorded_at: str
    user: str
    reason: str | None
    voided: bool = Field(description="已被作废")
    voids: int | None = Field(description="作废的事件序号")
    deadline: str | None
    days: int | None
    holder_key: str | None = Field(description="同意记录的权益人（读者可见时）")
    matter: str | None
    values: dict[str, Any] = Field(description="动作记录的字段取值（字段名称 → 取值，选项为其名称）")
    documents: list[DocumentOut]


class FieldOut(Schema):
    id: str
    name: str
    kind: str
    unit: str
    choices: dict[str, str]


class ActionOut(Schema):
    action: str
    name: str
    target: str | None
    allowed: bool
    refusals: list[str]
    documents: dict[str, str] = Field(description="所需文件类型 → 名称")
    fields: list[FieldOut]


class ConsentOut(Schema):
    holders: int
    area_m2: Number
    persons: int
    consented_area_ratio: float | None
    consented_persons_ratio: float | None
    signed_area_ratio: float | None
    signed_persons_ratio: float | None


class HolderOut(Schema):
    holder_key: str
    kind: str
    name: str
    id_masked: str | None
    parcel_code: str | None
    area_m2: Number
    persons: int
    state: str = Field(description="none 未同意 / consent 已同意 / signed 已签约")


class VoteOut(Schema):
    matter: str
    name: str
    passed: bool
    checks: list[str]


class ProjectDossier(Schema):
    project: ProjectRow
    workflow_name: str
    responsible_unit: str | None
    responsible_person: str | None
    planned_area_mu: Number | None
    planned_investment_wan: Number | None
    target_industries: str | None
    old_village: bool
    parcels: list[str]
    stages: list[StageEntry]
    clocks: list[Clock]
    bans: list[Ban]
    events: list[EventOut]
    actions: list[ActionOut]
    suspended: bool
    consent: ConsentOut | None
    holders: list[HolderOut] | None = Field(description="权益人名单：仅项目所在镇街与市级用户可见")
    votes: list[VoteOut]
    last_seq: int = Field(description="读者所见最后一个事件序号：办理时回传，以防同时办理")
    may_act: bool


class ProjectCreate(RequestBody):
    name: str
    kind: str
    workflow: str
    town: str
    parcels: list[str] = Field(default_factory=list)
    renewal_type: str | None = None
    village: str | None = None
    responsible_unit: str | None = None
    responsible_person: str | None = None
    planned_area_mu: float | None = None
    planned_investment_wan: float | None = None
    target_industries: str | None = None
    old_village: bool = False
    day: str | None = None
    reason: str | None = None


class ActionTake(RequestBody):
    action: str
    day: str
    reason: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    seen_seq: int


class RecordTake(RequestBody):
    kind: str
    day: str
    reason: str | None = None
    target_seq: int | None = None
    deadline: str | None = None
    days: int | None = None
    seen_seq: int


class Written(Schema):
    code: str
    seq: int
