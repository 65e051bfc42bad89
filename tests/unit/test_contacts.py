"""What a contact may say: its number, names, time zone and custom fields."""

from __future__ import annotations

import pytest

from smsgate.domain.contacts import ContactData, contact_data, field_name, group_name
from smsgate.domain.errors import DomainError


def test_a_contact_number_is_normalised_in_the_accounts_region() -> None:
    assert contact_data("500 600 700", "PL").number == "+48500600700"


def test_names_and_fields_are_trimmed_and_empty_fields_dropped() -> None:
    data = contact_data("+48500600700", None, first_name=" Anna ", fields={"city": " ", "a": "x"})
    assert (data.first_name, dict(data.fields)) == ("Anna", {"a": "x"})


def test_a_placeholder_reads_built_in_and_custom_fields_alike() -> None:
    data = contact_data("+48500600700", None, first_name="Anna", fields={"city": "Gdańsk"})
    assert [data.value("first_name"), data.value("city"), data.value("nope")] == [
        "Anna",
        "Gdańsk",
        None,
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"number": "12"}, "number"),
        ({"first_name": "x" * 65}, "first_name"),
        ({"zone": "Mars/Olympus"}, "time_zone"),
        ({"fields": {"City": "x"}}, "fields.City"),
        ({"fields": {"first_name": "x"}}, "fields.first_name"),
        ({"fields": {"note": "x" * 257}}, "fields.note"),
        ({"fields": {f"f{i}": "x" for i in range(21)}}, "fields"),
    ],
)
def test_a_bad_contact_is_refused_with_the_field_named(
    kwargs: dict[str, object], field: str
) -> None:
    given = {"number": "+48500600700", **kwargs}
    number = str(given.pop("number"))
    with pytest.raises(DomainError) as caught:
        contact_data(number, None, **given, at="line 3.")  # type: ignore[arg-type]
    assert caught.value.field == f"line 3.{field}"


def test_a_custom_field_name_is_a_lower_case_identifier() -> None:
    assert field_name("loyalty_tier2") == "loyalty_tier2"
    with pytest.raises(DomainError):
        field_name("2tier")


def test_merging_changes_only_the_given_fields_and_keeps_other_custom_ones() -> None:
    old = ContactData("+48500600700", "Anna", "Nowak", "Europe/Warsaw", {"city": "Kraków"})
    newer = ContactData("+48500600700", "Ania", "", None, {"tier": "gold"})
    merged = old.merged(newer, {"first_name", "tier"})
    assert merged == ContactData(
        "+48500600700", "Ania", "Nowak", "Europe/Warsaw", {"city": "Kraków", "tier": "gold"}
    )


def test_a_group_name_is_one_to_sixty_four_characters() -> None:
    assert group_name("  vip ") == "vip"
    with pytest.raises(DomainError):
        group_name(" ")
