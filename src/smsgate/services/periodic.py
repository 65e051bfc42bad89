"""A job run every so many seconds in a task of its own (sweeps of parts whose siblings never
came). A failed run is logged; the next one comes as usual."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)


class Periodic:
    def __init__(self, interval_s: float, job: Callable[[], Awaitable[object]], name: str):
        self._interval = interval_s
        self._job = job
        self._name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._job()
            except Exception:
                log.exception("periodic job failed; retrying", job=self._name)


class Refreshing:
    """Stored state kept in memory (price lists, senders, routes): loaded at start, and again
    every `interval_s` for the changes other nodes and the CLI make. A change made on this
    node calls `refresh` at once."""

    def __init__(self, interval_s: float, name: str):
        self._refresher = Periodic(interval_s, self.refresh, name)

    async def refresh(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        await self.refresh()
        self._refresher.start()

    async def stop(self) -> None:
        await self._refresher.close()
