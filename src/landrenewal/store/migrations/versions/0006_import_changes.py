"""what each import changed, record by record; the metrics' unit comments in Chinese

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-18 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from landrenewal.store import gpkg

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The spreadsheets' headers now name the units in Chinese; the column comments follow (PostgreSQL
# keeps comments, SQLite has none).
_COMMENTS = {
    "energy_tce": ("综合能耗（tce）", "综合能耗（吨标准煤）"),
    "electricity_kwh": ("用电量（kWh）", "用电量（千瓦时）"),
    "emissions_t": ("主要污染物排放量（t）", "主要污染物排放量（吨）"),
}


def _comments(new: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, (old, renamed) in _COMMENTS.items():
        op.alter_column(
            "metrics",
            column,
            comment=renamed if new else old,
            existing_comment=old if new else renamed,
            existing_type=sa.Double(),
            existing_nullable=True,
        )


def upgrade() -> None:
    op.create_table(
        "import_changes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column(
            "record_key",
            sa.Text(),
            nullable=False,
            comment="记录的业务键；多列键以 / 连接，如 统一社会信用代码/年度",
        ),
        sa.Column("change", sa.Text(), nullable=False, comment="insert 新增 / update 修改"),
        sa.Column("before", sa.Text(), nullable=True, comment="JSON: 改前的值（仅变动字段）"),
        sa.Column("after", sa.Text(), nullable=True, comment="JSON: 改后的值（仅变动字段；新增记录为全部字段）"),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name="fk_import_changes_import_id"),
        sa.PrimaryKeyConstraint("id"),
        comment="导入逐条变更 what each import changed, record by record",
    )
    op.create_index("ix_import_changes_import_id", "import_changes", ["import_id"])
    _comments(new=True)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        gpkg.register_attributes(bind, "import_changes", "导入逐条变更 import_changes", "每次导入逐条记录的改前改后")


def downgrade() -> None:
    _comments(new=False)
    op.drop_index("ix_import_changes_import_id", "import_changes")
    op.drop_table("import_changes")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM gpkg_contents WHERE table_name = 'import_changes'")
