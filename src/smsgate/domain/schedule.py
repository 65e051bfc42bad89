"""When a message may be sent and until when it is worth delivering."""

from __future__ import annotations

from dataclasses import dataclass

from smsgate.domain.errors import DomainError, ErrorCode

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

MAX_SCHEDULE_AHEAD_MS = 366 * DAY_MS
MIN_VALIDITY_S = 60
MAX_VALIDITY_S = 7 * 24 * 3600
DEFAULT_VALIDITY_S = 72 * 3600


@dataclass(frozen=True, slots=True)
class Timing:
    send_at: int | None  # epoch ms when the message becomes due; None = now
    expires_at: int  # epoch ms after which it is not worth delivering


def resolve_timing(now_ms: int, send_at_ms: int | None, validity_s: int | None) -> Timing:
    """A past time means "now" (clocks differ); too far ahead or a bad validity is refused."""
    if validity_s is None:
        validity_s = DEFAULT_VALIDITY_S
    if not MIN_VALIDITY_S <= validity_s <= MAX_VALIDITY_S:
        raise DomainError(
            ErrorCode.INVALID_VALIDITY,
            f"validity must be between {MIN_VALIDITY_S} and {MAX_VALIDITY_S} seconds",
            field="validity",
        )
    if send_at_ms is not None and send_at_ms <= now_ms:
        send_at_ms = None
    if send_at_ms is not None and send_at_ms - now_ms > MAX_SCHEDULE_AHEAD_MS:
        raise DomainError(
            ErrorCode.INVALID_SCHEDULE,
            "a message can be scheduled at most 366 days ahead",
            field="send_at",
        )
    start = send_at_ms if send_at_ms is not None else now_ms
    return Timing(send_at=send_at_ms, expires_at=start + validity_s * 1000)
