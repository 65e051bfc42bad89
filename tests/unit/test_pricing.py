"""Prices by destination prefix or network, per part, and which status changes give a charge
back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.networks import network_plan
from smsgate.domain.pricing import (
    ChargeOn,
    PriceList,
    currency,
    money,
    price_key,
    price_plan,
    recharged,
    refunded,
)
from smsgate.domain.status import Status
from smsgate.domain.submission import plan_shared
from smsgate.domain.text import TextPolicy

POLAND = "+48500600700"
GERMANY = "+4915112345678"
LIST = PriceList(
    1,
    "retail",
    "EUR",
    {"48": Decimal("0.05"), "4850": Decimal("0.04"), "": Decimal("0.10")},
)


def test_the_longest_matching_prefix_sets_the_price() -> None:
    assert LIST.part_price(POLAND) == Decimal("0.04")
    assert LIST.part_price("+48600700800") == Decimal("0.05")


def test_the_empty_prefix_prices_every_other_destination() -> None:
    assert LIST.part_price(GERMANY) == Decimal("0.10")


def test_a_list_without_a_matching_prefix_does_not_price_the_destination() -> None:
    polish_only = PriceList(2, "pl", "PLN", {"48": Decimal("0.16")})
    assert polish_only.part_price(GERMANY) is None
    assert polish_only.price(GERMANY, 2) is None


NETWORKS = network_plan([("48500", "260", "01", "Plus"), ("48600", "260", "02", "T-Mobile")])
BY_NETWORK = PriceList(
    2,
    "by-network",
    "EUR",
    {"260-01": Decimal("0.03"), "48": Decimal("0.05"), "4850060": Decimal("0.09")},
    NETWORKS,
)


def test_a_network_price_wins_over_every_prefix_when_the_plan_knows_the_network() -> None:
    assert BY_NETWORK.part_price(POLAND) == Decimal("0.03")


def test_a_number_on_a_network_the_list_does_not_price_is_priced_by_its_prefix() -> None:
    assert BY_NETWORK.part_price("+48600700800") == Decimal("0.05")


def test_a_number_the_plan_does_not_place_is_priced_by_its_prefix() -> None:
    assert BY_NETWORK.part_price("+48700800900") == Decimal("0.05")


def test_network_prices_alone_do_not_price_a_number_the_plan_does_not_place() -> None:
    only = PriceList(3, "networks", "EUR", {"260-01": Decimal("0.03")}, NETWORKS)
    assert only.part_price("+48700800900") is None


def test_a_network_price_needs_a_plan_that_places_the_number() -> None:
    unplanned = PriceList(4, "networks", "EUR", {"260-01": Decimal("0.03"), "": Decimal("0.1")})
    assert unplanned.part_price(POLAND) == Decimal("0.1")


def test_a_message_costs_its_part_price_times_its_parts() -> None:
    assert LIST.price(POLAND, 3) == Decimal("0.12")


def test_pricing_a_plan_prices_each_message_and_sums_the_cost() -> None:
    plan = plan_shared([POLAND, GERMANY], "x" * 200, TextPolicy(), None)  # two parts each
    priced = price_plan(plan, LIST)
    assert priced.prices == {0: Decimal("0.08"), 1: Decimal("0.20")}
    assert priced.cost == Decimal("0.28")
    assert priced.currency == "EUR"


def test_pricing_rejects_the_messages_the_list_does_not_price_one_by_one() -> None:
    polish_only = PriceList(2, "pl", "PLN", {"48": Decimal("0.16")})
    plan = plan_shared([GERMANY, POLAND], "Hi", TextPolicy(), None)
    priced = price_plan(plan, polish_only)
    assert [p.recipient for p in priced.plan.planned] == [POLAND]
    (rejected,) = priced.plan.rejected
    assert (rejected.index, rejected.code) == (0, ErrorCode.NO_PRICE.code)
    assert priced.cost == Decimal("0.16")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.07", "0.070000"), (3, "3.000000"), ("0.0000004", "0.000000"), ("-2.5", "-2.500000")],
)
def test_money_is_kept_to_six_places(raw: str | int, expected: str) -> None:
    assert str(money(raw)) == expected


@pytest.mark.parametrize("raw", ["abc", "NaN", "Infinity", "1e20", ""])
def test_what_is_not_an_amount_is_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        money(raw)
    assert caught.value.code == ErrorCode.INVALID_FIELD.code


def test_a_price_is_for_a_prefix_of_digits_with_an_optional_plus() -> None:
    assert price_key("+4850") == "4850"
    assert price_key("") == ""
    with pytest.raises(DomainError):
        price_key("48-50")


def test_a_price_is_for_a_network_named_by_mcc_and_mnc() -> None:
    assert price_key("260-01") == "260-01"
    assert price_key("310-410") == "310-410"


def test_a_currency_is_three_capital_letters() -> None:
    assert currency("PLN") == "PLN"
    with pytest.raises(DomainError):
        currency("pln")


# Refunds


@pytest.mark.parametrize("policy", list(ChargeOn))
@pytest.mark.parametrize("after", [Status.FAILED, Status.REJECTED, Status.CANCELED])
def test_a_message_never_sent_is_refunded_under_either_policy(
    policy: ChargeOn, after: Status
) -> None:
    assert refunded(Status.QUEUED, after, policy, was_sent=False)


@pytest.mark.parametrize("policy", list(ChargeOn))
def test_a_message_expiring_before_it_was_sent_is_refunded(policy: ChargeOn) -> None:
    assert refunded(Status.QUEUED, Status.EXPIRED, policy, was_sent=False)


def test_under_submit_a_sent_message_is_not_refunded_when_it_is_not_delivered() -> None:
    assert not refunded(Status.SENT, Status.UNDELIVERED, ChargeOn.SUBMIT, was_sent=True)
    assert not refunded(Status.SENT, Status.EXPIRED, ChargeOn.SUBMIT, was_sent=True)


def test_under_delivery_an_undelivered_or_expired_message_is_refunded() -> None:
    assert refunded(Status.SENT, Status.UNDELIVERED, ChargeOn.DELIVERY, was_sent=True)
    assert refunded(Status.SENT, Status.EXPIRED, ChargeOn.DELIVERY, was_sent=True)


@pytest.mark.parametrize("policy", list(ChargeOn))
def test_a_delivered_message_keeps_its_charge(policy: ChargeOn) -> None:
    assert not refunded(Status.SENT, Status.DELIVERED, policy, was_sent=True)
    assert not recharged(Status.SENT, Status.DELIVERED, policy)


def test_a_message_refunded_as_expired_is_not_refunded_again_by_a_late_verdict() -> None:
    assert not refunded(Status.EXPIRED, Status.UNDELIVERED, ChargeOn.DELIVERY, was_sent=True)


def test_a_message_refunded_as_expired_and_then_delivered_is_charged_again() -> None:
    assert recharged(Status.EXPIRED, Status.DELIVERED, ChargeOn.DELIVERY)
    assert not recharged(Status.EXPIRED, Status.DELIVERED, ChargeOn.SUBMIT)
