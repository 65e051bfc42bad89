"""Handlers of the native API. They translate HTTP to service calls and back; no rules here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response, Router, delete, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.phone import normalize
from smsgate.domain.status import Status
from smsgate.http.credentials import parse_authorization
from smsgate.http.native import render, sending
from smsgate.http.native.schemas import (
    ErrorBody,
    MessageOut,
    MessagePage,
    RejectedBatch,
    SendBody,
    SendResponse,
)
from smsgate.runtime import Gateway
from smsgate.store.ids import id_floor
from smsgate.store.messages import MessageFilter

AnyRequest = Request[Any, Any, Any]
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]  # page size of every listing


def gateway_of(request: AnyRequest) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def authenticated(request: AnyRequest) -> Account:
    key_id, secret = parse_authorization(request.headers.get("authorization"))
    return await gateway_of(request).accounts.authenticate(key_id, secret)


def parse_cursor(raw: str | None, field: str) -> int | None:
    """A cursor is an id: at most 19 digits, so it always fits the BIGINT it is compared to."""
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise DomainError(ErrorCode.INVALID_FIELD, "malformed cursor", field=field)
    return int(raw)


def epoch_ms(name: str, value: datetime) -> int:
    """A time from a query, which must carry a UTC offset, in epoch milliseconds."""
    if value.tzinfo is None:
        raise DomainError(ErrorCode.INVALID_FIELD, f"{name} needs a UTC offset", field=name)
    return int(value.timestamp() * 1000)


def id_bound(name: str, value: datetime | None) -> int | None:
    """A time filter as the id range bound it stands for."""
    return None if value is None else id_floor(epoch_ms(name, value))


def parse_id(raw: str, what: str = "message") -> int:
    """An id in a path: one that cannot exist is simply not found."""
    if not raw.isdigit() or len(raw) > 19:
        raise DomainError(ErrorCode.NOT_FOUND, f"no {what} {raw}")
    return int(raw)


@post("/messages", summary="Send one text to many recipients, or personalised texts")
async def send_messages(
    request: AnyRequest,
    data: JSONBody[SendBody],
    idempotency_key: Annotated[
        str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=255)
    ] = None,
) -> Response[SendResponse | RejectedBatch | ErrorBody]:
    """201 with each recipient's id or rejection reason; 200 for an estimate; 400 when no
    recipient could be accepted. The answer comes only after the messages are committed.

    Served by the ASGI fast path (http/fast_send.py); both call `sending.accept`."""
    status, body = await sending.accept(
        gateway_of(request), request.headers.get("authorization"), idempotency_key, data
    )
    return Response(body, status_code=status)


# A parent account reads the messages of its sub-accounts by naming one.
AsAccount = Annotated[
    str | None, QueryParameter(description="one of the caller's sub-accounts, by name")
]


async def reader(request: AnyRequest, name: str | None) -> Account:
    """The account a read is for: the caller, or the sub-account of it that `name` names."""
    return await gateway_of(request).subaccounts.acting_as(await authenticated(request), name)


@get("/messages/{message_id:str}", summary="One message with its status history")
async def get_message(
    request: AnyRequest, message_id: FromPath[str], account: AsAccount = None
) -> MessageOut:
    reading = await reader(request, account)
    message = await gateway_of(request).queries.get(reading, parse_id(message_id))
    return render.message_out(message, with_parts=True)


@delete(
    "/messages/{message_id:str}",
    summary="Cancel a message while scheduled or queued",
    status_code=200,
)
async def cancel_message(request: AnyRequest, message_id: FromPath[str]) -> MessageOut:
    account = await authenticated(request)
    return render.message_out(
        await gateway_of(request).queries.cancel(account, parse_id(message_id))
    )


@get("/messages", summary="Messages, newest first, with filters and a cursor")
async def list_messages(
    request: AnyRequest,
    status: FromQuery[Status | None] = None,
    to: FromQuery[str | None] = None,
    client_ref: FromQuery[str | None] = None,
    since: Annotated[datetime | None, QueryParameter(description="created at or after")] = None,
    until: Annotated[datetime | None, QueryParameter(description="created before")] = None,
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
    account: AsAccount = None,
) -> MessagePage:
    reading = await reader(request, account)
    recipient = normalize(to, reading.default_region, field="to") if to else None
    flt = MessageFilter(
        status=status,
        recipient=recipient,
        client_ref=client_ref,
        id_from=id_bound("since", since),
        id_to=id_bound("until", until),
        before_id=parse_cursor(cursor, "cursor"),
    )
    page, next_id = await gateway_of(request).queries.find(reading, flt, limit)
    return MessagePage(
        data=[render.message_out(m) for m in page],
        next_cursor=str(next_id) if next_id is not None else None,
    )


router = Router(
    path="/v1",
    route_handlers=[send_messages, get_message, cancel_message, list_messages],
    tags=["messages"],
)
