"""Coalesces many small facts into one handler call, so per-item work becomes per-batch work.

`add()` returns when the batch holding the item has been handled (for a store write: committed),
which keeps "acknowledge only after commit" true for callers that await it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Batcher(Generic[T]):
    def __init__(
        self,
        handler: Callable[[list[T]], Awaitable[None]],
        *,
        max_items: int = 1000,
        max_delay: float = 0.005,
        name: str = "batcher",
    ):
        self._handler = handler
        self._max_items = max_items
        self._max_delay = max_delay
        self._name = name
        self._items: list[T] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._arrived = asyncio.Event()
        self._due = asyncio.Event()  # full, or someone waits on the items held back
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def close(self) -> None:
        """Handle what is pending, then stop."""
        self._closing = True
        self._arrived.set()
        self._due.set()
        if self._task is not None:
            await self._task

    def add_nowait(self, item: T) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._items.append(item)
        self._waiters.append(future)
        self._arrived.set()
        if len(self._items) >= self._max_items:
            self._due.set()
        return future

    def hurry(self) -> None:
        """Hand what is collected on without waiting out the delay: a caller is held up
        until it is handled, so waiting for a bigger batch would only slow it down."""
        if self._items:
            self._due.set()

    async def add(self, item: T) -> None:
        await self.add_nowait(item)

    async def _run(self) -> None:
        while True:
            if not self._items:
                if self._closing:
                    return
                self._arrived.clear()
                await self._arrived.wait()
                continue
            if len(self._items) < self._max_items and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._due.wait(), self._max_delay)
            items, self._items = self._items, []
            waiters, self._waiters = self._waiters, []
            self._due.clear()
            try:
                await self._handler(items)
            except Exception as exc:
                for w in waiters:
                    if not w.done():
                        w.set_exception(exc)
            else:
                for w in waiters:
                    if not w.done():
                        w.set_result(None)
