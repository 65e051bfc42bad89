"""The one status vocabulary of a message, and the order in which statuses may follow each other.

Reports from carriers arrive late, twice or out of order; `advance` decides which of them to keep,
so that a stored status only ever moves forward.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    ACCEPTED = "accepted"  # taken by smsgate, not yet handed to the dispatcher
    SCHEDULED = "scheduled"  # waiting for its send time
    QUEUED = "queued"  # with the dispatcher, being submitted to a connector
    SENT = "sent"  # the carrier took it
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    EXPIRED = "expired"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELED = "canceled"
    RECEIVED = "received"  # inbound messages only


FINAL: frozenset[Status] = frozenset(
    {
        Status.DELIVERED,
        Status.UNDELIVERED,
        Status.EXPIRED,
        Status.REJECTED,
        Status.FAILED,
        Status.CANCELED,
        Status.RECEIVED,
    }
)

_TERMINAL: frozenset[Status] = frozenset()

# current status -> the statuses that may replace it.
# A delivery report can overtake the carrier's answer to our submit, so a queued message may go
# straight to any outcome. "expired" is set by our own validity timer and is only a guess: a late
# real verdict from the carrier replaces it.
_NEXT: dict[Status, frozenset[Status]] = {
    Status.ACCEPTED: frozenset(
        {Status.SCHEDULED, Status.QUEUED, Status.REJECTED, Status.CANCELED, Status.FAILED}
    ),
    Status.SCHEDULED: frozenset(
        {Status.QUEUED, Status.CANCELED, Status.EXPIRED, Status.REJECTED, Status.FAILED}
    ),
    Status.QUEUED: frozenset(
        {
            Status.SENT,
            Status.DELIVERED,
            Status.UNDELIVERED,
            Status.EXPIRED,
            Status.REJECTED,
            Status.FAILED,
            Status.CANCELED,
        }
    ),
    Status.SENT: frozenset(
        {Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED, Status.FAILED}
    ),
    Status.EXPIRED: frozenset({Status.DELIVERED, Status.UNDELIVERED}),
    Status.DELIVERED: _TERMINAL,
    Status.UNDELIVERED: _TERMINAL,
    Status.REJECTED: _TERMINAL,
    Status.FAILED: _TERMINAL,
    Status.CANCELED: _TERMINAL,
    Status.RECEIVED: _TERMINAL,
}


def is_final(status: Status) -> bool:
    return status in FINAL


def can_transition(current: Status, new: Status) -> bool:
    return new in _NEXT.get(current, _TERMINAL)


def advance(current: Status, reported: Status) -> Status | None:
    """The status to store after `reported` arrives, or None when the report must be ignored.

    Repeated, backward and out-of-order reports (a late "sent" after "delivered") are ignored
    rather than refused: they are normal on the wire, not errors.
    """
    return reported if can_transition(current, reported) else None
