"""Bodies of the routing API: rules, connector costs and the dry run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct

from smsgate.domain.routing import Strategy


class TargetBody(Struct, forbid_unknown_fields=True):
    connector: str
    weight: Annotated[int, Meta(ge=1, le=1000)] = 1


class RuleBody(Struct, forbid_unknown_fields=True, kw_only=True):
    """What a rule matches (every condition given must hold) and what it chooses."""

    priority: Annotated[int, Meta(ge=0, le=1_000_000, description="lower rules are tried first")]
    targets: Annotated[list[TargetBody], Meta(min_length=1, max_length=20)]
    strategy: Strategy = Strategy.FAILOVER
    prefixes: Annotated[
        list[str], Meta(max_length=1000, description="destination prefixes, e.g. 48 or +4850")
    ] = []
    pattern: Annotated[str, Meta(description="regular expression on the E.164 number")] | None = (
        None
    )
    account: str | None = None
    sender: str | None = None
    urgent: Annotated[bool, Meta(description="true: urgent only; false: bulk only")] | None = None
    hours: (
        Annotated[str, Meta(description="HH:MM-HH:MM, across midnight when the end is earlier")]
        | None
    ) = None
    timezone: str = "UTC"
    days: Annotated[list[int], Meta(description="ISO weekdays, 1 Monday .. 7 Sunday")] = []
    reroute: Annotated[
        bool, Meta(description="a permanent upstream refusal moves the message to the next target")
    ] = False


class RuleOut(Struct, omit_defaults=True):
    name: str
    priority: int
    targets: list[TargetBody]
    strategy: Strategy
    reroute: bool
    prefixes: list[str] = []
    pattern: str | None = None
    account: str | None = None
    sender: str | None = None
    urgent: bool | None = None
    hours: str | None = None
    timezone: str | None = None
    days: list[int] = []


class RuleIndex(Struct):
    data: list[RuleOut]


class CostBody(Struct, forbid_unknown_fields=True, kw_only=True):
    price_list: Annotated[str | None, Meta(description="the connector's costs; null: unknown")]


class CostIndex(Struct):
    data: dict[str, str]  # connector -> price list


class DryRunBody(Struct, forbid_unknown_fields=True, kw_only=True):
    account: str
    to: str
    sender: str | None = None
    urgent: bool = False
    text: Annotated[str, Meta(description="counts the parts; one part without it")] = ""
    at: Annotated[datetime, Meta(description="ISO 8601 with an offset; now without it")] | None = (
        None
    )


class DryRunOut(Struct, omit_defaults=True):
    connector: str | None
    rule: str | None
    candidates: list[str]
    parts: int
    network: str | None = None  # "MCC-MNC", when the numbering plan knows it
    network_name: str | None = None
    price: str | None = None  # per message, what the account pays
    currency: str | None = None
    cost: str | None = None  # per message, what the connector costs
    cost_currency: str | None = None
