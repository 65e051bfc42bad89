"""Following the outbox from a cursor of one's own: the loop its consumers share (the webhook
fan-out, the SMPP fan-out).

A consumer's `run_once` reads the events after its cursor and moves the cursor in the
transaction that writes what it made of them, so a crash neither loses nor repeats its work.
Outbox ids are handed out in commit order (one store writer per node), so a cursor over them
misses nothing. The store tells the follower when new events commit; a slow poll covers events
written by other processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable

import structlog

from smsgate.store import webhooks as cursors
from smsgate.store.database import Database, Tx
from smsgate.store.schema import outbox

log = structlog.get_logger(__name__)

IDLE_POLL_S = 1.0
# Under load a wake comes with nearly every group commit; each run costs a few statements
# however few events it finds, so runs are spaced this much apart (a wake after a quiet spell
# runs at once).
MIN_INTERVAL_S = 0.025
ERROR_PAUSE_S = 1.0


class CommitWake:
    """An asyncio.Event that store commits set: `on_commit` callbacks run on the store thread,
    and this hands them over to the loop that `attach` was called on."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signalled = False

    def attach(self) -> None:
        self._loop = asyncio.get_running_loop()

    def detach(self) -> None:
        self._loop = None  # commits from now on wake nobody

    def clear(self) -> None:
        self._signalled = False
        self.event.clear()

    def committed(self) -> None:
        """On the store thread, after a commit: quick, and never raises."""
        loop = self._loop
        if self._signalled or loop is None or loop.is_closed():
            return
        self._signalled = True
        with contextlib.suppress(RuntimeError):  # the loop closed just now: nobody to wake
            loop.call_soon_threadsafe(self.event.set)


class OutboxFollower:
    def __init__(
        self,
        db: Database,
        cursor: str,
        run_once: Callable[[], Awaitable[int]],
        *,
        batch: int,
    ):
        """`run_once` handles the next events after `cursor` (at most `batch`) and returns how
        many there were."""
        self._db = db
        self._cursor = cursor
        self._run_once = run_once
        self._batch = batch
        self._wake = CommitWake()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """The first time, the cursor starts at the end of the outbox: events written before
        the consumer existed are not its business."""
        self._wake.attach()

        async def job(tx: Tx) -> int:
            return await cursors.start_cursor_at_end(tx.conn, self._cursor)

        await self._db.write(job)
        self._db.on_commit(outbox.name, self._wake.committed)
        self._task = asyncio.create_task(self._run(), name=self._cursor)

    async def stop(self) -> None:
        self._wake.detach()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = -math.inf
        while True:
            await asyncio.sleep(max(0.0, last + MIN_INTERVAL_S - loop.time()))
            last = loop.time()
            self._wake.clear()
            try:
                done = await self._run_once()
            except Exception:
                log.exception("outbox consumer failed; retrying", cursor=self._cursor)
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            if done < self._batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.event.wait(), IDLE_POLL_S)
