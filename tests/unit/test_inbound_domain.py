"""Reassembly of long inbound messages and the spelling of the numbers they name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.inbound import Concat, canonical_address, join_incomplete, reassemble, spellings


@given(st.permutations([(1, "a"), (2, "b"), (3, "c"), (4, "d")]))
def test_parts_in_any_order_make_the_same_text(parts: list[tuple[int, str]]) -> None:
    assert reassemble(parts, 4) == "abcd"


def test_a_message_missing_a_part_is_not_complete() -> None:
    assert reassemble([(1, "a"), (3, "c"), (3, "c")], 3) is None


def test_what_came_of_an_incomplete_message_is_joined_in_order() -> None:
    assert join_incomplete([(3, "c"), (1, "a")]) == "ac"


def test_a_part_out_of_its_range_is_refused() -> None:
    with pytest.raises(ValueError):
        Concat(ref=1, total=2, seq=3)


def test_phone_numbers_are_made_e164_and_short_codes_kept() -> None:
    assert canonical_address("48500600700") == "+48500600700"
    assert canonical_address(" 7345 ") == "7345"
    assert canonical_address("ACME") == "ACME"


def test_our_number_may_have_been_written_with_or_without_its_plus() -> None:
    assert spellings("+48500000001") == ("+48500000001", "48500000001")
    assert spellings("7345") == ("7345",)
