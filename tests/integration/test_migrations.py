"""The migrations build exactly the schema the code describes, on each engine."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from smsgate.store.database import Database
from smsgate.store.schema import metadata


async def test_migrations_leave_no_difference_from_the_schema(database_url: str) -> None:
    db = Database(database_url)
    await db.open()
    try:

        def differences(conn: Connection) -> list[object]:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))

        diff = await db.read(lambda conn: conn.run_sync(differences))
    finally:
        await db.close()
    assert diff == []


async def test_opening_an_up_to_date_store_twice_changes_nothing(database_url: str) -> None:
    for _ in range(2):
        db = Database(database_url)
        await db.open()
        await db.close()


async def test_nodes_opening_a_new_store_at_once_each_find_it_migrated(database_url: str) -> None:
    nodes = [Database(database_url, node_id=n) for n in range(3)]
    try:
        await asyncio.gather(*(node.open() for node in nodes))
        tables = await nodes[-1].read(lambda conn: conn.run_sync(table_names))
    finally:
        await asyncio.gather(*(node.close() for node in nodes))
    assert set(metadata.tables) <= set(tables)


def table_names(conn: Connection) -> list[str]:
    return inspect(conn).get_table_names()
