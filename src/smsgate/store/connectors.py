"""Connectors defined through the API or the CLI, and the live state nodes report of theirs.

A row of kind CONFIG_SWITCH is no connector of its own: it switches the config-file connector
of the same name on or off at run time (the file stays the definition).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import delete, insert, select, update

from smsgate.store.engine import Conn
from smsgate.store.schema import connector_status, connectors

# Not a kind name (those are lower-case letters, digits and _): cannot clash with one.
CONFIG_SWITCH = "@config"

_encode = msgspec.json.encode
_decode_options = msgspec.json.Decoder(dict[str, Any]).decode


@dataclass(frozen=True, slots=True)
class StoredConnector:
    name: str
    kind: str
    options: dict[str, Any]
    enabled: bool
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class StatusRow:
    node: str
    name: str
    state: bytes  # a ConnectorStatus as JSON
    updated_at: int


async def listed(conn: Conn) -> list[StoredConnector]:
    """Oldest first: the order in which the first enabled one is looked for."""
    rows = await conn.execute(
        select(connectors).order_by(connectors.c.created_at, connectors.c.name)
    )
    return [
        StoredConnector(
            r.name, r.kind, _decode_options(r.options), bool(r.enabled), r.created_at, r.updated_at
        )
        for r in rows
    ]


async def add(
    conn: Conn, name: str, kind: str, options: dict[str, Any], enabled: bool, now_ms: int
) -> None:
    """Raises IntegrityError when the name is taken."""
    await conn.execute(
        insert(connectors).values(
            name=name,
            kind=kind,
            options=_encode(options).decode(),
            enabled=enabled,
            created_at=now_ms,
            updated_at=now_ms,
        )
    )


async def remove(conn: Conn, name: str) -> bool:
    return bool((await conn.execute(delete(connectors).where(connectors.c.name == name))).rowcount)


async def set_enabled(conn: Conn, name: str, enabled: bool, now_ms: int) -> bool:
    result = await conn.execute(
        update(connectors)
        .where(connectors.c.name == name, connectors.c.kind != CONFIG_SWITCH)
        .values(enabled=enabled, updated_at=now_ms)
    )
    return bool(result.rowcount)


async def switch_config(conn: Conn, name: str, enabled: bool | None, now_ms: int) -> None:
    """Switch a config-file connector on or off at run time; None: as the file says."""
    await conn.execute(
        delete(connectors).where(connectors.c.name == name, connectors.c.kind == CONFIG_SWITCH)
    )
    if enabled is not None:
        await add(conn, name, CONFIG_SWITCH, {}, enabled, now_ms)


async def report_status(conn: Conn, node: str, states: dict[str, bytes], now_ms: int) -> None:
    """Replace what `node` reported before: connectors it no longer runs disappear."""
    await conn.execute(delete(connector_status).where(connector_status.c.node == node))
    if states:
        await conn.execute(
            insert(connector_status),
            [
                {"node": node, "name": name, "state": state.decode(), "updated_at": now_ms}
                for name, state in states.items()
            ],
        )


async def statuses(conn: Conn) -> list[StatusRow]:
    rows = await conn.execute(
        select(connector_status).order_by(connector_status.c.name, connector_status.c.node)
    )
    return [StatusRow(r.node, r.name, r.state.encode(), r.updated_at) for r in rows]
