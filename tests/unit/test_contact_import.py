"""A file's rows turned into contacts: columns recognised or mapped, one contact per number,
and an error per bad row naming its line."""

from __future__ import annotations

import pytest

from smsgate.domain.contact_import import (
    RowError,
    column_mapping,
    guess_mapping,
    mapping_of,
    parse_rows,
)
from smsgate.domain.errors import DomainError


def test_common_headers_are_recognised_and_others_become_custom_fields() -> None:
    header = ["Phone", "First name", "Surname", "TZ", "Tags", "Loyalty Tier", "€€"]
    assert guess_mapping(header) == {
        "Phone": "number",
        "First name": "first_name",
        "Surname": "last_name",
        "TZ": "time_zone",
        "Tags": "groups",
        "Loyalty Tier": "loyalty_tier",
    }


def test_an_exports_opt_out_column_is_not_imported() -> None:
    assert "opted_out" not in guess_mapping(["number", "opted_out"]).values()


def test_a_given_mapping_wins_over_the_guess_and_can_leave_a_column_out() -> None:
    header = ["Tel", "Imię", "Notes"]
    by_index = column_mapping(header, {"Imię": "first_name", "Notes": "-"})
    assert by_index == {0: "number", 1: "first_name"}


@pytest.mark.parametrize(
    ("header", "given"),
    [
        (["Name"], {}),  # no number
        (["Phone", "Mobile"], {}),  # two numbers
        (["Phone"], {"Fax": "number"}),  # no such column
        (["Phone", "X"], {"X": "Bad Name"}),  # not a field
    ],
)
def test_a_mapping_that_cannot_work_is_refused_before_any_row(
    header: list[str], given: dict[str, str]
) -> None:
    with pytest.raises(DomainError) as caught:
        column_mapping(header, given)
    assert caught.value.field == "map"


def test_a_mapping_pair_splits_at_its_last_equals_sign() -> None:
    assert mapping_of(["a=b=number"]) == {"a=b": "number"}
    with pytest.raises(DomainError):
        mapping_of(["number"])


def test_each_bad_row_is_reported_by_its_line_and_the_rest_imported() -> None:
    parsed = parse_rows(
        ["phone", "name", "tz"],
        [["500600700", "Anna", ""], ["12", "Bad", ""], ["500600701", "Jan", "Nowhere/City"]],
        "PL",
    )
    assert [c.data.number for c in parsed.contacts] == ["+48500600700"]
    assert parsed.errors == [
        RowError(3, "number", "too short"),
        RowError(4, "time_zone", "unknown time zone Nowhere/City"),
    ]


def test_a_number_repeated_in_the_file_is_kept_once_and_its_lines_reported() -> None:
    parsed = parse_rows(["phone"], [["+48500600700"], ["500 600 700"], ["+48500600701"]], "PL")
    assert len(parsed.contacts) == 2
    assert parsed.duplicates == [3]


def test_blank_lines_are_skipped_and_a_row_without_number_is_an_error() -> None:
    parsed = parse_rows(["phone", "name"], [["", ""], [], ["", "Anna"]], "PL")
    assert parsed.contacts == []
    assert [(e.line, e.field) for e in parsed.errors] == [(4, "number")]


def test_a_rows_groups_split_on_commas_and_semicolons() -> None:
    parsed = parse_rows(["phone", "groups"], [["+48500600700", "vip; staff,x "]], None)
    assert parsed.contacts[0].groups == ("vip", "staff", "x")


def test_an_update_changes_only_the_columns_the_row_has_values_for() -> None:
    parsed = parse_rows(["phone", "name", "city"], [["+48500600700", "", "Gdańsk"]], None)
    assert parsed.contacts[0].given == {"number", "city"}
