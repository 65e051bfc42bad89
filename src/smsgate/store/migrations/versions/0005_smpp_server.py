"""SMPP server for customers: credentials per account, the ids customers were given, held parts
of long messages, and the deliver_sm owed to them.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "smpp_accounts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.String(length=15), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("max_binds", sa.SmallInteger(), nullable=False),
        sa.Column("dc0", sa.String(length=8), nullable=False),
        sa.Column("dc1", sa.String(length=8), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_smpp_accounts_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_smpp_accounts")),
        sa.UniqueConstraint("system_id", name=op.f("uq_smpp_accounts_system_id")),
    )
    op.create_table(
        "smpp_submits",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("part_no", sa.SmallInteger(), nullable=False),
        sa.Column("registered_delivery", sa.SmallInteger(), nullable=False),
        sa.Column("source_addr", sa.String(length=21), nullable=False),
        sa.Column("source_ton", sa.SmallInteger(), nullable=False),
        sa.Column("source_npi", sa.SmallInteger(), nullable=False),
        sa.Column("dest_addr", sa.String(length=21), nullable=False),
        sa.Column("dest_ton", sa.SmallInteger(), nullable=False),
        sa.Column("dest_npi", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", "message_id", name=op.f("pk_smpp_submits")),
    )
    with op.batch_alter_table("smpp_submits", schema=None) as batch_op:
        batch_op.create_index("ix_smpp_submits_message_id", ["message_id"], unique=False)

    op.create_table(
        "smpp_parts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source_addr", sa.String(length=21), nullable=False),
        sa.Column("dest_addr", sa.String(length=21), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("part_id", sa.BigInteger(), nullable=False),
        sa.Column("pdu", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id",
            "source_addr",
            "dest_addr",
            "ref",
            "total",
            "seq",
            name=op.f("pk_smpp_parts"),
        ),
    )
    with op.batch_alter_table("smpp_parts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_smpp_parts_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "smpp_deliveries",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("pdu", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smpp_deliveries")),
    )
    with op.batch_alter_table("smpp_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_smpp_deliveries_account_id_id", ["account_id", "id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("smpp_deliveries")
    op.drop_table("smpp_parts")
    op.drop_table("smpp_submits")
    op.drop_table("smpp_accounts")
