"""The outbox: status events written in the transaction that made the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import select

from smsgate.domain.status import Status
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import outbox

_COLUMNS = ("account_id", "message_id", "event", "payload", "created_at")
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
class StatusEvent:
    account_id: int
    message_id: int
    recipient: str
    client_ref: str | None
    status: Status
    at_ms: int
    error_code: str | None = None


def defer_status_events(tx: Tx, events: Sequence[StatusEvent]) -> None:
    tx.defer_insert(
        outbox,
        _COLUMNS,
        [
            (
                e.account_id,
                e.message_id,
                "message.status",
                _encode(
                    {
                        "message_id": str(e.message_id),
                        "to": e.recipient,
                        "status": e.status.value,
                        "at_ms": e.at_ms,
                        "client_ref": e.client_ref,
                        "error_code": e.error_code,
                    }
                ).decode(),
                e.at_ms,
            )
            for e in events
        ],
    )
