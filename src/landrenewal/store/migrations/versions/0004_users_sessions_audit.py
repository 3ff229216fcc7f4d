"""users, sessions and the audit log; members of an evaluation unit found by index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from landrenewal.store import gpkg

ATTRIBUTE_TABLES = {
    "users": ("用户 users", "平台用户：角色、所属镇街、Argon2 口令哈希"),
    "sessions": ("登录会话 sessions", "网页登录会话（只存令牌的哈希）"),
    "audit_log": ("操作日志 audit_log", "每次写操作：何人、何时、改前改后"),
}

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("username", sa.Text(), nullable=False, comment="登录名"),
        sa.Column("display_name", sa.Text(), nullable=False, comment="姓名"),
        sa.Column("role", sa.Text(), nullable=False, comment="admin / city / town / viewer"),
        sa.Column("division_code", sa.Text(), nullable=True, comment="镇街账号所属行政区划"),
        sa.Column("password_hash", sa.Text(), nullable=False, comment="Argon2id"),
        sa.Column("active", sa.Integer(), nullable=False, comment="1 启用 / 0 停用"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        comment="用户 users",
    )
    op.create_table(
        "sessions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column(
            "token_sha256", sa.Text(), nullable=False, comment="the cookie's SHA-256; the cookie itself is never stored"
        ),
        sa.Column("csrf", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256", name="uq_sessions_token"),
        comment="登录会话 sessions",
    )
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False, comment="如 import / user.create / user.update / login"),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_key", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True, comment="JSON"),
        sa.Column("after", sa.Text(), nullable=True, comment="JSON"),
        sa.PrimaryKeyConstraint("id"),
        comment="操作日志 audit log: who, when, what before and after",
    )
    op.create_index("ix_audit_log_entity_key", "audit_log", ["entity", "entity_key"])
    # A dossier looks up the members of one unit of a run.
    op.create_index("ix_evaluation_members_unit", "evaluation_members", ["run_id", "unit_key"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table, (identifier, description) in ATTRIBUTE_TABLES.items():
            gpkg.register_attributes(bind, table, identifier, description)


def downgrade() -> None:
    op.drop_index("ix_evaluation_members_unit", "evaluation_members")
    for table in ("audit_log", "sessions", "users"):
        op.drop_table(table)
