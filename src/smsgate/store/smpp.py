"""The SMPP server's tables: credentials, the ids customers were given, held parts of long
messages, and the deliver_sm owed to customers."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, func, insert, select, update

from smsgate.domain.account import Account
from smsgate.domain.status import Status
from smsgate.store.accounts import account_by_id
from smsgate.store.bulk import in_chunks
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import (
    messages,
    smpp_accounts,
    smpp_deliveries,
    smpp_parts,
    smpp_submits,
)

# Credentials.


@dataclass(frozen=True, slots=True)
class Credentials:
    account_id: int
    system_id: str
    password_hash: str
    max_binds: int
    dc0: str  # how data_coding 0 is read: gsm7, latin1 or ascii
    dc1: str  # how data_coding 1 is read
    enabled: bool


def _credentials(row: Row[Any]) -> Credentials:
    return Credentials(
        account_id=row.account_id,
        system_id=row.system_id,
        password_hash=row.password_hash,
        max_binds=row.max_binds,
        dc0=row.dc0,
        dc1=row.dc1,
        enabled=bool(row.enabled),
    )


async def put_credentials(conn: Conn, credentials: Credentials, now_ms: int) -> None:
    """Create or replace the credentials of an account."""
    values = {
        "system_id": credentials.system_id,
        "password_hash": credentials.password_hash,
        "max_binds": credentials.max_binds,
        "dc0": credentials.dc0,
        "dc1": credentials.dc1,
        "enabled": credentials.enabled,
        "updated_at": now_ms,
    }
    result = await conn.execute(
        update(smpp_accounts)
        .where(smpp_accounts.c.account_id == credentials.account_id)
        .values(values)
    )
    if result.rowcount == 0:
        await conn.execute(
            insert(smpp_accounts).values(
                account_id=credentials.account_id, created_at=now_ms, **values
            )
        )


async def credentials_of(conn: Conn, account_id: int) -> Credentials | None:
    row = (
        await conn.execute(select(smpp_accounts).where(smpp_accounts.c.account_id == account_id))
    ).first()
    return _credentials(row) if row else None


async def by_system_id(conn: Conn, system_id: str) -> tuple[Credentials, Account] | None:
    row = (
        await conn.execute(select(smpp_accounts).where(smpp_accounts.c.system_id == system_id))
    ).first()
    account = await account_by_id(conn, row.account_id) if row else None
    if row is None or account is None:
        return None
    return _credentials(row), account


async def remove_credentials(conn: Conn, account_id: int) -> bool:
    """Remove an account's credentials and the deliver_sm it was owed: none can reach it now."""
    result = await conn.execute(
        delete(smpp_accounts).where(smpp_accounts.c.account_id == account_id)
    )
    await conn.execute(delete(smpp_deliveries).where(smpp_deliveries.c.account_id == account_id))
    return bool(result.rowcount)


async def accounts_with_credentials(conn: Conn) -> set[int]:
    rows = await conn.execute(select(smpp_accounts.c.account_id))
    return {r.account_id for r in rows}


async def all_credentials(conn: Conn) -> list[Credentials]:
    rows = await conn.execute(select(smpp_accounts).order_by(smpp_accounts.c.account_id))
    return [_credentials(r) for r in rows]


# The ids customers were given.


@dataclass(frozen=True, slots=True)
class Address:
    addr: str
    ton: int = 0
    npi: int = 0


@dataclass(frozen=True, slots=True)
class SubmitRef:
    """A customer's id for (part of) a message, and what a receipt for it needs."""

    id: int
    message_id: int
    account_id: int
    part_no: int
    registered_delivery: int
    source: Address
    dest: Address


_SUBMIT_COLUMNS = (
    "id",
    "message_id",
    "account_id",
    "part_no",
    "registered_delivery",
    "source_addr",
    "source_ton",
    "source_npi",
    "dest_addr",
    "dest_ton",
    "dest_npi",
)


def defer_submits(tx: Tx, refs: Sequence[SubmitRef]) -> None:
    tx.defer_insert(
        smpp_submits,
        _SUBMIT_COLUMNS,
        [
            (
                r.id,
                r.message_id,
                r.account_id,
                r.part_no,
                r.registered_delivery,
                r.source.addr,
                r.source.ton,
                r.source.npi,
                r.dest.addr,
                r.dest.ton,
                r.dest.npi,
            )
            for r in refs
        ],
    )


def _ref(row: Row[Any]) -> SubmitRef:
    return SubmitRef(
        id=row.id,
        message_id=row.message_id,
        account_id=row.account_id,
        part_no=row.part_no,
        registered_delivery=row.registered_delivery,
        source=Address(row.source_addr, row.source_ton, row.source_npi),
        dest=Address(row.dest_addr, row.dest_ton, row.dest_npi),
    )


async def refs_of_messages(conn: Conn, message_ids: Collection[int]) -> list[SubmitRef]:
    """The customer ids of these messages, by message then part."""
    refs: list[SubmitRef] = []
    for chunk in in_chunks(list(message_ids)):
        rows = await conn.execute(select(smpp_submits).where(smpp_submits.c.message_id.in_(chunk)))
        refs.extend(_ref(r) for r in rows)
    refs.sort(key=lambda r: (r.message_id, r.part_no, r.id))
    return refs


async def messages_of(conn: Conn, account_id: int, customer_id: int) -> list[int]:
    """Our messages behind a customer's id: the message of that id when there is one, else
    those it was recorded for (a part's id, submit_multi's id), oldest first."""
    own = (
        await conn.execute(
            select(messages.c.id).where(
                messages.c.id == customer_id, messages.c.account_id == account_id
            )
        )
    ).first()
    if own is not None:
        return [own.id]
    rows = await conn.execute(
        select(smpp_submits.c.message_id)
        .where(smpp_submits.c.id == customer_id, smpp_submits.c.account_id == account_id)
        .order_by(smpp_submits.c.message_id)
    )
    return [r.message_id for r in rows]


# Held parts of long messages.


@dataclass(frozen=True, slots=True)
class PartKey:
    account_id: int
    source_addr: str
    dest_addr: str
    ref: int
    total: int

    def where(self) -> Any:
        c = smpp_parts.c
        return and_(
            c.account_id == self.account_id,
            c.source_addr == self.source_addr,
            c.dest_addr == self.dest_addr,
            c.ref == self.ref,
            c.total == self.total,
        )


@dataclass(frozen=True, slots=True)
class HeldPart:
    seq: int
    part_id: int
    pdu: bytes
    received_at: int


async def hold_part(
    conn: Conn, key: PartKey, seq: int, part_id: int, pdu: bytes, now_ms: int
) -> None:
    """Hold one part; a part sent again replaces the one held (the customer never learnt of
    the first one's id, or it would not send it again)."""
    await conn.execute(delete(smpp_parts).where(key.where(), smpp_parts.c.seq == seq))
    await conn.execute(
        insert(smpp_parts).values(
            account_id=key.account_id,
            source_addr=key.source_addr,
            dest_addr=key.dest_addr,
            ref=key.ref,
            total=key.total,
            seq=seq,
            part_id=part_id,
            pdu=pdu,
            received_at=now_ms,
        )
    )


async def held_parts(conn: Conn, key: PartKey) -> list[HeldPart]:
    rows = await conn.execute(
        select(smpp_parts.c.seq, smpp_parts.c.part_id, smpp_parts.c.pdu, smpp_parts.c.received_at)
        .where(key.where())
        .order_by(smpp_parts.c.seq)
    )
    return [HeldPart(r.seq, r.part_id, bytes(r.pdu), r.received_at) for r in rows]


async def release_parts(conn: Conn, key: PartKey) -> int:
    return (await conn.execute(delete(smpp_parts).where(key.where()))).rowcount


async def stale_parts(conn: Conn, before_ms: int, limit: int) -> list[PartKey]:
    """Keys of long messages with a part held since before `before_ms`."""
    c = smpp_parts.c
    rows = await conn.execute(
        select(c.account_id, c.source_addr, c.dest_addr, c.ref, c.total)
        .where(c.received_at < before_ms)
        .group_by(c.account_id, c.source_addr, c.dest_addr, c.ref, c.total)
        .limit(limit)
    )
    return [PartKey(r.account_id, r.source_addr, r.dest_addr, r.ref, r.total) for r in rows]


async def held_part_key(conn: Conn, account_id: int, part_id: int) -> PartKey | None:
    """The long message a held part belongs to (parts are few: no index needed)."""
    c = smpp_parts.c
    row = (
        await conn.execute(
            select(c.account_id, c.source_addr, c.dest_addr, c.ref, c.total).where(
                c.account_id == account_id, c.part_id == part_id
            )
        )
    ).first()
    return (
        PartKey(row.account_id, row.source_addr, row.dest_addr, row.ref, row.total) if row else None
    )


# deliver_sm owed to customers.


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    account_id: int
    pdu: bytes
    attempts: int


def defer_deliveries(tx: Tx, items: Iterable[tuple[int, bytes]], now_ms: int) -> None:
    """Queue deliver_sm `(account_id, encoded pdu)`, due now."""
    tx.defer_insert(
        smpp_deliveries,
        ("account_id", "pdu", "attempts", "next_at", "created_at"),
        [(account_id, pdu, 0, now_ms, now_ms) for account_id, pdu in items],
    )


async def claim_deliveries(
    tx: Tx, account_ids: Collection[int], *, now_ms: int, lease_ms: int, limit: int
) -> list[Pending]:
    """Take up to `limit` due deliver_sm of these accounts, oldest first, for `lease_ms`."""
    d = smpp_deliveries.c
    due = (
        select(d.id)
        .where(d.account_id.in_(list(account_ids)), d.next_at <= now_ms)
        .order_by(d.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await tx.conn.execute(
        update(smpp_deliveries)
        .where(d.id.in_(due.scalar_subquery()))
        .values(next_at=now_ms + lease_ms, attempts=d.attempts + 1)
        .returning(d.id, d.account_id, d.pdu, d.attempts)
    )
    claimed = [Pending(r.id, r.account_id, bytes(r.pdu), r.attempts) for r in result]
    claimed.sort(key=lambda p: p.id)
    return claimed


async def settle_deliveries(
    tx: Tx, delivered: Sequence[int], retry_at: Sequence[tuple[int, int]]
) -> None:
    """Remove what the customer acknowledged; make the rest due again at the time given."""
    d = smpp_deliveries.c
    for chunk in in_chunks(delivered):
        await tx.conn.execute(delete(smpp_deliveries).where(d.id.in_(chunk)))
    if retry_at:
        await tx.conn.execute(
            update(smpp_deliveries).where(d.id == bindparam("did")).values(next_at=bindparam("at")),
            [{"did": delivery_id, "at": at} for delivery_id, at in retry_at],
        )


async def drop_deliveries_before(tx: Tx, before_ms: int) -> int:
    """Drop deliver_sm queued before `before_ms`, however often they were tried."""
    d = smpp_deliveries.c
    return (await tx.conn.execute(delete(smpp_deliveries).where(d.created_at < before_ms))).rowcount


async def pending_deliveries(conn: Conn, account_id: int) -> int:
    """How many deliver_sm the account is owed (tests and the operator)."""
    return int(
        (
            await conn.execute(
                select(func.count()).where(smpp_deliveries.c.account_id == account_id)
            )
        ).scalar()
        or 0
    )


async def receipt_facts(conn: Conn, message_ids: Collection[int]) -> dict[int, tuple[str, int]]:
    """(text, accepted at) of each message, what a receipt quotes besides its outcome."""
    facts: dict[int, tuple[str, int]] = {}
    for chunk in in_chunks(list(message_ids)):
        rows = await conn.execute(
            select(messages.c.id, messages.c.text, messages.c.accepted_at).where(
                messages.c.id.in_(chunk)
            )
        )
        facts.update((r.id, (r.text, r.accepted_at)) for r in rows)
    return facts


async def replace_waiting(
    tx: Tx,
    account_id: int,
    message_id: int,
    *,
    text: str,
    encoding: str,
    parts: int,
    send_at: int | None,
    expires_at: int | None,
    now_ms: int,
) -> bool:
    """replace_sm: give a message not yet handed to a connector a new text, and validity (and
    send time, when it is scheduled). False when it is no longer waiting."""
    m = messages.c
    waiting = and_(
        m.id == message_id,
        m.account_id == account_id,
        m.claimed_by.is_(None),
    )
    values: dict[str, Any] = {
        "text": text,
        "encoding": encoding,
        "parts": parts,
        "updated_at": now_ms,
    }
    if expires_at is not None:
        values["expires_at"] = expires_at
    scheduled = await tx.conn.execute(
        update(messages)
        .where(waiting, m.status == Status.SCHEDULED.value)
        .values(**values, **({"send_at": send_at} if send_at is not None else {}))
    )
    if scheduled.rowcount:
        return True
    queued = await tx.conn.execute(
        update(messages).where(waiting, m.status == Status.QUEUED.value).values(values)
    )
    return bool(queued.rowcount)


async def set_registered_delivery(tx: Tx, ref: SubmitRef) -> None:
    """What receipts an id asks for from now on (replace_sm may change it)."""
    s = smpp_submits.c
    result = await tx.conn.execute(
        update(smpp_submits)
        .where(s.id == ref.id, s.message_id == ref.message_id)
        .values(registered_delivery=ref.registered_delivery)
    )
    if result.rowcount == 0 and ref.registered_delivery:
        defer_submits(tx, [ref])
