"""Which connector a message goes to: ordered rules, each matching messages by destination,
account, sender, urgency and time of day, and choosing among its connectors by failover order,
by weight or by the lowest cost.

The first rule that matches decides; a message no rule matches goes to the default connector.
A rule chooses among its connectors that are up; when none is, its messages wait for the
first of them rather than leave by a route nobody chose for them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import TimeWindow
from smsgate.domain.networks import number_prefix
from smsgate.domain.pricing import PriceList

MAX_PATTERN = 200


class Strategy(StrEnum):
    FAILOVER = "failover"  # the first connector that is up, in the rule's order
    WEIGHTED = "weighted"  # spread over the connectors that are up, by weight
    LEAST_COST = "least_cost"  # the one that is up and costs least to the destination


@dataclass(frozen=True, slots=True)
class Target:
    connector: str
    weight: int = 1


def pattern(value: str) -> re.Pattern[str]:
    """A regular expression matched against the whole E.164 number, or INVALID_FIELD."""
    if len(value) > MAX_PATTERN:
        raise DomainError(ErrorCode.INVALID_FIELD, "a pattern is at most 200 characters", "pattern")
    try:
        return re.compile(value)
    except re.error as err:
        raise DomainError(
            ErrorCode.INVALID_FIELD, f"not a regular expression: {err}", "pattern"
        ) from None


@dataclass(frozen=True, slots=True)
class Message:
    """What routing looks at."""

    account_id: int
    recipient: str  # E.164
    sender: str | None
    urgent: bool
    at_ms: int  # when it is to be sent


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    priority: int  # lower first; ties by name
    targets: tuple[Target, ...]
    strategy: Strategy = Strategy.FAILOVER
    prefixes: tuple[str, ...] = ()  # digits of the E.164 number; none: every destination
    pattern: re.Pattern[str] | None = None
    account_id: int | None = None
    sender: str | None = None
    urgent: bool | None = None  # None: urgent and bulk alike
    window: TimeWindow | None = None
    reroute: bool = False  # a permanent upstream refusal moves the message to the next target

    def __post_init__(self) -> None:
        if not self.targets:
            raise DomainError(ErrorCode.INVALID_FIELD, "a rule needs a connector", "targets")
        if any(t.weight < 1 for t in self.targets):
            raise DomainError(ErrorCode.INVALID_FIELD, "a weight is at least 1", "targets")
        for p in self.prefixes:
            number_prefix(p)

    def matches(self, m: Message) -> bool:
        if self.account_id is not None and m.account_id != self.account_id:
            return False
        if self.urgent is not None and m.urgent != self.urgent:
            return False
        if self.sender is not None and m.sender != self.sender:
            return False
        if self.prefixes and not m.recipient[1:].startswith(self.prefixes):
            return False
        if self.pattern is not None and not self.pattern.fullmatch(m.recipient):
            return False
        return self.window is None or self.window.contains(m.at_ms)


@dataclass(frozen=True, slots=True)
class Decision:
    connector: str | None  # None: no rule matched and there is no default connector
    rule: str | None  # the rule that chose it; None for the default connector
    candidates: tuple[str, ...]  # the rule's connectors that were up, in order of preference


@dataclass(frozen=True, slots=True)
class RoutingTable:
    rules: tuple[Rule, ...] = ()  # in order of priority
    costs: Mapping[str, PriceList] = field(default_factory=dict)  # by connector

    @classmethod
    def of(cls, rules: Sequence[Rule], costs: Mapping[str, PriceList]) -> RoutingTable:
        return cls(tuple(sorted(rules, key=lambda r: (r.priority, r.name))), costs)

    def decide(
        self,
        m: Message,
        *,
        default: str | None,
        is_up: Callable[[str], bool],
        rand: random.Random,
        tried: frozenset[str] = frozenset(),
    ) -> Decision:
        """The connector for `m`; with `tried`, only among the rule's other connectors (a
        re-route: no connector at all when the rule does not re-route or none is left)."""
        for rule in self.rules:
            if not rule.matches(m):
                continue
            if tried and not rule.reroute:
                return Decision(None, rule.name, ())
            targets = [t for t in rule.targets if t.connector not in tried]
            up = [t for t in targets if is_up(t.connector)]
            if not up:
                waiting = targets[0].connector if targets else None
                return Decision(waiting, rule.name, ())
            ordered = self._order(rule.strategy, up, m, rand)
            return Decision(ordered[0], rule.name, tuple(ordered))
        return Decision(None if tried else default, None, ())

    def _order(
        self, strategy: Strategy, up: list[Target], m: Message, rand: random.Random
    ) -> list[str]:
        names = [t.connector for t in up]
        if strategy is Strategy.WEIGHTED and len(up) > 1:
            first = rand.choices(names, weights=[t.weight for t in up])[0]
            return [first, *(n for n in names if n != first)]
        if strategy is Strategy.LEAST_COST:
            return sorted(names, key=lambda name: self._cost_key(name, m.recipient))
        return names

    def _cost_key(self, connector: str, recipient: str) -> tuple[int, Decimal]:
        """Priced connectors first, cheapest first; the rule's order breaks ties (sorted is
        stable)."""
        costs = self.costs.get(connector)
        cost = costs.part_price(recipient) if costs is not None else None
        return (0, cost) if cost is not None else (1, Decimal(0))
