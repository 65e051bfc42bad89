"""A raw ASGI path for the hottest route, POST /v1/messages, in front of the Litestar app.

Litestar's per-request machinery halved the single-send rate (3.4k vs 6.4k requests/s on two
cores, docs/decisions/0004-raw-asgi-send-route.md). This front reads the body, decodes it with
msgspec and calls the same `sending.accept` as the documented Litestar route; every other
request, and lifespan, goes to Litestar untouched.
"""

from __future__ import annotations

from typing import Any

import msgspec

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.http.native import render, sending
from smsgate.runtime import Gateway

Scope = dict[str, Any]
ASGIApp = Any

_encode = msgspec.json.Encoder().encode
_PATH = "/v1/messages"


class SendFastPath:
    def __init__(self, app: ASGIApp, gateway: Gateway, max_body: int):
        self.app = app
        self._gateway = gateway
        self._max_body = max_body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != _PATH:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        try:
            raw = await self._read_body(headers, receive)
            body = sending.decode_body(raw)
        except DomainError as err:
            await _respond(send, render.HTTP_STATUS[err.kind], _encode(render.error_body(err)))
            return
        status, answer = await sending.accept(
            self._gateway, headers.get("authorization"), headers.get("idempotency-key"), body
        )
        await _respond(send, status, _encode(answer))

    async def _read_body(self, headers: dict[str, str], receive: Any) -> bytes:
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_body:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise DomainError(ErrorCode.INVALID_REQUEST, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> DomainError:
        return DomainError(
            ErrorCode.BODY_TOO_LARGE, f"the body is larger than {self._max_body} bytes"
        )


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
