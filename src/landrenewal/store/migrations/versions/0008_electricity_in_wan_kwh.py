"""electricity kept in 万千瓦时, as statistics report it and users read it

The metrics column ``electricity_kwh`` (千瓦时) becomes ``electricity_wan_kwh`` (万千瓦时), its
values divided by 10⁴; the evaluation results' copy of the figure likewise. Indicators computed
from it (单位电耗税收, 元/千瓦时) are unchanged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("metrics", "evaluation_units")


def _move(old: str, new: str, scale: str, comment: str) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
        op.execute(f"UPDATE {table} SET {new} = {new} {scale} WHERE {new} IS NOT NULL")
        if postgres and table == "metrics":  # SQLite keeps no column comments
            op.execute(f"COMMENT ON COLUMN metrics.{new} IS '{comment}'")


def upgrade() -> None:
    _move("electricity_kwh", "electricity_wan_kwh", "/ 10000.0", "用电量（万千瓦时）")


def downgrade() -> None:
    _move("electricity_wan_kwh", "electricity_kwh", "* 10000.0", "用电量（千瓦时）")
