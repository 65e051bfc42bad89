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


class SenderPacer:
    """Each sender at most `rate` messages per second (carriers cap some sender names, e.g.
    toll-free and registered campaign numbers): a virtual-schedule rate per sender, kept for
    one connector.

    `wait` says how long a sender's next message must wait. A wait within `hold` is booked:
    the caller keeps the message and submits it then. A longer one is not: the caller defers
    the message to the store, and it asks again when it comes back, so a large send from a
    capped sender does not book hours of slots ahead of everyone else.
    """

    FORGET_AFTER = 10_000  # senders remembered before the idle ones are dropped

    def __init__(self, rate: float, hold: float):
        self._interval = 1.0 / rate
        self._hold = hold
        self._next: dict[str | None, float] = {}  # sender -> its next free slot (monotonic)

    def wait(self, sender: str | None, now: float) -> float:
        slot = max(self._next.get(sender, now), now)
        wait = slot - now
        if wait <= self._hold:
            self._next[sender] = slot + self._interval
            if len(self._next) > self.FORGET_AFTER:
                self._next = {s: t for s, t in self._next.items() if t > now}
        return wait
