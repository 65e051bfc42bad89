"""Message parts as the upstream knows them, and reports that arrived before their part."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from smsgate.domain.message import PartDetail
from smsgate.domain.reports import PartState, Report
from smsgate.domain.status import Status
from smsgate.store.bulk import in_chunks
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import early_reports, message_parts, messages

_STATUSES = {s.value: s for s in Status}


@dataclass(frozen=True, slots=True)
class PartRef:
    message_id: int
    part_no: int
    connector: str
    upstream_id: str
    status: Status
    total: int  # parts of the message


async def locate(tx: Tx, reports: Sequence[Report]) -> dict[tuple[str, str], PartRef]:
    by_connector: dict[str, list[str]] = defaultdict(list)
    for r in reports:
        by_connector[r.connector].append(r.upstream_id)
    found: dict[tuple[str, str], PartRef] = {}
    for connector, upstream_ids in by_connector.items():
        for chunk in in_chunks(upstream_ids):
            rows = await tx.conn.execute(
                select(
                    message_parts.c.message_id,
                    message_parts.c.part_no,
                    message_parts.c.upstream_id,
                    message_parts.c.status,
                    messages.c.parts,
                )
                .join(messages, messages.c.id == message_parts.c.message_id)
                .where(
                    message_parts.c.connector == connector,
                    message_parts.c.upstream_id.in_(chunk),
                )
                # An upstream may reuse ids (counters reset on its restart): the newest
                # message holding an id is the one a fresh report is about.
                .order_by(message_parts.c.message_id)
            )
            # Unpacked by position: a Row's attributes cost ~0.4 us each, per report.
            for message_id, part_no, upstream_id, status, total in rows:
                found[(connector, upstream_id)] = PartRef(
                    message_id, part_no, connector, upstream_id, _STATUSES[status], total
                )
    return found


async def set_statuses(tx: Tx, updates: Sequence[tuple[PartRef, Report]]) -> None:
    """One UPDATE per (part number, status, error, time) group rather than one per part:
    row-by-row statements re-take the GIL at every row on SQLite (see store/bulk.py)."""
    groups: dict[tuple[int, Status, str | None, str | None, int], list[int]] = defaultdict(list)
    for ref, rep in updates:
        key = (ref.part_no, rep.status, rep.error_code, rep.error_raw, rep.at_ms)
        groups[key].append(ref.message_id)
    for (part_no, status, code, raw, at), ids in groups.items():
        for chunk in in_chunks(ids):
            await tx.conn.execute(
                update(message_parts)
                .where(message_parts.c.part_no == part_no, message_parts.c.message_id.in_(chunk))
                .values(status=status.value, error_code=code, error_raw=raw, updated_at=at)
            )


async def states(tx: Tx, message_ids: Iterable[int]) -> dict[int, tuple[int, list[PartState]]]:
    """Per message: (number of parts handed to the upstream, the states of those parts).

    Counted from the parts rows, not `messages.parts` (what was charged): an upstream may take
    a long message in one submit (SMPP message_payload) or in more parts than charged (UCS-2
    for an SMSC whose charset lacks a character), and every part it took has a row, all
    written together when the submit is recorded."""
    result: dict[int, list[PartState]] = {}
    for chunk in in_chunks(list(message_ids)):
        rows = await tx.conn.execute(
            select(
                message_parts.c.message_id,
                message_parts.c.part_no,
                message_parts.c.status,
                message_parts.c.updated_at,
                message_parts.c.error_code,
                message_parts.c.error_raw,
            ).where(message_parts.c.message_id.in_(chunk))
        )
        for row in rows:
            result.setdefault(row.message_id, []).append(
                PartState(
                    row.part_no, Status(row.status), row.updated_at, row.error_code, row.error_raw
                )
            )
    return {message_id: (len(known), known) for message_id, known in result.items()}


async def awaiting(conn: Conn, connector: str) -> list[str]:
    rows = await conn.execute(
        select(message_parts.c.upstream_id).where(
            message_parts.c.connector == connector,
            message_parts.c.status == Status.SENT.value,
        )
    )
    return [r.upstream_id for r in rows]


async def of_message(conn: Conn, message_id: int) -> tuple[PartDetail, ...]:
    rows = await conn.execute(
        select(message_parts)
        .where(message_parts.c.message_id == message_id)
        .order_by(message_parts.c.part_no)
    )
    return tuple(
        PartDetail(
            r.part_no,
            r.connector,
            r.upstream_id,
            Status(r.status),
            r.error_code,
            r.error_raw,
            r.updated_at,
        )
        for r in rows
    )


def park(tx: Tx, reports: Sequence[Report]) -> None:
    tx.defer_insert(
        early_reports,
        ("connector", "upstream_id", "status", "error_code", "error_raw", "at_ms"),
        [
            (r.connector, r.upstream_id, r.status.value, r.error_code, r.error_raw, r.at_ms)
            for r in reports
        ],
    )


async def unpark(tx: Tx, connector: str, upstream_ids: Sequence[str]) -> list[Report]:
    """Take the parked reports for these ids out of the parking table."""
    found: list[Report] = []
    # Usually nothing is parked: one probe instead of a lookup by every id just submitted.
    if (await tx.conn.execute(select(early_reports.c.id).limit(1))).first() is None:
        return found
    for chunk in in_chunks(upstream_ids):
        condition = (early_reports.c.connector == connector) & early_reports.c.upstream_id.in_(
            chunk
        )
        rows = (await tx.conn.execute(select(early_reports).where(condition))).all()
        if rows:
            await tx.conn.execute(delete(early_reports).where(condition))
            found.extend(
                Report(
                    r.connector, r.upstream_id, Status(r.status), r.at_ms, r.error_code, r.error_raw
                )
                for r in rows
            )
    return found
