"""Messages: insert, read, claim for dispatch, and status transitions with their outbox events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, func, or_, select, update

from smsgate.domain.message import URGENT_LANE, Message, OutboundMessage
from smsgate.domain.pricing import ChargeOn, recharged, refunded
from smsgate.domain.routing import Message as Routed
from smsgate.domain.status import Status, advance
from smsgate.domain.text import Encoding
from smsgate.store import billing, outbox
from smsgate.store.bulk import in_chunks
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.ids import id_range
from smsgate.store.schema import campaigns, message_parts, messages

INSERT_COLUMNS = (
    "id",
    "account_id",
    "request_id",
    "recipient",
    "sender",
    "text",
    "encoding",
    "parts",
    "price",
    "client_ref",
    "lane",
    "status",
    "send_at",
    "expires_at",
    "connector",
    "status_callback",
    "reply_callback",
    "campaign_id",
    "accepted_at",
    "scheduled_at",
    "queued_at",
    "updated_at",
)

_STATUS_TIME = {s: messages.c[f"{s.value}_at"] for s in Status if s is not Status.RECEIVED}
# Enum lookups by value as plain dicts: calling the Enum costs more, once a row on busy paths.
_STATUSES = {s.value: s for s in Status}
_ENCODINGS = {e.value: e for e in Encoding}


def defer_add(tx: Tx, rows: list[tuple[Any, ...]]) -> None:
    """Queue rows (in INSERT_COLUMNS order) for the transaction's bulk insert."""
    tx.defer_insert(messages, INSERT_COLUMNS, rows)


def _message(row: Row[Any]) -> Message:
    times = {s: row._mapping[col.name] for s, col in _STATUS_TIME.items()}
    ordered = dict(sorted(((s, t) for s, t in times.items() if t is not None), key=lambda i: i[1]))
    return Message(
        id=row.id,
        account_id=row.account_id,
        recipient=row.recipient,
        sender=row.sender,
        text=row.text,
        encoding=Encoding(row.encoding),
        parts=row.parts,
        price=row.price,
        client_ref=row.client_ref,
        lane=row.lane,
        status=Status(row.status),
        send_at=row.send_at,
        expires_at=row.expires_at,
        connector=row.connector,
        upstream_id=row.upstream_id,
        error_code=row.error_code,
        error_raw=row.error_raw,
        error_detail=row.error_detail,
        status_callback=row.status_callback,
        reply_callback=row.reply_callback,
        status_times=ordered,
    )


async def get(conn: Conn, account_id: int, message_id: int) -> Message | None:
    row = (
        await conn.execute(
            select(messages).where(messages.c.id == message_id, messages.c.account_id == account_id)
        )
    ).first()
    return _message(row) if row else None


@dataclass(frozen=True, slots=True)
class MessageFilter:
    status: Status | None = None
    recipient: str | None = None
    client_ref: str | None = None
    id_from: int | None = None  # inclusive lower id bound (from a time filter)
    id_to: int | None = None  # exclusive upper id bound
    before_id: int | None = None  # cursor: newest first, continue below this id


async def find(conn: Conn, account_id: int, flt: MessageFilter, limit: int) -> list[Message]:
    """Newest first, walking down by id (ids are time-ordered)."""
    conditions = [messages.c.account_id == account_id]
    if flt.status is not None:
        conditions.append(messages.c.status == flt.status.value)
    if flt.recipient is not None:
        conditions.append(messages.c.recipient == flt.recipient)
    if flt.client_ref is not None:
        conditions.append(messages.c.client_ref == flt.client_ref)
    conditions += id_range(
        messages.c.id, id_from=flt.id_from, id_to=flt.id_to, before_id=flt.before_id
    )
    rows = await conn.execute(
        select(messages).where(and_(*conditions)).order_by(messages.c.id.desc()).limit(limit)
    )
    return [_message(r) for r in rows]


_MICRO = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Traffic:
    """An account's messages in one status over a span."""

    status: Status
    messages: int
    parts: int
    cost: Decimal  # what they were charged, refunds aside


async def traffic(conn: Conn, account_id: int, id_from: int) -> list[Traffic]:
    """The account's messages since `id_from` (an id bound of a time), counted by status."""
    rows = await conn.execute(
        select(
            messages.c.status,
            func.count(),
            func.coalesce(func.sum(messages.c.parts), 0),
            func.coalesce(func.sum(messages.c.price), 0),
        )
        .where(messages.c.account_id == account_id, messages.c.id >= id_from)
        .group_by(messages.c.status)
        .order_by(messages.c.status)
    )
    # SQLite sums NUMERIC as a float: back to the six places prices have.
    return [
        Traffic(Status(r[0]), r[1], int(r[2]), Decimal(str(r[3])).quantize(_MICRO)) for r in rows
    ]


async def sent_recently(
    conn: Conn, account_id: int, recipient: str, client_ref: str, since_id: int
) -> bool:
    """Whether the account sent `recipient` a message with `client_ref` since `since_id`."""
    row = (
        await conn.execute(
            select(messages.c.id)
            .where(
                messages.c.recipient == recipient,
                messages.c.id >= since_id,
                messages.c.account_id == account_id,
                messages.c.client_ref == client_ref,
            )
            .limit(1)
        )
    ).first()
    return row is not None


@dataclass(frozen=True, slots=True)
class Change:
    """A status a message should move to; applied only if the status rules allow it."""

    message_id: int
    status: Status
    at_ms: int
    error_code: str | None = None
    error_detail: str | None = None
    error_raw: str | None = None


async def apply_changes(tx: Tx, changes: Sequence[Change]) -> list[Change]:
    """Move messages forward, never backwards; write an outbox event per applied change.

    Returns the changes that took effect (a late or repeated one is dropped).
    """
    if not changes:
        return []
    # Plain tuples by message id (account_id, recipient, client_ref, status_callback), not
    # Rows: a Row's attributes cost ~0.4 us each, several times per change.
    current: dict[int, tuple[int, str, str | None, str | None]] = {}
    state: dict[int, tuple[Status, int]] = {}
    charged: dict[int, tuple[Decimal, bool]] = {}  # priced messages: (price, was sent)
    for chunk in in_chunks([c.message_id for c in changes]):
        rows = await tx.conn.execute(
            select(
                messages.c.id,
                messages.c.status,
                messages.c.updated_at,
                messages.c.account_id,
                messages.c.recipient,
                messages.c.client_ref,
                messages.c.status_callback,
                messages.c.price,
                messages.c.sent_at,
            ).where(messages.c.id.in_(chunk))
        )
        for (
            mid,
            status,
            updated_at,
            account_id,
            recipient,
            client_ref,
            callback_url,
            price,
            sent_at,
        ) in rows:
            state[mid] = (_STATUSES[status], updated_at)
            current[mid] = (account_id, recipient, client_ref, callback_url)
            if price is not None:
                charged[mid] = (Decimal(price), sent_at is not None)
    applied: list[Change] = []
    # Priced changes that may give money back: with the status each replaced, and whether the
    # message had been sent by then.
    moved: list[tuple[Change, Status, bool]] = []
    for change in changes:
        status, last_at = state.get(change.message_id, (None, 0))
        if status is None or advance(status, change.status) is None:
            continue
        # History stays in order even when a report's own time predates what we recorded
        # before it (a report that overtook the submit response).
        if change.at_ms < last_at:
            change = replace(change, at_ms=last_at)
        state[change.message_id] = (change.status, change.at_ms)
        applied.append(change)
        if change.message_id in charged:
            price, was_sent = charged[change.message_id]
            if change.status is Status.SENT:
                charged[change.message_id] = (price, True)
            elif _may_move_money(status, change.status, was_sent):
                moved.append((change, status, was_sent))
    if moved:
        await billing.refund(
            tx, await _refunds(tx, moved, charged, current), now_ms=moved[-1][0].at_ms
        )
    await _store_changes(tx, applied)
    events = []
    for c in applied:
        account_id, recipient, client_ref, callback_url = current[c.message_id]
        events.append(
            outbox.StatusEvent(
                account_id=account_id,
                message_id=c.message_id,
                recipient=recipient,
                client_ref=client_ref,
                status=c.status,
                at_ms=c.at_ms,
                error_code=c.error_code,
                error_raw=c.error_raw,
                callback_url=callback_url,
                price=charged[c.message_id][0] if c.message_id in charged else None,
            )
        )
    outbox.defer_status_events(tx, events)
    return applied


def _may_move_money(before: Status, after: Status, was_sent: bool) -> bool:
    """Under some policy (DELIVERY refunds all that SUBMIT does, and more)."""
    return refunded(before, after, ChargeOn.DELIVERY, was_sent) or recharged(
        before, after, ChargeOn.DELIVERY
    )


async def _refunds(
    tx: Tx,
    moved: Sequence[tuple[Change, Status, bool]],
    charged: dict[int, tuple[Decimal, bool]],
    current: dict[int, tuple[int, str, str | None, str | None]],
) -> list[billing.Refund]:
    """The charges that priced messages' new statuses give back (or take again) under their
    accounts' policies."""
    policies = await billing.charge_policies(
        tx.conn, sorted({current[c.message_id][0] for c, _, _ in moved})
    )
    refunds = []
    for change, before, was_sent in moved:
        price = charged[change.message_id][0]
        account_id = current[change.message_id][0]
        policy = policies.get(account_id, ChargeOn.SUBMIT)
        if refunded(before, change.status, policy, was_sent):
            refunds.append(billing.Refund(account_id, change.message_id, price, change.status))
        elif recharged(before, change.status, policy):
            refunds.append(billing.Refund(account_id, change.message_id, -price, change.status))
    return refunds


async def _store_changes(tx: Tx, applied: Sequence[Change]) -> None:
    """Write the net effect per message, as few set-based UPDATEs as the batch allows.

    Row-by-row executemany would re-take the GIL at every row on SQLite (see store/bulk.py);
    messages that end in the same status with the same times share one statement.
    """
    # Per message: final status, time of each status, and the error fields (code, raw,
    # detail), each kept from the latest change that had one.
    no_errors: tuple[str | None, str | None, str | None] = (None, None, None)
    net: dict[int, tuple[Status, dict[Status, int], tuple[str | None, str | None, str | None]]] = {}
    for c in applied:
        _, times, (code, raw, detail) = net.get(c.message_id, (c.status, {}, no_errors))
        times[c.status] = c.at_ms
        errors = (c.error_code or code, c.error_raw or raw, c.error_detail or detail)
        net[c.message_id] = (c.status, times, errors)
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for message_id, (status, times, errors) in net.items():
        groups[(status, tuple(times.items()), errors)].append(message_id)
    error_columns = (messages.c.error_code, messages.c.error_raw, messages.c.error_detail)
    for (status, times, errors), ids in groups.items():
        values: dict[Any, Any] = {_STATUS_TIME[s]: at for s, at in times}
        values[messages.c.status] = status.value
        values[messages.c.updated_at] = max(at for _, at in times)
        if status is Status.DELIVERED:
            # Delivered after our own expiry guess: the guess's error no longer applies.
            values.update(dict.fromkeys(error_columns))
        values.update({col: v for col, v in zip(error_columns, errors, strict=True) if v})
        for chunk in in_chunks(ids):
            await tx.conn.execute(update(messages).where(messages.c.id.in_(chunk)).values(values))


async def cancel(tx: Tx, account_id: int, message_id: int, now_ms: int) -> bool:
    """Cancel a message still waiting (scheduled, or queued and not in flight)."""
    row = (
        await tx.conn.execute(
            select(messages.c.status, messages.c.claimed_by).where(
                messages.c.id == message_id, messages.c.account_id == account_id
            )
        )
    ).first()
    if row is None or row.claimed_by is not None:
        return False
    if Status(row.status) not in (Status.SCHEDULED, Status.QUEUED):
        return False
    return bool(await apply_changes(tx, [Change(message_id, Status.CANCELED, now_ms)]))


async def claim(
    tx: Tx, *, connector: str, node: str, limit: int, now_ms: int, lease_ms: int
) -> list[OutboundMessage]:
    """Take up to `limit` due messages of a connector, urgent lane first, oldest first."""
    waiting = (
        select(messages.c.id)
        .where(_waiting(connector, now_ms))
        .order_by(messages.c.lane, messages.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await tx.conn.execute(
        update(messages)
        .where(messages.c.id.in_(waiting.scalar_subquery()))
        .values(claimed_by=node, claim_until=now_ms + lease_ms, attempts=messages.c.attempts + 1)
        .returning(
            messages.c.id,
            messages.c.account_id,
            messages.c.recipient,
            messages.c.sender,
            messages.c.text,
            messages.c.encoding,
            messages.c.parts,
            messages.c.client_ref,
            messages.c.lane,
            messages.c.expires_at,
            messages.c.attempts,
            messages.c.tried,
        )
    )
    # Unpacked by position, in the order of OutboundMessage's fields: a Row's attributes cost
    # ~0.4 us each (5 us a message here), a tuple's unpacking next to nothing.
    claimed = [
        OutboundMessage(
            mid,
            account,
            to,
            sender,
            text,
            _ENCODINGS[encoding],
            *rest,
            tuple(tried.split(",")) if tried else (),
        )
        for mid, account, to, sender, text, encoding, *rest, tried in result
    ]
    # RETURNING order is unspecified; the connector must see urgent and old messages first.
    claimed.sort(key=lambda m: (m.lane, m.id))
    return claimed


@dataclass(frozen=True, slots=True)
class Submitted:
    message_id: int
    connector: str
    upstream_ids: tuple[str, ...]  # one per part
    at_ms: int


async def record_submitted(tx: Tx, items: Sequence[Submitted]) -> None:
    """Store the upstream ids and end the lease; the status moves to sent unless a report
    for the message already arrived (a report can beat the submit response)."""
    if not items:
        return
    tx.defer_insert(
        message_parts,
        ("message_id", "part_no", "connector", "upstream_id", "status", "updated_at"),
        [
            (s.message_id, n, s.connector, uid, Status.SENT.value, s.at_ms)
            for s in items
            for n, uid in enumerate(s.upstream_ids, start=1)
        ],
    )
    await tx.flush()
    first_part = (
        select(message_parts.c.upstream_id)
        .where(message_parts.c.message_id == messages.c.id, message_parts.c.part_no == 1)
        .scalar_subquery()
    )
    for chunk in in_chunks([s.message_id for s in items]):
        await tx.conn.execute(
            update(messages)
            .where(messages.c.id.in_(chunk))
            .values(upstream_id=first_part, claimed_by=None, claim_until=None)
        )
    await apply_changes(tx, [Change(s.message_id, Status.SENT, s.at_ms) for s in items])


async def release(tx: Tx, retry_at: Iterable[tuple[int, int]], *, attempted: bool = True) -> None:
    """Give claimed messages back to the queue, not to be claimed again before `retry_at`.
    Messages put off without a submit (`attempted=False`: their sender's pace) do not count
    the claim as an attempt."""
    params = [{"mid": mid, "until": at} for mid, at in retry_at]
    if params:
        await tx.conn.execute(
            update(messages)
            .where(messages.c.id == bindparam("mid"))
            .values(
                claimed_by=None,
                claim_until=bindparam("until"),
                attempts=messages.c.attempts - (0 if attempted else 1),
            ),
            params,
        )


@dataclass(frozen=True, slots=True)
class Rerouted:
    message_id: int
    connector: str  # where it goes now
    tried: tuple[str, ...]  # every connector that refused it for good


async def reroute(tx: Tx, items: Sequence[Rerouted]) -> None:
    """Queue claimed messages again, for another connector, as new: their attempts start over."""
    if items:
        await tx.conn.execute(
            update(messages)
            .where(messages.c.id == bindparam("mid"))
            .values(
                connector=bindparam("to"),
                tried=bindparam("before"),
                attempts=0,
                claimed_by=None,
                claim_until=None,
            ),
            [
                {"mid": r.message_id, "to": r.connector, "before": ",".join(r.tried)[:255]}
                for r in items
            ],
        )


async def give_back(tx: Tx, ids: Sequence[int]) -> None:
    """Return claimed messages that were never submitted (their connector was stopped): the
    claim does not count as an attempt."""
    for chunk in in_chunks(ids):
        await tx.conn.execute(
            update(messages)
            .where(messages.c.id.in_(chunk))
            .values(claimed_by=None, claim_until=None, attempts=messages.c.attempts - 1)
        )


def _waiting(connector: str, now_ms: int) -> ColumnElement[bool]:
    """Queued for `connector`, and no live lease holds it."""
    return and_(
        messages.c.status == Status.QUEUED.value,
        messages.c.connector == connector,
        or_(messages.c.claim_until.is_(None), messages.c.claim_until < now_ms),
    )


async def waiting_for(
    conn: Conn, connector: str, *, after_id: int, now_ms: int, limit: int
) -> list[tuple[int, Routed]]:
    """Messages waiting for `connector`, by id from `after_id`: each with what routing looks
    at, as if it were to be sent now."""
    rows = await conn.execute(
        select(
            messages.c.id,
            messages.c.account_id,
            messages.c.recipient,
            messages.c.sender,
            messages.c.lane,
        )
        .where(_waiting(connector, now_ms), messages.c.id > after_id)
        .order_by(messages.c.id)
        .limit(limit)
    )
    return [
        (mid, Routed(account, to, sender, lane == URGENT_LANE, now_ms))
        for mid, account, to, sender, lane in rows
    ]


async def hand_over(tx: Tx, connector: str, moves: Sequence[tuple[int, str]], now_ms: int) -> None:
    """Queue messages waiting for `connector` for others instead (message id, connector); one
    claimed meanwhile stays where it is."""
    if moves:
        await tx.conn.execute(
            update(messages)
            .where(messages.c.id == bindparam("mid"), _waiting(connector, now_ms))
            .values(connector=bindparam("to")),
            [{"mid": mid, "to": to} for mid, to in moves],
        )


async def queued_by_connector(conn: Conn) -> dict[str, int]:
    """How many messages wait for each connector (read from the queue's partial index)."""
    rows = await conn.execute(
        select(messages.c.connector, func.count())
        .where(messages.c.status == Status.QUEUED.value)
        .group_by(messages.c.connector)
    )
    return {r[0]: r[1] for r in rows if r[0] is not None}


async def end_leases(tx: Tx, ids: Sequence[int]) -> None:
    """Clear the lease of messages that reached a final status without a submit."""
    for chunk in in_chunks(ids):
        await tx.conn.execute(
            update(messages)
            .where(messages.c.id.in_(chunk))
            .values(claimed_by=None, claim_until=None)
        )


async def release_node_claims(tx: Tx, node: str) -> int:
    """After a restart: messages this node claimed but never confirmed go back to the queue."""
    result = await tx.conn.execute(
        update(messages)
        .where(messages.c.status == Status.QUEUED.value, messages.c.claimed_by == node)
        .values(claimed_by=None, claim_until=None)
    )
    return result.rowcount


def _not_paused() -> ColumnElement[bool]:
    """A message no paused campaign holds back."""
    paused = select(campaigns.c.id).where(campaigns.c.state == "paused")
    return or_(messages.c.campaign_id.is_(None), messages.c.campaign_id.not_in(paused))


async def due_scheduled(tx: Tx, now_ms: int, limit: int) -> list[tuple[int, str | None]]:
    """Scheduled messages whose time has come: (id, connector)."""
    rows = await tx.conn.execute(
        select(messages.c.id, messages.c.connector)
        .where(
            messages.c.status == Status.SCHEDULED.value,
            messages.c.send_at <= now_ms,
            _not_paused(),
        )
        .order_by(messages.c.send_at)
        .limit(limit)
    )
    return [(r.id, r.connector) for r in rows]


async def overdue(tx: Tx, now_ms: int, limit: int) -> list[int]:
    """Messages past their validity that no report settled: sent ones, and queued ones not
    in a submit right now (a connector that cannot take them)."""
    rows = await tx.conn.execute(
        select(messages.c.id)
        .where(
            messages.c.status.in_([Status.QUEUED.value, Status.SENT.value]),
            messages.c.expires_at <= now_ms,
            or_(messages.c.claim_until.is_(None), messages.c.claim_until < now_ms),
        )
        .order_by(messages.c.expires_at)
        .limit(limit)
    )
    return [r.id for r in rows]


async def next_due_at(conn: Conn) -> int | None:
    return (
        await conn.execute(
            select(func.min(messages.c.send_at)).where(
                messages.c.status == Status.SCHEDULED.value, _not_paused()
            )
        )
    ).scalar()
