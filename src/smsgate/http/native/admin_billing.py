"""/v1/admin: price lists, what each account pays, top-ups and the ledger (the operator's)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET

from smsgate.http.native.admin import admin_only
from smsgate.http.native.billing import balance_out, movement_page, price_list_out
from smsgate.http.native.billing_schemas import (
    BalanceOut,
    MovementPage,
    PriceListBody,
    PriceListIndex,
    PriceListOut,
    TermsBody,
    TopUpBody,
)
from smsgate.http.native.routes import Limit, gateway_of, parse_cursor
from smsgate.services.billing import BillingService

AnyRequest = Request[Any, Any, Any]


def _billing(request: AnyRequest) -> BillingService:
    return gateway_of(request).billing


@get("/price-lists", summary="Every price list")
async def list_price_lists(request: AnyRequest) -> PriceListIndex:
    return PriceListIndex([price_list_out(pl) for pl in await _billing(request).price_lists()])


@get("/price-lists/{name:str}", summary="One price list")
async def get_price_list(request: AnyRequest, name: FromPath[str]) -> PriceListOut:
    return price_list_out(await _billing(request).price_list(name))


@put("/price-lists/{name:str}", summary="Create a price list or replace all its prices")
async def put_price_list(
    request: AnyRequest, name: FromPath[str], data: JSONBody[PriceListBody]
) -> PriceListOut:
    return price_list_out(await _billing(request).put_price_list(name, data.currency, data.prices))


@delete("/price-lists/{name:str}", summary="Remove a price list no account uses")
async def remove_price_list(request: AnyRequest, name: FromPath[str]) -> None:
    await _billing(request).remove_price_list(name)


@put(
    "/accounts/{name:str}/billing",
    summary="Set what an account pays: price list, when charges are final, credit limit",
)
async def set_terms(
    request: AnyRequest, name: FromPath[str], data: JSONBody[TermsBody]
) -> BalanceOut:
    billing = _billing(request)
    await billing.set_terms(
        name,
        price_list=data.price_list if isinstance(data.price_list, str) else None,
        unpriced=data.price_list is None,
        charge_on=data.charge_on if data.charge_on is not UNSET else None,
        credit_limit=data.credit_limit if data.credit_limit is not UNSET else None,
    )
    return balance_out(await billing.standing_of(name))


@get("/accounts/{name:str}/balance", summary="An account's balance and terms")
async def get_balance(request: AnyRequest, name: FromPath[str]) -> BalanceOut:
    return balance_out(await _billing(request).standing_of(name))


@post(
    "/accounts/{name:str}/topups",
    summary="Add money (topup) or correct the balance (adjustment, signed), with a reason",
)
async def top_up(request: AnyRequest, name: FromPath[str], data: JSONBody[TopUpBody]) -> BalanceOut:
    standing = await _billing(request).top_up(name, data.amount, data.reason, kind=data.kind)
    return balance_out(standing)


@get("/accounts/{name:str}/ledger", summary="Every movement of an account's balance, newest first")
async def get_ledger(
    request: AnyRequest,
    name: FromPath[str],
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
) -> MovementPage:
    movements = await _billing(request).movements_of(
        name, before_id=parse_cursor(cursor, "cursor"), limit=limit
    )
    return movement_page(movements, limit)


router = Router(
    path="/v1/admin",
    route_handlers=[
        list_price_lists,
        get_price_list,
        put_price_list,
        remove_price_list,
        set_terms,
        get_balance,
        top_up,
        get_ledger,
    ],
    tags=["admin"],
    guards=[admin_only],
)
