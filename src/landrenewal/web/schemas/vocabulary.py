"""The domain's names in Chinese and English."""

from __future__ import annotations

from pydantic import Field

from landrenewal.web.schemas.common import Pair, Schema


class EntityLabels(Schema):
    name: Pair = Field(description="数据表名称（中文、英文）")
    fields: dict[str, Pair] = Field(description="字段名 → （中文、英文）表头")


class Labels(Schema):
    fields: dict[str, Pair] = Field(description="字段和派生指标名 → （中文、英文）名称")
    entities: dict[str, EntityLabels] = Field(description="各数据表自己的名称")
    values: dict[str, dict[str, Pair]] = Field(description="字段 → 代码值 → （中文、英文）")
    evidence: dict[str, Pair] = Field(description="认定依据中的各项 → 名称")
    parameters: dict[str, Pair] = Field(description="认定规则比较的政策参数 → 简称（含单位）")
    policies: dict[str, Pair] = Field(description="随系统提供的政策 → 名称")
    rules: dict[str, Pair] = Field(description="认定规则 → 名称")
    private: list[str] = Field(description="私有数据的字段名（无权时显示为“无权查看”）")
