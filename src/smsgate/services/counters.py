"""Counters the limits keep: in this process's memory, or in Redis, where every node shares
them. Windows are fixed (a count starts again at each multiple of the window), so a count
needs one key and one increment. Rate caps that pace rather than refuse (a connector's
throughput, a sender's pace) book slots on a schedule kept the same way (domain/pacing.py)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any, Protocol

from smsgate.domain.pacing import book_slot


class Counters(Protocol):
    async def count(self, key: str, window_s: float, by: int = 1) -> tuple[int, float]:
        """Add `by` to the key's count in the current window: the count, and the seconds
        until the window ends."""
        ...

    async def count_many(self, keys: Sequence[str], window_s: float) -> list[int]:
        """Add one to each key's count in the current window; the counts."""
        ...

    async def claim(self, key: str, ttl_s: float) -> bool:
        """Hold `key` for `ttl_s` unless it is held already (True: it was free)."""
        ...

    async def held_for(self, key: str) -> float | None:
        """The seconds a held key stays held; None when free."""
        ...

    async def release(self, key: str) -> None: ...

    async def enter(self, key: str, limit: int) -> bool:
        """Take one of `limit` places (False: all are taken)."""
        ...

    async def leave(self, key: str) -> None: ...

    async def book(self, key: str, *, interval: float, burst: float, hold: float) -> float:
        """Book the next slot of the schedule `key` (`book_slot`): the seconds to wait for
        it. A wait beyond `hold` is returned without booking."""
        ...

    async def close(self) -> None: ...


def _window(window_s: float, now: float) -> tuple[int, float]:
    index = math.floor(now / window_s)
    return index, (index + 1) * window_s - now


class MemoryCounters:
    """One process's counters. Expired entries are dropped as the maps grow."""

    PRUNE_EVERY = 10_000  # counts between sweeps of the expired entries

    def __init__(self, clock: Any = time.time):
        self._clock = clock
        self._counts: dict[str, tuple[int, float, int]] = {}  # key -> window index, end, count
        self._held: dict[str, float] = {}  # key -> until
        self._places: dict[str, int] = {}
        self._slots: dict[str, float] = {}  # schedule -> its next free slot
        self._since_prune = 0

    async def count(self, key: str, window_s: float, by: int = 1) -> tuple[int, float]:
        now = self._clock()
        index, left = _window(window_s, now)
        return self._add(key, index, now + left, by), left

    async def count_many(self, keys: Sequence[str], window_s: float) -> list[int]:
        now = self._clock()
        index, left = _window(window_s, now)
        return [self._add(key, index, now + left, 1) for key in keys]

    def _add(self, key: str, index: int, end: float, by: int) -> int:
        held = self._counts.get(key)
        total = by if held is None or held[0] != index else held[2] + by
        self._counts[key] = (index, end, total)
        self._since_prune += 1
        if self._since_prune >= self.PRUNE_EVERY:
            self._prune()
        return total

    def _prune(self) -> None:
        now = self._clock()
        self._since_prune = 0
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        self._held = {k: until for k, until in self._held.items() if until > now}
        self._slots = {k: slot for k, slot in self._slots.items() if slot > now}

    async def claim(self, key: str, ttl_s: float) -> bool:
        now = self._clock()
        if self._held.get(key, 0.0) > now:
            return False
        self._held[key] = now + ttl_s
        return True

    async def held_for(self, key: str) -> float | None:
        left = self._held.get(key, 0.0) - self._clock()
        return left if left > 0 else None

    async def release(self, key: str) -> None:
        self._held.pop(key, None)

    async def enter(self, key: str, limit: int) -> bool:
        taken = self._places.get(key, 0)
        if taken >= limit:
            return False
        self._places[key] = taken + 1
        return True

    async def leave(self, key: str) -> None:
        taken = self._places.get(key, 0) - 1
        if taken > 0:
            self._places[key] = taken
        else:
            self._places.pop(key, None)

    async def book(self, key: str, *, interval: float, burst: float, hold: float) -> float:
        wait, next_free = book_slot(
            self._slots.get(key), self._clock(), interval=interval, burst=burst, hold=hold
        )
        if next_free is not None:
            self._slots[key] = next_free
            self._since_prune += 1
            if self._since_prune >= self.PRUNE_EVERY:
                self._prune()
        return wait

    async def close(self) -> None:
        pass


# `book_slot` in one step on the server, on the server's clock, so nodes whose clocks differ
# still share one schedule. A schedule left idle past its next slot and its burst is the same
# as none, so its key expires then.
_BOOK_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval, burst, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local slot = now - burst + interval
local next_free = tonumber(redis.call('GET', KEYS[1]))
if next_free and next_free > slot then slot = next_free end
local wait = slot - now
if wait <= hold then
  local free = slot + interval
  redis.call('SET', KEYS[1], string.format('%.6f', free),
             'PX', math.ceil((free - now + burst) * 1000) + 1)
end
return string.format('%.6f', wait)
"""


class RedisCounters:
    """Counters in Redis, shared by every node that points at it with the same key prefix."""

    PLACE_TTL_S = 300  # a place a crashed node never gave back is free again after this long

    def __init__(self, url: str, prefix: str):
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix
        self._book_slot = self._redis.register_script(_BOOK_SLOT)

    async def count(self, key: str, window_s: float, by: int = 1) -> tuple[int, float]:
        index, left = _window(window_s, time.time())
        bucket = f"{self._prefix}{key}:{index}"
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incrby(bucket, by)
            pipe.expire(bucket, math.ceil(window_s) + 1)
            total, _ = await pipe.execute()
        return int(total), left

    async def count_many(self, keys: Sequence[str], window_s: float) -> list[int]:
        index, _ = _window(window_s, time.time())
        ttl = math.ceil(window_s) + 1
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                bucket = f"{self._prefix}{key}:{index}"
                pipe.incr(bucket)
                pipe.expire(bucket, ttl)
            answers = await pipe.execute()
        return [int(n) for n in answers[::2]]

    async def claim(self, key: str, ttl_s: float) -> bool:
        return bool(
            await self._redis.set(self._prefix + key, 1, nx=True, px=max(1, int(ttl_s * 1000)))
        )

    async def held_for(self, key: str) -> float | None:
        left = int(await self._redis.pttl(self._prefix + key))
        return left / 1000 if left > 0 else None

    async def release(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def enter(self, key: str, limit: int) -> bool:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incr(self._prefix + key)
            pipe.expire(self._prefix + key, self.PLACE_TTL_S)
            taken, _ = await pipe.execute()
        if int(taken) <= limit:
            return True
        await self._redis.decr(self._prefix + key)
        return False

    async def leave(self, key: str) -> None:
        await self._redis.decr(self._prefix + key)

    async def book(self, key: str, *, interval: float, burst: float, hold: float) -> float:
        wait = await self._book_slot(keys=[self._prefix + key], args=[interval, burst, hold])
        return float(wait)

    async def close(self) -> None:
        await self._redis.aclose()
