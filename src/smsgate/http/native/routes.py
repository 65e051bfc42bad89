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
from smsgate.http.native import render
from smsgate.http.native.schemas import (
    MessageOut,
    MessagePage,
    RejectedBatch,
    SendBody,
    SendResponse,
)
from smsgate.runtime import Gateway
from smsgate.services.sending import SendCommand
from smsgate.store.ids import id_floor
from smsgate.store.messages import MessageFilter

AnyRequest = Request[Any, Any, Any]


def _gateway(request: AnyRequest) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def _account(request: AnyRequest) -> Account:
    key_id, secret = parse_authorization(request.headers.get("authorization"))
    return await _gateway(request).accounts.authenticate(key_id, secret)


def _command(body: SendBody) -> SendCommand:
    if body.send_at is not None and body.send_at.tzinfo is None:
        raise DomainError(
            ErrorCode.INVALID_SCHEDULE,
            "send_at needs a UTC offset, e.g. 2026-12-24T18:00:00+01:00",
            field="send_at",
        )
    return SendCommand(
        to=(body.to,) if isinstance(body.to, str) else tuple(body.to or ()),
        text=body.text,
        personalised=tuple((m.to, m.text) for m in body.messages or ()),
        sender=body.sender,
        send_at_ms=int(body.send_at.timestamp() * 1000) if body.send_at else None,
        validity_s=body.validity,
        client_ref=body.client_ref,
        urgent=body.urgent,
        test=body.test,
        estimate=body.estimate,
        smart=body.smart_encoding,
        translit=body.transliterate,
        single=body.single,
    )


def _message_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 19:
        raise DomainError(ErrorCode.NOT_FOUND, f"no message {raw}")
    return int(raw)


@post("/messages", summary="Send one text to many recipients, or personalised texts")
async def send_messages(
    request: AnyRequest,
    data: JSONBody[SendBody],
    idempotency_key: Annotated[
        str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=255)
    ] = None,
) -> Response[SendResponse | RejectedBatch]:
    """201 with each recipient's id or rejection reason; 200 for an estimate; 400 when no
    recipient could be accepted. The answer comes only after the messages are committed."""
    account = await _account(request)
    result = await _gateway(request).sending.send(account, _command(data), idempotency_key)
    body = render.send_response(result)
    if result.accepted == 0 and not result.estimate:
        err = DomainError(ErrorCode.NO_RECIPIENTS, "no recipient could be accepted", field="to")
        return Response(RejectedBatch(render.error_body(err).error, body.messages), status_code=400)
    return Response(body, status_code=200 if result.estimate else 201)


@get("/messages/{message_id:str}", summary="One message with its status history")
async def get_message(request: AnyRequest, message_id: FromPath[str]) -> MessageOut:
    account = await _account(request)
    return render.message_out(await _gateway(request).queries.get(account, _message_id(message_id)))


@delete(
    "/messages/{message_id:str}",
    summary="Cancel a message while scheduled or queued",
    status_code=200,
)
async def cancel_message(request: AnyRequest, message_id: FromPath[str]) -> MessageOut:
    account = await _account(request)
    return render.message_out(
        await _gateway(request).queries.cancel(account, _message_id(message_id))
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
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> MessagePage:
    account = await _account(request)
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise DomainError(ErrorCode.INVALID_FIELD, f"{name} needs a UTC offset", field=name)
    if cursor is not None and not cursor.isdigit():
        raise DomainError(ErrorCode.INVALID_FIELD, "malformed cursor", field="cursor")
    recipient = normalize(to, account.default_region) if to else None
    flt = MessageFilter(
        status=status,
        recipient=recipient,
        client_ref=client_ref,
        id_from=id_floor(int(since.timestamp() * 1000)) if since else None,
        id_to=id_floor(int(until.timestamp() * 1000)) if until else None,
        before_id=int(cursor) if cursor else None,
    )
    page, next_id = await _gateway(request).queries.find(account, flt, limit)
    return MessagePage(
        data=[render.message_out(m) for m in page],
        next_cursor=str(next_id) if next_id is not None else None,
    )


router = Router(
    path="/v1",
    route_handlers=[send_messages, get_message, cancel_message, list_messages],
    tags=["messages"],
)
