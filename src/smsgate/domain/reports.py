"""How the reports of a message's parts add up to the status of the message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smsgate.domain.status import Status

_PART_FAILURES = frozenset({Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED, Status.FAILED})


@dataclass(frozen=True, slots=True)
class Report:
    """A delivery report for one part, as the upstream identifies it."""

    connector: str
    upstream_id: str
    status: Status  # delivered, undelivered, expired, rejected (or sent for an intermediate)
    at_ms: int
    error_code: str | None = None  # normalised (domain/delivery_errors.py)
    error_raw: str | None = None  # as the upstream gave it

    def state_of_part(self, part_no: int) -> PartState:
        return PartState(part_no, self.status, self.at_ms, self.error_code, self.error_raw)


@dataclass(frozen=True, slots=True)
class PartState:
    part_no: int
    status: Status
    at_ms: int
    error_code: str | None = None
    error_raw: str | None = None


def rollup(parts: Sequence[PartState], total: int) -> PartState | None:
    """The message status the parts imply, or None while it is still open.

    Delivered only when every part is delivered; the first permanent failure (earliest report)
    decides the message's failure status and its reason.
    """
    failures = [p for p in parts if p.status in _PART_FAILURES]
    if failures:
        return min(failures, key=lambda p: (p.at_ms, p.part_no))
    delivered = [p for p in parts if p.status is Status.DELIVERED]
    if total > 0 and len(delivered) >= total:
        return max(delivered, key=lambda p: (p.at_ms, p.part_no))
    return None
