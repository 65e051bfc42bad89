"""Keeps the connectors running on this node in line with their definitions, and reports their
live state.

Every couple of seconds (and at once after a change made through this node's API) it reads the
definitions (config file + stored), starts the enabled connectors that do not run, stops those
removed, disabled or redefined, points the router's default at a running connector, tells the
router which connectors are up (for failover), moves the messages queued for a connector down
for a while to another their rule allows (`failover.py`), and writes each running connector's
status to `connector_status` for the CLI and the other nodes. A change made with the CLI
straight on the database so reaches a running server within one interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import msgspec
import structlog

from smsgate.connectors import registry
from smsgate.connectors.base import ConnectorStatus
from smsgate.dispatch.dispatcher import Dispatcher
from smsgate.dispatch.failover import Failover
from smsgate.dispatch.router import Router, choose_default
from smsgate.services.clock import now_ms
from smsgate.services.connectors import Definition, load
from smsgate.store import connectors as repo
from smsgate.store.database import Database, Tx

log = structlog.get_logger(__name__)

INTERVAL_S = 2.0
# How long an API change waits for this node to apply it before answering anyway.
REFRESH_WAIT_S = 5.0


class Reconciler:
    def __init__(
        self,
        db: Database,
        configured: Sequence[Definition],
        dispatcher: Dispatcher,
        router: Router,
        *,
        default_connector: str | None = None,
        interval_s: float = INTERVAL_S,
        failover: Failover | None = None,
    ):
        self._db = db
        self._configured = list(configured)
        self._dispatcher = dispatcher
        self._router = router
        self._preferred = default_connector
        self._interval = interval_s
        self._failover = failover
        self._running: dict[str, Definition] = {}
        self._failed: dict[str, ConnectorStatus] = {}  # could not be built or started
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._refreshing: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start the enabled connectors (returns when they are started), then keep watching."""
        await self._cycle()
        if self._preferred is not None and self._preferred not in self._running:
            log.warning(
                "default_connector does not run; new messages go to another connector",
                default_connector=self._preferred,
                router_default=self._router.default,
            )
        self._task = asyncio.create_task(self._loop(), name="connector-reconciler")

    async def refresh(self) -> None:
        """Apply the definitions now; returns once applied, or after REFRESH_WAIT_S while a
        slow connector start goes on."""
        task = asyncio.create_task(self._cycle())
        self._refreshing.add(task)
        task.add_done_callback(self._refreshing.discard)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), REFRESH_WAIT_S)

    async def stop(self) -> None:
        """Stop watching; the dispatcher stops the connectors. This node's reports go, so
        nobody reads them as the state of connectors that no longer run here."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        await asyncio.gather(*self._refreshing, return_exceptions=True)
        await self._report({})

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)
            if not self._stopping.is_set():
                await self._cycle()

    async def _cycle(self) -> None:
        async with self._lock:
            if self._stopping.is_set():
                return
            definitions: list[Definition] = []
            try:
                definitions = await load(self._db, self._configured)
                await self._apply(definitions)
            except Exception:
                log.exception("could not apply the connector definitions")
            statuses = self._dispatcher.statuses()
            up = frozenset(n for n, st in statuses.items() if st.state == "up")
            self._router.set_up(up)
            if self._failover is not None:
                await self._failover.check(d.name for d in definitions if d.name not in up)
            statuses.update(self._failed)
            await self._report(statuses)

    async def _apply(self, definitions: list[Definition]) -> None:
        wanted = {d.name: d for d in definitions if d.enabled}
        for name, running in list(self._running.items()):
            if wanted.get(name) != running:
                log.info("stopping connector", connector=name)
                del self._running[name]
                await self._dispatcher.remove(name)
        for name in list(self._failed):
            if name not in wanted:
                del self._failed[name]
        for name, d in wanted.items():
            if name not in self._running:
                await self._start(d)
        default = choose_default(
            self._preferred,
            [d.name for d in definitions if d.name in self._running],
            [d.name for d in definitions],
        )
        if default != self._router.default:
            log.info("default connector", connector=default)
            self._router.use(default)

    async def _start(self, d: Definition) -> None:
        try:
            connector = d.instance or registry.build(d.name, d.kind, d.options)
            await self._dispatcher.add(connector)
        except Exception as exc:
            error = f"cannot start: {str(exc) or repr(exc)}"
            previous = self._failed.get(d.name)
            if previous is None or previous.last_error != error:
                log.error("connector cannot start", connector=d.name, error=error)
                self._failed[d.name] = ConnectorStatus(
                    state="down",
                    window=0,
                    in_flight=0,
                    rate=0.0,
                    submitted=0,
                    submit_errors=0,
                    reports=0,
                    inbound=0,
                    last_error=error,
                    last_error_at=now_ms(),
                )
            return
        log.info("connector started", connector=d.name, kind=d.kind)
        self._failed.pop(d.name, None)
        self._running[d.name] = d

    async def _report(self, statuses: dict[str, ConnectorStatus]) -> None:
        node = self._dispatcher.node
        states = {name: msgspec.json.encode(s) for name, s in statuses.items()}

        async def job(tx: Tx) -> None:
            await repo.report_status(tx.conn, node, states, now_ms())

        try:
            await self._db.write(job)
        except Exception:  # live state is best effort; the next report comes soon
            log.exception("could not report connector states")
