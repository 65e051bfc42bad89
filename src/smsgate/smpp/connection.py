"""The asyncio shell around a `Session`: a socket, a window of futures, a clock.

`request` sends one of our requests and waits for its answer; at most `window` wait at once,
the rest queue for a slot. Requests from the peer go to the `on_request` callback, which answers
through `respond` whenever it is ready: the server answers submit_sm only once the message is
committed, so answers often leave out of order, as SMPP allows. Output is gathered and written
once per turn of the event loop, so a burst of answers costs one system call.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable
from typing import cast

import structlog

from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.framing import DEFAULT_MAX_PDU_SIZE
from smsgate.smpp.pdu import Pdu
from smsgate.smpp.session import (
    Closed,
    Event,
    Request,
    Response,
    Role,
    Session,
    State,
    TimedOut,
    Timers,
    response_to,
)

log = structlog.get_logger(__name__)

TICK_S = 0.5


class ConnectionClosed(Exception):
    """The session ended before the request was answered."""


class ResponseTimeout(Exception):
    """The peer did not answer within the response timeout."""


class SmppError(Exception):
    """The peer answered with an error status."""

    def __init__(self, pdu: Pdu):
        self.pdu = pdu
        self.status = pdu.command_status
        try:
            name = CommandStatus(self.status).name
        except ValueError:
            name = f"0x{self.status:08x}"
        super().__init__(f"{type(pdu).__name__} {name}")


RequestHandler = Callable[["Connection", Pdu], None]
ClosedHandler = Callable[["Connection", str], None]


def _ignore_close(connection: Connection, reason: str) -> None:
    pass


class Connection(asyncio.Protocol):
    def __init__(
        self,
        role: Role,
        on_request: RequestHandler,
        *,
        window: int = 10,
        timers: Timers | None = None,
        max_pdu_size: int = DEFAULT_MAX_PDU_SIZE,
        on_closed: ClosedHandler = _ignore_close,
    ) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.session = Session(role, timers or Timers(), max_pdu_size)
        self.window = window
        self._on_request = on_request
        self._on_closed = on_closed
        self._slots = asyncio.Semaphore(window)
        self._waiting: dict[int, asyncio.Future[Pdu]] = {}
        self._transport: asyncio.Transport | None = None
        self._flush_scheduled = False
        self._writable = asyncio.Event()
        self._writable.set()
        self._ticker: asyncio.TimerHandle | None = None
        self._closed = asyncio.Event()
        self.close_reason: str | None = None
        self.peer: tuple[str, int] | None = None

    # State

    @property
    def state(self) -> State:
        return self.session.state

    @property
    def bound(self) -> bool:
        return self.session.bound

    @property
    def in_flight(self) -> int:
        return len(self._waiting)

    @property
    def is_closed(self) -> bool:
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    # Ours to the peer

    async def request(self, pdu: Pdu) -> Pdu:
        """Send a request, return its answer (error statuses included). Raises
        ConnectionClosed or ResponseTimeout."""
        async with self._slots:
            if not self._writable.is_set():
                await self._writable.wait()
            if self.session.closed or self._transport is None:
                raise ConnectionClosed(self.close_reason or "not connected")
            sequence = self.session.send_request(pdu, time.monotonic())
            future: asyncio.Future[Pdu] = asyncio.get_running_loop().create_future()
            self._waiting[sequence] = future
            self._schedule_flush()
            return await future

    async def bind(self, pdu: Pdu) -> Pdu:
        """Bind; raises SmppError when the peer refuses."""
        answer = await self.request(pdu)
        if answer.command_status != CommandStatus.ESME_ROK:
            raise SmppError(answer)
        return answer

    def respond(self, pdu: Pdu) -> None:
        """Answer a request `on_request` was given (at most once, in any order)."""
        self._handle(self.session.respond(pdu))
        self._schedule_flush()

    async def unbind(self, timeout: float = 5.0) -> None:
        """Wait (within `timeout`) for our requests in flight, unbind, and close."""
        if self.session.closed or self._transport is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._waiting:
                    await asyncio.gather(*self._waiting.values(), return_exceptions=True)
                if self.session.bound:
                    self.session.unbind(time.monotonic())
                    self._schedule_flush()
                    await self._closed.wait()
        self.close("unbound")

    def close(self, reason: str = "closed by us") -> None:
        if not self.session.closed:
            self._handle(self.session.connection_lost(reason))
        self._flush()
        if self._transport is not None:
            self._transport.close()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport but have its methods.
        self._transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer = (peer[0], peer[1]) if isinstance(peer, tuple) else None
        self.session.started(time.monotonic())
        self._ticker = asyncio.get_running_loop().call_later(TICK_S, self._tick)

    def data_received(self, data: bytes) -> None:
        self._handle(self.session.receive_data(data, time.monotonic()))
        self._flush()

    def eof_received(self) -> bool:
        return False  # the peer is gone: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        reason = f"connection lost: {exc}" if exc else "connection closed"
        self._handle(self.session.connection_lost(reason))
        if self._ticker is not None:
            self._ticker.cancel()
        self._transport = None
        self._writable.set()  # wake writers so they see the connection is gone
        self._fail_waiting(self.close_reason or reason)
        self._closed.set()

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    # Internals

    def _handle(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Response):
                future = self._waiting.pop(event.pdu.sequence_number, None)
                if future is not None and not future.done():
                    future.set_result(event.pdu)
            elif isinstance(event, Request):
                try:
                    self._on_request(self, event.pdu)
                except Exception:
                    # A handler bug costs this request, not the session.
                    log.exception("SMPP request handler failed", peer=self.peer)
                    pdu = event.pdu
                    self.respond(
                        response_to(pdu.command_id, pdu.sequence_number, CommandStatus.ESME_RSYSERR)
                    )
            elif isinstance(event, TimedOut):
                future = self._waiting.pop(event.sequence_number, None)
                if future is not None and not future.done():
                    future.set_exception(ResponseTimeout(f"sequence {event.sequence_number}"))
            elif isinstance(event, Closed):
                self.close_reason = event.reason
                self._fail_waiting(event.reason)
                self._flush()
                if self._transport is not None:
                    self._transport.close()
                self._on_closed(self, event.reason)

    def _fail_waiting(self, reason: str) -> None:
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(ConnectionClosed(reason))

    def _tick(self) -> None:
        self._handle(self.session.tick(time.monotonic()))
        self._flush()
        if not self.session.closed:
            self._ticker = asyncio.get_running_loop().call_later(TICK_S, self._tick)

    def _schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        data = self.session.data_to_send()
        if data and self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)


async def connect(
    host: str,
    port: int,
    connection: Connection,
    *,
    tls: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> Connection:
    """Open a TCP (or TLS) connection for `connection`; raises OSError or TimeoutError."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        await loop.create_connection(lambda: connection, host, port, ssl=tls)
    return connection
