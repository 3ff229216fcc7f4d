"""evaluation and identification runs; parcel fields for the idle-land rules

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from landrenewal.store import gpkg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RESULT_TABLES = {
    "evaluation_runs": ("亩均评价批次 evaluation_runs", "每次评价：年度、政策及版本、输入哈希"),
    "evaluation_units": ("亩均评价结果 evaluation_units", "评价单元的指标、得分、分类与排名"),
    "evaluation_members": ("评价单元企业 evaluation_members", "评价单元包含的企业"),
    "evaluation_parcels": ("评价单元宗地 evaluation_parcels", "评价单元包含的宗地"),
    "identification_runs": ("低效认定批次 identification_runs", "每次认定：认定日期、政策及版本、输入哈希"),
    "findings": ("低效认定结果 findings", "宗地 × 规则：证据、阈值与政策依据"),
}


def upgrade() -> None:
    op.create_table(
        "evaluation_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.Text(), nullable=False),
        sa.Column("policy_values", sa.Text(), nullable=False, comment="JSON: the resolved parameters used"),
        sa.Column("input_sha256", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_count", sa.Integer(), nullable=False),
        sa.Column("rated_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="亩均效益评价批次 evaluation runs",
    )
    op.create_table(
        "identification_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("policy_id", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.Text(), nullable=False),
        sa.Column("policy_values", sa.Text(), nullable=False, comment="JSON: the resolved parameters used"),
        sa.Column("input_sha256", sa.Text(), nullable=False),
        sa.Column(
            "evaluation_run_id",
            sa.Integer(),
            nullable=True,
            comment="the evaluation whose classes and indicators were used",
        ),
        sa.Column("rules", sa.Text(), nullable=False, comment="JSON: the rule ids run"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="低效用地认定批次 identification runs",
    )
    op.create_table(
        "evaluation_members",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("unit_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["evaluation_runs.id"], name="fk_evaluation_members_run_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "uscc", name="uq_evaluation_members_key"),
        comment="评价单元的企业 enterprises of each unit",
    )
    with op.batch_alter_table("evaluation_members", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_members_uscc", ["uscc"], unique=False)

    op.create_table(
        "evaluation_parcels",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("parcel_code", sa.Text(), nullable=False),
        sa.Column("unit_key", sa.Text(), nullable=False),
        sa.Column("land_mu", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["evaluation_runs.id"], name="fk_evaluation_parcels_run_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "parcel_code", "unit_key", name="uq_evaluation_parcels_key"),
        comment="评价单元的宗地 parcels of each unit",
    )
    with op.batch_alter_table("evaluation_parcels", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_parcels_parcel_code", ["parcel_code"], unique=False)

    op.create_table(
        "evaluation_units",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("unit_key", sa.Text(), nullable=False, comment="评价单元（最小统一社会信用代码）"),
        sa.Column("list", sa.Text(), nullable=False, comment="名单：规上/规下/租赁单列"),
        sa.Column("status", sa.Text(), nullable=False, comment="参评/暂不评价/不纳入评价"),
        sa.Column("class", sa.Text(), nullable=True, comment="分类 A/B/C/D/T"),
        sa.Column("score", sa.Double(), nullable=True, comment="得分"),
        sa.Column("rank", sa.Integer(), nullable=True, comment="名单内排名"),
        sa.Column("rank_size", sa.Integer(), nullable=True, comment="名单内参评数"),
        sa.Column("rank_industry", sa.Integer(), nullable=True, comment="行业内排名"),
        sa.Column("rank_industry_size", sa.Integer(), nullable=True, comment="行业内参评数"),
        sa.Column("industry_code", sa.Text(), nullable=True),
        sa.Column("division_code", sa.Text(), nullable=True),
        sa.Column("lead_uscc", sa.Text(), nullable=True),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("parcel_count", sa.Integer(), nullable=False),
        sa.Column("land_mu", sa.Double(), nullable=False),
        sa.Column("tax_wan", sa.Double(), nullable=True),
        sa.Column("value_added_wan", sa.Double(), nullable=True),
        sa.Column("revenue_wan", sa.Double(), nullable=True),
        sa.Column("output_wan", sa.Double(), nullable=True),
        sa.Column("energy_tce", sa.Double(), nullable=True),
        sa.Column("electricity_kwh", sa.Double(), nullable=True),
        sa.Column("emissions_t", sa.Double(), nullable=True),
        sa.Column("rd_spending_wan", sa.Double(), nullable=True),
        sa.Column("employees_avg", sa.Double(), nullable=True),
        sa.Column("tax_per_mu", sa.Double(), nullable=True),
        sa.Column("value_added_per_mu", sa.Double(), nullable=True),
        sa.Column("revenue_per_mu", sa.Double(), nullable=True),
        sa.Column("value_added_per_tce", sa.Double(), nullable=True),
        sa.Column("tax_per_tce", sa.Double(), nullable=True),
        sa.Column("value_added_per_emission", sa.Double(), nullable=True),
        sa.Column("value_added_per_employee", sa.Double(), nullable=True),
        sa.Column("rd_share", sa.Double(), nullable=True),
        sa.Column("tax_per_kwh", sa.Double(), nullable=True),
        sa.Column("part_tax_per_mu", sa.Double(), nullable=True),
        sa.Column("part_value_added_per_mu", sa.Double(), nullable=True),
        sa.Column("part_revenue_per_mu", sa.Double(), nullable=True),
        sa.Column("part_value_added_per_tce", sa.Double(), nullable=True),
        sa.Column("part_tax_per_tce", sa.Double(), nullable=True),
        sa.Column("part_value_added_per_emission", sa.Double(), nullable=True),
        sa.Column("part_value_added_per_employee", sa.Double(), nullable=True),
        sa.Column("part_rd_share", sa.Double(), nullable=True),
        sa.Column("part_tax_per_kwh", sa.Double(), nullable=True),
        sa.Column("filled", sa.Text(), nullable=True, comment="以名单均值补齐的指标"),
        sa.ForeignKeyConstraint(["run_id"], ["evaluation_runs.id"], name="fk_evaluation_units_run_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "unit_key", name="uq_evaluation_units_key"),
        comment="评价单元结果 evaluation results per unit",
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("parcel_code", sa.Text(), nullable=False),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False, comment="低效用地类别"),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON: the values the rule read"),
        sa.Column("threshold", sa.Text(), nullable=False, comment="JSON: the policy values it compared with"),
        sa.Column("clause", sa.Text(), nullable=False, comment="政策依据"),
        sa.Column("milestone", sa.Text(), nullable=True, comment="处置节点，如 闲置费 / 无偿收回"),
        sa.ForeignKeyConstraint(["run_id"], ["identification_runs.id"], name="fk_findings_run_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "parcel_code", "rule_id", name="uq_findings_key"),
        comment="认定结果 findings",
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index("ix_findings_parcel_code", ["parcel_code"], unique=False)

    # Added columns only (SQLite's ALTER TABLE ADD COLUMN): the GeoPackage triggers stay intact.
    op.add_column("parcels", sa.Column("stopped_date", sa.Date(), nullable=True, comment="停工日期"))
    op.add_column("parcels", sa.Column("invested_wan", sa.Double(), nullable=True, comment="已完成投资（万元）"))
    op.add_column("parcels", sa.Column("developed_area_m2", sa.Double(), nullable=True, comment="已动工开发面积（m²）"))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table, (identifier, description) in RESULT_TABLES.items():
            gpkg.register_attributes(bind, table, identifier, description)


def downgrade() -> None:
    for table in ("findings", "identification_runs", "evaluation_parcels", "evaluation_members", "evaluation_units"):
        op.drop_table(table)
    op.drop_table("evaluation_runs")
    for column in ("developed_area_m2", "invested_wan", "stopped_date"):
        op.drop_column("parcels", column)
