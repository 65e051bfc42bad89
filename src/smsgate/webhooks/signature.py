"""Webhook signatures: HMAC-SHA256 over "<unix seconds>.<body>", sent with the time it covers.

    Smsgate-Signature: t=1767225600,v1=<64 hex digits>

The receiver recomputes the HMAC with its endpoint's secret and refuses a signature whose `t` is
further than the tolerance from its own clock, so a captured request cannot be replayed later.
A future scheme would add `v2=`; receivers ignore the keys they do not know.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Smsgate-Signature"
EVENT_ID_HEADER = "Smsgate-Event-Id"
EVENT_TYPE_HEADER = "Smsgate-Event-Type"
DEFAULT_TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def headers(
    secret: str, timestamp: int, body: bytes, event_id: str, event_type: str
) -> list[tuple[str, str]]:
    return [
        (SIGNATURE_HEADER, signature_header(secret, timestamp, body)),
        (EVENT_ID_HEADER, event_id),
        (EVENT_TYPE_HEADER, event_type),
    ]


def verify(
    secret: str, header: str, body: bytes, now: float, tolerance: float = DEFAULT_TOLERANCE_S
) -> bool:
    """True when `header` carries a v1 signature of `body` under `secret`, made within
    `tolerance` seconds of `now` (either side: clocks drift both ways)."""
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
