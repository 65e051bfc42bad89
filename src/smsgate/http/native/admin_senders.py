"""/v1/admin: sender names waiting for a decision, each account's senders and sender policy,
and the gateway's numbers (the operator's)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.sender import NumberKind, SenderPolicy, SenderState
from smsgate.http.native import render
from smsgate.http.native.admin import admin_only
from smsgate.http.native.routes import gateway_of
from smsgate.http.native.sender_schemas import (
    AccountSendersOut,
    DefaultSenderBody,
    GatewayNumberOut,
    NumberBody,
    NumberIndex,
    PolicyBody,
    RejectBody,
    SenderBody,
    SenderIndex,
    SenderOut,
)
from smsgate.http.native.senders import account_senders_out, sender_out
from smsgate.services.senders import NumberView, SenderService

AnyRequest = Request[Any, Any, Any]


def _senders(request: AnyRequest) -> SenderService:
    return gateway_of(request).senders


@get("/senders", summary="Every account's registered senders (state=pending: those to decide)")
async def list_all_senders(
    request: AnyRequest,
    in_state: Annotated[SenderState | None, QueryParameter(name="state")] = None,
) -> SenderIndex:
    listed = await _senders(request).waiting(in_state)
    return SenderIndex([sender_out(entry, account) for account, entry in listed])


@get("/accounts/{name:str}/senders", summary="An account's senders, sender policy and numbers")
async def get_account_senders(request: AnyRequest, name: FromPath[str]) -> AccountSendersOut:
    return account_senders_out(await _senders(request).senders_of(name))


@post("/accounts/{name:str}/senders", summary="Register a sender name for an account, approved")
async def add_sender(
    request: AnyRequest, name: FromPath[str], data: JSONBody[SenderBody]
) -> SenderOut:
    return sender_out(await _senders(request).add_for(name, data.name))


@post(
    "/accounts/{name:str}/senders/{sender:str}/approve",
    summary="Approve a sender name",
    status_code=200,
)
async def approve_sender(
    request: AnyRequest, name: FromPath[str], sender: FromPath[str]
) -> SenderOut:
    return sender_out(await _senders(request).decide(name, sender, SenderState.APPROVED))


@post(
    "/accounts/{name:str}/senders/{sender:str}/reject",
    summary="Reject a sender name, with a reason the account is told",
    status_code=200,
)
async def reject_sender(
    request: AnyRequest, name: FromPath[str], sender: FromPath[str], data: JSONBody[RejectBody]
) -> SenderOut:
    entry = await _senders(request).decide(name, sender, SenderState.REJECTED, data.reason)
    return sender_out(entry)


@delete("/accounts/{name:str}/senders/{sender:str}", summary="Remove an account's sender name")
async def remove_sender(request: AnyRequest, name: FromPath[str], sender: FromPath[str]) -> None:
    await _senders(request).remove_for(name, sender)


@put("/accounts/{name:str}/senders/default", summary="Set an account's default sender")
async def set_default_sender(
    request: AnyRequest, name: FromPath[str], data: JSONBody[DefaultSenderBody]
) -> AccountSendersOut:
    service = _senders(request)
    await service.set_default_of(name, data.sender)
    return account_senders_out(await service.senders_of(name))


@put(
    "/accounts/{name:str}/sender-policy",
    summary="open: any valid sender; registered: approved names and own numbers only",
)
async def set_sender_policy(
    request: AnyRequest, name: FromPath[str], data: JSONBody[PolicyBody]
) -> AccountSendersOut:
    service = _senders(request)
    await service.set_policy(name, SenderPolicy(data.policy))
    return account_senders_out(await service.senders_of(name))


def number_out(view: NumberView) -> GatewayNumberOut:
    return GatewayNumberOut(
        number=view.number.number,
        kind=view.number.kind,
        created_at=render.time_at(view.number.created_at),
        account=view.account,
    )


@get("/numbers", summary="Every number: dedicated to an account, or in the shared or two-way pool")
async def list_numbers(request: AnyRequest) -> NumberIndex:
    return NumberIndex([number_out(view) for view in await _senders(request).numbers()])


@post("/numbers", summary="Give a number to an account (account) or to a pool (pool)")
async def add_number(request: AnyRequest, data: JSONBody[NumberBody]) -> GatewayNumberOut:
    service = _senders(request)
    if isinstance(data.account, str) and data.pool is UNSET:
        return number_out(await service.assign_number(data.account, data.number))
    if isinstance(data.pool, str) and data.account is UNSET:
        return number_out(await service.pool_number(data.number, NumberKind(data.pool)))
    raise DomainError(ErrorCode.INVALID_REQUEST, "give either account or pool", "account")


@delete("/numbers/{number:str}", summary="Take a number away from its account or pool")
async def remove_number(request: AnyRequest, number: FromPath[str]) -> None:
    if not await _senders(request).release_number(number):
        raise DomainError(ErrorCode.NOT_FOUND, f"{number} is not one of the gateway's numbers")


router = Router(
    path="/v1/admin",
    route_handlers=[
        list_all_senders,
        get_account_senders,
        add_sender,
        approve_sender,
        reject_sender,
        remove_sender,
        set_default_sender,
        set_sender_policy,
        list_numbers,
        add_number,
        remove_number,
    ],
    tags=["admin"],
    guards=[admin_only],
)
