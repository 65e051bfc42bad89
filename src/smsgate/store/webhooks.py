"""Webhook endpoints, deliveries, the fan-out cursor and the per-send callback secret."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from smsgate.store.bulk import in_chunks
from smsgate.store.database import Tx
from smsgate.store.engine import Conn, insert_on_conflict
from smsgate.store.schema import accounts, cursors, outbox, webhook_deliveries, webhook_endpoints

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
ALL_EVENTS = "*"

_d = webhook_deliveries.c
_e = webhook_endpoints.c


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: int
    account_id: int
    url: str
    secret: str
    events: frozenset[str] | None  # None: every type
    description: str | None
    active: bool
    created_at: int
    updated_at: int

    def accepts(self, event_type: str) -> bool:
        return self.active and (self.events is None or event_type in self.events)


def _endpoint(row: Row[Any]) -> Endpoint:
    events = None if row.events == ALL_EVENTS else frozenset(row.events.split(","))
    return Endpoint(
        id=row.id,
        account_id=row.account_id,
        url=row.url,
        secret=row.secret,
        events=events,
        description=row.description,
        active=bool(row.active),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def events_column(events: frozenset[str] | None) -> str:
    return ALL_EVENTS if events is None else ",".join(sorted(events))


async def add_endpoint(
    conn: Conn,
    *,
    account_id: int,
    url: str,
    secret: str,
    events: frozenset[str] | None,
    description: str | None,
    now_ms: int,
) -> Endpoint:
    result = await conn.execute(
        insert(webhook_endpoints)
        .values(
            account_id=account_id,
            url=url,
            secret=secret,
            events=events_column(events),
            description=description,
            active=True,
            created_at=now_ms,
            updated_at=now_ms,
        )
        .returning(*webhook_endpoints.c)
    )
    return _endpoint(result.one())


async def endpoints_of(conn: Conn, account_id: int) -> list[Endpoint]:
    rows = await conn.execute(
        select(webhook_endpoints).where(_e.account_id == account_id).order_by(_e.id)
    )
    return [_endpoint(r) for r in rows]


async def active_endpoints(conn: Conn, account_ids: Iterable[int]) -> dict[int, list[Endpoint]]:
    """The active endpoints of each account (an account with none maps to an empty list)."""
    found: dict[int, list[Endpoint]] = {a: [] for a in account_ids}
    for chunk in in_chunks(list(found)):
        rows = await conn.execute(
            select(webhook_endpoints)
            .where(_e.account_id.in_(chunk), _e.active.is_(True))
            .order_by(_e.id)
        )
        for r in rows:
            found[r.account_id].append(_endpoint(r))
    return found


async def endpoint(conn: Conn, endpoint_id: int, account_id: int | None = None) -> Endpoint | None:
    """An endpoint by id; with `account_id`, only if that account owns it."""
    query = select(webhook_endpoints).where(_e.id == endpoint_id)
    if account_id is not None:
        query = query.where(_e.account_id == account_id)
    row = (await conn.execute(query)).first()
    return _endpoint(row) if row else None


async def update_endpoint(
    conn: Conn, account_id: int, endpoint_id: int, values: dict[str, Any], now_ms: int
) -> Endpoint | None:
    result = await conn.execute(
        update(webhook_endpoints)
        .where(_e.id == endpoint_id, _e.account_id == account_id)
        .values(**values, updated_at=now_ms)
        .returning(*webhook_endpoints.c)
    )
    row = result.first()
    return _endpoint(row) if row else None


async def delete_endpoint(conn: Conn, account_id: int, endpoint_id: int) -> bool:
    """Delete an endpoint with its deliveries (pending ones are dropped, not sent)."""
    result = await conn.execute(
        delete(webhook_endpoints).where(_e.id == endpoint_id, _e.account_id == account_id)
    )
    if result.rowcount == 0:
        return False
    await conn.execute(delete(webhook_deliveries).where(_d.endpoint_id == endpoint_id))
    return True


async def callback_secret(conn: Conn, account_id: int) -> str | None:
    row = (
        await conn.execute(select(accounts.c.callback_secret).where(accounts.c.id == account_id))
    ).first()
    return row.callback_secret if row else None


async def set_callback_secret(
    conn: Conn, account_id: int, secret: str, *, only_if_missing: bool
) -> str:
    """Store `secret`; with `only_if_missing`, keep one that exists. The secret in force."""
    query = update(accounts).where(accounts.c.id == account_id).values(callback_secret=secret)
    if only_if_missing:
        query = query.where(accounts.c.callback_secret.is_(None))
    await conn.execute(query)
    return await callback_secret(conn, account_id) or secret


# The fan-out's place in the outbox.


async def cursor(conn: Conn, name: str) -> int | None:
    row = (
        await conn.execute(
            select(cursors.c.position).where(cursors.c.name == name).with_for_update()
        )
    ).first()
    return None if row is None else int(row.position)


async def start_cursor_at_end(conn: Conn, name: str) -> int:
    """Create the cursor at the newest outbox event unless it exists (another node starting
    at the same time may make it first); its position."""
    position = await cursor(conn, name)
    if position is not None:
        return position
    newest = (await conn.execute(select(func.max(outbox.c.id)))).scalar()
    await conn.execute(
        insert_on_conflict(conn.dialect, cursors)
        .values(name=name, position=newest or 0)
        .on_conflict_do_nothing()
    )
    made = await cursor(conn, name)
    assert made is not None
    return made


async def move_cursor(conn: Conn, name: str, position: int) -> None:
    await conn.execute(update(cursors).where(cursors.c.name == name).values(position=position))


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    account_id: int
    subject: int | None
    event: str
    payload: str
    callback_url: str | None
    created_at: int


async def outbox_after(conn: Conn, after_id: int, limit: int) -> list[OutboxRow]:
    rows = await conn.execute(
        select(
            outbox.c.id,
            outbox.c.account_id,
            outbox.c.message_id,
            outbox.c.event,
            outbox.c.payload,
            outbox.c.callback_url,
            outbox.c.created_at,
        )
        .where(outbox.c.id > after_id)
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return [OutboxRow(*r) for r in rows]


# Deliveries.


@dataclass(frozen=True, slots=True)
class TargetKey:
    """Where deliveries go: an endpoint, or a per-send callback URL of an account."""

    account_id: int
    endpoint_id: int | None
    url: str | None = None  # only for callbacks

    def where(self) -> ColumnElement[bool]:
        if self.endpoint_id is not None:
            return _d.endpoint_id == self.endpoint_id
        return and_(_d.endpoint_id.is_(None), _d.account_id == self.account_id, _d.url == self.url)


@dataclass(frozen=True, slots=True)
class NewDelivery:
    target: TargetKey
    event_id: int
    order_key: int | None


_NEW_DELIVERY = (
    "id",
    "account_id",
    "endpoint_id",
    "url",
    "event_id",
    "order_key",
    "state",
    "attempts",
    "next_at",
    "created_at",
)


async def add_deliveries(tx: Tx, items: Sequence[NewDelivery], now_ms: int) -> list[int]:
    """Queue pending deliveries (inserted in bulk when the transaction ends); their ids, in the
    order of `items`.

    The ids are taken here, after the highest one, not from the database: the fan-out is the
    only writer of this table and holds its cursor row locked while it runs, and ids known in
    advance let the rows go in one bulk insert instead of an INSERT ... RETURNING."""
    if not items:
        return []
    highest = (await tx.conn.execute(select(func.max(_d.id)))).scalar()
    first = (highest or 0) + 1
    ids = list(range(first, first + len(items)))
    tx.defer_insert(
        webhook_deliveries,
        _NEW_DELIVERY,
        [
            (
                delivery_id,
                i.target.account_id,
                i.target.endpoint_id,
                i.target.url,
                i.event_id,
                i.order_key,
                PENDING,
                0,
                now_ms,
                now_ms,
            )
            for delivery_id, i in zip(ids, items, strict=True)
        ],
    )
    return ids


@dataclass(frozen=True, slots=True)
class StoredDelivery:
    """A delivery with its event, as the sender and the API see it."""

    id: int
    target: TargetKey
    event_id: int
    event_type: str
    event_created_at: int
    payload: str
    order_key: int | None
    state: str
    attempts: int
    next_at: int
    last_status: int | None
    last_error: str | None
    created_at: int
    settled_at: int | None


_DELIVERY_COLUMNS = (
    _d.id,
    _d.account_id,
    _d.endpoint_id,
    _d.url,
    _d.event_id,
    outbox.c.event,
    outbox.c.created_at.label("event_created_at"),
    outbox.c.payload,
    _d.order_key,
    _d.state,
    _d.attempts,
    _d.next_at,
    _d.last_status,
    _d.last_error,
    _d.created_at,
    _d.settled_at,
)


def _stored(row: Row[Any]) -> StoredDelivery:
    return StoredDelivery(
        id=row.id,
        target=TargetKey(row.account_id, row.endpoint_id, row.url),
        event_id=row.event_id,
        event_type=row.event,
        event_created_at=row.event_created_at,
        payload=row.payload,
        order_key=row.order_key,
        state=row.state,
        attempts=row.attempts,
        next_at=row.next_at,
        last_status=row.last_status,
        last_error=row.last_error,
        created_at=row.created_at,
        settled_at=row.settled_at,
    )


def _with_event() -> Any:
    return select(*_DELIVERY_COLUMNS).join(outbox, outbox.c.id == _d.event_id)


async def pending_targets(conn: Conn) -> list[TargetKey]:
    rows = await conn.execute(
        select(_d.account_id, _d.endpoint_id, _d.url).where(_d.state == PENDING).distinct()
    )
    return [TargetKey(r.account_id, r.endpoint_id, r.url) for r in rows]


async def pending_of(
    conn: Conn, target: TargetKey, after_id: int, limit: int
) -> list[StoredDelivery]:
    rows = await conn.execute(
        _with_event()
        .where(_d.state == PENDING, target.where(), _d.id > after_id)
        .order_by(_d.id)
        .limit(limit)
    )
    return [_stored(r) for r in rows]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one or more tries of a delivery came to."""

    id: int
    state: str
    attempts: int
    next_at: int
    last_status: int | None
    last_error: str | None


async def record_outcomes(conn: Conn, outcomes: Sequence[Outcome], now_ms: int) -> None:
    """Write outcomes with one UPDATE per distinct set of values (a batch of successes is
    typically one statement), not one per delivery."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for o in outcomes:
        next_at = o.next_at if o.state == PENDING else None
        groups[(o.state, o.attempts, next_at, o.last_status, o.last_error)].append(o.id)
    for (state, attempts, next_at, last_status, last_error), ids in groups.items():
        values: dict[str, Any] = {
            "state": state,
            "attempts": attempts,
            "last_status": last_status,
            "last_error": last_error,
            "settled_at": None if state == PENDING else now_ms,
        }
        if next_at is not None:
            values["next_at"] = next_at
        for chunk in in_chunks(ids):
            # Only pending rows: a delivery deleted or replayed meanwhile keeps its new state.
            await conn.execute(
                update(webhook_deliveries)
                .where(_d.id.in_(chunk), _d.state == PENDING)
                .values(values)
            )


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    account_id: int
    state: str | None = None
    endpoint_id: int | None = None
    callbacks_only: bool = False
    event_type: str | None = None
    before_id: int | None = None


async def find_deliveries(conn: Conn, flt: DeliveryFilter, limit: int) -> list[StoredDelivery]:
    """Newest first, `before_id` being the cursor."""
    query = _with_event().where(_d.account_id == flt.account_id)
    if flt.state is not None:
        query = query.where(_d.state == flt.state)
    if flt.endpoint_id is not None:
        query = query.where(_d.endpoint_id == flt.endpoint_id)
    if flt.callbacks_only:
        query = query.where(_d.endpoint_id.is_(None))
    if flt.event_type is not None:
        query = query.where(outbox.c.event == flt.event_type)
    if flt.before_id is not None:
        query = query.where(_d.id < flt.before_id)
    rows = await conn.execute(query.order_by(_d.id.desc()).limit(limit))
    return [_stored(r) for r in rows]


async def replay_dead(
    conn: Conn, flt: DeliveryFilter, now_ms: int, delivery_id: int | None = None
) -> tuple[int, dict[TargetKey, int]]:
    """Dead deliveries matching `flt` (or just `delivery_id`) become pending again with no
    attempts and a fresh retry period (created_at is the replay time). How many, and per
    target the lowest id replayed."""
    where = [_d.account_id == flt.account_id, _d.state == DEAD]
    if delivery_id is not None:
        where.append(_d.id == delivery_id)
    if flt.endpoint_id is not None:
        where.append(_d.endpoint_id == flt.endpoint_id)
    if flt.callbacks_only:
        where.append(_d.endpoint_id.is_(None))
    rows = await conn.execute(
        select(_d.account_id, _d.endpoint_id, _d.url, func.min(_d.id).label("first"))
        .where(*where)
        .group_by(_d.account_id, _d.endpoint_id, _d.url)
    )
    firsts = {TargetKey(r.account_id, r.endpoint_id, r.url): int(r.first) for r in rows}
    if not firsts:
        return 0, {}
    result = await conn.execute(
        update(webhook_deliveries)
        .where(*where)
        .values(
            state=PENDING,
            attempts=0,
            next_at=now_ms,
            created_at=now_ms,
            settled_at=None,
            last_status=None,
            last_error=None,
        )
    )
    return result.rowcount, firsts
