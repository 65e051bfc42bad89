"""/v1/senders: the sender names an account registered, its default sender and its numbers."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, delete, get, post, put
from litestar.params import FromPath, JSONBody

from smsgate.domain.sender import Registered
from smsgate.http.native import render
from smsgate.http.native.routes import authenticated, gateway_of
from smsgate.http.native.schemas import NumberOut
from smsgate.http.native.sender_schemas import (
    AccountSendersOut,
    DefaultSenderBody,
    SenderBody,
    SenderOut,
)
from smsgate.services.senders import AccountSenders, SenderService

AnyRequest = Request[Any, Any, Any]


def sender_out(entry: Registered, account: str | None = None) -> SenderOut:
    return SenderOut(name=entry.name, state=entry.state, reason=entry.reason, account=account)


def account_senders_out(view: AccountSenders) -> AccountSendersOut:
    return AccountSendersOut(
        policy=view.account.sender_policy,
        default_sender=view.account.default_sender,
        senders=[sender_out(entry) for entry in view.registered],
        numbers=[NumberOut(n.number, render.time_at(n.created_at)) for n in view.numbers],
    )


def _senders(request: AnyRequest) -> SenderService:
    return gateway_of(request).senders


@get("/senders", summary="Registered sender names with their state, the default sender, numbers")
async def list_senders(request: AnyRequest) -> AccountSendersOut:
    account = await authenticated(request)
    return account_senders_out(await _senders(request).of(account))


@post("/senders", summary="Register a sender name; it waits for the operator's approval")
async def register_sender(request: AnyRequest, data: JSONBody[SenderBody]) -> SenderOut:
    account = await authenticated(request)
    return sender_out(await _senders(request).register(account, data.name))


@delete("/senders/{name:str}", summary="Remove a registered sender name")
async def withdraw_sender(request: AnyRequest, name: FromPath[str]) -> None:
    account = await authenticated(request)
    await _senders(request).withdraw(account, name)


@put("/senders/default", summary="Set the sender of requests that name none (null: none)")
async def set_default_sender(
    request: AnyRequest, data: JSONBody[DefaultSenderBody]
) -> AccountSendersOut:
    service = _senders(request)
    account = await service.set_default(await authenticated(request), data.sender)
    return account_senders_out(await service.of(account))


router = Router(
    path="/v1",
    route_handlers=[list_senders, register_sender, withdraw_sender, set_default_sender],
    tags=["senders"],
)
