"""Applies Alembic migrations on start, on whichever engine is configured."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from smsgate.store.engine import StoreEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


# A PostgreSQL advisory lock every smsgate node takes while it migrates.
_MIGRATION_LOCK = 0x736D7367  # "smsg"


async def upgrade(engine: StoreEngine, url: str) -> None:
    """Bring the store to the newest schema. Processes opening a new store at once (nodes
    starting together, an operator command beside a starting server) migrate one after the
    other, so the later ones find it migrated instead of creating the same tables."""

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        command.upgrade(alembic_config(connection), "head")

    with _file_lock(make_url(url).database if engine.dialect.name == "sqlite" else None):
        async with engine.begin() as conn:
            await conn.run_sync(run)


@contextlib.contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    """An exclusive lock beside a SQLite file (SQLite has no lock to hold across DDL)."""
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
