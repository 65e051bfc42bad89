"""The numbering plan: number prefixes and the mobile networks they belong to."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, func, select

from smsgate.domain.networks import Network
from smsgate.store.bulk import insert_rows
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import networks

_COLUMNS = ("prefix", "mcc", "mnc", "name", "updated_at")


async def plan(conn: Conn) -> dict[str, Network]:
    rows = await conn.execute(
        select(networks.c.prefix, networks.c.mcc, networks.c.mnc, networks.c.name)
    )
    return {r[0]: Network(r[1], r[2], r[3]) for r in rows}


async def version(conn: Conn) -> tuple[int, int]:
    """What changes whenever the plan is replaced (its size and its newest write): the price
    book reads the plan again only then."""
    row = (
        await conn.execute(select(func.count(), func.coalesce(func.max(networks.c.updated_at), 0)))
    ).one()
    return int(row[0]), int(row[1])


async def replace_plan(tx: Tx, by_prefix: Mapping[str, Network], now_ms: int) -> None:
    await tx.conn.execute(delete(networks))
    await insert_rows(
        tx.conn,
        networks,
        _COLUMNS,
        [(p, n.mcc, n.mnc, n.name, now_ms) for p, n in by_prefix.items()],
    )
