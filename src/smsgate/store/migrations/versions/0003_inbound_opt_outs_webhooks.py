"""Inbound messages, opt-outs, webhook endpoints and deliveries; raw error codes and
per-send callbacks on messages; the recipient index now serves reply matching too.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cursors",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cursors")),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("sender", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("parts", sa.SmallInteger(), nullable=False),
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("upstream_id", sa.String(length=64), nullable=True),
        sa.Column("reply_to", sa.BigInteger(), nullable=True),
        sa.Column("keyword", sa.String(length=8), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_messages_account_id_id", ["account_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_inbound_messages_reply_to",
            ["reply_to"],
            unique=False,
            sqlite_where=sa.text("reply_to IS NOT NULL"),
            postgresql_where=sa.text("reply_to IS NOT NULL"),
        )

    op.create_table(
        "inbound_parts",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("sender", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("upstream_id", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "connector", "sender", "recipient", "ref", "seq", name=op.f("pk_inbound_parts")
        ),
    )
    with op.batch_alter_table("inbound_parts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_parts_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.BigInteger(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("order_key", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=False),
        sa.Column("last_status", sa.SmallInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("settled_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_account_id_state_id", ["account_id", "state", "id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_pending",
            ["id"],
            unique=False,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )

    op.create_table(
        "inbound_settings",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("stop_words", sa.Text(), nullable=True),
        sa.Column("start_words", sa.Text(), nullable=True),
        sa.Column("help_words", sa.Text(), nullable=True),
        sa.Column("stop_reply", sa.Text(), nullable=True),
        sa.Column("start_reply", sa.Text(), nullable=True),
        sa.Column("help_reply", sa.Text(), nullable=True),
        sa.Column("reply_window_s", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_inbound_settings_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_inbound_settings")),
    )
    op.create_table(
        "numbers",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_numbers_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_numbers")),
    )
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_numbers_account_id"), ["account_id"], unique=False)

    op.create_table(
        "opt_outs",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_opt_outs_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "number", name=op.f("pk_opt_outs")),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=80), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_webhook_endpoints_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_secret", sa.String(length=80), nullable=True))

    with op.batch_alter_table("early_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_raw", sa.String(length=64), nullable=True))

    with op.batch_alter_table("message_parts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_raw", sa.String(length=64), nullable=True))

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_raw", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("status_callback", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("reply_callback", sa.String(length=2048), nullable=True))
        batch_op.drop_index(batch_op.f("ix_messages_account_id_recipient"))
        batch_op.create_index("ix_messages_recipient_id", ["recipient", "id"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_url", sa.String(length=2048), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("callback_url")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_recipient_id")
        batch_op.create_index(
            batch_op.f("ix_messages_account_id_recipient"),
            ["account_id", "recipient"],
            unique=False,
        )
        batch_op.drop_column("reply_callback")
        batch_op.drop_column("status_callback")
        batch_op.drop_column("error_raw")

    with op.batch_alter_table("message_parts", schema=None) as batch_op:
        batch_op.drop_column("error_raw")

    with op.batch_alter_table("early_reports", schema=None) as batch_op:
        batch_op.drop_column("error_raw")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("callback_secret")

    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_account_id"))

    op.drop_table("webhook_endpoints")
    op.drop_table("opt_outs")
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_numbers_account_id"))

    op.drop_table("numbers")
    op.drop_table("inbound_settings")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_webhook_deliveries_pending",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index("ix_webhook_deliveries_account_id_state_id")

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("inbound_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_parts_received_at"))

    op.drop_table("inbound_parts")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_inbound_messages_reply_to",
            sqlite_where=sa.text("reply_to IS NOT NULL"),
            postgresql_where=sa.text("reply_to IS NOT NULL"),
        )
        batch_op.drop_index("ix_inbound_messages_account_id_id")

    op.drop_table("inbound_messages")
    op.drop_table("cursors")
