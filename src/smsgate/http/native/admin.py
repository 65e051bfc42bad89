"""/v1/admin: the operator's API (connectors, accounts' time zones). Requests carry
`Authorization: Bearer <admin_token>`; without an admin_token configured the whole API answers
403."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Router, delete, get, post, put
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, JSONBody

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.http.native import render
from smsgate.http.native.admin_schemas import (
    AccountTimezoneOut,
    ConnectorBody,
    ConnectorList,
    ConnectorOut,
    NodeStateOut,
    TimezoneBody,
)
from smsgate.http.native.routes import gateway_of
from smsgate.runtime import Gateway
from smsgate.services.connectors import ConnectorService, ConnectorView

AnyRequest = Request[Any, Any, Any]


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Guard of every admin route: checked before the body is read."""
    gateway: Gateway = connection.app.state.gateway
    token = gateway.settings.admin_token
    expected = token.get_secret_value() if token is not None else ""
    if not expected:
        raise DomainError(ErrorCode.ADMIN_DISABLED)
    scheme, _, given = (connection.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise DomainError(
            ErrorCode.UNAUTHORIZED, "admin routes take Authorization: Bearer <admin_token>"
        )


def _connectors(request: AnyRequest) -> ConnectorService:
    return gateway_of(request).connectors


def connector_out(view: ConnectorView) -> ConnectorOut:
    return ConnectorOut(
        name=view.name,
        kind=view.kind,
        source=view.source,
        enabled=view.enabled,
        state=view.state,
        options=view.options,
        queued=view.queued,
        created_at=render.time_of(view.created_at),
        nodes=[
            NodeStateOut(n.node, render.time_at(n.updated_at), n.stale, n.status)
            for n in view.nodes
        ],
    )


@get("/connectors", summary="Every connector, with its live state on each node")
async def list_connectors(request: AnyRequest) -> ConnectorList:
    listing = await _connectors(request).list()
    return ConnectorList([connector_out(v) for v in listing.connectors], listing.orphaned)


@post("/connectors", summary="Add a connector; it starts on every node within seconds")
async def add_connector(request: AnyRequest, data: JSONBody[ConnectorBody]) -> ConnectorOut:
    service = _connectors(request)
    view = await service.add(data.name, data.kind, data.options, enabled=data.enabled)
    return connector_out(view)


@get("/connectors/{name:str}", summary="One connector")
async def get_connector(request: AnyRequest, name: FromPath[str]) -> ConnectorOut:
    return connector_out(await _connectors(request).get(name))


@delete("/connectors/{name:str}", summary="Stop and remove a connector added here")
async def remove_connector(request: AnyRequest, name: FromPath[str]) -> None:
    await _connectors(request).remove(name)


@post("/connectors/{name:str}/enable", summary="Run a disabled connector again", status_code=200)
async def enable_connector(request: AnyRequest, name: FromPath[str]) -> ConnectorOut:
    return connector_out(await _connectors(request).enable(name))


@post(
    "/connectors/{name:str}/disable",
    summary="Stop sending through a connector; its queued messages wait",
    status_code=200,
)
async def disable_connector(request: AnyRequest, name: FromPath[str]) -> ConnectorOut:
    return connector_out(await _connectors(request).disable(name))


def timezone_out(account: Account) -> AccountTimezoneOut:
    return AccountTimezoneOut(account.name, account.timezone)


@get("/accounts/{name:str}/timezone", summary="An account's time zone")
async def get_account_timezone(request: AnyRequest, name: FromPath[str]) -> AccountTimezoneOut:
    return timezone_out(await gateway_of(request).accounts.account(name))


@put(
    "/accounts/{name:str}/timezone",
    summary="Set an account's time zone: of its campaigns' recipients and quiet hours without one",
)
async def put_account_timezone(
    request: AnyRequest, name: FromPath[str], data: JSONBody[TimezoneBody]
) -> AccountTimezoneOut:
    return timezone_out(await gateway_of(request).limits.set_timezone(name, data.timezone))


router = Router(
    path="/v1/admin",
    route_handlers=[
        list_connectors,
        add_connector,
        get_connector,
        remove_connector,
        enable_connector,
        disable_connector,
        get_account_timezone,
        put_account_timezone,
    ],
    tags=["admin"],
    guards=[admin_only],
)
