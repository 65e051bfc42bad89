"""The database handle: engine, migrations, id generation and grouped writes.

Writes go through `Database.write(job)`. Concurrent jobs are committed together in one
transaction (group commit), so many small durable writes cost one commit. A job is an async
function of a `Tx`; it may be run a second time on its own if a job grouped with it fails, so
it must do nothing but database work.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from smsgate.store.bulk import insert_rows
from smsgate.store.engine import create_engine
from smsgate.store.ids import IdGenerator
from smsgate.store.migrate import upgrade

T = TypeVar("T")
log = structlog.get_logger(__name__)


@dataclass
class Tx:
    """One transaction shared by a group of jobs. Deferred inserts are flushed once, in bulk."""

    conn: AsyncConnection
    _deferred: dict[tuple[str, tuple[str, ...]], tuple[Table, list[tuple[Any, ...]]]] = field(
        default_factory=dict
    )

    def defer_insert(
        self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        key = (table.name, tuple(columns))
        self._deferred.setdefault(key, (table, []))[1].extend(rows)

    async def flush(self) -> None:
        deferred, self._deferred = self._deferred, {}
        for (_, columns), (table, rows) in deferred.items():
            await insert_rows(self.conn, table, columns, rows)


Job = Callable[[Tx], Awaitable[T]]


class Database:
    def __init__(self, url: str, *, node_id: int = 0, group_max: int = 2000):
        self.engine: AsyncEngine = create_engine(url)
        self.ids = IdGenerator(node_id)
        self._group_max = group_max
        self._queue: asyncio.Queue[tuple[Job[Any], asyncio.Future[Any]]] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def open(self) -> None:
        await upgrade(self.engine)
        self._writer = asyncio.create_task(self._write_loop(), name="group-commit")

    async def close(self) -> None:
        if self._writer is not None:
            # Let queued jobs finish: an acknowledged request must not lose its write.
            await self._queue.join()
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        await self.engine.dispose()

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def write(self, job: Job[T]) -> T:
        """Run `job` in a transaction; returns after the transaction is committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((job, future))
        return await future

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._group_max and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._run_group(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _run_group(self, batch: list[tuple[Job[Any], asyncio.Future[Any]]]) -> None:
        live = [(job, fut) for job, fut in batch if not fut.cancelled()]
        try:
            results = await self._transaction([job for job, _ in live])
        except Exception as exc:
            if len(live) == 1:
                _settle(live[0][1], exc=exc)
                return
            # One bad job must not fail its neighbours: run each alone.
            for job, fut in live:
                try:
                    (result,) = await self._transaction([job])
                except Exception as single_exc:
                    _settle(fut, exc=single_exc)
                else:
                    _settle(fut, result=result)
            return
        for (_, fut), result in zip(live, results, strict=True):
            _settle(fut, result=result)

    async def _transaction(self, jobs: list[Job[Any]]) -> list[Any]:
        async with self.engine.begin() as conn:
            tx = Tx(conn)
            results = [await job(tx) for job in jobs]
            await tx.flush()
        return results


def _settle(
    fut: asyncio.Future[Any], *, result: Any = None, exc: BaseException | None = None
) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)
