"""Templates: placeholders filled from a recipient's fields, defaults, literal braces."""

from __future__ import annotations

import pytest

from smsgate.domain.errors import DomainError
from smsgate.domain.templates import Filled, template

ANNA = {"first_name": "Anna", "city": "Kraków"}


def test_placeholders_are_filled_from_the_recipients_fields() -> None:
    filled = template("Hello {first_name} from {city}!").fill(ANNA.get)
    assert filled == Filled("Hello Anna from Kraków!", ())


def test_a_missing_value_takes_the_default_when_one_is_given() -> None:
    assert template("Hello {first_name|there}").fill({}.get).text == "Hello there"


def test_a_missing_value_without_default_is_left_empty_and_reported() -> None:
    assert template("Hi {first_name}, {city}").fill({"city": "Gdańsk"}.get) == Filled(
        "Hi , Gdańsk", ("first_name",)
    )


def test_an_empty_value_counts_as_missing() -> None:
    assert template("Hi {first_name|you}").fill({"first_name": ""}.get).text == "Hi you"


def test_doubled_braces_are_literal_braces() -> None:
    assert template("{{code}} is {first_name}").fill(ANNA.get).text == "{code} is Anna"


def test_a_template_lists_the_fields_it_asks_for_once_each() -> None:
    assert template("{a} {b|x} {a}").fields == ("a", "b")


def test_a_text_without_placeholders_is_a_template_of_itself() -> None:
    assert template("Sale today").fill({}.get).text == "Sale today"


@pytest.mark.parametrize("text", ["{", "}", "{First}", "{a|b|c}", "{}", "{ a }", "x" * 1601, " "])
def test_a_malformed_template_is_refused(text: str) -> None:
    with pytest.raises(DomainError):
        template(text)
