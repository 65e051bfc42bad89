"""Limits: each account's own request rate, requests in progress, duplicate window,
messages per subscriber and quiet hours.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_limits",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("rate_per_s", sa.Integer(), nullable=True),
        sa.Column("concurrent", sa.Integer(), nullable=True),
        sa.Column("duplicate_window_s", sa.Integer(), nullable=True),
        sa.Column("subscriber_max", sa.Integer(), nullable=True),
        sa.Column("subscriber_window_s", sa.Integer(), nullable=True),
        sa.Column("quiet_hours", sa.String(length=11), nullable=True),
        sa.Column("quiet_zone", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_limits_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_limits")),
    )


def downgrade() -> None:
    op.drop_table("account_limits")
