"""Claims due messages in batches, hands them to connectors within their window and pace,
and records what came back.

Delivery is at-least-once: a message is claimed (a lease in the store) before it is submitted,
and the lease ends only when the submit's outcome is committed. After a crash the messages of
unfinished leases are submitted again: at most two windows of them (see `_Lane`), which bounds
the duplicates.

Connectors come and go while it runs (`add`, `remove`: the connector reconciler applies what
operators define). A lane being removed stops claiming, gives back what it claimed but had not
submitted yet, and waits for its submits in flight to be recorded before the connector stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import math
import time
from collections import deque
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from smsgate.batching import Batcher
from smsgate.connectors.base import Connector, ConnectorStatus, Counters, Sink, SubmitError
from smsgate.dispatch.router import Router
from smsgate.dispatch.throttle import Pacer, Schedules, SenderPacer
from smsgate.domain.inbound import InboundSms
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report
from smsgate.domain.status import Status
from smsgate.services import counters as shared
from smsgate.services.clock import now_ms
from smsgate.services.reports import apply_reports
from smsgate.store import messages, parts
from smsgate.store.database import Database, Tx

log = structlog.get_logger(__name__)

LEASE_MS = 5 * 60_000
# A submit still unanswered after this is given up as a temporary failure, well inside the
# lease, so a hung upstream cannot hold a window slot forever or outlive its lease.
SUBMIT_TIMEOUT_S = 60.0
EXPIRY_SWEEP_S = 5.0
IDLE_POLL_S = 1.0
RETRY_BASE_MS = 1_000
RETRY_MAX_MS = 10 * 60_000
MAX_ATTEMPTS = 10
URGENT_CLAIM = 20  # most messages an urgent claim takes when the buffer is full
PREFETCH_MIN = 100
# A message over its sender's pace waits in the lane when its turn is this close; later turns
# go back to the store until then (dispatch/throttle.SenderPacer).
SENDER_HOLD_S = 1.0


@dataclass(frozen=True, slots=True)
class _Outcome:
    message: OutboundMessage
    connector: str
    upstream_ids: tuple[str, ...] | None = None  # set when submitted
    error: SubmitError | None = None  # set when refused
    expired: bool = False
    deferred_until: int | None = None  # set when put off for its sender's pace (epoch ms)
    # When the upstream answered: the time the message became sent, not the (later) time its
    # outcome was committed among others.
    at_ms: int = field(default_factory=now_ms)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        sink: Sink,
        *,
        node: str = "node-0",
        batch: int = 500,
        router: Router | None = None,
        counters: shared.Counters | None = None,
    ):
        """`counters`: where connectors' and senders' paces are booked; Redis ones make
        every node running a connector keep its caps together."""
        self._db = db
        self._router = router or Router()  # for re-routes on permanent refusals
        self._connectors: dict[str, Connector] = {}
        self._sink = sink
        self._node = node
        self.schedules = Schedules(counters or shared.MemoryCounters())
        self.batch = batch  # most messages one claim takes
        self._lanes: dict[str, _Lane] = {}  # of the connectors started
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        self._started = False
        self._results: Batcher[_Outcome] = Batcher(
            self._record, max_items=2000, max_delay=0.002, name="dispatch-results"
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._scheduler_wake = asyncio.Event()
        self.resubmitted_after_restart = 0

    @property
    def connectors(self) -> dict[str, Connector]:
        return self._connectors

    @property
    def node(self) -> str:
        return self._node

    def statuses(self) -> dict[str, ConnectorStatus]:
        """The live state of every connector running here (a connector whose status() fails
        is left out and logged: live state must never stop the dispatcher's owner)."""
        statuses = {}
        for name, lane in self._lanes.items():
            try:
                statuses[name] = lane.connector.status()
            except Exception:
                log.exception("connector status failed", connector=name)
        return statuses

    async def add(self, connector: Connector) -> None:
        """Run another connector (at once when the dispatcher runs, else from `start`)."""
        if connector.name in self._connectors:
            raise ValueError(f"connector {connector.name} runs already")
        self._connectors[connector.name] = connector
        if self._started:
            try:
                await self._launch(connector)
            except BaseException:
                del self._connectors[connector.name]
                raise

    async def remove(self, name: str) -> None:
        """Stop a connector: no new claims; its submits in flight finish and are recorded
        first. Its queued messages stay queued for it."""
        connector = self._connectors.pop(name)
        lane = self._lanes.pop(name, None)
        if lane is None:
            return
        lane.close()
        await self._lane_tasks.pop(name)
        await lane.drain()
        await connector.stop()

    async def _launch(self, connector: Connector) -> None:
        await connector.start(_CountingSink(self._sink, connector.counters))
        lane = _Lane(self, connector)
        self._lanes[connector.name] = lane
        self._lane_tasks[connector.name] = asyncio.create_task(
            lane.run(), name=f"lane-{connector.name}"
        )

    async def start(self) -> None:
        async def recover(tx: Tx) -> int:
            return await messages.release_node_claims(tx, self._node)

        self.resubmitted_after_restart = await self._db.write(recover)
        if self.resubmitted_after_restart:
            log.warning(
                "resubmitting messages claimed before a restart",
                count=self.resubmitted_after_restart,
                note="at-least-once: the upstream may see these twice",
            )
        self._results.start()
        self._started = True
        for connector in list(self._connectors.values()):
            await self._launch(connector)
        self._tasks = [
            asyncio.create_task(self._schedule_loop(), name="scheduler"),
            asyncio.create_task(self._expiry_loop(), name="expiry"),
        ]

    async def stop(self) -> None:
        for lane in self._lanes.values():
            lane.close()
        await asyncio.gather(*self._lane_tasks.values(), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Submits in flight finish (bounded by the connector's own timeouts) and their outcomes
        # are committed, so a clean stop leaves no lease behind.
        await asyncio.gather(*(lane.drain() for lane in self._lanes.values()))
        await self._results.close()
        for lane in self._lanes.values():
            await lane.connector.stop()

    def wake(self, connectors: Iterable[str], *, urgent: bool = False) -> None:
        for name in connectors:
            lane = self._lanes.get(name)
            if lane is not None:
                lane.wake(urgent=urgent)

    def wake_scheduler(self) -> None:
        self._scheduler_wake.set()

    async def claim(
        self, connector: str, limit: int, *, urgent: bool = False
    ) -> list[OutboundMessage]:
        """Claim due messages, urgent first. An `urgent` claim (urgent messages are waiting)
        is committed with the submits rather than behind the outcomes being recorded."""

        async def job(tx: Tx) -> list[OutboundMessage]:
            return await messages.claim(
                tx,
                connector=connector,
                node=self._node,
                limit=limit,
                now_ms=now_ms(),
                lease_ms=LEASE_MS,
            )

        return await self._db.write(job, background=not urgent)

    async def give_back(self, unsubmitted: Sequence[OutboundMessage]) -> None:
        ids = [m.id for m in unsubmitted]

        async def job(tx: Tx) -> None:
            await messages.give_back(tx, ids)

        try:
            await self._db.write(job)
        except Exception:  # the leases run out instead; nothing is lost
            log.exception("could not give claimed messages back", count=len(ids))

    def outcome(self, outcome: _Outcome) -> asyncio.Future[None]:
        """Record `outcome` with others; the future is done once it is committed."""
        return self._results.add_nowait(outcome)

    def hurry_outcomes(self) -> None:
        self._results.hurry()

    async def _record(self, outcomes: list[_Outcome]) -> None:
        now = now_ms()
        submitted = [
            messages.Submitted(o.message.id, o.connector, o.upstream_ids, o.at_ms)
            for o in outcomes
            if o.upstream_ids is not None
        ]
        retries = []
        finals = []
        rerouted = []
        deferred = [(o.message.id, o.deferred_until) for o in outcomes if o.deferred_until]
        for o in outcomes:
            if o.expired:
                finals.append(messages.Change(o.message.id, Status.EXPIRED, now, "expired"))
            elif o.error is not None:
                if o.error.temporary and o.message.attempt < MAX_ATTEMPTS:
                    retries.append((o.message.id, now + _backoff_ms(o.message.attempt)))
                elif not o.error.temporary and (
                    elsewhere := self._router.reroute(o.message, o.connector, now)
                ):
                    log.info(
                        "message re-routed",
                        message=o.message.id,
                        refused_by=o.connector,
                        error=o.error.code,
                        to=elsewhere,
                    )
                    rerouted.append(
                        messages.Rerouted(o.message.id, elsewhere, (*o.message.tried, o.connector))
                    )
                else:
                    finals.append(
                        messages.Change(
                            o.message.id, Status.FAILED, now, o.error.code, o.error.detail[:255]
                        )
                    )

        async def job(tx: Tx) -> None:
            await messages.record_submitted(tx, submitted)
            await tx.flush()
            by_connector: dict[str, list[str]] = {}
            for s in submitted:
                by_connector.setdefault(s.connector, []).extend(s.upstream_ids)
            for connector, upstream_ids in by_connector.items():
                await apply_reports(tx, await parts.unpark(tx, connector, upstream_ids))
            await messages.release(tx, retries)
            await messages.release(tx, deferred, attempted=False)
            await messages.reroute(tx, rerouted)
            await messages.apply_changes(tx, finals)
            await messages.end_leases(tx, [c.message_id for c in finals])

        await self._db.write(job, background=True)
        self.wake({r.connector for r in rerouted})

    async def _expiry_loop(self) -> None:
        """Messages whose validity ran out with no final report become expired.

        A carrier's late report still wins: expired may move on to delivered or undelivered.
        """
        while True:
            now = now_ms()

            async def expire(tx: Tx, now: int = now) -> int:
                overdue = await messages.overdue(tx, now, 5000)
                await messages.apply_changes(
                    tx, [messages.Change(mid, Status.EXPIRED, now, "expired") for mid in overdue]
                )
                await messages.end_leases(tx, overdue)
                return len(overdue)

            if await self._db.write(expire, background=True) < 5000:
                await asyncio.sleep(EXPIRY_SWEEP_S)

    async def _schedule_loop(self) -> None:
        """Moves scheduled messages to the queue when their time comes."""
        while True:
            now = now_ms()

            async def promote(tx: Tx, now: int = now) -> set[str]:
                due = await messages.due_scheduled(tx, now, 5000)
                await messages.apply_changes(
                    tx, [messages.Change(mid, Status.QUEUED, now) for mid, _ in due]
                )
                return {c for _, c in due if c is not None}

            woken = await self._db.write(promote, background=True)
            self.wake(woken)
            next_due = await self._db.read(messages.next_due_at)
            delay = IDLE_POLL_S if next_due is None else (next_due - now_ms()) / 1000
            self._scheduler_wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._scheduler_wake.wait(), min(max(delay, 0.01), 1.0))


def prefetch_depth(window: int, throughput: float | None, batch: int) -> int:
    """How many claimed messages a lane keeps ready: enough to cover a claim's round trip
    at the connector's rate (at least the window, and 100 so a small window to a fast
    upstream is not held up by claims of five), no more than a claim takes, and no more
    than a second's worth of a paced connector, so urgent messages do not queue behind
    long-claimed bulk ones."""
    depth = min(batch, max(window, PREFETCH_MIN))
    if throughput is not None:
        depth = min(depth, max(1, math.ceil(throughput)))
    return max(1, depth)


def _queue_order(message: OutboundMessage) -> tuple[int, int]:
    return message.lane, message.id


def _backoff_ms(attempt: int) -> int:
    return int(min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** max(attempt - 1, 0)))


class _CountingSink:
    """A connector's view of the sink: counts its reports and inbound messages for status().
    Plain methods handing on the sink's coroutine: no extra await per report."""

    __slots__ = ("_counters", "_sink")

    def __init__(self, sink: Sink, counters: Counters):
        self._sink = sink
        self._counters = counters

    def report(self, report: Report) -> Coroutine[Any, Any, None]:
        self._counters.reports += 1
        return self._sink.report(report)

    def reports(self, reports: Sequence[Report]) -> Coroutine[Any, Any, None]:
        self._counters.reports += len(reports)
        return self._sink.reports(reports)

    def awaiting_reports(self, connector: str) -> Coroutine[Any, Any, list[str]]:
        return self._sink.awaiting_reports(connector)

    def inbound(self, sms: InboundSms) -> Coroutine[Any, Any, None]:
        self._counters.inbound += 1
        return self._sink.inbound(sms)


class _Lane:
    """One connector's queue: keeps a few claimed messages ready and the window full.

    Claimed messages wait in `_ready` (urgent first) until a window slot is free; the lane
    claims more, in the background, once fewer than half of `depth` wait, so a submit never
    waits for a store round trip (claiming only when half the window was free left an SMSC
    answering in 20 ms three quarters busy: 3.7k msg/s where a window of 100 allows 5k).
    Messages waiting there were never submitted: they go back to the queue when the lane
    closes or its connector cannot submit, and after a crash with the node's other leases.

    A message holds a window slot while the connector submits it. Its outcome is then committed
    in the background, so the window is not held through the store's commit; up to another
    window of outcomes may wait for theirs. A crash can therefore leave at most two windows of
    messages submitted but unrecorded, which bounds the duplicates after a restart.
    """

    def __init__(self, dispatcher: Dispatcher, connector: Connector):
        self._dispatcher = dispatcher
        self.connector = connector
        self._counters = connector.counters
        schedules = dispatcher.schedules
        self._pacer = Pacer(
            schedules, connector.name, connector.throughput, burst=min(connector.window, 10)
        )
        self.depth = prefetch_depth(connector.window, connector.throughput, dispatcher.batch)
        self._ready: deque[OutboundMessage] = deque()
        # Messages whose sender must wait a little for its pace: (when, id, message).
        self._held: list[tuple[float, int, OutboundMessage]] = []
        rate = connector.sender_throughput
        self._senders = (
            SenderPacer(schedules, connector.name, rate, SENDER_HOLD_S) if rate else None
        )
        self._claiming: asyncio.Task[None] | None = None
        self._dry = False  # the last claim found nothing: wait for a wake or the idle poll
        self._urgent = False  # urgent messages were queued since the last claim began
        self._wakes = 0  # wakes so far: one during a claim that found nothing means look again
        self._tasks: set[asyncio.Future[None]] = set()  # submits, and deferrals being recorded
        self._submitting = 0
        self._recording = 0
        self._signal = asyncio.Event()  # room in the window, claimed messages, a wake
        self._closing = False

    def wake(self, *, urgent: bool = False) -> None:
        """Messages were queued for this connector: claim them; urgent ones at once, however
        many claimed messages are ready (they go ahead of those)."""
        self._dry = False
        self._urgent = self._urgent or urgent
        self._wakes += 1
        self._signal.set()

    def close(self) -> None:
        """Stop claiming; `run` returns once what it claimed is submitted or given back."""
        self._closing = True
        self._signal.set()

    async def run(self) -> None:
        window = self.connector.window
        paced = self.connector.throughput is not None
        try:
            while not self._closing:
                if not self.connector.accepting():
                    await self._hand_back()
                    await self._idle()
                    continue
                if self._urgent or len(self._ready) <= self.depth // 2:
                    self._claim()
                if (
                    self._submitting < window
                    and self._recording < window
                    and (message := await self._next()) is not None
                ):
                    if paced:
                        await self._pacer.wait()
                        if self._closing:
                            self._ready.appendleft(message)
                            break
                    self._start(message)
                    continue
                await self._idle()
        finally:
            if self._claiming is not None:
                await asyncio.gather(self._claiming, return_exceptions=True)
            await self._hand_back()

    async def _idle(self) -> None:
        """Wait for something to do; when the queue looked empty, poll it now and then."""
        self._signal.clear()
        timeout = IDLE_POLL_S
        if self._held:
            timeout = min(timeout, max(self._held[0][0] - time.monotonic(), 0.0))
        try:
            async with asyncio.timeout(timeout):
                await self._signal.wait()
        except TimeoutError:
            self._dry = False

    def _claim(self) -> None:
        if self._claiming is not None or self._dry or self._closing:
            return
        urgent, self._urgent = self._urgent, False
        # An urgent claim with the buffer full still takes the urgent messages (claims come
        # urgent first) and a few bulk ones behind them.
        limit = max(self.depth - len(self._ready), URGENT_CLAIM if urgent else 1)
        self._claiming = asyncio.create_task(self._claim_more(limit, urgent))

    async def _claim_more(self, limit: int, urgent: bool) -> None:
        wakes = self._wakes
        try:
            batch = await self._dispatcher.claim(self.connector.name, limit, urgent=urgent)
        except Exception:
            log.exception("claim failed", connector=self.connector.name)
            batch = []
        finally:
            self._claiming = None
        if not batch:
            self._dry = wakes == self._wakes
        elif self._ready and batch[0].lane < self._ready[-1].lane:
            # Urgent messages claimed behind bulk ones still waiting go first.
            self._ready = deque(sorted((*self._ready, *batch), key=_queue_order))
        else:
            self._ready.extend(batch)
        self._signal.set()

    async def _next(self) -> OutboundMessage | None:
        """The next message to submit: a held one whose turn came, else the first ready one
        whose sender may send now. Ready ones whose sender must wait are held until their turn,
        or deferred to the store when it is further off than SENDER_HOLD_S."""
        if self._senders is None:
            return self._ready.popleft() if self._ready else None
        if self._held and self._held[0][0] <= time.monotonic():
            return heapq.heappop(self._held)[2]
        while self._ready:
            message = self._ready.popleft()
            wait = await self._senders.wait(message.sender)
            if wait <= 0:
                return message
            if wait <= SENDER_HOLD_S:
                heapq.heappush(self._held, (time.monotonic() + wait, message.id, message))
            else:
                self._defer(message, now_ms() + math.ceil(wait * 1000))
        return None

    def _defer(self, message: OutboundMessage, until_ms: int) -> None:
        deferral = _Outcome(message, self.connector.name, deferred_until=until_ms)
        recorded = self._dispatcher.outcome(deferral)
        self._tasks.add(recorded)
        recorded.add_done_callback(self._tasks.discard)

    async def _hand_back(self) -> None:
        unsent = [*self._ready, *(held for _, _, held in self._held)]
        self._ready, self._held = deque(), []
        if unsent:
            await self._dispatcher.give_back(unsent)

    def _start(self, message: OutboundMessage) -> None:
        self._submitting += 1
        self._counters.in_flight += 1
        task = asyncio.create_task(self._submit(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _submit(self, message: OutboundMessage) -> None:
        name = self.connector.name
        if message.expires_at is not None and message.expires_at <= now_ms():
            outcome = _Outcome(message, name, expired=True)
        else:
            try:
                # asyncio.timeout, not wait_for: wait_for wraps every submit in a task of its own.
                async with asyncio.timeout(SUBMIT_TIMEOUT_S):
                    ids = await self.connector.submit(message)
                outcome = _Outcome(message, name, upstream_ids=ids)
                self._counters.submitted += 1
            except TimeoutError:
                outcome = _Outcome(
                    message,
                    name,
                    error=SubmitError(
                        "submit_timeout", f"no answer in {SUBMIT_TIMEOUT_S:g} s", temporary=True
                    ),
                )
            except SubmitError as err:
                outcome = _Outcome(message, name, error=err)
            except Exception as exc:  # a connector bug must not lose the message: retry it
                log.exception("connector raised", connector=name, message_id=message.id)
                outcome = _Outcome(
                    message, name, error=SubmitError("connector_error", repr(exc), temporary=True)
                )
            if outcome.error is not None:
                self._counters.submit_errors += 1
                self._counters.error(str(outcome.error))
        self._submitting -= 1
        self._counters.in_flight -= 1
        self._recording += 1
        self._signal.set()
        pending = self._dispatcher.outcome(outcome)
        if self._recording >= self.connector.window:
            # The lane submits nothing more until these are committed (a small window at a
            # fast upstream): do not wait for a bigger batch of outcomes.
            self._dispatcher.hurry_outcomes()
        try:
            await pending
        finally:
            self._recording -= 1
            self._signal.set()
