"""An ASGI gate in front of the API: each account's requests within its rate and its cap on
requests in progress, and addresses that keep failing to authenticate blocked for a while.

It looks at every /v1 request but the admin API's (the operator's, with its own token), and
authenticates it as the handlers do (a verified key is cached, so the handler's second look
costs one SHA-256). A request that does not authenticate is refused here, and counts against
its address.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.http.credentials import parse_authorization
from smsgate.http.native import render
from smsgate.runtime import Gateway

Scope = dict[str, Any]
ASGIApp = Any

_encode = msgspec.json.Encoder().encode
_ADMIN = "/v1/admin"


class LimitGate:
    def __init__(self, app: ASGIApp, gateway: Gateway):
        self.app = app
        self._gateway = gateway

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path.startswith(_ADMIN):
            await self.app(scope, receive, send)
            return
        gateway = self._gateway
        address = scope["client"][0] if scope.get("client") else ""
        try:
            await gateway.auth_guard.check(address)
            account = await self._account(scope, address)
            place = await gateway.limits.admit(account, lasting=path.endswith("/stream"))
        except DomainError as refused:
            await _refuse(send, refused)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            await gateway.limits.leave(place)

    async def _account(self, scope: Scope, address: str) -> Account:
        authorization = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
        )
        try:
            return await self._gateway.accounts.authenticate(*parse_authorization(authorization))
        except DomainError as err:
            if err.spec is ErrorCode.UNAUTHORIZED:
                await self._gateway.auth_guard.failed(address)
            raise


async def _refuse(send: Any, refused: DomainError) -> None:
    body = _encode(render.error_body(refused))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if refused.retry_after_s is not None:
        headers.append((b"retry-after", str(max(1, math.ceil(refused.retry_after_s))).encode()))
    await send(
        {
            "type": "http.response.start",
            "status": render.HTTP_STATUS[refused.kind],
            "headers": headers,
        }
    )
    await send({"type": "http.response.body", "body": body})
