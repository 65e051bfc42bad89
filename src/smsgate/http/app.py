"""The ASGI application: routes, error rendering, OpenAPI, and the gateway's lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar import Litestar, MediaType, Request, Response, get
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from smsgate import __version__
from smsgate.domain.errors import DomainError, ErrorCode, ErrorSpec
from smsgate.http.fast_send import SendFastPath
from smsgate.http.limits import LimitGate
from smsgate.http.native import render
from smsgate.http.native.admin import router as admin_router
from smsgate.http.native.admin_billing import router as admin_billing_router
from smsgate.http.native.admin_networks import router as admin_networks_router
from smsgate.http.native.admin_routes import router as admin_routes_router
from smsgate.http.native.admin_senders import router as admin_senders_router
from smsgate.http.native.billing import router as billing_router
from smsgate.http.native.campaigns import router as campaigns_router
from smsgate.http.native.contacts import router as contacts_router
from smsgate.http.native.events import router as events_router
from smsgate.http.native.inbound import router as inbound_router
from smsgate.http.native.limits import admin_router as admin_limits_router
from smsgate.http.native.limits import router as limits_router
from smsgate.http.native.routes import router as native_router
from smsgate.http.native.senders import router as senders_router
from smsgate.http.native.subaccounts import router as subaccounts_router
from smsgate.http.native.templates import router as templates_router
from smsgate.http.native.webhooks import router as webhooks_router
from smsgate.runtime import Gateway

log = structlog.get_logger(__name__)

_HTTP_ERRORS: dict[int, ErrorSpec] = {
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.BODY_TOO_LARGE,
}


def _native_error(err: DomainError) -> Response[Any]:
    return Response(render.error_body(err), status_code=render.HTTP_STATUS[err.kind])


def _on_domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _native_error(exc)


def _on_validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    # Litestar reports msgspec's message and the offending key in `extra`.
    problems = exc.extra if isinstance(exc.extra, list) else []
    first = problems[0] if problems and isinstance(problems[0], dict) else {}
    detail = str(first.get("message") or exc.detail or "the request is malformed")
    field = first.get("key")
    spec = ErrorCode.INVALID_FIELD if field else ErrorCode.INVALID_REQUEST
    return _native_error(DomainError(spec, detail, field=str(field) if field else None))


def _on_http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    spec = _HTTP_ERRORS.get(exc.status_code)
    if spec is None:
        spec = ErrorCode.INVALID_REQUEST if exc.status_code < 500 else ErrorCode.INTERNAL
    response = _native_error(DomainError(spec, str(exc.detail)))
    response.status_code = exc.status_code
    return response


def _on_unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error", exc_info=exc)
    return _native_error(DomainError(ErrorCode.INTERNAL))


@get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/openapi.json", include_in_schema=False, media_type=MediaType.JSON)
async def openapi_json(request: Request[Any, Any, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi_schema.to_schema()
    return schema


def create_app(gateway: Gateway, on_started: Callable[[], None] | None = None) -> LimitGate:
    """The ASGI app: the limit gate, then the send fast path, in front of the Litestar
    application."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await gateway.start()
        if on_started is not None:
            on_started()
        try:
            yield
        finally:
            await gateway.stop()

    app = Litestar(
        route_handlers=[
            native_router,
            events_router,
            inbound_router,
            webhooks_router,
            admin_router,
            admin_billing_router,
            admin_senders_router,
            admin_routes_router,
            admin_limits_router,
            admin_networks_router,
            limits_router,
            contacts_router,
            templates_router,
            campaigns_router,
            billing_router,
            senders_router,
            subaccounts_router,
            health,
            openapi_json,
        ],
        lifespan=[lifespan],
        exception_handlers={
            DomainError: _on_domain_error,
            ValidationException: _on_validation_error,
            HTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
        openapi_config=OpenAPIConfig(
            title="smsgate",
            version=__version__,
            path="/docs",
            render_plugins=[SwaggerRenderPlugin(path="/")],
        ),
        request_max_body_size=gateway.settings.max_body_bytes,
        debug=False,
    )
    app.state.gateway = gateway
    return LimitGate(SendFastPath(app, gateway, gateway.settings.max_body_bytes), gateway)
