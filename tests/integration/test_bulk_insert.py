"""Bulk inserts (multi-row VALUES, COPY, executemany) belong to the transaction they run in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from smsgate.store.bulk import _COPY_THRESHOLD
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import message_parts

COLUMNS = ("message_id", "part_no", "connector", "upstream_id", "status", "updated_at")


class Abort(Exception):
    pass


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.open()
    yield database
    await database.close()


async def count_parts(db: Database) -> int:
    async def query(conn: Conn) -> int:
        result = await conn.execute(select(func.count()).select_from(message_parts))
        return int(result.scalar_one())

    return await db.read(query)


@pytest.mark.parametrize("rows", [3, _COPY_THRESHOLD], ids=["few rows", "copy-sized"])
async def test_a_bulk_insert_first_in_a_transaction_is_rolled_back_with_it(
    db: Database, rows: int
) -> None:
    async def insert_then_fail(tx: Tx) -> None:
        tx.defer_insert(
            message_parts, COLUMNS, [(n, 1, "c", f"u{n}", "sent", 0) for n in range(rows)]
        )
        await tx.flush()
        raise Abort

    with pytest.raises(Abort):
        await db.write(insert_then_fail)
    assert await count_parts(db) == 0
