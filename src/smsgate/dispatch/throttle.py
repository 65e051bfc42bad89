"""Pacing to rate caps that defer rather than refuse: a connector's throughput (messages per
second) and the pace of each sender on it.

Each cap is a schedule booked through the counters (domain/pacing.py): in this process's
memory, or in Redis, where every node running the connector books from the same schedule, so
N nodes together keep the cap instead of each sending up to it. While Redis cannot be reached
the node paces on its own, which keeps messages moving at up to the cap per node.
"""

from __future__ import annotations

import asyncio
import math
import time

import structlog

from smsgate.services.counters import Counters, MemoryCounters

log = structlog.get_logger(__name__)

# Between two warnings that the shared schedules cannot be reached.
WARN_EVERY_S = 60.0


class Schedules:
    """Books slots in the shared counters, or in this node's own while those fail."""

    def __init__(self, shared: Counters):
        self._shared = shared
        self._own = MemoryCounters()
        self._warned_at = -math.inf

    async def book(self, key: str, *, interval: float, burst: float, hold: float) -> float:
        try:
            return await self._shared.book(key, interval=interval, burst=burst, hold=hold)
        except Exception as exc:
            if time.monotonic() - self._warned_at > WARN_EVERY_S:
                self._warned_at = time.monotonic()
                log.warning("pacing on this node alone: shared schedules failed", error=repr(exc))
            return await self._own.book(key, interval=interval, burst=burst, hold=hold)


class Pacer:
    """Spaces one connector's submits `1/rate` seconds apart on average, allowing a burst of
    `burst` after idle time."""

    def __init__(self, schedules: Schedules, connector: str, rate: float | None, burst: int = 1):
        self._schedules = schedules
        self._key = f"pace:{connector}"
        self._interval = 1.0 / rate if rate else 0.0
        self._burst = self._interval * max(burst, 1)

    async def wait(self) -> None:
        if not self._interval:
            return
        delay = await self._schedules.book(
            self._key, interval=self._interval, burst=self._burst, hold=math.inf
        )
        if delay > 0:
            await asyncio.sleep(delay)


class SenderPacer:
    """Each sender at most `rate` messages per second on one connector (carriers cap some
    sender names, e.g. toll-free and registered campaign numbers); an idle sender earns no
    burst.

    `wait` says how long a sender's next message must wait. A wait within `hold` is booked:
    the caller keeps the message and submits it then. A longer one is not: the caller defers
    the message to the store, and it asks again when it comes back, so a large send from a
    capped sender does not book hours of slots ahead of everyone else.
    """

    def __init__(self, schedules: Schedules, connector: str, rate: float, hold: float):
        self._schedules = schedules
        self._prefix = f"pace:{connector}:sender:"
        self._interval = 1.0 / rate
        self._hold = hold

    async def wait(self, sender: str | None) -> float:
        return await self._schedules.book(
            f"{self._prefix}{sender or ''}",
            interval=self._interval,
            burst=self._interval,
            hold=self._hold,
        )
