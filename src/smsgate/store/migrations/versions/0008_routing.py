"""Routing: rules in order of priority, what each connector costs, and the connectors that
refused a message for good before it was re-routed.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routes",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_routes")),
    )
    op.create_table(
        "connector_costs",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["price_lists.id"],
            name=op.f("fk_connector_costs_price_list_id_price_lists"),
        ),
        sa.PrimaryKeyConstraint("connector", name=op.f("pk_connector_costs")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tried", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("tried")
    op.drop_table("connector_costs")
    op.drop_table("routes")
