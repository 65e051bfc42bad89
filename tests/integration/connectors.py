"""Connectors for tests: each plays one upstream behaviour the dispatcher must handle."""

from __future__ import annotations

import asyncio
import itertools

from smsgate.connectors.base import Connector, Link, Sink, SubmitError
from smsgate.domain.inbound import Concat, InboundSms
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report
from smsgate.domain.status import Status
from smsgate.services.clock import now_ms


class RecordingConnector(Connector):
    """Accepts everything after `latency` seconds; remembers order and peak concurrency."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        window: int = 100,
        throughput: float | None = None,
        sender_throughput: float | None = None,
        name: str = "upstream",
    ):
        super().__init__(
            name, throughput=throughput, window=window, sender_throughput=sender_throughput
        )
        self.latency = latency
        self.submitted: list[OutboundMessage] = []
        self.submit_times: list[float] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.sink: Sink | None = None
        self._ids = itertools.count(1)

    async def start(self, sink: Sink) -> None:
        self.sink = sink

    async def stop(self) -> None:
        pass

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        self.submit_times.append(asyncio.get_running_loop().time())
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            self.submitted.append(message)
            return tuple(f"{self.name}-{next(self._ids)}" for _ in range(message.parts))
        finally:
            self.in_flight -= 1

    async def report(
        self, upstream_id: str, status: Status, error: str | None = None, raw: str | None = None
    ) -> None:
        assert self.sink is not None
        await self.sink.report(Report(self.name, upstream_id, status, now_ms(), error, raw))

    async def mo(
        self, sender: str, recipient: str, text: str, concat: Concat | None = None
    ) -> None:
        """A subscriber's message arriving through this upstream."""
        assert self.sink is not None
        await self.sink.inbound(
            InboundSms(self.name, sender, recipient, text, now_ms(), concat=concat)
        )


class RefusingConnector(RecordingConnector):
    """Refuses the first `times` submits of every message with the given error."""

    def __init__(
        self, code: str, *, temporary: bool, times: int = 1_000_000, name: str = "upstream"
    ):
        super().__init__(name=name)
        self.code = code
        self.temporary = temporary
        self.times = times
        self.attempts: dict[int, int] = {}

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        self.attempts[message.id] = self.attempts.get(message.id, 0) + 1
        if self.attempts[message.id] <= self.times:
            raise SubmitError(self.code, "refused by test upstream", temporary=self.temporary)
        return await super().submit(message)


class EarlyReportingConnector(RecordingConnector):
    """Delivers the report before answering the submit, as a racing upstream can."""

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        ids = await super().submit(message)
        for upstream_id in ids:
            await self.report(upstream_id, Status.DELIVERED)
        return ids


class HangingConnector(RecordingConnector):
    """Never answers the first submit of each message; answers retries at once."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[int, int] = {}

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        self.calls[message.id] = self.calls.get(message.id, 0) + 1
        if self.calls[message.id] == 1:
            await asyncio.Event().wait()
        return await super().submit(message)


class OutageConnector(RecordingConnector):
    """Its link is down (nothing claimed for it, not up for routing) until `up` is set."""

    def __init__(self, *, name: str, up: bool = False):
        super().__init__(name=name)
        self.up = up

    def accepting(self) -> bool:
        return self.up

    def link(self) -> Link:
        return Link(state="up" if self.up else "connecting")
