"""The webhook benchmark's receiver: a bare HTTP/1.1 server on 127.0.0.1, run as its own process.

    python bench/webhook_receiver.py PORT

Answers every POST with 204 and records, per request, when it arrived and the delay from the
event's `created_at` (the status change) to arrival. `GET /stats` answers the figures as JSON;
`POST /reset` forgets them. Serves any path, so one receiver stands for 50 endpoints.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from typing import cast

import httptools
import uvloop

_CREATED = b'"created_at":"'


class Recorder:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.delays_ms: list[float] = []
        self.paths: dict[str, int] = {}
        self.first = 0.0
        self.last = 0.0
        self.unsigned = 0
        self.created_first = float("inf")
        self.created_last = 0.0

    def record(self, path: str, body: bytes, signed: bool) -> None:
        now = time.time()
        start = body.find(_CREATED) + len(_CREATED)
        created = datetime.fromisoformat(body[start : body.index(b'"', start)].decode())
        at = created.timestamp()
        self.delays_ms.append((now - at) * 1000)
        self.created_first = min(self.created_first, at)
        self.created_last = max(self.created_last, at)
        self.paths[path] = self.paths.get(path, 0) + 1
        self.first = self.first or now
        self.last = now
        self.unsigned += not signed

    def stats(self) -> dict[str, object]:
        return {
            "count": len(self.delays_ms),
            "first": self.first,
            "last": self.last,
            "delays_ms": self.delays_ms,
            "paths": len(self.paths),
            "unsigned": self.unsigned,
            "created_first": self.created_first if self.delays_ms else 0.0,
            "created_last": self.created_last,
        }


class Connection(asyncio.Protocol):
    def __init__(self, recorder: Recorder):
        self._recorder = recorder
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._body = bytearray()
        self._signed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's do not subclass it

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"smsgate-signature":
            self._signed = value.startswith(b"t=")

    def on_body(self, body: bytes) -> None:
        self._body += body

    def on_message_complete(self) -> None:
        assert self._transport is not None
        path, body = self._url.decode(), bytes(self._body)
        method = self._parser.get_method()
        self._url, self._body = b"", bytearray()
        if path == "/stats":
            payload = json.dumps(self._recorder.stats()).encode()
            head = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n"
            self._transport.write(head % len(payload) + payload)
            return
        if path == "/reset":
            self._recorder.reset()
        elif method == b"POST":
            self._recorder.record(path, body, self._signed)
        self._signed = False
        self._transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")


async def serve(port: int) -> None:
    recorder = Recorder()
    server = await asyncio.get_running_loop().create_server(
        lambda: Connection(recorder), "127.0.0.1", port, backlog=1024
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1])))
