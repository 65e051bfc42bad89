"""Engines behind one small async interface: SQLite (WAL) for the embedded default, PostgreSQL
(asyncpg) for several nodes.

Everything here runs on the store thread (see database.py). SQLite is driven synchronously
there: its calls never wait on a network, and skipping aiosqlite's per-statement thread hop
doubles write throughput (docs/decisions/0003-store-thread.md). The `Conn` methods are still
coroutines so repositories are written once for both engines.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, CursorResult, Dialect, Engine, Table, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable

T = TypeVar("T")
Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class Conn(Protocol):
    """What repositories use: SQLAlchemy's AsyncConnection, or the SQLite adapter below."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self, statement: Executable, parameters: Params = None
    ) -> CursorResult[Any]: ...

    async def exec_driver_sql(
        self, statement: str, parameters: Any = None
    ) -> CursorResult[Any]: ...

    async def run_sync(self, fn: Callable[[Connection], T]) -> T: ...


class StoreEngine(Protocol):
    @property
    def dialect(self) -> Dialect: ...

    def begin(self) -> contextlib.AbstractAsyncContextManager[Conn]: ...

    def connect(self) -> contextlib.AbstractAsyncContextManager[Conn]: ...

    async def dispose(self) -> None: ...


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and pick asyncpg; SQLite runs on its stdlib driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str) -> StoreEngine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Rows bulk-inserted through the driver (store/bulk.py) skip SQLAlchemy's Numeric
        # conversion; a message's price is a Decimal.
        sqlite3.register_adapter(Decimal, str)
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_sync_engine(url, pool_size=2, max_overflow=2)
        event.listen(engine, "connect", _sqlite_pragmas)
        return SqliteEngine(engine)
    return PostgresEngine(create_async_engine(url, pool_size=16, max_overflow=16))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL + synchronous=NORMAL: a commit survives a process crash (kill -9); only a power loss
    # can drop the last transactions. Readers never block the writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def insert_on_conflict(dialect: Dialect, table: Table) -> PgInsert | SqliteInsert:
    """The engine's own INSERT of `table`, which can say what a conflicting row does."""
    return (pg_insert if dialect.name == "postgresql" else sqlite_insert)(table)


class SqliteConn:
    def __init__(self, conn: Connection):
        self._conn = conn

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    async def execute(self, statement: Executable, parameters: Params = None) -> CursorResult[Any]:
        return self._conn.execute(statement, parameters)  # type: ignore[arg-type]

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult[Any]:
        return self._conn.exec_driver_sql(statement, parameters)

    async def run_sync(self, fn: Callable[[Connection], T]) -> T:
        return fn(self._conn)


class SqliteEngine:
    def __init__(self, engine: Engine):
        self._engine = engine

    @property
    def dialect(self) -> Dialect:
        return self._engine.dialect

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[Conn]:
        with self._engine.begin() as conn:
            yield SqliteConn(conn)

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Conn]:
        with self._engine.connect() as conn:
            yield SqliteConn(conn)

    async def dispose(self) -> None:
        self._engine.dispose()


class PostgresEngine:
    def __init__(self, engine: AsyncEngine):
        self._engine = engine

    @property
    def dialect(self) -> Dialect:
        return self._engine.dialect

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[Conn]:
        async with self._engine.begin() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Conn]:
        async with self._engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        await self._engine.dispose()

    @staticmethod
    async def raw(conn: Conn) -> Any:
        """The asyncpg connection under `conn`, for COPY."""
        assert isinstance(conn, AsyncConnection)
        raw = await conn.get_raw_connection()
        return raw.driver_connection
