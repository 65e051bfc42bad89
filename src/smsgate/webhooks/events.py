"""The body of a webhook: one outbox event as JSON, the same bytes on every try."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

_encode = msgspec.json.Encoder().encode


def body(event_id: int, event_type: str, created_at_ms: int, payload: str) -> bytes:
    """`{"id", "type", "created_at", "data"}`; `payload` is the stored JSON text, spliced in
    as it is (the bytes depend only on the stored event, so a retry repeats them exactly)."""
    created = datetime.fromtimestamp(created_at_ms / 1000, UTC).isoformat(timespec="milliseconds")
    return _encode(
        {
            "id": str(event_id),
            "type": event_type,
            "created_at": created.replace("+00:00", "Z"),
            "data": msgspec.Raw(payload.encode()),
        }
    )
