"""Failover of queued messages: those waiting for a connector that has been down for a while
go to another connector their routing rule allows that is up.

A rule's failover already steers new messages away from a connector that is down; this moves
the ones queued for it before it went down (or while every other connector of their rule was
down too), so a carrier outage does not hold one-time codes until it ends. Messages no rule
chose stay: the default connector is nobody's choice to leave.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import structlog

from smsgate.dispatch.dispatcher import Dispatcher
from smsgate.dispatch.router import Router
from smsgate.services.clock import now_ms
from smsgate.store import messages
from smsgate.store.database import Database, Tx

log = structlog.get_logger(__name__)

BATCH = 1000  # messages looked at per connector and check


class Failover:
    def __init__(
        self, db: Database, router: Router, dispatcher: Dispatcher, *, after_s: float
    ) -> None:
        """`after_s`: how long a connector is down before its messages move (0: never)."""
        self._db = db
        self._router = router
        self._dispatcher = dispatcher
        self._after_s = after_s
        self._down_since: dict[str, float] = {}
        # Where the next look at each connector's queue starts: a long queue is gone through
        # a batch at a time, so messages that can move are found behind those that cannot.
        self._after_id: dict[str, int] = {}

    async def check(self, down: Iterable[str]) -> None:
        """`down`: the connectors defined but not up now (called every few seconds)."""
        if not self._after_s:
            return
        now = time.monotonic()
        down = set(down)
        for name in self._down_since.keys() - down:
            del self._down_since[name]
            self._after_id.pop(name, None)
        for name in down:
            since = self._down_since.setdefault(name, now)
            if now - since >= self._after_s:
                try:
                    await self._move_from(name)
                except Exception:  # the next check tries again
                    log.exception("failover of queued messages failed", connector=name)

    async def _move_from(self, connector: str) -> None:
        at = now_ms()
        after_id = self._after_id.get(connector, 0)
        waiting = await self._db.read(
            lambda conn: messages.waiting_for(
                conn, connector, after_id=after_id, now_ms=at, limit=BATCH
            )
        )
        self._after_id[connector] = waiting[-1][0] if len(waiting) == BATCH else 0
        moves: list[tuple[int, str]] = []
        urgent = False
        for mid, m in waiting:
            if (to := self._router.failover(m)) is not None:
                moves.append((mid, to))
                urgent = urgent or m.urgent
        if not moves:
            return

        async def job(tx: Tx) -> None:
            await messages.hand_over(tx, connector, moves, at)

        await self._db.write(job, background=True)
        targets = {to for _, to in moves}
        log.warning(
            "queued messages moved off a connector that is down",
            connector=connector,
            count=len(moves),
            to=sorted(targets),
        )
        self._dispatcher.wake(targets, urgent=urgent)
