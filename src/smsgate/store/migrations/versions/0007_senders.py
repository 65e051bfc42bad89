"""Senders: registered sender names and their decisions, each account's sender policy and
default sender, and pool numbers beside the dedicated ones.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sender_policy",
                sa.String(length=10),
                server_default=sa.text("'open'"),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("default_sender", sa.String(length=16), nullable=True))
    op.create_table(
        "senders",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_senders_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_senders")),
    )
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind", sa.String(length=10), server_default=sa.text("'dedicated'"), nullable=False
            )
        )
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM numbers WHERE account_id IS NULL")
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("kind")
    op.drop_table("senders")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("default_sender")
        batch_op.drop_column("sender_policy")
