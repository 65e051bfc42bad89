"""The connector interface: everything the dispatcher needs from a delivery channel.

A connector submits one message at a time (the dispatcher keeps up to `window` submits in
flight and paces them to `throughput`), and reports what happens later through the `Sink` it
is given at start. SMPP upstreams, Android phones and HTTP providers implement this next.

Live state: the dispatcher counts submits, refusals and what is in flight in `counters` (plain
ints, bumped on the submit path), the sink it hands to `start` counts reports and inbound
messages, and `status()` puts them together with what `link()` says of the connection. A
connector with a link of its own (SMPP binds) overrides `link()`, and records a link failure
with `self.counters.error(...)` so it shows as the last error.
"""

from __future__ import annotations

import abc
import time
from collections import deque
from collections.abc import Sequence
from typing import Literal, Protocol

import msgspec

from smsgate.domain.inbound import InboundSms
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report
from smsgate.services.clock import now_ms

LinkState = Literal["up", "down", "connecting", "disabled"]
RATE_SPAN_S = 10.0  # submitted/s is measured over about this long


class Sink(Protocol):
    """What the core offers a connector. Each call returns once the fact is committed, so a
    connector may acknowledge upstream (e.g. deliver_sm_resp) only after it returns."""

    async def report(self, report: Report) -> None: ...

    async def reports(self, reports: Sequence[Report]) -> None:
        """Many reports at once, for upstreams that deliver them in bulk."""
        ...

    async def awaiting_reports(self, connector: str) -> list[str]:
        """Upstream ids of this connector's parts still waiting for a final report: what an
        upstream that must be polled, or a simulator restarted with us, picks up again."""
        ...

    async def inbound(self, sms: InboundSms) -> None:
        """A message (or one part of a long one) a subscriber sent to one of our numbers."""
        ...


class SubmitError(Exception):
    """The upstream refused a message. `temporary` ones are retried; the rest fail it."""

    def __init__(self, code: str, detail: str, *, temporary: bool):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.temporary = temporary


class BindStatus(msgspec.Struct, frozen=True):
    """One connection of a connector to its upstream (an SMPP bind)."""

    mode: str  # transmitter, receiver, transceiver
    state: str  # e.g. bound, connecting, down
    since: int  # epoch ms of the last change of state
    in_flight: int = 0  # our requests on this connection not answered yet


class Link(msgspec.Struct, frozen=True):
    """What a connector says of its connection: `Connector.link()`."""

    state: LinkState = "up"
    binds: list[BindStatus] = msgspec.field(default_factory=list)
    # Counts only this kind of connector keeps (SMPP: throttles, refusals by status).
    counters: dict[str, int] = msgspec.field(default_factory=dict)


class ConnectorStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A connector's live state as one node sees it (stored as JSON in connector_status)."""

    state: LinkState
    binds: list[BindStatus] = msgspec.field(default_factory=list)
    window: int
    in_flight: int
    rate: float  # messages submitted per second, over the last ~10 s
    submitted: int  # totals since the connector started on this node
    submit_errors: int
    reports: int
    inbound: int
    last_error: str | None = None
    last_error_at: int | None = None  # epoch ms
    counters: dict[str, int] = msgspec.field(default_factory=dict)  # the kind's own (Link)


class Counters:
    """Totals kept on the busy paths: plain int attributes, no allocation per message."""

    __slots__ = (
        "_samples",
        "in_flight",
        "inbound",
        "last_error",
        "last_error_at",
        "reports",
        "submit_errors",
        "submitted",
    )

    def __init__(self) -> None:
        self.submitted = 0
        self.submit_errors = 0
        self.in_flight = 0
        self.reports = 0
        self.inbound = 0
        self.last_error: str | None = None
        self.last_error_at: int | None = None
        # (monotonic time, submitted) as seen by rate(): the rate is the slope since the
        # oldest sample of the last RATE_SPAN_S.
        self._samples: deque[tuple[float, int]] = deque()

    def error(self, text: str) -> None:
        self.last_error = text
        self.last_error_at = now_ms()

    def rate(self, now: float | None = None) -> float:
        """Messages submitted per second over about the last RATE_SPAN_S (0 on the first call).
        Each call takes a sample, so calls every few seconds (the status reporter) suffice."""
        now = time.monotonic() if now is None else now
        samples = self._samples
        samples.append((now, self.submitted))
        # Keep one sample older than the span as the base of the slope.
        while len(samples) > 1 and samples[1][0] <= now - RATE_SPAN_S:
            samples.popleft()
        start, base = samples[0]
        return (self.submitted - base) / (now - start) if now > start else 0.0


class Connector(abc.ABC):
    def __init__(
        self,
        name: str,
        *,
        throughput: float | None,
        window: int,
        sender_throughput: float | None = None,
    ):
        if window < 1:
            raise ValueError("window must be at least 1")
        self.name = name
        self.throughput = throughput  # messages per second; None = as fast as the window allows
        self.window = window  # submits in flight at most
        # Messages per second of each sender name; the dispatcher defers the rest.
        self.sender_throughput = sender_throughput
        self.counters = Counters()

    def accepting(self) -> bool:
        """Whether a submit could go out now. While it is False the dispatcher claims nothing
        for this connector, so an upstream that is down keeps its messages queued instead of
        failing them one retry at a time."""
        return True

    def link(self) -> Link:
        """The state of the connection to the upstream. Override when there is one to show
        (SMPP: "up" while a bind is bound, "connecting" while none is yet, with each bind)."""
        return Link()

    def status(self) -> ConnectorStatus:
        link = self.link()
        c = self.counters
        return ConnectorStatus(
            state=link.state,
            binds=link.binds,
            window=self.window,
            in_flight=c.in_flight,
            rate=round(c.rate(), 1),
            submitted=c.submitted,
            submit_errors=c.submit_errors,
            reports=c.reports,
            inbound=c.inbound,
            last_error=c.last_error,
            last_error_at=c.last_error_at,
            counters=link.counters,
        )

    @abc.abstractmethod
    async def start(self, sink: Sink) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        """Submit a message; return the upstream id of each part. Raises SubmitError."""
