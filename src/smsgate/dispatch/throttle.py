"""Pacing to a connector's throughput (messages per second)."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Spaces submits `1/rate` seconds apart on average, allowing a burst of `burst`."""

    def __init__(self, rate: float | None, burst: int = 1):
        self._interval = 1.0 / rate if rate else 0.0
        self._burst_span = self._interval * max(burst, 1)
        # A fresh pacer has a whole burst of credit, as if it had been idle.
        self._next = time.monotonic() - self._burst_span

    async def wait(self) -> None:
        if not self._interval:
            return
        now = time.monotonic()
        # Idle time earns at most one burst of credit.
        self._next = max(self._next, now - self._burst_span + self._interval)
        delay = self._next - now
        self._next += self._interval
        if delay > 0:
            await asyncio.sleep(delay)
