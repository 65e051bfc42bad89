"""Routing rules: what a rule matches, how it chooses among its connectors, and where a
message refused for good goes next."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from smsgate.dispatch.router import Router
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import time_window
from smsgate.domain.pricing import PriceList
from smsgate.domain.routing import (
    Message,
    RoutingTable,
    Rule,
    Strategy,
    Target,
    pattern,
)

POLAND = "+48500600700"
GERMANY = "+4915112345678"
WARSAW = ZoneInfo("Europe/Warsaw")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=WARSAW).timestamp() * 1000)


NOON = at(2026, 12, 2, 12)  # a Wednesday


def message(
    to: str = POLAND,
    *,
    account: int = 1,
    sender: str | None = None,
    urgent: bool = False,
    at_ms: int = NOON,
) -> Message:
    return Message(account, to, sender, urgent, at_ms)


def rule(name: str = "r", *targets: str, priority: int = 10, **match: object) -> Rule:
    return Rule(
        name=name,
        priority=priority,
        targets=tuple(Target(t) for t in targets or ("a",)),
        **match,  # type: ignore[arg-type]
    )


def decide(table: RoutingTable, m: Message, up: set[str] | None = None, **kw: object) -> str | None:
    return table.decide(
        m,
        default="default",
        is_up=lambda c: up is None or c in up,
        rand=random.Random(1),
        **kw,  # type: ignore[arg-type]
    ).connector


def table(*rules: Rule, costs: dict[str, PriceList] | None = None) -> RoutingTable:
    return RoutingTable.of(rules, costs or {})


# What a rule matches


def test_without_rules_every_message_takes_the_default_connector() -> None:
    assert decide(table(), message()) == "default"


def test_a_prefix_rule_takes_its_destinations_and_leaves_the_rest() -> None:
    t = table(rule("pl", "pl-carrier", prefixes=("48",)))
    assert decide(t, message(POLAND)) == "pl-carrier"
    assert decide(t, message(GERMANY)) == "default"


def test_a_pattern_must_match_the_whole_number() -> None:
    t = table(rule("mobile", "m", pattern=pattern(r"\+4850\d{7}")))
    assert decide(t, message(POLAND)) == "m"
    assert decide(t, message(POLAND + "1")) == "default"


def test_an_account_rule_takes_only_that_accounts_messages() -> None:
    t = table(rule("vip", "vip", account_id=7))
    assert decide(t, message(account=7)) == "vip"
    assert decide(t, message(account=8)) == "default"


def test_a_sender_rule_takes_only_messages_from_that_sender() -> None:
    t = table(rule("bank", "secure", sender="MyBank"))
    assert decide(t, message(sender="MyBank")) == "secure"
    assert decide(t, message(sender="Other")) == "default"


def test_an_urgent_rule_leaves_bulk_alone() -> None:
    t = table(rule("otp", "fast", urgent=True))
    assert decide(t, message(urgent=True)) == "fast"
    assert decide(t, message(urgent=False)) == "default"


def test_the_first_matching_rule_by_priority_decides() -> None:
    t = table(
        rule("broad", "any", priority=20, prefixes=("4",)),
        rule("narrow", "pl", priority=10, prefixes=("48",)),
    )
    assert decide(t, message(POLAND)) == "pl"
    assert decide(t, message(GERMANY)) == "any"


def test_every_condition_of_a_rule_must_hold() -> None:
    t = table(rule("pl-otp", "fast", prefixes=("48",), urgent=True))
    assert decide(t, message(POLAND, urgent=False)) == "default"
    assert decide(t, message(GERMANY, urgent=True)) == "default"


# Time windows


def test_a_daytime_rule_applies_only_inside_its_hours_in_its_zone() -> None:
    t = table(rule("day", "day", window=time_window("08:00-20:00", "Europe/Warsaw")))
    assert decide(t, message(at_ms=at(2026, 12, 2, 8))) == "day"
    assert decide(t, message(at_ms=at(2026, 12, 2, 19, 59))) == "day"
    assert decide(t, message(at_ms=at(2026, 12, 2, 20))) == "default"
    assert decide(t, message(at_ms=at(2026, 12, 2, 7, 59))) == "default"


def test_a_night_window_runs_across_midnight() -> None:
    t = table(rule("night", "night", window=time_window("22:00-06:00", "Europe/Warsaw")))
    assert decide(t, message(at_ms=at(2026, 12, 2, 23))) == "night"
    assert decide(t, message(at_ms=at(2026, 12, 3, 5))) == "night"
    assert decide(t, message(at_ms=at(2026, 12, 3, 12))) == "default"


def test_a_window_on_some_days_counts_the_early_hours_to_the_day_it_opened() -> None:
    friday_night = time_window("22:00-06:00", "Europe/Warsaw", [5])
    t = table(rule("weekend", "w", window=friday_night))
    assert decide(t, message(at_ms=at(2026, 12, 4, 23))) == "w"  # Friday
    assert decide(t, message(at_ms=at(2026, 12, 5, 3))) == "w"  # early Saturday
    assert decide(t, message(at_ms=at(2026, 12, 5, 23))) == "default"  # Saturday night


@pytest.mark.parametrize(
    ("hours", "zone", "days", "field"),
    [
        ("8-20", "UTC", [], "hours"),
        ("08:00-08:00", "UTC", [], "hours"),
        ("08:00-20:00", "Mars/Olympus", [], "timezone"),
        ("08:00-20:00", "UTC", [0], "days"),
    ],
)
def test_a_bad_window_is_refused_naming_its_field(
    hours: str, zone: str, days: list[int], field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        time_window(hours, zone, days)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_FIELD.code, field)


def test_a_bad_pattern_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        pattern("(unclosed")
    assert caught.value.field == "pattern"


def test_a_rule_needs_a_connector_and_positive_weights() -> None:
    with pytest.raises(DomainError):
        Rule(name="r", priority=1, targets=())
    with pytest.raises(DomainError):
        Rule(name="r", priority=1, targets=(Target("a", 0),))


# Choosing among the connectors of a rule


def test_failover_takes_the_first_connector_that_is_up() -> None:
    t = table(rule("pl", "a", "b", "c"))
    assert decide(t, message(), up={"a", "b", "c"}) == "a"
    assert decide(t, message(), up={"b", "c"}) == "b"


def test_with_every_connector_down_the_message_waits_for_the_first() -> None:
    t = table(rule("pl", "a", "b"))
    decision = t.decide(message(), default="x", is_up=lambda c: False, rand=random.Random())
    assert (decision.connector, decision.candidates) == ("a", ())


THREE_TO_ONE = table(
    Rule(name="w", priority=1, targets=(Target("a", 3), Target("b", 1)), strategy=Strategy.WEIGHTED)
)


def test_weights_spread_messages_in_proportion() -> None:
    t = THREE_TO_ONE
    rand = random.Random(7)
    chosen = [
        t.decide(message(), default=None, is_up=lambda c: True, rand=rand).connector
        for _ in range(4000)
    ]
    assert 2700 < chosen.count("a") < 3300


def test_weights_skip_a_connector_that_is_down() -> None:
    t = THREE_TO_ONE
    assert {decide(t, message(), up={"b"}) for _ in range(20)} == {"b"}


def costs(name: str, **per_prefix: str) -> PriceList:
    return PriceList(
        1, name, "EUR", {p.removeprefix("p"): Decimal(v) for p, v in per_prefix.items()}
    )


def test_least_cost_takes_the_cheapest_connector_for_the_destination() -> None:
    t = table(
        rule("lc", "a", "b", strategy=Strategy.LEAST_COST),
        costs={"a": costs("a", p48="0.05", p49="0.02"), "b": costs("b", p48="0.03", p49="0.04")},
    )
    assert decide(t, message(POLAND)) == "b"
    assert decide(t, message(GERMANY)) == "a"


def test_least_cost_prefers_a_priced_connector_and_skips_one_that_is_down() -> None:
    t = table(
        rule("lc", "unpriced", "dear", "cheap", strategy=Strategy.LEAST_COST),
        costs={"dear": costs("dear", p48="0.09"), "cheap": costs("cheap", p48="0.01")},
    )
    assert decide(t, message(POLAND)) == "cheap"
    assert decide(t, message(POLAND), up={"unpriced", "dear"}) == "dear"


# Re-routing after a permanent refusal


def test_a_rerouting_rule_sends_a_refused_message_to_its_next_connector() -> None:
    t = table(rule("pl", "a", "b", "c", reroute=True))
    assert decide(t, message(), tried=frozenset({"a"})) == "b"
    assert decide(t, message(), tried=frozenset({"a", "b"})) == "c"
    assert decide(t, message(), tried=frozenset({"a", "b", "c"})) is None


def test_a_rule_that_does_not_reroute_lets_the_refusal_stand() -> None:
    t = table(rule("pl", "a", "b"))
    assert decide(t, message(), tried=frozenset({"a"})) is None


def test_a_message_no_rule_matches_is_not_rerouted() -> None:
    assert decide(table(), message(), tried=frozenset({"default"})) is None


# Failover of messages already queued (dispatch/router.Router.failover)


def router_with(*rules: Rule, up: set[str]) -> Router:
    router = Router("default")
    router.load(table(*rules))
    router.set_up(frozenset(up))
    return router


def test_a_queued_message_fails_over_to_the_next_connector_of_its_rule_that_is_up() -> None:
    router = router_with(rule("pl", "first", "second", "third"), up={"third"})
    assert router.failover(message()) == "third"


def test_a_queued_message_stays_while_no_connector_of_its_rule_is_up() -> None:
    assert router_with(rule("pl", "first", "second"), up=set()).failover(message()) is None


def test_a_message_no_rule_chose_does_not_leave_the_default_connector() -> None:
    router = router_with(rule("de", "first", prefixes=("49",)), up={"first"})
    assert router.failover(message(POLAND)) is None
