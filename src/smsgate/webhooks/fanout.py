"""Turns outbox events into webhook deliveries: one per subscribed endpoint, one more for the
event's per-send callback URL.

The fan-out keeps its place in the outbox in the `cursors` table and moves it in the same
transaction that inserts the deliveries, so a crash can neither lose a fan-out nor do one
twice (services/outbox_follower.py runs it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from smsgate.services.clock import now_ms
from smsgate.services.outbox_follower import OutboxFollower
from smsgate.store import webhooks as repo
from smsgate.store.database import Database, Tx
from smsgate.webhooks import events
from smsgate.webhooks.directory import Directory, Subscriptions
from smsgate.webhooks.sender import Delivery

CURSOR = "webhook-fanout"
BATCH = 1000


def plan(rows: Sequence[repo.OutboxRow], subscriptions: Subscriptions) -> list[repo.NewDelivery]:
    """The deliveries of each event, in event order: the account's endpoints that take its
    type (by endpoint id), then its callback URL."""
    planned: list[repo.NewDelivery] = []
    for row in rows:
        for endpoint in subscriptions.get(row.account_id, ()):
            if endpoint.accepts(row.event):
                target = repo.TargetKey(row.account_id, endpoint.id)
                planned.append(repo.NewDelivery(target, row.id, row.subject))
        if row.callback_url is not None:
            target = repo.TargetKey(row.account_id, None, row.callback_url)
            planned.append(repo.NewDelivery(target, row.id, row.subject))
    return planned


@dataclass(frozen=True, slots=True)
class _Batch:
    rows: list[repo.OutboxRow]
    planned: list[repo.NewDelivery]
    ids: list[int]
    queued_at: int
    loaded: dict[int, list[repo.Endpoint]]


class Fanout:
    def __init__(
        self,
        db: Database,
        directory: Directory,
        deliver: Callable[[list[Delivery]], None],
        *,
        batch: int = BATCH,
    ):
        self._db = db
        self._directory = directory
        self._deliver = deliver
        self._batch = batch
        self._follower = OutboxFollower(db, CURSOR, self.run_once, batch=batch)

    async def start(self) -> None:
        await self._follower.start()

    async def stop(self) -> None:
        await self._follower.stop()

    async def run_once(self) -> int:
        """Fan out the next batch of events; how many events it held."""
        generation, subscriptions = self._directory.snapshot()
        limit = self._batch

        async def job(tx: Tx) -> _Batch | None:
            position = await repo.cursor(tx.conn, CURSOR)
            assert position is not None, "Fanout.start() creates the cursor"
            rows = await repo.outbox_after(tx.conn, position, limit)
            if not rows:
                return None
            missing = {r.account_id for r in rows} - subscriptions.keys()
            loaded = await repo.active_endpoints(tx.conn, missing) if missing else {}
            planned = plan(rows, {**subscriptions, **{a: tuple(e) for a, e in loaded.items()}})
            queued_at = now_ms()
            ids = await repo.add_deliveries(tx, planned, queued_at)
            await repo.move_cursor(tx.conn, CURSOR, rows[-1].id)
            return _Batch(rows, planned, ids, queued_at, loaded)

        batch = await self._db.write(job, background=True)
        if batch is None:
            return 0
        self._directory.learn(generation, batch.loaded)
        if batch.ids:
            self._deliver(_deliveries(batch))
        return len(batch.rows)


def _deliveries(batch: _Batch) -> list[Delivery]:
    bodies = {
        r.id: (r.event, events.body(r.id, r.event, r.created_at, r.payload)) for r in batch.rows
    }
    out = []
    for delivery_id, new in zip(batch.ids, batch.planned, strict=True):
        event_type, body = bodies[new.event_id]
        out.append(
            Delivery(
                id=delivery_id,
                target=new.target,
                event_id=new.event_id,
                event_type=event_type,
                body=body,
                order_key=new.order_key,
                attempts=0,
                queued_at_ms=batch.queued_at,
            )
        )
    return out
