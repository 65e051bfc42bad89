"""What a message costs, and when its charge is given back.

A price list gives a price per part by destination prefix (the longest prefix that matches
wins; the empty prefix prices every destination no other prefix does), and optionally by
mobile network ("260-01": MCC-MNC), in one currency. A network's price wins over every prefix
when the numbering plan knows the recipient's network. An account with no price list sends
without charge; one with a list cannot send to a destination the list does not price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.networks import (
    NO_NETWORKS,
    NetworkPlan,
    longest_prefix,
    network_code,
    number_prefix,
)
from smsgate.domain.status import Status
from smsgate.domain.submission import Plan

# Money is kept to 6 decimal places, as the store's Numeric(18, 6) columns are.
MONEY_PLACES = Decimal("0.000001")
MAX_MONEY = Decimal("999999999999")
_CURRENCY = re.compile(r"[A-Z]{3}")


class ChargeOn(StrEnum):
    """When a reserved charge becomes final (the account's policy)."""

    SUBMIT = "submit"  # the connector took the message: only failures before that are refunded
    DELIVERY = "delivery"  # a delivery report confirmed it: undelivered and expired refunded too


def money(value: str | int | Decimal, *, field: str = "amount") -> Decimal:
    """`value` as an amount of money (6 decimal places), or INVALID_FIELD."""
    try:
        amount = Decimal(value).quantize(MONEY_PLACES)
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.INVALID_FIELD, f"{value!r} is not an amount", field) from None
    if not amount.is_finite() or abs(amount) > MAX_MONEY:
        raise DomainError(ErrorCode.INVALID_FIELD, f"{value!r} is out of range", field)
    return amount


def amount_text(value: Decimal) -> str:
    """Money as a plain decimal string without trailing zeros: "0.07", "12", "-3.5"."""
    return "0" if value == 0 else format(value.normalize(), "f")


def currency(code: str) -> str:
    if not _CURRENCY.fullmatch(code):
        raise DomainError(
            ErrorCode.INVALID_FIELD, "a currency is an ISO 4217 code such as EUR", "currency"
        )
    return code


def price_key(value: str) -> str:
    """What a price is for: a network code ("260-01") or a number prefix (digits, '+'
    optional; '' for every other destination)."""
    return network_code(value) or number_prefix(value)


@dataclass(frozen=True, slots=True)
class PriceList:
    id: int
    name: str
    currency: str
    per_part: Mapping[str, Decimal]  # price key (see price_key) -> price
    networks: NetworkPlan = NO_NETWORKS  # the plan that tells a recipient's network
    _longest: int = field(init=False, repr=False, compare=False)
    _by_network: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        prefixes = [k for k in self.per_part if network_code(k) is None]
        object.__setattr__(self, "_longest", max(map(len, prefixes), default=0))
        object.__setattr__(self, "_by_network", len(prefixes) < len(self.per_part))

    def part_price(self, e164: str) -> Decimal | None:
        """The price of one part to `e164`, or None when the list does not price it."""
        if self._by_network:
            on = self.networks.of(e164)
            price = self.per_part.get(on.code) if on is not None else None
            if price is not None:
                return price
        return longest_prefix(self.per_part, e164.removeprefix("+"), self._longest)

    def price(self, e164: str, parts: int) -> Decimal | None:
        per_part = self.part_price(e164)
        return None if per_part is None else per_part * parts


@dataclass(frozen=True, slots=True)
class Priced:
    plan: Plan  # without the messages the list does not price: those are rejected
    prices: dict[int, Decimal]  # by request index
    currency: str

    @property
    def cost(self) -> Decimal:
        return sum((self.prices[p.index] for p in self.plan.planned), Decimal(0))


def price_plan(plan: Plan, price_list: PriceList) -> Priced:
    prices: dict[int, Decimal] = {}
    unpriced: set[int] = set()
    for p in plan.planned:
        price = price_list.price(p.recipient, p.parts)
        if price is None:
            unpriced.add(p.index)
        else:
            prices[p.index] = price
    return Priced(plan.rejecting(unpriced, ErrorCode.NO_PRICE), prices, price_list.currency)


_NEVER_SENT = frozenset({Status.REJECTED, Status.FAILED, Status.CANCELED})
_NOT_DELIVERED = frozenset({Status.UNDELIVERED, Status.EXPIRED})


def refunded(before: Status, after: Status, charge_on: ChargeOn, was_sent: bool) -> bool:
    """Whether a message moving from `before` to `after` gets its charge back.

    Statuses only move forward, so each message crosses into a refunded status once, except
    an `expired` guess overtaken by the carrier's own verdict: that one is decided by the
    verdict (see `recharged`)."""
    if before is Status.EXPIRED:
        return False
    if after in _NEVER_SENT:
        return True
    if after is Status.EXPIRED and not was_sent:
        return True
    return charge_on is ChargeOn.DELIVERY and after in _NOT_DELIVERED


def recharged(before: Status, after: Status, charge_on: ChargeOn) -> bool:
    """Whether a message refunded as expired is charged again: it was delivered after all.
    (Under SUBMIT a sent message is not refunded when it expires, and one never sent gets
    no report.)"""
    return before is Status.EXPIRED and after is Status.DELIVERED and charge_on is ChargeOn.DELIVERY
