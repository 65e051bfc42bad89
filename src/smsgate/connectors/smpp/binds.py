"""One bind to the upstream that keeps itself bound: it connects, binds, and when the
connection ends for any reason waits a backoff and starts again, on its own, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable

import structlog

from smsgate.connectors.smpp.options import SmppOptions
from smsgate.connectors.smpp.policy import Backoff
from smsgate.services.clock import now_ms
from smsgate.smpp.connection import (
    Connection,
    ConnectionClosed,
    RequestHandler,
    ResponseTimeout,
    SmppError,
    connect,
)
from smsgate.smpp.pdu import BindReceiver, BindTransceiver, BindTransmitter
from smsgate.smpp.session import Role, Timers

log = structlog.get_logger(__name__)

_BIND_PDU = {
    "transceiver": BindTransceiver,
    "transmitter": BindTransmitter,
    "receiver": BindReceiver,
}

# What can end an attempt to connect and bind; anything else is a bug and is logged as such.
_LINK_ERRORS = (OSError, TimeoutError, SmppError, ConnectionClosed, ResponseTimeout)


class Bind:
    """`state` is connecting, bound, down (waiting to reconnect) or stopped. `connection` is
    set only while bound."""

    def __init__(
        self,
        options: SmppOptions,
        mode: str,
        label: str,
        on_request: RequestHandler,
        on_change: Callable[[Bind], None],
        on_error: Callable[[str], None],
        tls: ssl.SSLContext | None,
    ) -> None:
        self.mode = mode
        self.label = label
        self.state = "down"
        self.since = now_ms()
        self.connection: Connection | None = None
        self.pending = 0  # our submits on this bind, sent or waiting for a window slot
        self.binds = 0  # successful binds since start: more than one means it reconnected
        self._options = options
        self._on_request = on_request
        self._on_change = on_change
        self._on_error = on_error
        self._tls = tls
        self._timers = Timers(
            response_timeout=options.response_timeout_s,
            enquire_link=options.enquire_link_s,
        )
        self._backoff = Backoff(options.reconnect_initial_s, options.reconnect_max_s)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def transmits(self) -> bool:
        return self.mode != "receiver"

    @property
    def window(self) -> int:
        return self._options.window

    @property
    def ready(self) -> bool:
        """Bound and able to submit now."""
        connection = self.connection
        return self.transmits and connection is not None and connection.bound

    def start(self) -> None:
        """Start binding (again, after a stop: a disabled connector may be enabled)."""
        self._stopping = False
        self._backoff.reset()
        self._task = asyncio.create_task(self._run(), name=f"smpp-{self.label}")

    async def stop(self, timeout: float) -> None:
        """Unbind (waiting up to `timeout` for answers still owed to us) and stop."""
        self._stopping = True
        connection = self.connection
        if connection is not None:
            await connection.unbind(timeout)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._set("stopped")

    async def _run(self) -> None:
        while not self._stopping:
            self._set("connecting")
            connection = await self._bind()
            if connection is not None:
                bound_at = time.monotonic()
                self.connection = connection
                self.binds += 1
                self._set("bound")
                await connection.wait_closed()
                self.connection = None
                if self._stopping:
                    break
                self._failed(f"connection ended: {connection.close_reason}")
                # A bind that held is a fresh start; one that drops at once keeps backing off.
                if time.monotonic() - bound_at >= self._options.reconnect_max_s:
                    self._backoff.reset()
            self._set("down")
            await asyncio.sleep(self._backoff.delay())

    async def _bind(self) -> Connection | None:
        options = self._options
        connection = Connection(
            Role.ESME, self._on_request, window=options.window, timers=self._timers
        )
        pdu = _BIND_PDU[self.mode](
            system_id=options.system_id,
            password=options.password,
            system_type=options.system_type,
        )
        try:
            await connect(
                options.host,
                options.port,
                connection,
                tls=self._tls,
                timeout=options.connect_timeout_s,
            )
            await connection.bind(pdu)
        except _LINK_ERRORS as exc:
            connection.close()
            self._failed(f"bind failed: {exc or type(exc).__name__}")
            return None
        log.info("smpp bound", bind=self.label, mode=self.mode, peer=connection.peer)
        return connection

    def _failed(self, reason: str) -> None:
        log.warning("smpp bind down", bind=self.label, reason=reason)
        self._on_error(f"{self.label}: {reason}")

    def _set(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.since = now_ms()
            self._on_change(self)
