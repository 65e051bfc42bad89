"""A real HTTP server on 127.0.0.1 that records the webhooks it gets. It can be down (not
listening), answer with an error status, or hang without answering, per path."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httptools

OK = "ok"
FAIL = "fail"  # answer 500
HANG = "hang"  # never answer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    at: float  # epoch seconds

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class _Connection(asyncio.Protocol):
    def __init__(self, receiver: Receiver):
        self._receiver = receiver
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's do not subclass it
        self._receiver.connections.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._receiver.connections.discard(self._transport)  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode().lower()] = value.decode()

    def on_body(self, body: bytes) -> None:
        self._body += body

    def on_message_complete(self) -> None:
        assert self._transport is not None
        path = self._url.decode()
        request = Received(path, self._headers, bytes(self._body), time.time())
        self._url, self._headers, self._body = b"", {}, bytearray()
        mode = self._receiver.modes.get(path, self._receiver.default)
        if mode == HANG:
            self._receiver.hung.append(request)
            return
        if mode == FAIL:
            self._receiver.failed.append(request)
            self._transport.write(
                b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n"
            )
            return
        self._receiver.received.append(request)
        self._transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []  # answered 2xx
        self.failed: list[Received] = []  # answered 500
        self.hung: list[Received] = []  # never answered
        self.modes: dict[str, str] = {}
        self.default = OK
        self.connections: set[asyncio.Transport] = set()
        self.port = 0
        self._server: asyncio.Server | None = None

    def url(self, path: str) -> str:
        assert self.port, "start() first"
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        """Listen (again on the same port once it has been up)."""
        self._server = await asyncio.get_running_loop().create_server(
            lambda: _Connection(self), "127.0.0.1", self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Go down: stop listening and drop every open connection."""
        if self._server is not None:
            self._server.close()
            for transport in list(self.connections):
                transport.abort()
            await self._server.wait_closed()
            self._server = None

    def unique(self) -> list[Received]:
        """What arrived, each event once per path: delivery is at least once, and a request
        answered after the sender's timeout (a busy test machine) comes again."""
        seen: set[tuple[str, object]] = set()
        first: list[Received] = []
        for r in self.received:
            key = (r.path, r.json().get("id"))
            if key not in seen:
                seen.add(key)
                first.append(r)
        return first

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"gave up after {timeout} s: {len(self.received)} received, "
                    f"{len(self.failed)} failed, {len(self.hung)} hung"
                )
            await asyncio.sleep(0.01)
