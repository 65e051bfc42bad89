"""SMPP time fields (spec §7.1.1): absolute times with their UTC offset, relative times."""

from __future__ import annotations

import datetime as dt

import pytest

from smsgate.smpp.times import TimeFormatError, format_absolute, parse_time

NOW = int(dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC).timestamp() * 1000)


def ms(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp() * 1000)


def test_an_empty_field_means_not_given() -> None:
    assert parse_time("", NOW) is None


def test_an_absolute_time_in_utc() -> None:
    assert parse_time("260201093000000+", NOW) == ms(2026, 2, 1, 9, 30)


def test_an_absolute_time_ahead_of_utc_is_moved_back_by_its_quarter_hours() -> None:
    # 09:30 at UTC+01:00 (4 quarter hours) is 08:30 UTC.
    assert parse_time("260201093000004+", NOW) == ms(2026, 2, 1, 8, 30)


def test_an_absolute_time_behind_utc_is_moved_forward() -> None:
    # 09:30 at UTC-05:30 (22 quarter hours) is 15:00 UTC.
    assert parse_time("260201093000022-", NOW) == ms(2026, 2, 1, 15, 0)


def test_tenths_of_a_second_count() -> None:
    assert parse_time("260201093000500+", NOW) == ms(2026, 2, 1, 9, 30) + 500


def test_a_relative_time_adds_days_hours_minutes_seconds_to_now() -> None:
    assert parse_time("000001020304000R", NOW) == NOW + ((24 + 2) * 3600 + 3 * 60 + 4) * 1000


def test_a_relative_month_from_the_31st_ends_on_the_last_day_of_the_next_month() -> None:
    assert parse_time("000100000000000R", NOW) == ms(2026, 2, 28, 12, 0)


def test_relative_years_count_calendar_years() -> None:
    assert parse_time("010000000000000R", NOW) == ms(2027, 1, 31, 12, 0)


@pytest.mark.parametrize(
    "value",
    [
        "2602010930",  # too short
        "260201093000000X",  # no +, - or R
        "26020109300000a+",  # not digits
        "261301093000000+",  # month 13
        "260230093000000+",  # 30 February
        "260201093000049+",  # an offset beyond 12 hours
        "000000250000000R",  # 25 relative hours
    ],
)
def test_fields_that_break_the_format_are_refused(value: str) -> None:
    with pytest.raises(TimeFormatError):
        parse_time(value, NOW)


def test_format_absolute_writes_utc_and_reads_back() -> None:
    moment = ms(2026, 3, 4, 5, 6, 7) + 800
    assert format_absolute(moment) == "260304050607800+"
    assert parse_time(format_absolute(moment), NOW) == moment
