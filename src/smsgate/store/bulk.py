"""Fast bulk insert per engine: multi-row VALUES on SQLite, COPY on PostgreSQL.

SQLite: the stdlib driver releases and re-takes the GIL at every row of an executemany; under
HTTP load each re-take waits for the busy event-loop thread, which made a 36-row insert cost
2.3 ms. One multi-row INSERT is a single step (docs/decisions/0003-store-thread.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Table

from smsgate.store.engine import Conn, PostgresEngine

# Below this many rows COPY's set-up costs more than it saves.
_COPY_THRESHOLD = 200
# SQLite allows 32,766 bound parameters per statement (since 3.32); PostgreSQL 32,767.
_SQLITE_MAX_PARAMS = 32_766
# Values in one `IN (...)` list: far inside both limits, small enough to compile quickly.
IN_LIST_MAX = 1000

T = TypeVar("T")


def in_chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """`values` in slices that each fit one `IN (...)` list."""
    for start in range(0, len(values), IN_LIST_MAX):
        yield values[start : start + IN_LIST_MAX]


async def insert_rows(
    conn: Conn, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        await _insert_postgres(conn, table, columns, rows)
        return
    per_statement = max(1, _SQLITE_MAX_PARAMS // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = _sqlite_insert(table.name, tuple(columns), len(chunk))
        await conn.exec_driver_sql(sql, tuple(value for row in chunk for value in row))


@lru_cache(maxsize=256)
def _sqlite_insert(table: str, columns: tuple[str, ...], rows: int) -> str:
    one = "(" + ", ".join("?" * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * rows)


async def _insert_postgres(
    conn: Conn, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    driver = await PostgresEngine.raw(conn)
    if not driver.is_in_transaction():
        # These statements go to asyncpg itself, past SQLAlchemy, which sends BEGIN only
        # before its own first statement: first in a transaction, they would commit on their
        # own whatever became of the rest (a kill -9 left message parts of unsent messages).
        await conn.exec_driver_sql("SELECT 1")
    if len(rows) >= _COPY_THRESHOLD:
        await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))
        return
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await driver.executemany(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows
    )
