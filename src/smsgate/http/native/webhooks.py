"""/v1/webhooks: endpoints, their delivery logs, dead letters and replays; /v1/callbacks: the
secret that signs per-send callbacks. Handlers translate HTTP to WebhookService calls."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.http.native import render
from smsgate.http.native.routes import Limit, authenticated, gateway_of, parse_cursor, parse_id
from smsgate.http.native.webhook_schemas import (
    DeliveryOut,
    DeliveryPage,
    EndpointBody,
    EndpointList,
    EndpointOut,
    EndpointPatch,
    ReplayBody,
    ReplayResult,
    SecretOut,
)
from smsgate.services.webhooks import WebhookService
from smsgate.store import outbox
from smsgate.store import webhooks as repo

AnyRequest = Request[Any, Any, Any]


def _service(request: AnyRequest) -> WebhookService:
    return gateway_of(request).webhooks


def _endpoint_filter(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise DomainError(ErrorCode.INVALID_FIELD, "not an endpoint id", field="endpoint_id")
    return int(raw)


def endpoint_out(endpoint: repo.Endpoint, *, with_secret: bool = False) -> EndpointOut:
    return EndpointOut(
        id=str(endpoint.id),
        url=endpoint.url,
        events=["*"] if endpoint.events is None else sorted(endpoint.events),
        description=endpoint.description,
        active=endpoint.active,
        created_at=render.time_at(endpoint.created_at),
        updated_at=render.time_at(endpoint.updated_at),
        secret=endpoint.secret if with_secret else None,
    )


def delivery_out(d: repo.StoredDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=str(d.id),
        endpoint_id=str(d.target.endpoint_id) if d.target.endpoint_id is not None else None,
        callback_url=d.target.url,
        state=d.state,
        attempts=d.attempts,
        next_attempt_at=render.time_at(d.next_at) if d.state == repo.PENDING else None,
        last_status=d.last_status,
        last_error=d.last_error,
        created_at=render.time_at(d.created_at),
        settled_at=render.time_of(d.settled_at),
        event=render.event_out(
            outbox.Event(d.event_id, d.event_type, d.payload, d.event_created_at)
        ),
    )


def _page(page: list[repo.StoredDelivery], next_id: int | None) -> DeliveryPage:
    return DeliveryPage(
        data=[delivery_out(d) for d in page],
        next_cursor=str(next_id) if next_id is not None else None,
    )


@post("/webhooks", summary="Add an endpoint; the answer carries its signing secret")
async def create_endpoint(request: AnyRequest, data: JSONBody[EndpointBody]) -> EndpointOut:
    account = await authenticated(request)
    endpoint = await _service(request).create(account, data.url, data.events, data.description)
    return endpoint_out(endpoint, with_secret=True)


@get("/webhooks", summary="The account's endpoints")
async def list_endpoints(request: AnyRequest) -> EndpointList:
    account = await authenticated(request)
    return EndpointList([endpoint_out(e) for e in await _service(request).list(account)])


@get("/webhooks/{endpoint_id:str}", summary="One endpoint")
async def get_endpoint(request: AnyRequest, endpoint_id: FromPath[str]) -> EndpointOut:
    account = await authenticated(request)
    return endpoint_out(await _service(request).get(account, parse_id(endpoint_id, "endpoint")))


@patch("/webhooks/{endpoint_id:str}", summary="Change an endpoint's URL, events, state")
async def update_endpoint(
    request: AnyRequest, endpoint_id: FromPath[str], data: JSONBody[EndpointPatch]
) -> EndpointOut:
    account = await authenticated(request)
    endpoint = await _service(request).update(
        account,
        parse_id(endpoint_id, "endpoint"),
        url=data.url,
        events=data.events,
        active=data.active,
        description=data.description,
    )
    return endpoint_out(endpoint)


@delete("/webhooks/{endpoint_id:str}", summary="Remove an endpoint and its deliveries")
async def delete_endpoint(request: AnyRequest, endpoint_id: FromPath[str]) -> None:
    account = await authenticated(request)
    await _service(request).delete(account, parse_id(endpoint_id, "endpoint"))


@post(
    "/webhooks/{endpoint_id:str}/rotate-secret",
    summary="Replace an endpoint's signing secret",
    status_code=200,
)
async def rotate_endpoint_secret(request: AnyRequest, endpoint_id: FromPath[str]) -> EndpointOut:
    account = await authenticated(request)
    endpoint = await _service(request).rotate_secret(account, parse_id(endpoint_id, "endpoint"))
    return endpoint_out(endpoint, with_secret=True)


@get("/webhooks/{endpoint_id:str}/deliveries", summary="An endpoint's deliveries, newest first")
async def endpoint_deliveries(
    request: AnyRequest,
    endpoint_id: FromPath[str],
    state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
) -> DeliveryPage:
    account = await authenticated(request)
    page, next_id = await _service(request).deliveries(
        account,
        limit,
        state=state_filter,
        endpoint_id=parse_id(endpoint_id, "endpoint"),
        before_id=parse_cursor(cursor, "cursor"),
    )
    return _page(page, next_id)


@get("/webhooks/dead-letters", summary="Deliveries that ran out of retries, newest first")
async def dead_letters(
    request: AnyRequest,
    endpoint_id: FromQuery[str | None] = None,
    type: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
) -> DeliveryPage:
    account = await authenticated(request)
    page, next_id = await _service(request).deliveries(
        account,
        limit,
        state=repo.DEAD,
        endpoint_id=_endpoint_filter(endpoint_id),
        event_type=type,
        before_id=parse_cursor(cursor, "cursor"),
    )
    return _page(page, next_id)


@post(
    "/webhooks/dead-letters/{delivery_id:str}/replay",
    summary="Send one dead letter again",
    status_code=200,
)
async def replay_one(request: AnyRequest, delivery_id: FromPath[str]) -> ReplayResult:
    account = await authenticated(request)
    await _service(request).replay(account, parse_id(delivery_id, "dead letter"))
    return ReplayResult(replayed=1)


@post(
    "/webhooks/dead-letters/replay",
    summary="Send every dead letter again (of one endpoint, or of the account)",
    status_code=200,
)
async def replay_all(request: AnyRequest, data: JSONBody[ReplayBody | None] = None) -> ReplayResult:
    account = await authenticated(request)
    endpoint_id = _endpoint_filter(data.endpoint_id if data is not None else None)
    return ReplayResult(await _service(request).replay_all(account, endpoint_id))


@get("/callbacks/secret", summary="The secret that signs per-send callbacks")
async def callback_secret(request: AnyRequest) -> SecretOut:
    account = await authenticated(request)
    return SecretOut(await _service(request).callback_secret(account))


@post("/callbacks/secret/rotate", summary="Replace the per-send callback secret", status_code=200)
async def rotate_callback_secret(request: AnyRequest) -> SecretOut:
    account = await authenticated(request)
    return SecretOut(await _service(request).rotate_callback_secret(account))


router = Router(
    path="/v1",
    route_handlers=[
        create_endpoint,
        list_endpoints,
        get_endpoint,
        update_endpoint,
        delete_endpoint,
        rotate_endpoint_secret,
        endpoint_deliveries,
        dead_letters,
        replay_one,
        replay_all,
        callback_secret,
        rotate_callback_secret,
    ],
    tags=["webhooks"],
)
