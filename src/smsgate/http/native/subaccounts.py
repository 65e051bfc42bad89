"""/v1/subaccounts: an account's own sub-accounts, their keys, funds, limits and traffic."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Router, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from msgspec import structs

from smsgate.http.native import render
from smsgate.http.native.billing import balance_out, movement_page
from smsgate.http.native.billing_schemas import MovementPage
from smsgate.http.native.limit_schemas import AccountLimitsOut, LimitsBody
from smsgate.http.native.limits import account_limits_out, overrides_in
from smsgate.http.native.routes import Limit, authenticated, epoch_ms, gateway_of, parse_cursor
from smsgate.http.native.subaccount_schemas import (
    KeyBody,
    KeyOut,
    StateBody,
    SubAccountBody,
    SubAccountDetail,
    SubAccountIndex,
    SubAccountOut,
    TrafficOut,
    TransferBody,
    TransferOut,
)
from smsgate.services.accounts import NewKey
from smsgate.services.billing import Standing
from smsgate.services.subaccounts import SubAccountView

AnyRequest = Request[Any, Any, Any]
Name = FromPath[str]


def _out(standing: Standing) -> SubAccountOut:
    sub = standing.account
    return SubAccountOut(
        name=sub.name,
        active=sub.active,
        region=sub.default_region,
        max_parts=sub.max_parts,
        balance=balance_out(standing),
    )


def _detail(view: SubAccountView) -> SubAccountDetail:
    return SubAccountDetail(
        **structs.asdict(_out(view.standing)),
        traffic_since=render.time_at(view.since_ms),
        traffic=[
            TrafficOut(t.status, t.messages, t.parts, render.amount(t.cost)) for t in view.traffic
        ],
    )


def _key_out(key: NewKey) -> KeyOut:
    return KeyOut(account=key.account, key_id=key.key_id, token=key.token)


@post("/subaccounts", summary="Make a sub-account, on the caller's terms, and its first key")
async def create_subaccount(request: AnyRequest, data: JSONBody[SubAccountBody]) -> KeyOut:
    key = await gateway_of(request).subaccounts.create(
        await authenticated(request),
        data.name,
        default_region=data.region,
        max_parts=data.max_parts,
        key_label=data.key_label,
    )
    return _key_out(key)


@get("/subaccounts", summary="The caller's sub-accounts with their balances")
async def list_subaccounts(request: AnyRequest) -> SubAccountIndex:
    standings = await gateway_of(request).subaccounts.of(await authenticated(request))
    return SubAccountIndex(data=[_out(s) for s in standings])


@get("/subaccounts/{name:str}", summary="A sub-account: its balance and traffic by status")
async def get_subaccount(
    request: AnyRequest,
    name: Name,
    since: Annotated[
        datetime | None, QueryParameter(description="traffic from (30 days ago)")
    ] = None,
) -> SubAccountDetail:
    since_ms = None if since is None else epoch_ms("since", since)
    view = await gateway_of(request).subaccounts.view(
        await authenticated(request), name, since_ms=since_ms
    )
    return _detail(view)


@put("/subaccounts/{name:str}", summary="Suspend a sub-account, or let it work again")
async def put_subaccount(
    request: AnyRequest, name: Name, data: JSONBody[StateBody]
) -> SubAccountDetail:
    gateway = gateway_of(request)
    parent = await authenticated(request)
    await gateway.subaccounts.set_active(parent, name, data.active)
    return _detail(await gateway.subaccounts.view(parent, name))


@post("/subaccounts/{name:str}/keys", summary="A new key of the sub-account")
async def create_key(request: AnyRequest, name: Name, data: JSONBody[KeyBody]) -> KeyOut:
    key = await gateway_of(request).subaccounts.new_key(
        await authenticated(request), name, data.label
    )
    return _key_out(key)


@delete("/subaccounts/{name:str}/keys/{key_id:str}", summary="Revoke a key of the sub-account")
async def revoke_key(request: AnyRequest, name: Name, key_id: FromPath[str]) -> None:
    await gateway_of(request).subaccounts.revoke_key(await authenticated(request), name, key_id)


@post(
    "/subaccounts/{name:str}/transfers",
    summary="Move funds to the sub-account (amount above zero) or back (below zero)",
)
async def transfer(request: AnyRequest, name: Name, data: JSONBody[TransferBody]) -> TransferOut:
    ours, theirs = await gateway_of(request).subaccounts.transfer(
        await authenticated(request), name, data.amount, data.reason
    )
    return TransferOut(parent=balance_out(ours), sub_account=balance_out(theirs))


@get("/subaccounts/{name:str}/movements", summary="The sub-account's ledger, newest first")
async def list_movements(
    request: AnyRequest, name: Name, cursor: FromQuery[str | None] = None, limit: Limit = 100
) -> MovementPage:
    movements = await gateway_of(request).subaccounts.movements(
        await authenticated(request), name, before_id=parse_cursor(cursor, "cursor"), limit=limit
    )
    return movement_page(movements, limit)


@get("/subaccounts/{name:str}/limits", summary="The sub-account's limits: its own and in effect")
async def get_limits(request: AnyRequest, name: Name) -> AccountLimitsOut:
    found = await gateway_of(request).subaccounts.limits_of(await authenticated(request), name)
    return account_limits_out(*found)


@put(
    "/subaccounts/{name:str}/limits",
    summary="Set the sub-account's own limits; none in effect is looser than the caller's",
)
async def put_limits(
    request: AnyRequest, name: Name, data: JSONBody[LimitsBody]
) -> AccountLimitsOut:
    found = await gateway_of(request).subaccounts.set_limits(
        await authenticated(request), name, overrides_in(data)
    )
    return account_limits_out(*found)


router = Router(
    path="/v1",
    route_handlers=[
        create_subaccount,
        list_subaccounts,
        get_subaccount,
        put_subaccount,
        create_key,
        revoke_key,
        transfer,
        list_movements,
        get_limits,
        put_limits,
    ],
    tags=["subaccounts"],
)
