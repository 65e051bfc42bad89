"""/v1/balance: what an account has, and every movement of it."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.params import FromQuery

from smsgate.domain.pricing import PriceList
from smsgate.http.native import render
from smsgate.http.native.billing_schemas import (
    BalanceOut,
    MovementOut,
    MovementPage,
    PriceListOut,
)
from smsgate.http.native.routes import Limit, authenticated, gateway_of, parse_cursor
from smsgate.services.billing import Standing
from smsgate.store.billing import Movement

AnyRequest = Request[Any, Any, Any]


def balance_out(standing: Standing) -> BalanceOut:
    held = standing.balance
    return BalanceOut(
        account=standing.account.name,
        currency=standing.currency,
        balance=render.amount(held.balance),
        credit_limit=render.amount(held.credit_limit),
        available=render.amount(held.available),
        price_list=standing.price_list.name if standing.price_list is not None else None,
        charge_on=standing.account.charge_on,
    )


def movement_page(movements: list[Movement], limit: int) -> MovementPage:
    return MovementPage(
        data=[
            MovementOut(
                id=str(m.id),
                kind=m.kind,
                amount=render.amount(m.amount),
                at=render.time_at(m.created_at),
                messages=m.messages,
                message_id=str(m.message_id) if m.message_id is not None else None,
                reason=m.reason,
            )
            for m in movements
        ],
        next_cursor=str(movements[-1].id) if len(movements) == limit else None,
    )


def price_list_out(price_list: PriceList) -> PriceListOut:
    return PriceListOut(
        name=price_list.name,
        currency=price_list.currency,
        prices={p: render.amount(v) for p, v in sorted(price_list.per_part.items())},
    )


@get("/balance", summary="The account's balance, credit limit and price list")
async def get_balance(request: AnyRequest) -> BalanceOut:
    account = await authenticated(request)
    return balance_out(await gateway_of(request).billing.standing(account))


@get("/balance/movements", summary="Top-ups, charges and refunds, newest first, with a cursor")
async def list_movements(
    request: AnyRequest, cursor: FromQuery[str | None] = None, limit: Limit = 100
) -> MovementPage:
    account = await authenticated(request)
    movements = await gateway_of(request).billing.movements(
        account, before_id=parse_cursor(cursor, "cursor"), limit=limit
    )
    return movement_page(movements, limit)


@get("/prices", summary="The account's price list: price per part by destination prefix")
async def get_prices(request: AnyRequest) -> PriceListOut | None:
    account = await authenticated(request)
    standing = await gateway_of(request).billing.standing(account)
    return price_list_out(standing.price_list) if standing.price_list is not None else None


router = Router(
    path="/v1", route_handlers=[get_balance, list_movements, get_prices], tags=["billing"]
)
