"""projects, their events (the append-only archive), documents by content and rights holders

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

import landrenewal.store.schema
from landrenewal.store import gpkg

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ATTRIBUTE_TABLES = {
    "project_parcels": ("项目宗地 project_parcels", "每个项目所涉宗地"),
    "project_events": (
        "项目全周期档案 project_events",
        "项目的全部事件：动作、中止、延期、作废、逾期、同意、表决、文件",
    ),
    "rights_holders": ("权益人 rights_holders", "项目范围内的权益人：面积、人数；身份证号码仅存摘要与脱敏形式"),
    "documents": ("文件 documents", "按 SHA-256 存放的文件内容"),
    "event_documents": ("事件所附文件 event_documents", "事件与文件的对应"),
}


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
        comment="文件（按 SHA-256 存放） documents by content",
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("code", sa.Text(), nullable=False, comment="项目编号"),
        sa.Column("name", sa.Text(), nullable=False, comment="项目名称"),
        sa.Column("kind", sa.Text(), nullable=False, comment="disposal 处置 / renewal 改造"),
        sa.Column(
            "renewal_type",
            sa.Text(),
            nullable=True,
            comment="改造类型：工改工、工改居商、工改商、村级工业园改造、旧村改造",
        ),
        sa.Column("workflow", sa.Text(), nullable=False, comment="工作流（政策参数 workflows.<id>）"),
        sa.Column("policy_id", sa.Text(), nullable=False, comment="所依政策"),
        sa.Column("division_code", sa.Text(), nullable=False, comment="所在镇街代码"),
        sa.Column("village_code", sa.Text(), nullable=True, comment="所在村（集体经济组织）代码"),
        sa.Column("responsible_unit", sa.Text(), nullable=True, comment="责任单位"),
        sa.Column("responsible_person", sa.Text(), nullable=True, comment="责任人"),
        sa.Column("planned_area_mu", sa.Double(), nullable=True, comment="计划面积（亩）：未载宗地或范围时填写"),
        sa.Column("planned_investment_wan", sa.Double(), nullable=True, comment="计划投资（万元）"),
        sa.Column("target_industries", sa.Text(), nullable=True, comment="拟引入产业"),
        sa.Column("old_village", sa.Integer(), nullable=False, comment="以旧村为主（1 是 / 0 否）"),
        sa.Column("identification_run_id", sa.Integer(), nullable=True, comment="所据认定批次"),
        sa.Column("zone_run_id", sa.Integer(), nullable=True, comment="所据连片片区批次"),
        sa.Column("zone_no", sa.Integer(), nullable=True, comment="所据片区编号"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geom", landrenewal.store.schema.MultiPolygon(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", name="uq_projects_key"),
        comment="整治项目 projects",
    )
    op.create_table(
        "project_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, comment="项目内序号"),
        sa.Column("kind", sa.Text(), nullable=False, comment="事件类型（docs/projects.md）"),
        sa.Column("action", sa.Text(), nullable=True, comment="工作流动作"),
        sa.Column("day", sa.Date(), nullable=False, comment="业务日期"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, comment="记录时间"),
        sa.Column("user_name", sa.Text(), nullable=False, comment="记录人"),
        sa.Column("reason", sa.Text(), nullable=True, comment="事由"),
        sa.Column("payload", sa.Text(), nullable=False, comment="JSON: 字段取值、表决票数、同意记录等"),
        sa.Column("target_seq", sa.Integer(), nullable=True, comment="作废的事件序号"),
        sa.Column("deadline", sa.Text(), nullable=True, comment="期限（延期、逾期）"),
        sa.Column("days", sa.Integer(), nullable=True, comment="延长天数"),
        sa.Column("exempt", sa.Integer(), nullable=False, comment="逾期非因实施主体（政府原因、不可抗力）"),
        sa.Column("holder_key", sa.Text(), nullable=True, comment="权益人（同意记录）"),
        sa.Column("matter", sa.Text(), nullable=True, comment="表决事项"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_events_project_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "seq", name="uq_project_events_key"),
        comment="项目全周期档案 project events (append only)",
    )
    op.create_table(
        "project_parcels",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("parcel_code", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_parcels_project_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "parcel_code", name="uq_project_parcels_key"),
        comment="项目宗地 parcels of each project",
    )
    op.create_index("ix_project_parcels_parcel_code", "project_parcels", ["parcel_code"], unique=False)
    op.create_table(
        "rights_holders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("holder_key", sa.Text(), nullable=False, comment="权益人编号（项目内）"),
        sa.Column(
            "kind", sa.Text(), nullable=False, comment="个人 person、户 household、企业 enterprise、集体 collective"
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="姓名或名称"),
        sa.Column("id_hash", sa.Text(), nullable=True, comment="身份证号码加盐摘要"),
        sa.Column("id_masked", sa.Text(), nullable=True, comment="身份证号码（脱敏）"),
        sa.Column("uscc", sa.Text(), nullable=True, comment="统一社会信用代码（企业、集体）"),
        sa.Column("parcel_code", sa.Text(), nullable=True, comment="所涉宗地"),
        sa.Column("area_m2", sa.Double(), nullable=False, comment="拆除范围内权属土地面积（m²）"),
        sa.Column("persons", sa.Integer(), nullable=False, comment="计人数（共有人各计一人）"),
        sa.Column("old_housing", sa.Integer(), nullable=False, comment="旧住宅（1 是 / 0 否）"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_rights_holders_project_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "holder_key", name="uq_rights_holders_key"),
        comment="权益人 rights holders of each project's scope",
    )
    op.create_table(
        "event_documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False, comment="文件类型（工作流 documents）"),
        sa.Column("name", sa.Text(), nullable=False, comment="原文件名"),
        sa.ForeignKeyConstraint(["event_id"], ["project_events.id"], name="fk_event_documents_event_id"),
        sa.ForeignKeyConstraint(["sha256"], ["documents.sha256"], name="fk_event_documents_sha256"),
        sa.PrimaryKeyConstraint("id"),
        comment="事件所附文件 documents attached to events",
    )
    op.create_index("ix_event_documents_event_id", "event_documents", ["event_id"], unique=False)
    bind = op.get_bind()
    epsg = bind.execute(text("SELECT value FROM settings WHERE key = 'crs_epsg'")).scalar()
    if bind.dialect.name == "postgresql":
        if epsg is not None:
            op.execute(f"ALTER TABLE projects ALTER COLUMN geom TYPE geometry(MultiPolygon, {int(epsg)})")
        op.create_index("ix_projects_geom", "projects", ["geom"], postgresql_using="gist")
        return
    srs = int(epsg) if epsg is not None else -1
    gpkg.register_features(bind, "projects", "geom", "整治项目 projects", "处置与改造项目及其范围", srs)
    for table, (identifier, description) in ATTRIBUTE_TABLES.items():
        gpkg.register_attributes(bind, table, identifier, description)


def downgrade() -> None:
    bind = op.get_bind()
    for table in ("event_documents", "documents", "rights_holders", "project_events", "project_parcels", "projects"):
        op.drop_table(table)
    if bind.dialect.name == "sqlite":
        for table in ("projects", *ATTRIBUTE_TABLES):
            op.execute(f"DELETE FROM gpkg_extensions WHERE table_name = '{table}'")
            op.execute(f"DELETE FROM gpkg_geometry_columns WHERE table_name = '{table}'")
            op.execute(f"DELETE FROM gpkg_contents WHERE table_name = '{table}'")
        op.execute("DROP TABLE IF EXISTS rtree_projects_geom")
