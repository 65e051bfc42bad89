"""Delivery reports from every channel: matched to their part, rolled up into the message."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from smsgate.batching import Batcher
from smsgate.domain.reports import Report, rollup
from smsgate.domain.status import advance
from smsgate.store import messages, parts
from smsgate.store.database import Database, Tx


async def apply_reports(tx: Tx, reports: Sequence[Report]) -> None:
    """Apply part reports inside `tx`. Reports for ids not known yet are parked, not lost."""
    if not reports:
        return
    located = await parts.locate(tx, reports)
    unmatched = [r for r in reports if (r.connector, r.upstream_id) not in located]
    parts.park(tx, unmatched)
    current = {key: ref.status for key, ref in located.items()}
    updates: list[tuple[parts.PartRef, Report]] = []
    for report in reports:
        key = (report.connector, report.upstream_id)
        if key not in located or advance(current[key], report.status) is None:
            continue
        current[key] = report.status
        updates.append((located[key], report))
    await parts.set_statuses(tx, updates)
    # A one-part message is decided by its report alone; only long ones need their other parts.
    outcomes = [
        (ref.message_id, rollup([rep.state_of_part(1)], 1))
        for ref, rep in updates
        if ref.total == 1
    ]
    long_ones = {ref.message_id for ref, _ in updates if ref.total > 1}
    states = await parts.states(tx, long_ones) if long_ones else {}
    outcomes += [(mid, rollup(known, total)) for mid, (total, known) in states.items()]
    await messages.apply_changes(
        tx,
        [
            messages.Change(
                mid, outcome.status, outcome.at_ms, outcome.error_code, error_raw=outcome.error_raw
            )
            for mid, outcome in outcomes
            if outcome is not None
        ],
    )


class ReportService:
    """The `Sink` connectors report into. `report()` returns once the report is committed."""

    def __init__(self, db: Database):
        self._db = db
        self._batcher: Batcher[Report] = Batcher(
            self._write, max_items=2000, max_delay=0.01, name="reports"
        )

    def start(self) -> None:
        self._batcher.start()

    async def close(self) -> None:
        await self._batcher.close()

    async def report(self, report: Report) -> None:
        await self._batcher.add(report)

    async def reports(self, reports: Sequence[Report]) -> None:
        # Through the batcher like single reports: its short delay also lets the submit
        # outcomes (batched for 2 ms) reach the store first, so fewer reports need parking.
        await asyncio.gather(*(self._batcher.add_nowait(r) for r in reports))

    async def awaiting_reports(self, connector: str) -> list[str]:
        return await self._db.read(lambda conn: parts.awaiting(conn, connector))

    async def _write(self, reports: list[Report]) -> None:
        async def job(tx: Tx) -> None:
            await apply_reports(tx, reports)

        await self._db.write(job, background=True)
