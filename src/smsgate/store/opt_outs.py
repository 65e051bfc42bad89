"""Opt-out lists: the numbers that asked an account to stop sending to them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from smsgate.store.bulk import in_chunks
from smsgate.store.engine import Conn
from smsgate.store.schema import opt_outs


@dataclass(frozen=True, slots=True)
class OptOut:
    number: str
    source: str  # keyword or api
    created_at: int


async def among(conn: Conn, account_id: int, numbers: Collection[str]) -> set[str]:
    """Which of `numbers` opted out of the account."""
    found: set[str] = set()
    for chunk in in_chunks(list(numbers)):
        rows = await conn.execute(
            select(opt_outs.c.number).where(
                opt_outs.c.account_id == account_id, opt_outs.c.number.in_(chunk)
            )
        )
        found.update(r.number for r in rows)
    return found


async def get(conn: Conn, account_id: int, number: str) -> OptOut | None:
    row = (
        await conn.execute(
            select(opt_outs).where(opt_outs.c.account_id == account_id, opt_outs.c.number == number)
        )
    ).first()
    return OptOut(row.number, row.source, row.created_at) if row else None


async def add(conn: Conn, account_id: int, number: str, source: str, now_ms: int) -> bool:
    """Opt a number out; False when it already was."""
    if await get(conn, account_id, number) is not None:
        return False
    await conn.execute(
        insert(opt_outs).values(
            account_id=account_id, number=number, source=source, created_at=now_ms
        )
    )
    return True


async def remove(conn: Conn, account_id: int, number: str) -> bool:
    """Opt a number back in; False when it was not opted out."""
    result = await conn.execute(
        delete(opt_outs).where(opt_outs.c.account_id == account_id, opt_outs.c.number == number)
    )
    return bool(result.rowcount)


async def page(conn: Conn, account_id: int, after: str | None, limit: int) -> list[OptOut]:
    """An account's list in number order, continuing after the number `after`."""
    condition = opt_outs.c.account_id == account_id
    if after is not None:
        condition &= opt_outs.c.number > after
    rows = await conn.execute(
        select(opt_outs).where(condition).order_by(opt_outs.c.number).limit(limit)
    )
    return [OptOut(r.number, r.source, r.created_at) for r in rows]
