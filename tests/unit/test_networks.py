"""The numbering plan: the network a number is on, and what an operator may load."""

from __future__ import annotations

import pytest

from smsgate.domain.errors import DomainError
from smsgate.domain.networks import Network, network, network_plan

PLAN = network_plan(
    [
        ("48", "260", "02", "T-Mobile PL"),
        ("48500", "260", "01", "Plus"),
        ("+4915", "262", "01", "Telekom DE"),
    ]
)


def test_the_longest_matching_range_tells_the_network() -> None:
    assert PLAN.of("+48500600700") == Network("260", "01", "Plus")
    assert PLAN.of("+48600700800") == Network("260", "02", "T-Mobile PL")


def test_a_number_outside_every_range_has_no_known_network() -> None:
    assert PLAN.of("+33612345678") is None


def test_a_network_is_named_in_price_lists_by_mcc_and_mnc() -> None:
    assert Network("260", "01", "Plus").code == "260-01"
    assert Network("310", "410", "AT&T").code == "310-410"


def test_a_range_is_stored_without_its_plus() -> None:
    assert "4915" in PLAN.by_prefix


@pytest.mark.parametrize(
    ("mcc", "mnc", "name", "field"),
    [
        ("26", "01", "", "network.mcc"),
        ("260", "1", "", "network.mnc"),
        ("260", "0001", "", "network.mnc"),
        ("260", "01", "x" * 65, "network.name"),
    ],
)
def test_a_bad_network_is_refused_with_the_field_named(
    mcc: str, mnc: str, name: str, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        network(mcc, mnc, name)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([("48", "260", "01", ""), ("4x", "260", "02", "")], "networks[1].prefix"),
        ([("", "260", "01", "")], "networks[0].prefix"),
        ([("48", "260", "01", ""), ("+48", "260", "02", "")], "networks[1].prefix"),
        ([("48", "2600", "01", "")], "networks[0].mcc"),
    ],
)
def test_a_bad_row_of_a_plan_is_refused_by_its_index(
    rows: list[tuple[str, str, str, str]], field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        network_plan(rows)
    assert caught.value.field == field


def test_the_rows_of_a_plan_can_be_named_by_the_caller() -> None:
    with pytest.raises(DomainError) as caught:
        network_plan([("48", "26", "01", "")], row_name=lambda i: f"line {i + 2}")
    assert caught.value.field == "line 2.mcc"
