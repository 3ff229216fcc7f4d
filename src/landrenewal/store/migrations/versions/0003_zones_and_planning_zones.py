"""zones and planning zones

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:34:17.665017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

import landrenewal.store.schema
from landrenewal.store import gpkg

FEATURE_LAYERS = {
    "planning_zones": ("改造规划分区 planning_zones", "大圈（重点改造区域）、中圈（重点改造片区）、小圈（改造单元）"),
    "zones": ("连片片区 zones", "按间距连片的低效用地片区：面积、企业、亩均、分类、认定、政策判断"),
}
ATTRIBUTE_TABLES = {
    "zone_runs": ("连片片区批次 zone_runs", "每次连片分析：选取条件、间距、政策及版本、输入哈希"),
    "zone_parcels": ("片区宗地 zone_parcels", "宗地所属片区、镇街、村与大中小圈"),
    "zone_towns": ("片区按镇街汇总 zone_towns", "各镇街选取面积、候选与零星面积、大圈内占比"),
}

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "planning_zones",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("zone_code", sa.Text(), nullable=False, comment="分区代码"),
        sa.Column("name", sa.Text(), nullable=False, comment="分区名称"),
        sa.Column("level", sa.Text(), nullable=False, comment="层级"),
        sa.Column("parent_code", sa.Text(), nullable=True, comment="上级分区代码"),
        sa.Column("geom", landrenewal.store.schema.MultiPolygon(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("zone_code", name="uq_planning_zones_key"),
        comment="改造规划分区",
    )
    op.create_table(
        "zone_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("selection", sa.Text(), nullable=False, comment="选取条件，如 findings / class:C,D / rule:… / all"),
        sa.Column("gap_m", sa.Double(), nullable=False, comment="连片间距（米）"),
        sa.Column("engine", sa.Text(), nullable=False, comment="python（进程内）或 postgis（ST_ClusterDBSCAN）"),
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.Text(), nullable=False),
        sa.Column("policy_values", sa.Text(), nullable=False, comment="JSON: the resolved parameters used"),
        sa.Column("input_sha256", sa.Text(), nullable=False),
        sa.Column("identification_run_id", sa.Integer(), nullable=True, comment="the findings the selection read"),
        sa.Column(
            "evaluation_run_id", sa.Integer(), nullable=True, comment="the classes and 亩均 figures the zones report"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parcel_count", sa.Integer(), nullable=False),
        sa.Column("zone_count", sa.Integer(), nullable=False),
        sa.Column("area_mu", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="连片片区批次 zone runs",
    )
    op.create_table(
        "zone_parcels",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("parcel_code", sa.Text(), nullable=False),
        sa.Column("zone_no", sa.Integer(), nullable=False),
        sa.Column("area_mu", sa.Double(), nullable=False),
        sa.Column("town_code", sa.Text(), nullable=True),
        sa.Column("village_code", sa.Text(), nullable=True),
        sa.Column("big_zone_code", sa.Text(), nullable=True),
        sa.Column("middle_zone_code", sa.Text(), nullable=True),
        sa.Column("small_zone_code", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["zone_runs.id"], name="fk_zone_parcels_run_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "parcel_code", name="uq_zone_parcels_key"),
        comment="片区宗地 parcels of each zone",
    )
    with op.batch_alter_table("zone_parcels", schema=None) as batch_op:
        batch_op.create_index("ix_zone_parcels_parcel_code", ["parcel_code"], unique=False)

    op.create_table(
        "zone_towns",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("town_code", sa.Text(), nullable=False),
        sa.Column("town_name", sa.Text(), nullable=True),
        sa.Column("parcel_count", sa.Integer(), nullable=False),
        sa.Column("zone_count", sa.Integer(), nullable=False, comment="涉及片区数"),
        sa.Column("area_mu", sa.Double(), nullable=False, comment="选取宗地面积（亩）"),
        sa.Column("candidate_mu", sa.Double(), nullable=False, comment="位于连片整治候选片区的面积（亩）"),
        sa.Column("scattered_mu", sa.Double(), nullable=False, comment="零星区块面积（亩）"),
        sa.Column("inside_big_mu", sa.Double(), nullable=False, comment="位于大圈内的面积（亩）"),
        sa.Column("inside_big_share", sa.Double(), nullable=True, comment="大圈内占比"),
        sa.Column("share_min", sa.Double(), nullable=True, comment="政策要求的大圈内占比下限"),
        sa.Column("meets_share", sa.Integer(), nullable=True, comment="是否达到大圈内占比"),
        sa.Column("tax_per_mu", sa.Double(), nullable=True, comment="亩均税收（万元/亩，面积加权）"),
        sa.ForeignKeyConstraint(["run_id"], ["zone_runs.id"], name="fk_zone_towns_run_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "town_code", name="uq_zone_towns_key"),
        comment="片区按镇街汇总 per-town summary",
    )
    op.create_table(
        "zones",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("zone_no", sa.Integer(), nullable=False, comment="片区编号（按面积从大到小）"),
        sa.Column("parcel_count", sa.Integer(), nullable=False, comment="宗地数"),
        sa.Column("area_mu", sa.Double(), nullable=False, comment="宗地面积合计（亩）"),
        sa.Column("outline_mu", sa.Double(), nullable=False, comment="片区范围面积（亩，含道路间隙）"),
        sa.Column("enterprise_count", sa.Integer(), nullable=False, comment="在地企业数"),
        sa.Column("holder_count", sa.Integer(), nullable=False, comment="权利人数"),
        sa.Column("state_mu", sa.Double(), nullable=False, comment="国有土地（亩）"),
        sa.Column("collective_mu", sa.Double(), nullable=False, comment="集体土地（亩）"),
        sa.Column("tax_wan", sa.Double(), nullable=True, comment="税收（万元）"),
        sa.Column("value_added_wan", sa.Double(), nullable=True, comment="增加值（万元）"),
        sa.Column("tax_per_mu", sa.Double(), nullable=True, comment="亩均税收（万元/亩）"),
        sa.Column("value_added_per_mu", sa.Double(), nullable=True, comment="亩均增加值（万元/亩）"),
        sa.Column("class_a_mu", sa.Double(), nullable=False, comment="A类用地（亩）"),
        sa.Column("class_b_mu", sa.Double(), nullable=False, comment="B类用地（亩）"),
        sa.Column("class_c_mu", sa.Double(), nullable=False, comment="C类用地（亩）"),
        sa.Column("class_d_mu", sa.Double(), nullable=False, comment="D类用地（亩）"),
        sa.Column("unrated_mu", sa.Double(), nullable=False, comment="未评价用地（亩）"),
        sa.Column("finding_parcels", sa.Integer(), nullable=False, comment="有认定结果的宗地数"),
        sa.Column("finding_mu", sa.Double(), nullable=False, comment="有认定结果的宗地面积（亩）"),
        sa.Column("findings", sa.Text(), nullable=False, comment="JSON: 各规则认定宗地数"),
        sa.Column("contiguous_candidate", sa.Integer(), nullable=True, comment="达到连片整治面积下限"),
        sa.Column("industrial_candidate", sa.Integer(), nullable=True, comment="达到连片工改工面积下限"),
        sa.Column("scattered", sa.Integer(), nullable=True, comment="零星工业区块（低于面积上限）"),
        sa.Column("parking_rule", sa.Integer(), nullable=True, comment="适用连片工改工停车配置"),
        sa.Column("verdict", sa.Text(), nullable=False, comment="政策判断"),
        sa.Column("town_code", sa.Text(), nullable=True, comment="所在镇街（面积最大者）"),
        sa.Column("town_name", sa.Text(), nullable=True),
        sa.Column("village_code", sa.Text(), nullable=True, comment="所在村（面积最大者）"),
        sa.Column("village_name", sa.Text(), nullable=True),
        sa.Column("town_count", sa.Integer(), nullable=False, comment="跨镇街数"),
        sa.Column("big_zone_code", sa.Text(), nullable=True, comment="所在大圈"),
        sa.Column("middle_zone_code", sa.Text(), nullable=True, comment="所在中圈"),
        sa.Column("small_zone_code", sa.Text(), nullable=True, comment="所在小圈"),
        sa.Column("inside_big_mu", sa.Double(), nullable=False, comment="位于大圈内的宗地面积（亩）"),
        sa.Column("geom", landrenewal.store.schema.MultiPolygon(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["zone_runs.id"], name="fk_zones_run_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "zone_no", name="uq_zones_key"),
        comment="连片片区 zones",
    )

    bind = op.get_bind()
    # A store whose CRS is already set declares it for the new layers too.
    epsg = bind.execute(text("SELECT value FROM settings WHERE key = 'crs_epsg'")).scalar()
    if bind.dialect.name == "postgresql":
        for table in FEATURE_LAYERS:
            if epsg is not None:
                op.execute(f"ALTER TABLE {table} ALTER COLUMN geom TYPE geometry(MultiPolygon, {int(epsg)})")
            op.create_index(f"ix_{table}_geom", table, ["geom"], postgresql_using="gist")
        return
    if epsg is not None:
        gpkg.set_srs(bind, int(epsg))
    for table, (identifier, description) in FEATURE_LAYERS.items():
        gpkg.register_features(bind, table, "geom", identifier, description, int(epsg) if epsg is not None else -1)
    for table, (identifier, description) in ATTRIBUTE_TABLES.items():
        gpkg.register_attributes(bind, table, identifier, description)


def downgrade() -> None:
    for table in ("zones", "zone_towns", "zone_parcels", "zone_runs", "planning_zones"):
        op.drop_table(table)
