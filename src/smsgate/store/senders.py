"""Sender names accounts registered, and the operator's decisions on them."""

from __future__ import annotations

from sqlalchemy import Row, delete, insert, select, update

from smsgate.domain.sender import Registered, SenderState
from smsgate.store.engine import Conn
from smsgate.store.schema import senders


def _registered(row: Row[tuple[object, ...]]) -> Registered:
    return Registered(row.name, SenderState(row.state), row.reason)


async def get(conn: Conn, account_id: int, name: str) -> Registered | None:
    row = (
        await conn.execute(
            select(senders).where(senders.c.account_id == account_id, senders.c.name == name)
        )
    ).first()
    return _registered(row) if row is not None else None


async def add(conn: Conn, account_id: int, entry: Registered, now_ms: int) -> None:
    decided = now_ms if entry.state is not SenderState.PENDING else None
    await conn.execute(
        insert(senders).values(
            account_id=account_id,
            name=entry.name,
            state=entry.state.value,
            reason=entry.reason,
            created_at=now_ms,
            decided_at=decided,
        )
    )


async def decide(conn: Conn, account_id: int, entry: Registered, now_ms: int) -> bool:
    result = await conn.execute(
        update(senders)
        .where(senders.c.account_id == account_id, senders.c.name == entry.name)
        .values(state=entry.state.value, reason=entry.reason, decided_at=now_ms)
    )
    return bool(result.rowcount)


async def remove(conn: Conn, account_id: int, name: str) -> bool:
    result = await conn.execute(
        delete(senders).where(senders.c.account_id == account_id, senders.c.name == name)
    )
    return bool(result.rowcount)


async def listed(
    conn: Conn, account_id: int | None = None, state: SenderState | None = None
) -> list[tuple[int, Registered]]:
    """(account id, sender), by account and name."""
    query = select(senders).order_by(senders.c.account_id, senders.c.name)
    if account_id is not None:
        query = query.where(senders.c.account_id == account_id)
    if state is not None:
        query = query.where(senders.c.state == state.value)
    return [(row.account_id, _registered(row)) for row in await conn.execute(query)]
