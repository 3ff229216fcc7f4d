"""what each import changed, record by record

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-18 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from landrenewal.store import gpkg

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


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
        comment="导入逐条变更：每次导入逐条记录的改前改后",
    )
    op.create_index("ix_import_changes_import_id", "import_changes", ["import_id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        gpkg.register_attributes(bind, "import_changes", "导入逐条变更 import_changes", "每次导入逐条记录的改前改后")


def downgrade() -> None:
    op.drop_index("ix_import_changes_import_id", "import_changes")
    op.drop_table("import_changes")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM gpkg_contents WHERE table_name = 'import_changes'")
