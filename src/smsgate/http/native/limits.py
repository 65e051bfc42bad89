"""/v1/limits (the account's) and /v1/admin/accounts/{name}/limits (the operator's)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, put
from litestar.params import FromPath, JSONBody

from smsgate.domain.account import Account
from smsgate.domain.limits import LimitOverrides, Limits
from smsgate.http.native.admin import admin_only
from smsgate.http.native.limit_schemas import AccountLimitsOut, LimitsBody, LimitsOut
from smsgate.http.native.routes import authenticated, gateway_of

AnyRequest = Request[Any, Any, Any]


def limits_out(limits: Limits) -> LimitsOut:
    quiet = limits.quiet
    return LimitsOut(
        rate_per_s=limits.rate_per_s,
        concurrent=limits.concurrent,
        duplicate_window_s=limits.duplicate_window_s,
        subscriber_max=limits.subscriber_max,
        subscriber_window_s=limits.subscriber_window_s,
        quiet_hours=quiet.hours if quiet is not None else None,
        quiet_timezone=quiet.zone if quiet is not None else None,
    )


def overrides_in(data: LimitsBody) -> LimitOverrides:
    return LimitOverrides(
        rate_per_s=data.rate_per_s,
        concurrent=data.concurrent,
        duplicate_window_s=data.duplicate_window_s,
        subscriber_max=data.subscriber_max,
        subscriber_window_s=data.subscriber_window_s,
    ).with_quiet(data.quiet_hours, data.quiet_timezone)


def account_limits_out(
    account: Account, own: LimitOverrides, effective: Limits
) -> AccountLimitsOut:
    quiet = own.quiet
    return AccountLimitsOut(
        account=account.name,
        effective=limits_out(effective),
        own=LimitsBody(
            rate_per_s=own.rate_per_s,
            concurrent=own.concurrent,
            duplicate_window_s=own.duplicate_window_s,
            subscriber_max=own.subscriber_max,
            subscriber_window_s=own.subscriber_window_s,
            quiet_hours=quiet.hours if quiet is not None else None,
            quiet_timezone=quiet.zone if quiet and not own.quiet_follows_account else None,
        ),
    )


@get("/limits", summary="The limits the account sends under")
async def get_limits(request: AnyRequest) -> LimitsOut:
    account = await authenticated(request)
    return limits_out(gateway_of(request).limits.of(account))


@get("/accounts/{name:str}/limits", summary="An account's limits: its own and in effect")
async def get_account_limits(request: AnyRequest, name: FromPath[str]) -> AccountLimitsOut:
    return account_limits_out(*await gateway_of(request).limits.overrides_of(name))


@put("/accounts/{name:str}/limits", summary="Set an account's own limits (all of them)")
async def put_account_limits(
    request: AnyRequest, name: FromPath[str], data: JSONBody[LimitsBody]
) -> AccountLimitsOut:
    overrides = overrides_in(data)
    return account_limits_out(*await gateway_of(request).limits.set_overrides(name, overrides))


router = Router(path="/v1", route_handlers=[get_limits], tags=["limits"])
admin_router = Router(
    path="/v1/admin",
    route_handlers=[get_account_limits, put_account_limits],
    tags=["admin"],
    guards=[admin_only],
)
