"""Campaigns, and what their messages have become."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update

from smsgate.domain.hours import TimeWindow, time_window
from smsgate.domain.status import Status
from smsgate.store.bulk import in_chunks
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import campaigns, contacts, messages, opt_outs
from smsgate.store.schema import inbound_messages as inbound


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    account_id: int
    name: str
    state: str  # running, paused, canceled
    text: str
    recipients: int
    skipped: int
    starts_at: int
    ends_at: int
    paused_at: int | None
    created_at: int
    updated_at: int
    window: TimeWindow | None = None  # daily hours, kept in each recipient's zone
    time_zone: str = "UTC"  # of recipients whose contact has none
    urgent: bool = False  # quiet hours do not hold it


@dataclass(frozen=True, slots=True)
class Progress:
    by_status: dict[Status, int]
    cost: Decimal  # of the messages charged (0 when the account sends free)
    replies: int  # inbound messages answering one of its messages
    opt_outs: int  # its recipients who opted out since it was made

    def count(self, *statuses: Status) -> int:
        return sum(self.by_status.get(s, 0) for s in statuses)

    @property
    def pending(self) -> int:
        """Messages not settled yet: to be released, waiting for a connector, or sent and
        waiting for their report."""
        return self.count(Status.SCHEDULED, Status.QUEUED, Status.SENT)


# What a campaign's cost leaves out: messages whose charge was never taken or came back.
_UNCHARGED = frozenset({Status.CANCELED.value, Status.REJECTED.value, Status.FAILED.value})


_COLUMNS = tuple(f for f in Campaign.__dataclass_fields__ if f != "window")


def _campaign(row: Any) -> Campaign:
    window = None
    if row.hours is not None:
        days = [int(d) for d in row.days.split(",")] if row.days else []
        window = time_window(row.hours, days=days)
    return Campaign(**{f: getattr(row, f) for f in _COLUMNS}, window=window)


def defer_add(tx: Tx, c: Campaign) -> None:
    """Queue the campaign's row for the transaction (beside its messages)."""
    every_day = c.window is None or len(c.window.days) == 7
    days = None if every_day else ",".join(str(d) for d in sorted(c.window.days))
    tx.defer_insert(
        campaigns,
        (*_COLUMNS, "hours", "days"),
        [(*(getattr(c, f) for f in _COLUMNS), c.window.hours if c.window else None, days)],
    )


async def get(conn: Conn, account_id: int, campaign_id: int) -> Campaign | None:
    row = (
        await conn.execute(
            select(campaigns).where(
                campaigns.c.id == campaign_id, campaigns.c.account_id == account_id
            )
        )
    ).first()
    return _campaign(row) if row is not None else None


async def page(conn: Conn, account_id: int, before_id: int | None, limit: int) -> list[Campaign]:
    """The account's campaigns, newest first."""
    query = select(campaigns).where(campaigns.c.account_id == account_id)
    if before_id is not None:
        query = query.where(campaigns.c.id < before_id)
    rows = await conn.execute(query.order_by(campaigns.c.id.desc()).limit(limit))
    return [_campaign(r) for r in rows]


async def progress(conn: Conn, c: Campaign) -> Progress:
    rows = await conn.execute(
        select(
            messages.c.status,
            func.count().label("n"),
            func.coalesce(func.sum(messages.c.price), 0).label("priced"),
        )
        .where(messages.c.campaign_id == c.id)
        .group_by(messages.c.status)
    )
    by_status: dict[Status, int] = {}
    cost = Decimal(0)
    for r in rows:
        by_status[Status(r.status)] = int(r.n)
        if r.status not in _UNCHARGED:
            cost += Decimal(r.priced)
    ours = select(messages.c.id).where(messages.c.campaign_id == c.id)
    replies = (
        await conn.execute(select(func.count()).where(inbound.c.reply_to.in_(ours)))
    ).scalar_one()
    recipients = select(messages.c.recipient).where(messages.c.campaign_id == c.id)
    opted = (
        await conn.execute(
            select(func.count()).where(
                opt_outs.c.account_id == c.account_id,
                opt_outs.c.number.in_(recipients),
                opt_outs.c.created_at >= c.created_at,
            )
        )
    ).scalar_one()
    return Progress(by_status, cost, int(replies), int(opted))


async def set_state(
    tx: Tx, campaign_id: int, state: str, now_ms: int, paused_at: int | None
) -> None:
    await tx.conn.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values(state=state, paused_at=paused_at, updated_at=now_ms)
    )


@dataclass(frozen=True, slots=True)
class Pending:
    """A message of a campaign still to be released."""

    id: int
    send_at: int
    time_zone: str | None  # its recipient's, as their contact has it now; None: no contact


async def pending(tx: Tx, c: Campaign) -> list[Pending]:
    rows = await tx.conn.execute(
        select(messages.c.id, messages.c.send_at, contacts.c.time_zone)
        .select_from(
            messages.outerjoin(
                contacts,
                and_(
                    contacts.c.account_id == c.account_id,
                    contacts.c.number == messages.c.recipient,
                ),
            )
        )
        .where(messages.c.campaign_id == c.id, messages.c.status == Status.SCHEDULED.value)
    )
    return [Pending(r.id, r.send_at, r.time_zone) for r in rows]


async def reschedule(tx: Tx, campaign_id: int, moves: Sequence[tuple[int, int]]) -> None:
    """Move each message (id, by ms) that much later, its validity with it; the campaign's
    last release becomes the last of theirs."""
    by_shift: dict[int, list[int]] = defaultdict(list)
    for message_id, by_ms in moves:
        by_shift[by_ms].append(message_id)
    for by_ms, ids in by_shift.items():  # a batch moves as one: few statements however many
        for chunk in in_chunks(ids):
            await tx.conn.execute(
                update(messages)
                .where(messages.c.id.in_(chunk))
                .values(
                    send_at=messages.c.send_at + by_ms, expires_at=messages.c.expires_at + by_ms
                )
            )
    last = select(func.max(messages.c.send_at)).where(
        messages.c.campaign_id == campaign_id, messages.c.status == Status.SCHEDULED.value
    )
    await tx.conn.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values(ends_at=func.coalesce(last.scalar_subquery(), campaigns.c.ends_at))
    )


async def waiting(tx: Tx, campaign_id: int) -> list[int]:
    """Its messages that can still be canceled: scheduled, or queued and in no submit."""
    rows = await tx.conn.execute(
        select(messages.c.id).where(
            messages.c.campaign_id == campaign_id,
            messages.c.status.in_([Status.SCHEDULED.value, Status.QUEUED.value]),
            messages.c.claimed_by.is_(None),
        )
    )
    return [r.id for r in rows]
