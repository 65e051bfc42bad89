"""The built-in simulator: an upstream that answers after a configurable latency and reports
outcomes drawn from a configurable mix.

Subscribers answer a configurable share of the delivered messages (`reply_rate`) with one of
the `reply_texts`, sent to the message's numeric sender or, without one, to the simulator's
own `number`; an alphanumeric sender cannot be answered, as on a real network.

It behaves like a real upstream across our restarts: upstream ids are derived from message ids
(so they never repeat), the outcome of a message depends only on the seed and its id (so a
seed reproduces a run whatever the order of submits), and at start it reports on every part
that was still waiting when the process stopped.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import random
from dataclasses import dataclass, replace
from weakref import WeakSet

import structlog
from pydantic import ConfigDict

from smsgate.config import SimulatorSettings
from smsgate.connectors.base import Connector, Sink
from smsgate.domain.delivery_errors import DeliveryError
from smsgate.domain.inbound import InboundSms
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report
from smsgate.domain.status import Status
from smsgate.services.clock import now_ms

log = structlog.get_logger(__name__)

_TWO_64 = 1 << 64
_MASK = _TWO_64 - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _splitmix64(x: int) -> int:
    """A well-mixed 64-bit hash (Steele, Lea, Flood: SplitMix64's output function)."""
    z = (x + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


# The simulator's own error codes on failed outcomes (SMPP network error codes of GSM), and
# what they mean in the normalised vocabulary.
_ERROR_FOR = {
    Status.UNDELIVERED: ("GSM-027", DeliveryError.ABSENT_SUBSCRIBER),
    Status.EXPIRED: ("GSM-000", DeliveryError.EXPIRED),
    Status.REJECTED: ("GSM-001", DeliveryError.INVALID_NUMBER),
}


@dataclass(frozen=True, slots=True)
class OutcomeMix:
    delivered: float = 1.0
    undelivered: float = 0.0
    expired: float = 0.0
    rejected: float = 0.0

    def weights(self) -> tuple[list[Status], list[float]]:
        pairs = [
            (Status.DELIVERED, self.delivered),
            (Status.UNDELIVERED, self.undelivered),
            (Status.EXPIRED, self.expired),
            (Status.REJECTED, self.rejected),
        ]
        pairs = [(s, w) for s, w in pairs if w > 0]
        if not pairs:
            raise ValueError("the outcome mix needs at least one positive weight")
        return [s for s, _ in pairs], [w for _, w in pairs]


@dataclass(frozen=True, slots=True)
class Replies:
    rate: float = 0.0  # share of delivered messages answered
    texts: tuple[str, ...] = ("OK",)
    delay_ms: float = 1000.0  # after the delivery report
    number: str = "+15550100000"  # answered when a message had no sender

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("the reply rate is a share between 0 and 1")
        if self.rate and not self.texts:
            raise ValueError("replies need at least one text")


_REPLY_SALT = 0x5EED_12E9_1E5


def upstream_id(message_id: int, part: int) -> str:
    return f"sim-{message_id}-{part}"


def message_of(upstream: str) -> int:
    return int(upstream.split("-")[1])


class SimulatorConnector(Connector):
    def __init__(
        self,
        name: str = "simulator",
        *,
        submit_latency_ms: float = 0.0,
        report_delay_ms: float = 0.0,
        mix: OutcomeMix | None = None,
        seed: int | None = None,
        throughput: float | None = None,
        sender_throughput: float | None = None,
        window: int = 100,
        replies: Replies | None = None,
    ):
        super().__init__(
            name, throughput=throughput, window=window, sender_throughput=sender_throughput
        )
        self._replies = replies or Replies()
        self._latency = submit_latency_ms / 1000
        self._report_delay = report_delay_ms / 1000
        self._outcomes, weights = (mix or OutcomeMix()).weights()
        self._cumulative = list(itertools.accumulate(weights))
        self._seed = seed if seed is not None else random.getrandbits(32)
        self._sink: Sink | None = None
        self._timers: WeakSet[asyncio.TimerHandle] = WeakSet()
        self._ready: list[Report] = []
        self._flushing: asyncio.Task[None] | None = None
        self._answering: set[asyncio.Task[None]] = set()

    async def start(self, sink: Sink) -> None:
        self._sink = sink
        resumed = await sink.awaiting_reports(self.name)
        for upstream in resumed:
            self._report_later((upstream,), self.outcome(message_of(upstream)))
        if resumed:
            log.info("simulator owes reports from before the restart", count=len(resumed))

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)
        await asyncio.gather(*self._answering, return_exceptions=True)

    def outcome(self, message_id: int) -> Status:
        """The fate of a message: the same for the same seed and id.

        SplitMix64 of (seed, id) instead of a seeded Random per message, which cost a fifth
        of the dispatch loop's time."""
        point = _splitmix64(message_id + self._seed * _GOLDEN) / _TWO_64 * self._cumulative[-1]
        return self._outcomes[bisect.bisect_right(self._cumulative, point)]

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        if self._latency:
            await asyncio.sleep(self._latency)
        ids = tuple(upstream_id(message.id, n) for n in range(1, message.parts + 1))
        outcome = self.outcome(message.id)
        self._report_later(ids, outcome)
        reply = self.reply(message) if outcome is Status.DELIVERED else None
        if reply is not None:
            self._answer_later(reply)
        return ids

    def reply(self, message: OutboundMessage) -> InboundSms | None:
        """The subscriber's answer to a delivered message, if they answer (the same for the
        same seed and id)."""
        replies = self._replies
        if not replies.rate or (message.sender and not message.sender.lstrip("+").isdigit()):
            return None
        draw = _splitmix64(message.id ^ (_REPLY_SALT + self._seed * _GOLDEN))
        if draw / _TWO_64 >= replies.rate:
            return None
        return InboundSms(
            connector=self.name,
            sender=message.recipient,
            recipient=message.sender or replies.number,
            text=replies.texts[draw % len(replies.texts)],
            at_ms=0,  # set when it is sent
            upstream_id=f"sim-mo-{message.id}",
        )

    def _answer_later(self, reply: InboundSms) -> None:
        delay = self._report_delay + self._replies.delay_ms / 1000
        timer = asyncio.get_running_loop().call_later(delay, self._answer, reply)
        self._timers.add(timer)

    def _answer(self, reply: InboundSms) -> None:
        task = asyncio.create_task(self._send_answer(replace(reply, at_ms=now_ms())))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def _send_answer(self, reply: InboundSms) -> None:
        assert self._sink is not None
        try:
            await self._sink.inbound(reply)
        except Exception:
            log.exception("simulator could not deliver a reply", to=reply.recipient)

    def _report_later(self, upstream_ids: tuple[str, ...], outcome: Status) -> None:
        # A timer per message and one flush for all reports due together: a task per report
        # would cost more than the rest of the simulated upstream.
        timer = asyncio.get_running_loop().call_later(
            self._report_delay, self._due, upstream_ids, outcome
        )
        self._timers.add(timer)

    def _due(self, upstream_ids: tuple[str, ...], outcome: Status) -> None:
        at = now_ms()
        raw, code = _ERROR_FOR.get(outcome, (None, None))
        self._ready.extend(
            Report(self.name, uid, outcome, at, error_code=code, error_raw=raw)
            for uid in upstream_ids
        )
        if self._flushing is None:
            self._flushing = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        assert self._sink is not None
        try:
            while self._ready:
                ready, self._ready = self._ready, []
                try:
                    await self._sink.reports(ready)
                except Exception:
                    # The parts stay 'sent'; a restart resumes them (awaiting_reports).
                    log.exception("simulator could not deliver reports", count=len(ready))
        finally:
            self._flushing = None


class SimulatorOptions(SimulatorSettings):
    """The options of a `simulator` connector: the `[simulator]` settings, spelt exactly."""

    model_config = ConfigDict(extra="forbid")


def simulator_from_options(name: str, options: SimulatorSettings) -> SimulatorConnector:
    return SimulatorConnector(
        name,
        submit_latency_ms=options.submit_latency_ms,
        report_delay_ms=options.report_delay_ms,
        mix=OutcomeMix(options.delivered, options.undelivered, options.expired, options.rejected),
        seed=options.seed,
        throughput=options.throughput,
        sender_throughput=options.sender_throughput,
        window=options.window,
        replies=Replies(
            rate=options.reply_rate,
            texts=tuple(options.reply_texts),
            delay_ms=options.reply_delay_ms,
            number=options.number,
        ),
    )
