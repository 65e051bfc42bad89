"""Inbound messages: stored, found, and parts of long ones held until they are complete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, insert, select

from smsgate.domain.inbound import InboundSms
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.ids import id_range
from smsgate.store.schema import inbound_messages, inbound_parts, messages


@dataclass(frozen=True, slots=True)
class Inbound:
    """A stored inbound message."""

    id: int
    account_id: int | None
    sender: str
    recipient: str
    text: str
    parts: int
    connector: str
    upstream_id: str | None
    reply_to: int | None
    keyword: str | None
    received_at: int


async def add(tx: Tx, inbound: Inbound) -> None:
    await tx.conn.execute(
        insert(inbound_messages).values(
            id=inbound.id,
            account_id=inbound.account_id,
            sender=inbound.sender,
            recipient=inbound.recipient,
            text=inbound.text,
            parts=inbound.parts,
            connector=inbound.connector,
            upstream_id=inbound.upstream_id,
            reply_to=inbound.reply_to,
            keyword=inbound.keyword,
            received_at=inbound.received_at,
        )
    )


def _inbound(row: Row[Any]) -> Inbound:
    return Inbound(
        id=row.id,
        account_id=row.account_id,
        sender=row.sender,
        recipient=row.recipient,
        text=row.text,
        parts=row.parts,
        connector=row.connector,
        upstream_id=row.upstream_id,
        reply_to=row.reply_to,
        keyword=row.keyword,
        received_at=row.received_at,
    )


async def get(conn: Conn, account_id: int, inbound_id: int) -> Inbound | None:
    row = (
        await conn.execute(
            select(inbound_messages).where(
                inbound_messages.c.id == inbound_id, inbound_messages.c.account_id == account_id
            )
        )
    ).first()
    return _inbound(row) if row else None


@dataclass(frozen=True, slots=True)
class InboundFilter:
    sender: str | None = None
    recipient: str | None = None
    reply_to: int | None = None
    id_from: int | None = None  # inclusive, from a time filter
    id_to: int | None = None  # exclusive
    before_id: int | None = None  # cursor: newest first, continue below this id


async def find(conn: Conn, account_id: int, flt: InboundFilter, limit: int) -> list[Inbound]:
    """Newest first, walking down by id (ids are time-ordered)."""
    c = inbound_messages.c
    conditions = [c.account_id == account_id]
    if flt.sender is not None:
        conditions.append(c.sender == flt.sender)
    if flt.recipient is not None:
        conditions.append(c.recipient == flt.recipient)
    if flt.reply_to is not None:
        conditions.append(c.reply_to == flt.reply_to)
    conditions += id_range(c.id, id_from=flt.id_from, id_to=flt.id_to, before_id=flt.before_id)
    rows = await conn.execute(
        select(inbound_messages).where(and_(*conditions)).order_by(c.id.desc()).limit(limit)
    )
    return [_inbound(r) for r in rows]


@dataclass(frozen=True, slots=True)
class Answered:
    """The outbound message an inbound one answers."""

    message_id: int
    account_id: int
    reply_callback: str | None


async def answered(
    conn: Conn,
    *,
    subscriber: str,
    our_number: Sequence[str],
    since_id: int,
    account_id: int | None,
) -> Answered | None:
    """The newest message sent to `subscriber` since `since_id` from our number (any of its
    spellings) or, failing that, with no sender of its own (the channel's default number)."""
    c = messages.c
    base = [c.recipient == subscriber, c.id >= since_id]
    if account_id is not None:
        base.append(c.account_id == account_id)
    for sender_matches in (c.sender.in_(our_number), c.sender.is_(None)):
        row = (
            await conn.execute(
                select(c.id, c.account_id, c.reply_callback)
                .where(and_(*base, sender_matches))
                .order_by(c.id.desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            return Answered(row.id, row.account_id, row.reply_callback)
    return None


# Parts of long messages.

_GROUP = ("connector", "sender", "recipient", "ref")
PartKey = tuple[str, str, str, int]  # one long message: connector, sender, recipient, ref


async def add_part(tx: Tx, sms: InboundSms) -> None:
    """Hold a part until its siblings come; a part that comes twice is kept once."""
    assert sms.concat is not None
    key = part_key(sms)
    exists = (
        await tx.conn.execute(
            select(inbound_parts.c.seq).where(_group_is(key), inbound_parts.c.seq == sms.concat.seq)
        )
    ).first()
    if exists is None:
        await tx.conn.execute(
            insert(inbound_parts).values(
                connector=sms.connector,
                sender=sms.sender,
                recipient=sms.recipient,
                ref=sms.concat.ref,
                seq=sms.concat.seq,
                total=sms.concat.total,
                text=sms.text,
                upstream_id=sms.upstream_id,
                received_at=sms.at_ms,
            )
        )


@dataclass(frozen=True, slots=True)
class HeldParts:
    key: PartKey  # connector, sender, recipient, ref
    total: int
    parts: list[tuple[int, str]]  # (seq, text)
    first_upstream_id: str | None
    first_at: int


async def held(tx: Tx, key: PartKey) -> HeldParts:
    rows = (
        await tx.conn.execute(
            select(inbound_parts).where(_group_is(key)).order_by(inbound_parts.c.seq)
        )
    ).all()
    return HeldParts(
        key=key,
        total=max(r.total for r in rows),
        parts=[(r.seq, r.text) for r in rows],
        first_upstream_id=rows[0].upstream_id,
        first_at=min(r.received_at for r in rows),
    )


async def release(tx: Tx, key: PartKey) -> None:
    await tx.conn.execute(delete(inbound_parts).where(_group_is(key)))


async def stale(tx: Tx, before_ms: int, limit: int) -> list[PartKey]:
    """Groups whose first part came before `before_ms`: their other parts are not coming."""
    rows = await tx.conn.execute(
        select(*(inbound_parts.c[n] for n in _GROUP))
        .where(inbound_parts.c.received_at < before_ms)
        .group_by(*(inbound_parts.c[n] for n in _GROUP))
        .limit(limit)
    )
    return [(r.connector, r.sender, r.recipient, r.ref) for r in rows]


def part_key(sms: InboundSms) -> PartKey:
    assert sms.concat is not None
    return (sms.connector, sms.sender, sms.recipient, sms.concat.ref)


def _group_is(key: PartKey) -> ColumnElement[bool]:
    return and_(*(inbound_parts.c[n] == v for n, v in zip(_GROUP, key, strict=True)))
