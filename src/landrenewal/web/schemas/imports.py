"""Imports through the browser: the validation report, and what an import changed."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from landrenewal.web.schemas.common import Schema


class Problem(Schema):
    file: str = Field(description="文件名")
    row: int | None = Field(description="行号（与表格软件中一致）；整个文件的问题为空")
    field: str | None = Field(description="字段名")
    field_label: str | None = Field(description="字段的中文名")
    severity: str = Field(description="error 或 warning")
    reason: str = Field(description="原因")
    value: str | None = Field(description="文件中的值")


class ImportReport(Schema):
    token: str = Field(description="本次上传的令牌（确认导入时用）")
    entity: str = Field(description="数据类型")
    filename: str = Field(description="上传的文件名")
    rows_read: int
    rows_loaded: int
    would_insert: int = Field(description="将新增（已确认时为已新增）的记录数")
    would_update: int
    unchanged: int
    rejected: int = Field(description="问题行数")
    errors: int
    warnings: int
    problems: list[Problem]
    notes: list[str] = Field(description="说明")
    committed: bool = Field(description="是否已写入")
    import_id: int | None = Field(description="导入编号（写入后才有）")


class ImportRecord(Schema):
    id: int
    at: str = Field(description="导入时间（ISO 8601，UTC）")
    by: str = Field(description="导入人")
    kind: str = Field(description="数据类型")
    file: str = Field(description="文件名")
    sha256: str | None
    rows_read: int | None
    inserted: int | None
    updated: int | None
    unchanged: int | None
    rejected: int | None


class RecordChange(Schema):
    key: str = Field(description="记录的键")
    change: str = Field(description="insert 或 update")
    before: dict[str, Any] | None = Field(description="变更前的字段值")
    after: dict[str, Any] | None = Field(description="变更后的字段值")


class ImportChanges(Schema):
    import_: ImportRecord = Field(alias="import")
    items: list[RecordChange]
    total: int
    page: int
    page_size: int
