"""/v1/admin: routing rules, what each connector costs, and the dry run (the operator's)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, delete, get, post, put
from litestar.params import FromPath, JSONBody

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.pricing import amount_text
from smsgate.http.native.admin import admin_only
from smsgate.http.native.route_schemas import (
    CostBody,
    CostIndex,
    DryRunBody,
    DryRunOut,
    RuleBody,
    RuleIndex,
    RuleOut,
    TargetBody,
)
from smsgate.http.native.routes import gateway_of
from smsgate.services.routing import RoutingService, RuleInput, RuleView

AnyRequest = Request[Any, Any, Any]


def _routing(request: AnyRequest) -> RoutingService:
    return gateway_of(request).routing


def rule_out(view: RuleView) -> RuleOut:
    rule, window = view.rule, view.rule.window
    return RuleOut(
        name=rule.name,
        priority=rule.priority,
        targets=[TargetBody(t.connector, t.weight) for t in rule.targets],
        strategy=rule.strategy,
        reroute=rule.reroute,
        prefixes=list(rule.prefixes),
        pattern=rule.pattern.pattern if rule.pattern is not None else None,
        account=view.account,
        sender=rule.sender,
        urgent=rule.urgent,
        hours=window.hours if window is not None else None,
        timezone=window.zone if window is not None else None,
        days=sorted(window.days) if window is not None and len(window.days) < 7 else [],
    )


@get("/routes", summary="Every routing rule, in the order they are tried")
async def list_routes(request: AnyRequest) -> RuleIndex:
    return RuleIndex([rule_out(v) for v in await _routing(request).rules()])


@put("/routes/{name:str}", summary="Create a routing rule or replace it; it applies at once")
async def put_route(request: AnyRequest, name: FromPath[str], data: JSONBody[RuleBody]) -> RuleOut:
    given = RuleInput(
        priority=data.priority,
        targets=[(t.connector, t.weight) for t in data.targets],
        strategy=data.strategy,
        prefixes=data.prefixes,
        pattern=data.pattern,
        account=data.account,
        sender=data.sender,
        urgent=data.urgent,
        hours=data.hours,
        timezone=data.timezone,
        days=data.days,
        reroute=data.reroute,
    )
    return rule_out(await _routing(request).put(name, given))


@delete("/routes/{name:str}", summary="Remove a routing rule")
async def remove_route(request: AnyRequest, name: FromPath[str]) -> None:
    await _routing(request).remove(name)


@post(
    "/routes/test",
    summary="Which connector a message would take, and its price and cost (nothing is sent)",
    status_code=200,
)
async def test_route(request: AnyRequest, data: JSONBody[DryRunBody]) -> DryRunOut:
    if data.at is not None and data.at.tzinfo is None:
        raise DomainError(ErrorCode.INVALID_FIELD, "at needs a UTC offset", "at")
    run = await _routing(request).dry_run(
        data.account,
        data.to,
        sender=data.sender,
        urgent=data.urgent,
        text=data.text,
        at_ms=int(data.at.timestamp() * 1000) if data.at is not None else None,
    )
    return DryRunOut(
        connector=run.decision.connector,
        rule=run.decision.rule,
        candidates=list(run.decision.candidates),
        parts=run.parts,
        network=run.network.code if run.network is not None else None,
        network_name=run.network.name if run.network is not None else None,
        price=amount_text(run.price) if run.price is not None else None,
        currency=run.currency,
        cost=amount_text(run.cost) if run.cost is not None else None,
        cost_currency=run.cost_currency,
    )


@get("/connector-costs", summary="The price list each connector's costs are kept in")
async def list_costs(request: AnyRequest) -> CostIndex:
    return CostIndex({c: pl.name for c, pl in sorted((await _routing(request).costs()).items())})


@put("/connectors/{name:str}/cost", summary="What a connector costs, as a price list")
async def set_cost(request: AnyRequest, name: FromPath[str], data: JSONBody[CostBody]) -> CostIndex:
    service = _routing(request)
    await service.set_cost(name, data.price_list)
    return CostIndex({c: pl.name for c, pl in sorted((await service.costs()).items())})


router = Router(
    path="/v1/admin",
    route_handlers=[list_routes, put_route, remove_route, test_route, list_costs, set_cost],
    tags=["admin"],
    guards=[admin_only],
)
