"""Billing: price lists by destination prefix, balances and their ledger.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_MONEY = sa.BigInteger()  # millionths of the currency


def upgrade() -> None:
    op.create_table(
        "price_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_price_lists_name")),
    )
    op.create_table(
        "prices",
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=15), nullable=False),
        sa.Column("price", _MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["price_list_id"], ["price_lists.id"], name=op.f("fk_prices_price_list_id_price_lists")
        ),
        sa.PrimaryKeyConstraint("price_list_id", "prefix", name=op.f("pk_prices")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price_list_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "charge_on", sa.String(length=8), server_default=sa.text("'submit'"), nullable=False
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_accounts_price_list_id_price_lists"),
            "price_lists",
            ["price_list_id"],
            ["id"],
        )
    op.create_table(
        "balances",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("balance", _MONEY, server_default=sa.text("0"), nullable=False),
        sa.Column("credit_limit", _MONEY, server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_balances_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_balances")),
    )
    op.create_table(
        "ledger",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("messages", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_ledger_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger")),
    )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_account_id_id", ["account_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("ledger")
    op.drop_table("balances")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_accounts_price_list_id_price_lists", type_="foreignkey")
        batch_op.drop_column("charge_on")
        batch_op.drop_column("price_list_id")
    op.drop_table("prices")
    op.drop_table("price_lists")
