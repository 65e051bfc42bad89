"""Numbers owned by accounts: where inbound messages sent to them belong."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from smsgate.store.engine import Conn
from smsgate.store.schema import numbers


@dataclass(frozen=True, slots=True)
class OwnedNumber:
    number: str
    account_id: int
    created_at: int


async def owner(conn: Conn, number: str) -> int | None:
    return (
        await conn.execute(select(numbers.c.account_id).where(numbers.c.number == number))
    ).scalar()


async def add(conn: Conn, number: str, account_id: int, now_ms: int) -> None:
    await conn.execute(
        insert(numbers).values(number=number, account_id=account_id, created_at=now_ms)
    )


async def remove(conn: Conn, number: str) -> bool:
    return bool((await conn.execute(delete(numbers).where(numbers.c.number == number))).rowcount)


async def listed(conn: Conn, account_id: int | None = None) -> list[OwnedNumber]:
    query = select(numbers).order_by(numbers.c.number)
    if account_id is not None:
        query = query.where(numbers.c.account_id == account_id)
    return [OwnedNumber(r.number, r.account_id, r.created_at) for r in await conn.execute(query)]
