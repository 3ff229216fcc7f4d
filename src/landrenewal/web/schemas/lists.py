"""The paged lists: rows whose columns each list describes."""

from __future__ import annotations

from pydantic import Field

from landrenewal.web.schemas.common import Row, Schema


class ListColumn(Schema):
    name: str = Field(description="列名（行中的键）")
    label_zh: str = Field(description="中文列名")
    label_en: str = Field(description="英文列名")
    kind: str = Field(description="取值类型：text、number、code、date 等")
    private: bool = Field(description="是否为企业私有数据（仅所在镇街和市级用户可见）")


class ListPage(Schema):
    """一页清单。每行的键即 ``columns`` 所列的列名，另有 ``restricted``（私有数据已隐藏）和分镇街
    清单的 ``partial``（仅为本镇街部分）。"""

    items: list[Row] = Field(description="本页各行")
    total: int = Field(description="筛选后的总行数")
    page: int
    page_size: int
    columns: list[ListColumn] = Field(description="各列的说明")
