"""Opt-out lists: the numbers that asked an account to stop sending to them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from smsgate.store.engine import Conn
from smsgate.store.schema import opt_outs


@dataclass(frozen=True, slots=True)
class OptOut:
    number: str
    source: str  # keyword or api
    created_at: int


class OptOutIndex:
    """The opt-out lists in memory, so a send checks its recipients without a query.

    An account's list is loaded at its first check; afterwards every change made through
    `add`/`remove` below updates it inside the transaction that makes it, so later jobs of
    the same group commit already see it. A failed transaction may leave it ahead of the
    store: the writer then calls `clear()` and lists are loaded again. Changes made by other
    processes are not seen; several nodes will need the optout.changed events to keep it
    (recorded in docs/decisions/0006-opt-out-index.md).
    """

    def __init__(self) -> None:
        self._lists: dict[int, set[str]] = {}

    async def among(self, conn: Conn, account_id: int, numbers: Collection[str]) -> set[str]:
        """Which of `numbers` opted out of the account."""
        listed = self._lists.get(account_id)
        if listed is None:
            rows = await conn.execute(
                select(opt_outs.c.number).where(opt_outs.c.account_id == account_id)
            )
            listed = self._lists[account_id] = {r.number for r in rows}
        if not listed:
            return set()
        return listed.intersection(numbers)

    def note(self, account_id: int, number: str, opted_out: bool) -> None:
        listed = self._lists.get(account_id)
        if listed is None:
            return  # not loaded yet: the load will see the change
        if opted_out:
            listed.add(number)
        else:
            listed.discard(number)

    def clear(self) -> None:
        self._lists.clear()


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
