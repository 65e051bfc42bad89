"""The database handle: engine, migrations, id generation and grouped writes.

Writes go through `Database.write(job)`. Concurrent jobs are committed together in one
transaction (group commit), so many small durable writes cost one commit. A job is an async
function of a `Tx`; it may be run a second time on its own if a job grouped with it fails, so
it must do nothing but database work.

Bulk work nobody outside waits on (the dispatcher's outcomes, reports, outbox fan-outs) is
written with `background=True` and kept apart from the rest, so a customer's submits are never
committed in the same transaction as thousands of outcomes. Each background job is committed
on its own: it is a batch already, and a short transaction keeps the wait of a submit queued
behind it short. Background jobs still get every other turn when both kinds queue, so neither
starves (docs/decisions/0010-smpp-throughput.md).

The engine lives on a thread of its own with its own event loop (the store loop). On a loop busy
with HTTP every database round trip waits a whole loop iteration; on the store loop it does not,
and a write batch crosses between the threads once each way. See
docs/decisions/0003-store-thread.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from sqlalchemy import Table

from smsgate.store.bulk import insert_rows
from smsgate.store.engine import Conn, StoreEngine, create_engine
from smsgate.store.ids import IdGenerator
from smsgate.store.migrate import upgrade

T = TypeVar("T")
log = structlog.get_logger(__name__)


@dataclass
class Tx:
    """One transaction shared by a group of jobs. Deferred inserts are flushed once, in bulk."""

    conn: Conn
    _deferred: dict[tuple[str, tuple[str, ...]], tuple[Table, list[tuple[Any, ...]]]] = field(
        default_factory=dict
    )
    inserted: set[str] = field(default_factory=set)  # tables given rows by defer_insert
    # What a store module keeps for the length of the transaction (the balances billing has
    # locked), and the writes it owes at flush, made before the deferred inserts.
    state: dict[str, Any] = field(default_factory=dict)
    _before_flush: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def before_flush(self, step: Callable[[], Awaitable[None]]) -> None:
        self._before_flush.append(step)

    def defer_insert(
        self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        key = (table.name, tuple(columns))
        self._deferred.setdefault(key, (table, []))[1].extend(rows)
        self.inserted.add(table.name)

    async def flush(self) -> None:
        steps, self._before_flush = self._before_flush, []
        for step in steps:
            await step()
        deferred, self._deferred = self._deferred, {}
        for (_, columns), (table, rows) in deferred.items():
            await insert_rows(self.conn, table, columns, rows)


Job = Callable[[Tx], Awaitable[T]]
Query = Callable[[Conn], Awaitable[T]]
_Pending = tuple[Job[Any], asyncio.Future[Any]]


class Database:
    def __init__(self, url: str, *, node_id: int = 0, group_max: int = 2000):
        self._url = url
        self.ids = IdGenerator(node_id)
        self._group_max = group_max
        self._pending: deque[_Pending] = deque()
        self._background: deque[_Pending] = deque()
        # Set by the writer just before it sleeps; a write wakes it only then, so a busy writer
        # costs no cross-thread wake-up per write. deque append/popleft are atomic, and the
        # writer looks at the queue again after raising the flag, so no write is missed.
        self._idle = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="store", daemon=True)
        self._wake: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._engine: StoreEngine | None = None
        self._on_commit: dict[str, list[Callable[[], None]]] = {}

    @property
    def engine(self) -> StoreEngine:
        assert self._engine is not None, "Database.open() first"
        return self._engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def open(self) -> None:
        self._thread.start()
        await self._on_store_loop(self._open())

    async def close(self) -> None:
        if self._thread.is_alive():
            await self._on_store_loop(self._close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join)
        self._loop.close()

    def on_commit(self, table: str, callback: Callable[[], None]) -> None:
        """Call `callback` after each commit that inserted rows into `table` through
        `defer_insert` (how consumers of the outbox learn of new events without polling).
        It runs on the store thread: it must be quick, thread-safe and must not raise."""
        self._on_commit.setdefault(table, []).append(callback)

    async def read(self, query: Query[T]) -> T:
        """Run `query` on a connection of its own (reads run concurrently with writes)."""

        async def run() -> T:
            async with self.engine.connect() as conn:
                return await query(conn)

        return await self._on_store_loop(run())

    async def write(self, job: Job[T], *, background: bool = False) -> T:
        """Run `job` in a transaction; returns after the transaction is committed.
        `background`: bulk work whose commit nobody outside waits on (see above)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        (self._background if background else self._pending).append((job, future))
        if self._idle:
            self._idle = False
            assert self._wake is not None, "Database.open() first"
            self._loop.call_soon_threadsafe(self._wake.set)
        return await future

    async def _on_store_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))

    # Everything below runs on the store loop.

    async def _open(self) -> None:
        self._engine = create_engine(self._url)
        await upgrade(self._engine, self._url)
        self._wake = asyncio.Event()
        self._writer = asyncio.create_task(self._write_loop(), name="group-commit")

    async def _close(self) -> None:
        if self._writer is not None:
            # Jobs already queued, and the batch in flight, are written first: an acknowledged
            # request keeps its write.
            while self._pending or self._background or not self._idle:
                await asyncio.sleep(0.001)
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        if self._engine is not None:
            await self._engine.dispose()

    async def _write_loop(self) -> None:
        assert self._wake is not None
        pending, background = self._pending, self._background
        background_skipped = False
        while True:
            if pending and not (background and background_skipped):
                queue, background_skipped = pending, bool(background)
            else:
                queue, background_skipped = background, False
            limit = self._group_max if queue is pending else 1
            batch = []
            while queue and len(batch) < limit:
                batch.append(queue.popleft())
            if batch:
                _deliver(await self._run_group(batch))
                continue
            self._idle = True
            if pending or background:
                self._idle = False
                continue
            await self._wake.wait()
            self._wake.clear()

    async def _run_group(
        self, batch: list[_Pending]
    ) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        jobs = [job for job, _ in batch]
        try:
            results = await self._transaction(jobs)
        except Exception as exc:
            if len(batch) == 1:
                return [(batch[0][1], None, exc)]
            # One bad job must not fail its neighbours: run each alone.
            settled: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            for job, fut in batch:
                try:
                    (result,) = await self._transaction([job])
                except Exception as single_exc:
                    settled.append((fut, None, single_exc))
                else:
                    settled.append((fut, result, None))
            return settled
        return [(fut, result, None) for (_, fut), result in zip(batch, results, strict=True)]

    async def _transaction(self, jobs: list[Job[Any]]) -> list[Any]:
        async with self.engine.begin() as conn:
            tx = Tx(conn)
            results = [await job(tx) for job in jobs]
            await tx.flush()
        for table in tx.inserted:
            for callback in self._on_commit.get(table, ()):
                try:
                    callback()
                except Exception:  # the jobs are committed: they must not be run again
                    log.exception("commit listener failed", table=table)
        return results


def _deliver(settled: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    """Hand results back to the callers' loops, one cross-thread call per loop."""
    by_loop: dict[
        asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, BaseException | None]]
    ] = {}
    for item in settled:
        by_loop.setdefault(item[0].get_loop(), []).append(item)
    for loop, items in by_loop.items():
        loop.call_soon_threadsafe(_settle_all, items)


def _settle_all(items: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for fut, result, exc in items:
        if fut.done():
            continue
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(result)
