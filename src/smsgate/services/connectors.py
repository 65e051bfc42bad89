"""Connectors as operators manage them: those of the config file and those added through the
API or the CLI (stored), each with its live state as the nodes running it report it.

Config-file connectors cannot be removed or changed here (the file is their definition), but
they can be disabled and enabled at run time: the switch is stored, so it reaches every node
and outlives restarts until it is switched back.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import msgspec
from sqlalchemy.exc import IntegrityError

from smsgate.config import Settings
from smsgate.connectors import registry
from smsgate.connectors.base import Connector, ConnectorStatus
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.services.clock import now_ms
from smsgate.store import connectors as repo
from smsgate.store import messages
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn

Source = Literal["config", "database"]
# A node's report older than this is shown as stale (nodes report every ~2 s).
STALE_AFTER_MS = 10_000
_NAME = re.compile(r"[A-Za-z0-9_\-.]{1,64}")
_NAME_RULE = "a connector name is 1-64 letters, digits or _ - ."
_decode_status = msgspec.json.Decoder(ConnectorStatus).decode


@dataclass(frozen=True, slots=True)
class Definition:
    """A connector as defined: what the reconciler runs when `enabled`."""

    name: str
    kind: str
    options: dict[str, Any]
    enabled: bool
    source: Source
    created_at: int | None = None
    # A connector built by the embedding code (tests) rather than from kind and options.
    instance: Connector | None = None


def configured_connectors(settings: Settings) -> list[Definition]:
    """The config file's connectors; without any, the `simulator` of the [simulator] table."""
    if not settings.connectors:
        options = settings.simulator.model_dump(mode="json")
        return [Definition("simulator", "simulator", options, True, "config")]
    return [Definition(c.name, c.kind, c.options, c.enabled, "config") for c in settings.connectors]


def given_connectors(connectors: Sequence[Connector]) -> list[Definition]:
    """Connectors built by the embedding code, run as if the config file defined them."""
    return [
        Definition(c.name, type(c).__name__, {}, True, "config", instance=c) for c in connectors
    ]


def check_configured(definitions: Sequence[Definition]) -> None:
    """Refuse a config file whose connectors cannot run, naming the connector and option."""
    seen: set[str] = set()
    for d in definitions:
        where = f"connector {d.name!r} in the config file"
        if not _NAME.fullmatch(d.name):
            raise DomainError(ErrorCode.INVALID_FIELD, f"{where}: {_NAME_RULE}", field="name")
        if d.name in seen:
            raise DomainError(ErrorCode.INVALID_FIELD, f"{where} is defined twice", field="name")
        seen.add(d.name)
        if d.instance is None:
            try:
                registry.build(d.name, d.kind, d.options)
            except DomainError as err:
                raise DomainError(err.spec, f"{where}: {err.detail}", field=err.field) from None


def merge(
    configured: Sequence[Definition], stored: Sequence[repo.StoredConnector]
) -> list[Definition]:
    """Config-file connectors (with their run-time switches), then stored ones, oldest first.
    A stored connector named like a config-file one is ignored: the file wins."""
    switches = {s.name: s.enabled for s in stored if s.kind == repo.CONFIG_SWITCH}
    names = {d.name for d in configured}
    return [replace(d, enabled=switches.get(d.name, d.enabled)) for d in configured] + [
        Definition(s.name, s.kind, s.options, s.enabled, "database", s.created_at)
        for s in stored
        if s.kind != repo.CONFIG_SWITCH and s.name not in names
    ]


async def load(db: Database, configured: Sequence[Definition]) -> list[Definition]:
    return merge(configured, await db.read(repo.listed))


@dataclass(frozen=True, slots=True)
class NodeState:
    """One node's last report of a connector it runs."""

    node: str
    status: ConnectorStatus
    updated_at: int
    stale: bool  # the node has not reported for a while: stopped, or cut off


@dataclass(frozen=True, slots=True)
class ConnectorView:
    name: str
    kind: str
    source: Source
    enabled: bool
    options: dict[str, Any]  # secrets masked
    created_at: int | None
    queued: int  # messages waiting for it
    nodes: list[NodeState]

    @property
    def state(self) -> str:
        """disabled; else the best state a node reports freshly (up, connecting, down); else
        unknown (no node runs it now)."""
        if not self.enabled:
            return "disabled"
        fresh = {n.status.state for n in self.nodes if not n.stale}
        return next((s for s in ("up", "connecting", "down") if s in fresh), "unknown")


@dataclass(frozen=True, slots=True)
class Listing:
    connectors: list[ConnectorView]
    # Messages queued for connectors that are no longer defined: they wait until one of that
    # name is added again, or until their validity ends.
    orphaned: dict[str, int]


class ConnectorService:
    def __init__(
        self,
        db: Database,
        configured: Sequence[Definition],
        *,
        on_change: Callable[[], Awaitable[None]] | None = None,
    ):
        self._db = db
        self._configured = {d.name: d for d in configured}
        self._on_change = on_change

    async def list(self) -> Listing:
        async def read(
            conn: Conn,
        ) -> tuple[list[repo.StoredConnector], list[repo.StatusRow], dict[str, int]]:
            return (
                await repo.listed(conn),
                await repo.statuses(conn),
                await messages.queued_by_connector(conn),
            )

        stored, rows, queued = await self._db.read(read)
        now = now_ms()
        nodes: dict[str, list[NodeState]] = {}
        for row in rows:
            try:
                status = _decode_status(row.state)
            except msgspec.DecodeError:  # written by another version: not worth failing for
                continue
            stale = now - row.updated_at > STALE_AFTER_MS
            nodes.setdefault(row.name, []).append(
                NodeState(row.node, status, row.updated_at, stale)
            )
        definitions = merge(list(self._configured.values()), stored)
        views = [
            ConnectorView(
                name=d.name,
                kind=d.kind,
                source=d.source,
                enabled=d.enabled,
                options=registry.masked(d.kind, d.options),
                created_at=d.created_at,
                queued=queued.get(d.name, 0),
                nodes=nodes.get(d.name, []),
            )
            for d in definitions
        ]
        defined = {d.name for d in definitions}
        orphaned = {name: n for name, n in sorted(queued.items()) if name not in defined}
        return Listing(views, orphaned)

    async def names(self) -> set[str]:
        """Every defined connector, enabled or not."""
        return {d.name for d in await load(self._db, list(self._configured.values()))}

    async def get(self, name: str) -> ConnectorView:
        for view in (await self.list()).connectors:
            if view.name == name:
                return view
        raise DomainError(ErrorCode.NOT_FOUND, f"no connector {name}")

    async def add(
        self, name: str, kind: str, options: Mapping[str, Any], *, enabled: bool = True
    ) -> ConnectorView:
        """Define a connector; it runs on every node within a few seconds (here at once)."""
        if not _NAME.fullmatch(name):
            raise DomainError(ErrorCode.INVALID_FIELD, _NAME_RULE, field="name")
        if name in self._configured:
            raise DomainError(
                ErrorCode.CONNECTOR_EXISTS,
                f"connector {name} is defined in the config file",
                field="name",
            )
        stored = registry.normalised(kind, options)
        registry.build(name, kind, stored)  # what the factory refuses is refused now

        async def job(tx: Tx) -> None:
            await repo.add(tx.conn, name, kind, stored, enabled, now_ms())

        try:
            await self._db.write(job)
        except IntegrityError:
            raise DomainError(
                ErrorCode.CONNECTOR_EXISTS, f"connector {name} exists already", field="name"
            ) from None
        await self._changed()
        return await self.get(name)

    async def remove(self, name: str) -> None:
        """Stop and forget a stored connector. Its queued messages stay queued (listed as
        orphaned) and go out if a connector of the same name is added again."""
        if name in self._configured:
            raise DomainError(
                ErrorCode.CONNECTOR_IN_CONFIG,
                f"connector {name} is defined in the config file and cannot be removed here; "
                "change the file (disable and enable work at run time)",
            )

        async def job(tx: Tx) -> bool:
            return await repo.remove(tx.conn, name)

        if not await self._db.write(job):
            raise DomainError(ErrorCode.NOT_FOUND, f"no connector {name}")
        await self._changed()

    async def enable(self, name: str) -> ConnectorView:
        return await self._switch(name, True)

    async def disable(self, name: str) -> ConnectorView:
        """Stop sending through the connector: its submits in flight finish, its queued
        messages wait, and new messages go to another enabled connector."""
        return await self._switch(name, False)

    async def _switch(self, name: str, enabled: bool) -> ConnectorView:
        configured = self._configured.get(name)

        async def job(tx: Tx) -> bool:
            if configured is None:
                return await repo.set_enabled(tx.conn, name, enabled, now_ms())
            # Switched back to what the file says: no switch left to remember.
            switch = None if enabled == configured.enabled else enabled
            await repo.switch_config(tx.conn, name, switch, now_ms())
            return True

        if not await self._db.write(job):
            raise DomainError(ErrorCode.NOT_FOUND, f"no connector {name}")
        await self._changed()
        return await self.get(name)

    async def _changed(self) -> None:
        if self._on_change is not None:
            await self._on_change()
