"""The outbox: events written in the transaction that made the change.

Event types: `message.status` (a message moved to a new status), `inbound.received` (an
inbound message or reply was stored), `optout.changed` (a number opted out or back in).
The events API reads them from here and the webhook fan-out turns them into deliveries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import select

from smsgate.domain.pricing import amount_text
from smsgate.domain.status import Status
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import outbox

MESSAGE_STATUS = "message.status"
INBOUND_RECEIVED = "inbound.received"
OPTOUT_CHANGED = "optout.changed"
EVENT_TYPES = (MESSAGE_STATUS, INBOUND_RECEIVED, OPTOUT_CHANGED)

_COLUMNS = ("account_id", "message_id", "event", "payload", "callback_url", "created_at")
_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True, slots=True)
class Event:
    """An outbox row as readers see it."""

    id: int
    event: str
    payload: str  # JSON text
    created_at: int


async def after(conn: Conn, account_id: int, after_id: int, limit: int) -> list[Event]:
    """An account's events with ids above `after_id`, oldest first.

    Ids are handed out in commit order while one node writes (its store thread serialises
    every write), so a reader that remembers the last id it saw misses nothing.
    """
    rows = await conn.execute(
        select(outbox.c.id, outbox.c.event, outbox.c.payload, outbox.c.created_at)
        .where(outbox.c.account_id == account_id, outbox.c.id > after_id)
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return [Event(r.id, r.event, r.payload, r.created_at) for r in rows]


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to write. `subject` (a message or inbound id) orders the deliveries of
    events about the same thing; `callback_url` is a per-send callback it also goes to."""

    account_id: int
    event: str
    payload: dict[str, Any]
    at_ms: int
    subject: int | None = None
    callback_url: str | None = None


def defer_events(tx: Tx, events: Sequence[NewEvent]) -> None:
    tx.defer_insert(
        outbox,
        _COLUMNS,
        [
            (
                e.account_id,
                e.subject,
                e.event,
                _encode(e.payload).decode(),
                e.callback_url,
                e.at_ms,
            )
            for e in events
        ],
    )


@dataclass(frozen=True, slots=True)
class StatusEvent:
    account_id: int
    message_id: int
    recipient: str
    client_ref: str | None
    status: Status
    at_ms: int
    error_code: str | None = None
    error_raw: str | None = None
    callback_url: str | None = None
    price: Decimal | None = None  # what the message costs (None: sent free)


def defer_status_events(tx: Tx, events: Sequence[StatusEvent]) -> None:
    # Rows built directly, not through NewEvent: one of these per status change of every
    # message, on the store thread's busiest path.
    tx.defer_insert(
        outbox,
        _COLUMNS,
        [
            (
                e.account_id,
                e.message_id,
                MESSAGE_STATUS,
                _encode(
                    {
                        "message_id": str(e.message_id),
                        "to": e.recipient,
                        "status": e.status.value,
                        "at_ms": e.at_ms,
                        "client_ref": e.client_ref,
                        "error_code": e.error_code,
                        "error_raw": e.error_raw,
                        "price": amount_text(e.price) if e.price is not None else None,
                    }
                ).decode(),
                e.callback_url,
                e.at_ms,
            )
            for e in events
        ],
    )
