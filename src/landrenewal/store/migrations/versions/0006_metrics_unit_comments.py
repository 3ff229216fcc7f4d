"""metrics columns described with their units as users write them (吨标准煤, 千瓦时, 吨)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COMMENTS = {
    "energy_tce": ("综合能耗（tce）", "综合能耗（吨标准煤）"),
    "electricity_kwh": ("用电量（kWh）", "用电量（千瓦时）"),
    "emissions_t": ("主要污染物排放量（t）", "主要污染物排放量（吨）"),
}


def _comment(new: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":  # SQLite keeps no column comments
        return
    for column, (old, now) in COMMENTS.items():
        op.alter_column(
            "metrics",
            column,
            existing_type=sa.Double(),
            comment=now if new else old,
            existing_comment=old if new else now,
        )


def upgrade() -> None:
    _comment(True)


def downgrade() -> None:
    _comment(False)
