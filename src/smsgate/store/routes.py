"""Routing rules and connector costs."""

from __future__ import annotations

import msgspec
from sqlalchemy import delete, insert, select, update

from smsgate.domain.hours import time_window
from smsgate.domain.routing import Rule, Strategy, Target, pattern
from smsgate.store.engine import Conn
from smsgate.store.schema import connector_costs, routes


class _Spec(msgspec.Struct, frozen=True, omit_defaults=True):
    """A rule as stored: what it matches and what it chooses."""

    targets: list[tuple[str, int]]
    strategy: str = Strategy.FAILOVER.value
    prefixes: list[str] = []
    pattern: str | None = None
    account_id: int | None = None
    sender: str | None = None
    urgent: bool | None = None
    hours: str | None = None
    timezone: str = "UTC"
    days: list[int] = []
    reroute: bool = False


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(_Spec).decode


def _spec(rule: Rule) -> bytes:
    window = rule.window
    return _encode(
        _Spec(
            targets=[(t.connector, t.weight) for t in rule.targets],
            strategy=rule.strategy.value,
            prefixes=list(rule.prefixes),
            pattern=rule.pattern.pattern if rule.pattern is not None else None,
            account_id=rule.account_id,
            sender=rule.sender,
            urgent=rule.urgent,
            hours=window.hours if window is not None else None,
            timezone=window.zone if window is not None else "UTC",
            days=sorted(window.days) if window is not None and len(window.days) < 7 else [],
            reroute=rule.reroute,
        )
    )


def _rule(name: str, priority: int, raw: str) -> Rule:
    spec = _decode(raw)
    return Rule(
        name=name,
        priority=priority,
        targets=tuple(Target(c, w) for c, w in spec.targets),
        strategy=Strategy(spec.strategy),
        prefixes=tuple(spec.prefixes),
        pattern=pattern(spec.pattern) if spec.pattern is not None else None,
        account_id=spec.account_id,
        sender=spec.sender,
        urgent=spec.urgent,
        window=time_window(spec.hours, spec.timezone, spec.days) if spec.hours else None,
        reroute=spec.reroute,
    )


async def all_rules(conn: Conn) -> list[Rule]:
    rows = await conn.execute(
        select(routes.c.name, routes.c.priority, routes.c.spec).order_by(
            routes.c.priority, routes.c.name
        )
    )
    return [_rule(name, priority, spec) for name, priority, spec in rows]


async def put(conn: Conn, rule: Rule, now_ms: int) -> None:
    """Create the rule, or replace the one of that name."""
    values = {"priority": rule.priority, "spec": _spec(rule).decode(), "updated_at": now_ms}
    changed = await conn.execute(update(routes).where(routes.c.name == rule.name).values(values))
    if not changed.rowcount:
        await conn.execute(insert(routes).values(name=rule.name, created_at=now_ms, **values))


async def remove(conn: Conn, name: str) -> bool:
    return bool((await conn.execute(delete(routes).where(routes.c.name == name))).rowcount)


async def costs(conn: Conn) -> dict[str, int]:
    """The price list id of each connector's cost."""
    rows = await conn.execute(select(connector_costs.c.connector, connector_costs.c.price_list_id))
    return {connector: list_id for connector, list_id in rows}


async def set_cost(conn: Conn, connector: str, price_list_id: int | None) -> None:
    await conn.execute(delete(connector_costs).where(connector_costs.c.connector == connector))
    if price_list_id is not None:
        await conn.execute(
            insert(connector_costs).values(connector=connector, price_list_id=price_list_id)
        )
