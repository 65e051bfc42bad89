"""A stored outbound message as the core knows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from smsgate.domain.status import Status
from smsgate.domain.text import Encoding

URGENT_LANE = 0
NORMAL_LANE = 1


@dataclass(frozen=True, slots=True)
class PartDetail:
    """One part as the upstream knows it, with the last report about it."""

    part_no: int
    connector: str
    upstream_id: str
    status: Status
    error_code: str | None
    error_raw: str | None
    updated_at: int


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    account_id: int
    recipient: str
    sender: str | None
    text: str
    encoding: Encoding
    parts: int
    price: Decimal | None
    client_ref: str | None
    lane: int
    status: Status
    send_at: int | None
    expires_at: int | None
    connector: str | None
    upstream_id: str | None
    error_code: str | None
    error_raw: str | None
    error_detail: str | None
    status_callback: str | None = None
    reply_callback: str | None = None
    # Epoch ms at which each status was reached, in the order they happened.
    status_times: dict[Status, int] = field(default_factory=dict)
    # Filled when one message is read on its own (not in lists): empty before it is sent.
    part_details: tuple[PartDetail, ...] = ()

    @property
    def urgent(self) -> bool:
        return self.lane == URGENT_LANE

    @property
    def accepted_at(self) -> int:
        return self.status_times[Status.ACCEPTED]


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """What a connector needs to submit one message upstream."""

    id: int
    account_id: int
    recipient: str
    sender: str | None
    text: str
    encoding: Encoding
    parts: int
    client_ref: str | None
    lane: int
    expires_at: int | None
    attempt: int
    tried: tuple[str, ...] = ()  # connectors that refused it for good before this one

    @property
    def urgent(self) -> bool:
        return self.lane == URGENT_LANE
