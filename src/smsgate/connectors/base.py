"""The connector interface: everything the dispatcher needs from a delivery channel.

A connector submits one message at a time (the dispatcher keeps up to `window` submits in
flight and paces them to `throughput`), and reports what happens later through the `Sink` it
is given at start. SMPP upstreams, Android phones and HTTP providers implement this next.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Protocol

from smsgate.domain.inbound import InboundSms
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report


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


class Connector(abc.ABC):
    def __init__(self, name: str, *, throughput: float | None, window: int):
        if window < 1:
            raise ValueError("window must be at least 1")
        self.name = name
        self.throughput = throughput  # messages per second; None = as fast as the window allows
        self.window = window  # submits in flight at most

    @abc.abstractmethod
    async def start(self, sink: Sink) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        """Submit a message; return the upstream id of each part. Raises SubmitError."""
