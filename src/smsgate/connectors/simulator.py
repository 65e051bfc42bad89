"""The built-in simulator: an upstream that answers after a configurable latency and reports
outcomes drawn from a configurable mix. Reproducible under a seed."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from dataclasses import dataclass

from smsgate.connectors.base import Connector, Sink
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report
from smsgate.domain.status import Status
from smsgate.services.clock import now_ms

# Normalised error codes the simulator puts on failed outcomes.
_ERROR_FOR = {
    Status.UNDELIVERED: "absent_subscriber",
    Status.EXPIRED: "expired",
    Status.REJECTED: "network_rejected",
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
        window: int = 100,
    ):
        super().__init__(name, throughput=throughput, window=window)
        self._latency = submit_latency_ms / 1000
        self._report_delay = report_delay_ms / 1000
        self._outcomes, self._weights = (mix or OutcomeMix()).weights()
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._sink: Sink | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.counts: Counter[str] = Counter()

    async def start(self, sink: Sink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        if self._latency:
            await asyncio.sleep(self._latency)
        upstream_ids = tuple(f"sim-{next(self._ids)}" for _ in range(message.parts))
        # One draw per message, so every part of it shares the outcome (as on a real network
        # most of the time) and a seed gives the same outcome for the same submit order.
        outcome = self._random.choices(self._outcomes, self._weights)[0]
        self.counts["submitted"] += 1
        task = asyncio.create_task(self._report_later(upstream_ids, outcome))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return upstream_ids

    async def _report_later(self, upstream_ids: tuple[str, ...], outcome: Status) -> None:
        if self._report_delay:
            await asyncio.sleep(self._report_delay)
        assert self._sink is not None
        at = now_ms()
        await asyncio.gather(
            *(
                self._sink.report(
                    Report(self.name, uid, outcome, at, error_code=_ERROR_FOR.get(outcome))
                )
                for uid in upstream_ids
            )
        )
        self.counts[outcome.value] += 1

    def state(self) -> dict[str, object]:
        return {**super().state(), "kind": "simulator", "counts": dict(self.counts)}
