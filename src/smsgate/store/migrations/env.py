"""Alembic environment: runs migrations on the engine smsgate hands in (see store/migrate.py)."""

from __future__ import annotations

from alembic import context

from smsgate.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through smsgate.store.migrate, which supplies a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
