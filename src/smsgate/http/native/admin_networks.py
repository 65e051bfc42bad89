"""/v1/admin/networks: the numbering plan behind prices by network (the operator's)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, put
from litestar.params import JSONBody

from smsgate.domain.networks import NetworkPlan, network_plan
from smsgate.http.native.admin import admin_only
from smsgate.http.native.network_schemas import NetworkOut, NetworkPlanBody, NetworkPlanOut
from smsgate.http.native.routes import gateway_of

AnyRequest = Request[Any, Any, Any]


def plan_out(plan: NetworkPlan) -> NetworkPlanOut:
    return NetworkPlanOut(
        [
            NetworkOut(prefix, n.mcc, n.mnc, n.name, n.code)
            for prefix, n in sorted(plan.by_prefix.items())
        ]
    )


@get("/networks", summary="The numbering plan: the network of each number range")
async def get_networks(request: AnyRequest) -> NetworkPlanOut:
    return plan_out(await gateway_of(request).networks.plan())


@put("/networks", summary="Replace the whole numbering plan")
async def put_networks(request: AnyRequest, data: JSONBody[NetworkPlanBody]) -> NetworkPlanOut:
    plan = network_plan((r.prefix, r.mcc, r.mnc, r.name) for r in data.networks)
    return plan_out(await gateway_of(request).networks.replace(plan))


router = Router(
    path="/v1/admin",
    route_handlers=[get_networks, put_networks],
    tags=["admin"],
    guards=[admin_only],
)
