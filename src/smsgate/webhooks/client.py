"""A small HTTP/1.1 client for webhook POSTs: keep-alive pools per origin, one timeout per
request, nothing else (no redirects, no proxies, no cookies).

httpx did 1,600 requests/s on one connection and 200/s with 50 requests in flight on this
machine; this client, on asyncio protocols with httptools' C parser, does over 50,000/s in the
same test (docs/decisions/0007-webhook-http-client.md).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import cast
from urllib.parse import unquote, urlsplit

import httptools

from smsgate import __version__

IDLE_TIMEOUT_S = 30.0
# Endpoints on one host share its idle connections: enough for each to keep its full
# concurrency open (50 endpoints x 8 in the benchmark).
MAX_IDLE_PER_ORIGIN = 1024

Origin = tuple[str, str, int]  # scheme, host, port


class RequestError(Exception):
    """No HTTP answer: the connection failed, broke, or the answer did not come in time."""


@dataclass(frozen=True, slots=True)
class _Target:
    origin: Origin
    head: bytes  # request line and the headers every request to this URL carries


@lru_cache(maxsize=4096)
def _target(url: str) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    netloc = parts.netloc.rpartition("@")[2]
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {netloc}",
        f"User-Agent: smsgate/{__version__}",
        "Content-Type: application/json",
    ]
    if parts.username is not None:
        # Credentials in the URL (https://user:pass@host/) become Basic authentication.
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        lines.append(f"Authorization: Basic {base64.b64encode(pair.encode()).decode()}")
    return _Target((scheme, host, port), ("\r\n".join(lines) + "\r\n").encode())


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[int] | None = None
        self._status = 0
        self._got_bytes = False
        self.idle_since = 0.0
        self.reusable = True

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._got_bytes = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(RequestError(f"malformed response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        if self._status:  # an answer read until the connection closed
            self._finish()
        else:
            self._fail(RequestError("connection closed before an answer"))

    # httptools callbacks

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()

    def on_message_complete(self) -> None:
        self.reusable = self.reusable and self._parser.should_keep_alive()
        self._finish()

    # requests

    @property
    def alive(self) -> bool:
        return self.reusable and self.transport is not None and not self.transport.is_closing()

    def send(self, data: bytes) -> asyncio.Future[int]:
        assert self.transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self._status = 0
        self._got_bytes = False
        self._parser = httptools.HttpResponseParser(self)
        self.transport.write(data)
        return self._answer

    @property
    def answered_nothing(self) -> bool:
        return not self._got_bytes

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.abort()

    def _finish(self) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(self._status)

    def _fail(self, exc: Exception) -> None:
        self.reusable = False
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc)
        if self.transport is not None:
            self.transport.abort()


class HttpClient:
    def __init__(self) -> None:
        self._idle: dict[Origin, deque[_Connection]] = {}
        self._tls = ssl.create_default_context()
        self._sweeper: asyncio.Task[None] | None = None

    async def post(
        self, url: str, headers: list[tuple[str, str]], body: bytes, timeout: float
    ) -> int:
        """POST `body` to `url`; the HTTP status of the answer. Raises `RequestError` when
        there is none within `timeout` seconds."""
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(), name="webhook-idle-sweep")
        target = _target(url)
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers)
        data = b"%bContent-Length: %d\r\n%b\r\n%b" % (
            target.head,
            len(body),
            extra.encode(),
            body,
        )
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(target.origin, data)
        except TimeoutError:
            raise RequestError(f"no answer within {timeout:g} s") from None
        except OSError as exc:
            raise RequestError(exc.strerror or repr(exc)) from None

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for pool in self._idle.values():
            for conn in pool:
                conn.close()
        self._idle.clear()

    async def _exchange(self, origin: Origin, data: bytes) -> int:
        conn = self._reuse(origin)
        if conn is not None:
            try:
                return await self._send(origin, conn, data)
            except RequestError:
                # The server may have closed an idle connection just as we wrote to it: try
                # once on a fresh one, but only if it never started to answer.
                if not conn.answered_nothing:
                    raise
        return await self._send(origin, await self._connect(origin), data)

    async def _send(self, origin: Origin, conn: _Connection, data: bytes) -> int:
        try:
            status = await conn.send(data)
        except BaseException:
            conn.close()
            raise
        if conn.alive:
            conn.idle_since = time.monotonic()
            pool = self._idle.setdefault(origin, deque())
            if len(pool) < MAX_IDLE_PER_ORIGIN:
                pool.append(conn)
            else:
                conn.close()
        return status

    def _reuse(self, origin: Origin) -> _Connection | None:
        pool = self._idle.get(origin)
        while pool:
            conn = pool.pop()
            if conn.alive:
                return conn
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        tls = self._tls if scheme == "https" else None
        _, conn = await asyncio.get_running_loop().create_connection(
            _Connection, host, port, ssl=tls, server_hostname=host if tls else None
        )
        return conn

    async def _sweep(self) -> None:
        """Close connections idle for longer than IDLE_TIMEOUT_S (servers drop them anyway)."""
        while True:
            await asyncio.sleep(IDLE_TIMEOUT_S / 3)
            cutoff = time.monotonic() - IDLE_TIMEOUT_S
            for origin, pool in list(self._idle.items()):
                while pool and pool[0].idle_since < cutoff:
                    pool.popleft().close()
                if not pool:
                    del self._idle[origin]
