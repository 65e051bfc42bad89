"""Campaigns keep their daily hours, the zone of recipients without one and whether they are
urgent, so resuming one can place its releases still to come in its hours again.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hours", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("days", sa.String(length=13), nullable=True))
        batch_op.add_column(
            sa.Column(
                "time_zone", sa.String(length=64), server_default=sa.text("'UTC'"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("urgent")
        batch_op.drop_column("time_zone")
        batch_op.drop_column("days")
        batch_op.drop_column("hours")
