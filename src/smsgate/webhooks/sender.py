"""Delivers pending webhook deliveries: signed POSTs, retries, per-target order and limits.

Each target (an endpoint, or a per-send callback URL) has a queue of its own in memory, so a
slow or dead target only ever holds its own deliveries: at most `concurrency` requests in
flight, a circuit breaker, and a bounded number of deliveries in memory (the rest wait in the
store and are loaded as the queue drains).

Per target, deliveries with the same order key (the message id) form a chain: only the head
of a chain may be sent, and the next one goes when the head is delivered or dead. Different
messages go in parallel.

Outcomes are written back in batches. A crash loses only unwritten outcomes, and those
deliveries are sent again after the restart: delivery is at least once, and receivers
deduplicate by the event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import math
import random
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog

from smsgate.services.clock import now_ms
from smsgate.store import webhooks as repo
from smsgate.store.database import Database, Tx
from smsgate.store.webhooks import DEAD, DELIVERED, PENDING, Outcome, TargetKey
from smsgate.webhooks import events, signature
from smsgate.webhooks.client import HttpClient, RequestError
from smsgate.webhooks.directory import Directory
from smsgate.webhooks.policy import Breaker, CircuitState, RetryPolicy

log = structlog.get_logger(__name__)

REFILL_RETRY_S = 1.0


@dataclass(frozen=True, slots=True)
class SenderSettings:
    concurrency: int = 8  # requests in flight per target
    timeout_s: float = 10.0
    queue_per_target: int = 1000  # deliveries of one target held in memory
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker_threshold: int = 5
    breaker_cooldown_s: float = 1.0
    breaker_cooldown_cap_s: float = 300.0
    flush_delay_s: float = 0.05  # outcomes gathered this long into one write


@dataclass(slots=True, eq=False)
class Delivery:
    id: int
    target: TargetKey
    event_id: int
    event_type: str
    body: bytes
    order_key: int | None
    attempts: int
    queued_at_ms: int  # start of its retry period
    due: float = 0.0  # loop time of the next try
    last_status: int | None = None
    last_error: str | None = None

    @property
    def chain(self) -> int:
        # No order key: a chain of its own (message ids are positive).
        return self.order_key if self.order_key is not None else -self.id

    @classmethod
    def stored(cls, row: repo.StoredDelivery, due: float) -> Delivery:
        return cls(
            id=row.id,
            target=row.target,
            event_id=row.event_id,
            event_type=row.event_type,
            body=events.body(row.event_id, row.event_type, row.event_created_at, row.payload),
            order_key=row.order_key,
            attempts=row.attempts,
            queued_at_ms=row.created_at,
            due=due,
            last_status=row.last_status,
            last_error=row.last_error,
        )


class _Target:
    """One target's queue. `loaded_upto`: every pending delivery of the target with an id up to
    it is in memory (or settled); with `overflow` set there are more in the store."""

    def __init__(self, key: TargetKey, breaker: Breaker):
        self.key = key
        self.breaker = breaker
        self.items: dict[int, Delivery] = {}
        self.chains: dict[int, deque[Delivery]] = {}
        self.ready: deque[Delivery] = deque()  # chain heads due now
        self.waiting: list[tuple[float, int, Delivery]] = []  # chain heads due later (heap)
        self.in_flight = 0
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = math.inf
        self.overflow = False
        self.loaded_upto = 0
        self.refilling = False
        self.rewound_to: int | None = None
        self.buffer: list[Delivery] = []  # offered while a refill is running
        self.paused = False  # endpoint inactive
        self.dropped = False

    @property
    def idle(self) -> bool:
        return not (self.items or self.overflow or self.in_flight or self.refilling)


class Sender:
    def __init__(
        self,
        db: Database,
        directory: Directory,
        settings: SenderSettings | None = None,
        *,
        rng: random.Random | None = None,
    ):
        self._db = db
        self._directory = directory
        self.settings = settings or SenderSettings()
        self._rng = rng or random.Random()
        self._client = HttpClient()
        self._targets: dict[TargetKey, _Target] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._unflushed: dict[int, Outcome] = {}
        self._dirty = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # Lifecycle

    async def start(self) -> None:
        """Resume the deliveries left pending by the last run (crash recovery included)."""
        self._loop = asyncio.get_running_loop()
        self._flusher = asyncio.create_task(self._flush_loop(), name="webhook-outcomes")
        for key in await self._db.read(repo.pending_targets):
            target = self._target(key)
            target.overflow = True
            self._maybe_refill(target)

    async def stop(self) -> None:
        """Stop sending. Requests in flight are abandoned; their deliveries stay pending and go
        out again on the next start. Outcomes already known are written."""
        for target in self._targets.values():
            if target.timer is not None:
                target.timer.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._flush()
        await self._client.close()

    # What the fan-out and the service tell the sender

    def offer(self, deliveries: Iterable[Delivery]) -> None:
        """New deliveries, just committed, in id order."""
        touched: dict[TargetKey, _Target] = {}
        for d in deliveries:
            target = touched.get(d.target) or self._target(d.target)
            touched[d.target] = target
            self._offer_one(target, d)
        for target in touched.values():
            self._pump(target)

    def rewind(self, firsts: dict[TargetKey, int]) -> None:
        """Deliveries from these ids on became pending again (a replay): load them."""
        for key, first in firsts.items():
            target = self._target(key)
            target.overflow = True
            target.loaded_upto = min(target.loaded_upto, first - 1)
            if target.refilling:
                target.rewound_to = min(target.rewound_to or first - 1, first - 1)
            self._maybe_refill(target)

    def resume(self, key: TargetKey) -> None:
        """The endpoint changed (reactivated, new URL or secret): try its queue again."""
        target = self._targets.get(key)
        if target is not None:
            target.paused = False
            self._pump(target)

    def drop(self, key: TargetKey) -> None:
        """The endpoint is gone, with its deliveries: forget its queue."""
        target = self._targets.pop(key, None)
        if target is not None:
            target.dropped = True
            if target.timer is not None:
                target.timer.cancel()
            # Their rows are deleted; an outcome written later could land on a new row that
            # reused the id.
            for delivery_id in target.items:
                self._unflushed.pop(delivery_id, None)

    def queued(self) -> int:
        """Deliveries held in memory (for tests and the benchmark)."""
        return sum(len(t.items) for t in self._targets.values())

    # Queues

    def _target(self, key: TargetKey) -> _Target:
        target = self._targets.get(key)
        if target is None:
            s = self.settings
            target = _Target(
                key, Breaker(s.breaker_threshold, s.breaker_cooldown_s, s.breaker_cooldown_cap_s)
            )
            self._targets[key] = target
        return target

    def _offer_one(self, target: _Target, d: Delivery) -> None:
        if target.refilling:
            target.buffer.append(d)
        elif target.overflow:
            pass  # in the store; loaded in id order once the queue drains
        elif len(target.items) >= self.settings.queue_per_target:
            target.overflow = True
        else:
            self._add(target, d)
            target.loaded_upto = max(target.loaded_upto, d.id)

    def _add(self, target: _Target, d: Delivery) -> None:
        target.items[d.id] = d
        chain = target.chains.get(d.chain)
        if chain is None:
            target.chains[d.chain] = deque([d])
            self._enqueue(target, d)
        else:
            chain.append(d)

    def _enqueue(self, target: _Target, d: Delivery) -> None:
        assert self._loop is not None
        if d.due <= self._loop.time():
            target.ready.append(d)
        else:
            heapq.heappush(target.waiting, (d.due, d.id, d))

    def _advance(self, target: _Target, d: Delivery) -> None:
        """`d` is settled: the next delivery of its chain may go."""
        del target.items[d.id]
        chain = target.chains[d.chain]
        chain.popleft()
        if chain:
            self._enqueue(target, chain[0])
        else:
            del target.chains[d.chain]
        self._maybe_refill(target)

    def _pump(self, target: _Target) -> None:
        if target.dropped:
            return
        assert self._loop is not None
        now = self._loop.time()
        waiting = target.waiting
        while waiting and waiting[0][0] <= now:
            target.ready.append(heapq.heappop(waiting)[2])
        while (
            not target.paused
            and target.ready
            and target.in_flight < self.settings.concurrency
            and target.breaker.admits(now)
        ):
            d = target.ready.popleft()
            target.in_flight += 1
            task = asyncio.create_task(self._attempt(target, d))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._arm(target, now)
        if target.idle and self._targets.get(target.key) is target:
            # A timer of an emptied queue may still fire; it must not remove a newer queue
            # of the same target.
            del self._targets[target.key]

    def _arm(self, target: _Target, now: float) -> None:
        """Set the target's timer for its next due delivery or the end of its cooldown."""
        assert self._loop is not None
        when = target.waiting[0][0] if target.waiting else math.inf
        if target.ready and target.breaker.state is CircuitState.OPEN:
            when = min(when, target.breaker.open_until)
        if when == math.inf or (target.timer is not None and target.timer_at <= when):
            return
        if target.timer is not None:
            target.timer.cancel()
        target.timer_at = when
        target.timer = self._loop.call_at(when, self._on_timer, target)

    def _on_timer(self, target: _Target) -> None:
        target.timer = None
        target.timer_at = math.inf
        self._pump(target)

    # Sending

    async def _attempt(self, target: _Target, d: Delivery) -> None:
        status: int | None = None
        error: str | None = None
        key = target.key
        try:
            if key.endpoint_id is not None:
                endpoint = await self._directory.endpoint(key.endpoint_id)
                if endpoint is None:
                    self._settle(target, d, None, "endpoint deleted", final=True)
                    return
                if not endpoint.active:
                    self._park(target, d)
                    return
                url, secret = endpoint.url, endpoint.secret
            else:
                assert key.url is not None
                url, secret = key.url, await self._directory.callback_secret(key.account_id)
            headers = signature.headers(
                secret, int(time.time()), d.body, str(d.event_id), d.event_type
            )
            status = await self._client.post(url, headers, d.body, self.settings.timeout_s)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except RequestError as exc:
            error = str(exc)
        except Exception as exc:  # a bug here must not lose the delivery: it is retried
            log.exception("webhook attempt failed", delivery_id=d.id)
            error = f"internal error: {exc!r}"[:255]
        self._settle(target, d, status, error)

    def _park(self, target: _Target, d: Delivery) -> None:
        """The endpoint is inactive: keep its queue, send nothing until it is resumed."""
        target.in_flight -= 1
        target.paused = True
        target.breaker.abandon_probe()
        target.ready.appendleft(d)

    def _settle(
        self,
        target: _Target,
        d: Delivery,
        status: int | None,
        error: str | None,
        *,
        final: bool = False,
    ) -> None:
        assert self._loop is not None
        target.in_flight -= 1
        if target.dropped:
            return
        now = self._loop.time()
        at_ms = now_ms()
        d.attempts += 1
        d.last_status, d.last_error = status, error
        policy = self.settings.retry
        if error is None:
            self._record(d, DELIVERED)
            self._advance(target, d)
            if target.breaker.succeeded():
                self._release_waiting(target, now)
        else:
            if final:
                target.breaker.abandon_probe()
            else:
                target.breaker.failed(now)
            if final or policy.gives_up(d.queued_at_ms, at_ms):
                self._record(d, DEAD)
                self._advance(target, d)
            else:
                delay = policy.delay_s(d.attempts, self._rng)
                d.due = now + delay
                self._record(d, PENDING, at_ms + int(delay * 1000))
                heapq.heappush(target.waiting, (d.due, d.id, d))
            if target.breaker.state is CircuitState.OPEN:
                self._expire_overdue(target, at_ms)
        self._pump(target)

    def _release_waiting(self, target: _Target, now: float) -> None:
        """The circuit closed: what waited for a retry goes now, not after its own backoff."""
        for _, _, d in sorted(target.waiting, key=lambda w: w[1]):
            d.due = now
            target.ready.append(d)
        target.waiting.clear()

    def _expire_overdue(self, target: _Target, at_ms: int) -> None:
        """While the circuit is open nothing is tried, but the retry period still ends:
        chain heads past it become dead, and so do their successors past it."""
        policy = self.settings.retry
        while True:
            heads = [*target.ready, *(w[2] for w in target.waiting)]
            overdue = {d.id for d in heads if policy.gives_up(d.queued_at_ms, at_ms)}
            if not overdue:
                return
            target.ready = deque(d for d in target.ready if d.id not in overdue)
            target.waiting = [w for w in target.waiting if w[1] not in overdue]
            heapq.heapify(target.waiting)
            for d in heads:
                if d.id in overdue:
                    d.last_error = d.last_error or "circuit open"
                    self._record(d, DEAD)
                    self._advance(target, d)

    # Loading from the store

    def _maybe_refill(self, target: _Target) -> None:
        room = self.settings.queue_per_target - len(target.items)
        if target.overflow and not target.refilling and room >= len(target.items):
            target.refilling = True
            task = asyncio.create_task(self._refill(target, room))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _refill(self, target: _Target, room: int) -> None:
        after = target.loaded_upto

        # A write job, though it only reads: it then runs in order with the outcome writes, so
        # a delivery settled here but not yet written cannot come back as pending unseen (it
        # is still in _unflushed when the answer arrives).
        async def job(tx: Tx) -> list[repo.StoredDelivery]:
            return await repo.pending_of(tx.conn, target.key, after, room)

        try:
            rows = await self._db.write(job)
        except Exception:
            log.exception("loading webhook deliveries failed", target=str(target.key))
            target.refilling = False
            assert self._loop is not None
            self._loop.call_later(REFILL_RETRY_S, self._maybe_refill, target)
            return
        assert self._loop is not None
        loop_now, wall_now = self._loop.time(), now_ms()
        for row in rows:
            if row.id not in target.items and row.id not in self._unflushed:
                due = loop_now + max(0, row.next_at - wall_now) / 1000
                self._add(target, Delivery.stored(row, due))
        if rows:
            target.loaded_upto = max(target.loaded_upto, rows[-1].id)
        target.overflow = len(rows) >= room
        if target.rewound_to is not None:
            target.loaded_upto = min(target.loaded_upto, target.rewound_to)
            target.overflow = True
            target.rewound_to = None
        buffered, target.buffer = target.buffer, []
        target.refilling = False
        for d in buffered:
            if d.id > target.loaded_upto:
                self._offer_one(target, d)
        self._maybe_refill(target)
        self._pump(target)

    # Writing outcomes

    def _record(self, d: Delivery, state: str, next_at: int = 0) -> None:
        self._unflushed[d.id] = Outcome(
            d.id, state, d.attempts, next_at, d.last_status, d.last_error and d.last_error[:255]
        )
        self._dirty.set()

    async def _flush_loop(self) -> None:
        while True:
            await self._dirty.wait()
            await asyncio.sleep(self.settings.flush_delay_s)
            self._dirty.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("writing webhook outcomes failed; retrying")
                await asyncio.sleep(1.0)
                self._dirty.set()

    async def _flush(self) -> None:
        batch = dict(self._unflushed)
        if not batch:
            return

        async def job(tx: Tx) -> None:
            await repo.record_outcomes(tx.conn, list(batch.values()), now_ms())

        await self._db.write(job)
        for delivery_id, outcome in batch.items():
            if self._unflushed.get(delivery_id) is outcome:
                del self._unflushed[delivery_id]
