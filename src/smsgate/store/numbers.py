"""The gateway's numbers: owned by accounts (where inbound messages sent to them belong), or in
the pools lent to messages sent without a sender."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, delete, insert, select

from smsgate.domain.sender import NumberKind
from smsgate.store.engine import Conn
from smsgate.store.schema import numbers


@dataclass(frozen=True, slots=True)
class Number:
    number: str
    kind: NumberKind
    account_id: int | None  # None for a pool number
    created_at: int


def _number(row: Row[tuple[object, ...]]) -> Number:
    return Number(row.number, NumberKind(row.kind), row.account_id, row.created_at)


async def get(conn: Conn, number: str) -> Number | None:
    row = (await conn.execute(select(numbers).where(numbers.c.number == number))).first()
    return _number(row) if row is not None else None


async def owner(conn: Conn, number: str) -> int | None:
    """The account a number is dedicated to (None for pool numbers and unknown ones)."""
    return (
        await conn.execute(select(numbers.c.account_id).where(numbers.c.number == number))
    ).scalar()


async def add(conn: Conn, added: Number) -> None:
    await conn.execute(
        insert(numbers).values(
            number=added.number,
            kind=added.kind.value,
            account_id=added.account_id,
            created_at=added.created_at,
        )
    )


async def remove(conn: Conn, number: str) -> bool:
    return bool((await conn.execute(delete(numbers).where(numbers.c.number == number))).rowcount)


async def listed(conn: Conn, account_id: int | None = None) -> list[Number]:
    """Every number (or an account's), in the order they were added: a pool lends its numbers
    by position, and a number added later joins at the end."""
    query = select(numbers).order_by(numbers.c.created_at, numbers.c.number)
    if account_id is not None:
        query = query.where(numbers.c.account_id == account_id)
    return [_number(r) for r in await conn.execute(query)]
