"""failed logins counted per user name and client address

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from landrenewal.store import gpkg

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, comment="attempts claimed since window_start"),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "strikes", sa.Integer(), nullable=False, comment="times the limit was reached: the next wait doubles"
        ),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "address", name="uq_login_throttle_key"),
        comment="登录限流 failed logins per user and address",
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        described = "每个用户名与来源地址的登录失败计数"
        gpkg.register_attributes(bind, "login_throttle", "登录限流 login_throttle", described)


def downgrade() -> None:
    op.drop_table("login_throttle")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM gpkg_contents WHERE table_name = 'login_throttle'")
