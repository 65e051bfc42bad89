"""Send requests that carried an Idempotency-Key, with the answer to replay."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import send_requests

_COLUMNS = ("id", "account_id", "idempotency_key", "body_hash", "response", "created_at")


@dataclass(frozen=True, slots=True)
class StoredRequest:
    id: int
    body_hash: str
    response: bytes


async def get(conn: Conn, account_id: int, key: str) -> StoredRequest | None:
    row = (
        await conn.execute(
            select(send_requests.c.id, send_requests.c.body_hash, send_requests.c.response).where(
                send_requests.c.account_id == account_id,
                send_requests.c.idempotency_key == key,
            )
        )
    ).first()
    return StoredRequest(row.id, row.body_hash, bytes(row.response)) if row else None


def defer_add(
    tx: Tx,
    *,
    request_id: int,
    account_id: int,
    key: str,
    body_hash: str,
    response: bytes,
    now_ms: int,
) -> None:
    tx.defer_insert(
        send_requests, _COLUMNS, [(request_id, account_id, key, body_hash, response, now_ms)]
    )
