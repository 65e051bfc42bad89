"""Sender identities: numeric up to 15 digits, alphanumeric up to 11 GSM-safe characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.sender import validate_sender

ALPHANUMERIC = "ABCXYZabcxyz0123456789 .-_&@!?'+"
NUMERIC = st.from_regex(r"\+?[0-9]{1,15}", fullmatch=True)
ALPHANUMERIC_SENDER = (
    st.text(alphabet=ALPHANUMERIC, min_size=1, max_size=11).map(str.strip).filter(bool)
)

# A leading letter keeps these from reading as numbers.
TOO_LONG_ALPHANUMERIC = st.text(
    alphabet=ALPHANUMERIC.replace(" ", ""), min_size=11, max_size=40
).map(lambda rest: "X" + rest)


def refusal(sender: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        validate_sender(sender)
    assert caught.value.code == ErrorCode.INVALID_SENDER.code
    assert caught.value.field == "sender"
    return caught.value


def test_an_alphanumeric_sender_is_kept_as_written() -> None:
    assert validate_sender("MyShop") == "MyShop"


def test_an_alphanumeric_sender_may_hold_inner_spaces_and_punctuation() -> None:
    assert validate_sender("Bob & Co.") == "Bob & Co."


def test_surrounding_whitespace_is_trimmed() -> None:
    assert validate_sender("  MyShop\t") == "MyShop"


def test_an_international_numeric_sender_is_kept_with_its_plus() -> None:
    assert validate_sender("+48500600700") == "+48500600700"


def test_a_short_code_is_a_valid_sender() -> None:
    assert validate_sender("7242") == "7242"


def test_an_empty_sender_is_refused() -> None:
    assert "empty" in refusal("").detail


def test_a_blank_sender_is_refused() -> None:
    assert "empty" in refusal("   ").detail


def test_an_alphanumeric_sender_of_eleven_characters_is_accepted() -> None:
    assert validate_sender("ElevenChars") == "ElevenChars"


def test_an_alphanumeric_sender_of_twelve_characters_is_refused() -> None:
    assert "11 characters" in refusal("TwelveChars!").detail


def test_a_numeric_sender_of_fifteen_digits_is_accepted() -> None:
    assert validate_sender("+123456789012345") == "+123456789012345"


def test_a_numeric_sender_of_sixteen_digits_is_refused_for_its_digits() -> None:
    assert "15 digits" in refusal("1234567890123456").detail


@pytest.mark.parametrize("sender", ["Магазин", "Sklep€", "Żabka", "Shop\n1", "Shop;"])
def test_characters_outside_the_sender_alphabet_are_refused(sender: str) -> None:
    assert "Latin letters" in refusal(sender).detail


def test_non_latin_digits_are_refused_as_foreign_characters() -> None:
    assert "Latin letters" in refusal("١٢٣٤").detail


@given(NUMERIC)
def test_any_number_of_up_to_fifteen_digits_is_accepted_unchanged(sender: str) -> None:
    assert validate_sender(sender) == sender


@given(st.from_regex(r"\+?[0-9]{16,30}", fullmatch=True))
def test_any_number_of_more_than_fifteen_digits_is_refused(sender: str) -> None:
    refusal(sender)


@given(ALPHANUMERIC_SENDER)
def test_any_short_sender_from_the_alphabet_is_accepted_unchanged(sender: str) -> None:
    assert validate_sender(sender) == sender


@given(TOO_LONG_ALPHANUMERIC)
def test_any_alphanumeric_sender_over_eleven_characters_is_refused(sender: str) -> None:
    refusal(sender)


@given(st.text(max_size=30))
def test_an_accepted_sender_is_the_trimmed_input(sender: str) -> None:
    try:
        accepted = validate_sender(sender)
    except DomainError as error:
        assert error.code == ErrorCode.INVALID_SENDER.code
    else:
        assert accepted == sender.strip()
        assert 1 <= len(accepted) <= 16
