"""统计看板."""

from __future__ import annotations

from pydantic import Field

from landrenewal.web.schemas.common import Schema


class ClassesByTown(Schema):
    """一个镇街各评价类别的宗地面积（亩）。"""

    town_code: str | None
    town_name: str | None
    A: float
    B: float
    C: float
    D: float
    T: float = Field(description="暂不评价")
    unrated: float = Field(description="无评价结果")


class CategoryByTown(Schema):
    town_code: str | None
    town_name: str | None
    category: str | None = Field(description="低效类型")
    mu: float = Field(description="面积（亩）")


class RankedUnit(Schema):
    unit_key: str = Field(description="评价单元")
    uscc: str | None = Field(description="统一社会信用代码")
    name: str | None = Field(description="企业名称")
    town_name: str | None
    division_code: str | None
    figures_division: str | None = Field(description="其经营数据所属的镇街")
    list_: str = Field(alias="list", description="评价名单（规上、规下……）")
    class_: str | None = Field(alias="class", description="评价类别")
    score: float | None = Field(description="得分；无权查看时为空")
    land_mu: float | None = Field(description="用地面积（亩）")
    tax_per_mu: float | None = Field(description="亩均税收；无权查看时为空")
    restricted: bool = Field(description="私有数据已隐藏")


class RankedList(Schema):
    list_: str = Field(alias="list", description="评价名单")
    size: int = Field(description="名单中可排名的单元数")
    best: list[RankedUnit]
    worst: list[RankedUnit]


class TrendYear(Schema):
    """某年（该年最新批次）各类别的单元数。"""

    year: int
    A: int
    B: int
    C: int
    D: int
    T: int


class Totals(Schema):
    parcels: int = Field(description="宗地数")
    mu: float = Field(description="宗地面积（亩）")
    finding_parcels: int = Field(description="认定低效的宗地数")
    finding_mu: float = Field(description="认定低效的面积（亩）")
    zones: int = Field(description="片区数")
    enterprises: int = Field(description="企业数")


class RunRef(Schema):
    id: int
    year: int


class RunListed(Schema):
    id: int
    year: int
    created_at: str = Field(description="生成时间（ISO 8601）")


class Dashboard(Schema):
    classes_by_town: list[ClassesByTown]
    low_efficiency_by_category_town: list[CategoryByTown]
    ranked: list[RankedList] = Field(description="每个评价名单的最优、最差单元")
    town: str | None = Field(description="所选镇街；全市为空")
    trend: list[TrendYear]
    totals: Totals
    run: RunRef | None = Field(description="所用评价批次")
    runs: list[RunListed] = Field(description="全部评价批次")
