"""Accounts' message templates, stored as their text (compiled when read)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import templates


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    name: str
    text: str
    created_at: int
    updated_at: int


async def all_of(conn: Conn, account_id: int) -> list[StoredTemplate]:
    rows = await conn.execute(
        select(templates).where(templates.c.account_id == account_id).order_by(templates.c.name)
    )
    return [StoredTemplate(r.name, r.text, r.created_at, r.updated_at) for r in rows]


async def one(conn: Conn, account_id: int, name: str) -> StoredTemplate | None:
    row = (
        await conn.execute(
            select(templates).where(templates.c.account_id == account_id, templates.c.name == name)
        )
    ).first()
    return StoredTemplate(row.name, row.text, row.created_at, row.updated_at) if row else None


async def put(tx: Tx, account_id: int, name: str, text: str, now_ms: int) -> None:
    """Make the template or replace its text."""
    changed = await tx.conn.execute(
        update(templates)
        .where(templates.c.account_id == account_id, templates.c.name == name)
        .values(text=text, updated_at=now_ms)
    )
    if changed.rowcount == 0:
        await tx.conn.execute(
            templates.insert().values(
                account_id=account_id, name=name, text=text, created_at=now_ms, updated_at=now_ms
            )
        )


async def remove(tx: Tx, account_id: int, name: str) -> bool:
    gone = await tx.conn.execute(
        delete(templates).where(templates.c.account_id == account_id, templates.c.name == name)
    )
    return gone.rowcount > 0
