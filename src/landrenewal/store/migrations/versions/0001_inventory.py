"""inventory

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 01:10:06.793792
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import landrenewal.store.schema
from landrenewal.store import gpkg

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


FEATURE_LAYERS = {
    "divisions": ("行政区划 divisions", "县、镇（街道）、村（社区）界线"),
    "parcels": ("宗地 parcels", "宗地：权属、用途、供地与开发日期、出让合同条件"),
    "buildings": ("建筑物 buildings", "建筑物基底、面积、层数、用途"),
}
ATTRIBUTE_TABLES = {
    "enterprises": ("企业 enterprises", "企业：统一社会信用代码、行业、规模"),
    "occupancy": ("用地关系 occupancy", "企业 × 宗地 × 用地占比 × 期间"),
    "metrics": ("企业年度指标 metrics", "税收、增加值、营收、产值、能耗、用电、排放、研发、职工"),
    "imports": ("导入记录 imports", "每次导入读入与变更的记录"),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    else:
        gpkg.init_core(bind)
    op.create_table(
        "divisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("division_code", sa.Text(), nullable=False, comment="行政区划代码"),
        sa.Column("name", sa.Text(), nullable=False, comment="名称"),
        sa.Column("geom", landrenewal.store.schema.MultiPolygon(), nullable=True),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("division_code", name="uq_divisions_key"),
        comment="行政区划",
    )
    op.create_table(
        "enterprises",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("uscc", sa.Text(), nullable=False, comment="统一社会信用代码"),
        sa.Column("name", sa.Text(), nullable=False, comment="企业名称"),
        sa.Column("industry_code", sa.Text(), nullable=False, comment="行业代码"),
        sa.Column("scale", sa.Text(), nullable=False, comment="企业规模"),
        sa.Column("division_code", sa.Text(), nullable=True, comment="行政区划代码"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc", name="uq_enterprises_key"),
        comment="企业",
    )
    op.create_table(
        "imports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="One row per import run: what came in and what it changed",
    )
    op.create_table(
        "parcels",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("parcel_code", sa.Text(), nullable=False, comment="宗地代码"),
        sa.Column("division_code", sa.Text(), nullable=True, comment="行政区划代码"),
        sa.Column("land_use_code", sa.Text(), nullable=True, comment="土地用途代码"),
        sa.Column("rights_type", sa.Text(), nullable=True, comment="权利性质"),
        sa.Column("rights_holder", sa.Text(), nullable=True, comment="权利人"),
        sa.Column("registered_area_m2", sa.Double(), nullable=True, comment="宗地面积（m²）"),
        sa.Column("registered_area_mu", sa.Double(), nullable=True, comment="宗地面积（亩）"),
        sa.Column("registered_area_ha", sa.Double(), nullable=True, comment="宗地面积（公顷）"),
        sa.Column("approved_date", sa.Date(), nullable=True, comment="批准日期"),
        sa.Column("supplied_date", sa.Date(), nullable=True, comment="供地日期"),
        sa.Column("agreed_start_date", sa.Date(), nullable=True, comment="约定动工日期"),
        sa.Column("actual_start_date", sa.Date(), nullable=True, comment="实际动工日期"),
        sa.Column("agreed_completion_date", sa.Date(), nullable=True, comment="约定竣工日期"),
        sa.Column("completion_date", sa.Date(), nullable=True, comment="竣工日期"),
        sa.Column("production_date", sa.Date(), nullable=True, comment="投产日期"),
        sa.Column("agreed_far", sa.Double(), nullable=True, comment="约定容积率"),
        sa.Column(
            "agreed_investment_intensity_wan_per_mu",
            sa.Double(),
            nullable=True,
            comment="约定投资强度（万元/亩）",
        ),
        sa.Column("total_investment_wan", sa.Double(), nullable=True, comment="约定总投资（万元）"),
        sa.Column("land_price_wan", sa.Double(), nullable=True, comment="土地价款（万元）"),
        sa.Column("geom", landrenewal.store.schema.MultiPolygon(), nullable=False),
        sa.Column("area_m2", sa.Double(), nullable=False, comment="宗地图形面积（m²）"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("parcel_code", name="uq_parcels_key"),
        comment="宗地",
    )
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.create_index("ix_parcels_division_code", ["division_code"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        comment="Store-wide settings such as the projected CRS",
    )
    op.create_table(
        "buildings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("building_code", sa.Text(), nullable=False, comment="建筑物编号"),
        sa.Column("parcel_code", sa.Text(), nullable=False, comment="宗地代码"),
        sa.Column("floor_area_m2", sa.Double(), nullable=False, comment="建筑面积（m²）"),
        sa.Column("footprint_m2", sa.Double(), nullable=True, comment="基底面积（m²）"),
        sa.Column("storeys", sa.Integer(), nullable=True, comment="层数"),
        sa.Column("storeys_over_8m", sa.Integer(), nullable=True, comment="层高超8米层数"),
        sa.Column("use_type", sa.Text(), nullable=True, comment="建筑用途"),
        sa.Column("geom", landrenewal.store.schema.MultiPolygon(), nullable=True),
        sa.ForeignKeyConstraint(["parcel_code"], ["parcels.parcel_code"], name="fk_buildings_parcel_code"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("building_code", name="uq_buildings_key"),
        comment="建筑物",
    )
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.create_index("ix_buildings_parcel_code", ["parcel_code"], unique=False)

    op.create_table(
        "metrics",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("uscc", sa.Text(), nullable=False, comment="统一社会信用代码"),
        sa.Column("year", sa.Integer(), nullable=False, comment="年度"),
        sa.Column("tax_wan", sa.Double(), nullable=True, comment="税收（万元）"),
        sa.Column("value_added_wan", sa.Double(), nullable=True, comment="工业增加值（万元）"),
        sa.Column("revenue_wan", sa.Double(), nullable=True, comment="营业收入（万元）"),
        sa.Column("output_wan", sa.Double(), nullable=True, comment="工业总产值（万元）"),
        sa.Column("energy_tce", sa.Double(), nullable=True, comment="综合能耗（tce）"),
        sa.Column("electricity_kwh", sa.Double(), nullable=True, comment="用电量（kWh）"),
        sa.Column("emissions_t", sa.Double(), nullable=True, comment="主要污染物排放量（t）"),
        sa.Column("rd_spending_wan", sa.Double(), nullable=True, comment="研发经费支出（万元）"),
        sa.Column("employees_avg", sa.Double(), nullable=True, comment="年平均职工人数（人）"),
        sa.ForeignKeyConstraint(["uscc"], ["enterprises.uscc"], name="fk_metrics_uscc"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc", "year", name="uq_metrics_key"),
        comment="企业年度指标",
    )
    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.create_index("ix_metrics_year", ["year"], unique=False)

    op.create_table(
        "occupancy",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("uscc", sa.Text(), nullable=False, comment="统一社会信用代码"),
        sa.Column("parcel_code", sa.Text(), nullable=False, comment="宗地代码"),
        sa.Column("start_date", sa.Date(), nullable=False, comment="起始日期"),
        sa.Column("end_date", sa.Date(), nullable=True, comment="终止日期"),
        sa.Column("land_share", sa.Double(), nullable=False, comment="用地占比"),
        sa.Column("tenure", sa.Text(), nullable=True, comment="使用方式"),
        sa.ForeignKeyConstraint(["parcel_code"], ["parcels.parcel_code"], name="fk_occupancy_parcel_code"),
        sa.ForeignKeyConstraint(["uscc"], ["enterprises.uscc"], name="fk_occupancy_uscc"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc", "parcel_code", "start_date", name="uq_occupancy_key"),
        comment="用地关系",
    )
    with op.batch_alter_table("occupancy", schema=None) as batch_op:
        batch_op.create_index("ix_occupancy_parcel_code", ["parcel_code"], unique=False)

    if bind.dialect.name == "postgresql":
        for table in FEATURE_LAYERS:
            op.create_index(f"ix_{table}_geom", table, ["geom"], postgresql_using="gist")
    else:
        for table, (identifier, description) in FEATURE_LAYERS.items():
            gpkg.register_features(bind, table, "geom", identifier, description)
        for table, (identifier, description) in ATTRIBUTE_TABLES.items():
            gpkg.register_attributes(bind, table, identifier, description)


def downgrade() -> None:
    with op.batch_alter_table("occupancy", schema=None) as batch_op:
        batch_op.drop_index("ix_occupancy_parcel_code")

    op.drop_table("occupancy")
    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_metrics_year")

    op.drop_table("metrics")
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_index("ix_buildings_parcel_code")

    op.drop_table("buildings")
    op.drop_table("settings")
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.drop_index("ix_parcels_division_code")

    op.drop_table("parcels")
    op.drop_table("imports")
    op.drop_table("enterprises")
    op.drop_table("divisions")
