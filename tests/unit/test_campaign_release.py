"""When each message of a campaign is released: start, delay, local time, daily hours,
spreading in batches, and again when a paused campaign is resumed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smsgate.domain.campaigns import (
    OpenHours,
    Release,
    delayed_start,
    release_times,
    resumed_times,
)
from smsgate.domain.errors import DomainError
from smsgate.domain.hours import time_window


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


NOW = ms("2026-12-07T09:00:00+00:00")  # a Monday
UTC3 = ["UTC"] * 3
MINUTE = 60_000
HOUR = 60 * MINUTE
OFFICE = time_window("09:00-17:00")
NIGHTS = time_window("22:00-07:00")


def at(hhmm: str, day: int = 7) -> int:
    """That time on that day of December 2026, UTC."""
    return ms(f"2026-12-{day:02}T{hhmm}:00+00:00")


def test_a_campaign_without_timing_releases_everything_now() -> None:
    assert release_times(Release(), NOW, UTC3) == [NOW] * 3


def test_a_start_in_the_past_means_now() -> None:
    assert release_times(Release(start_ms=NOW - 5000), NOW, ["UTC"]) == [NOW]


def test_a_delay_counts_minutes_from_now() -> None:
    assert delayed_start("+90", NOW) == NOW + 90 * 60_000
    with pytest.raises(DomainError):
        delayed_start("90", NOW)


def test_spreading_releases_even_batches_one_every_period_step() -> None:
    times = release_times(Release(period_s=300, every_s=60), NOW, ["UTC"] * 10)
    # 5 batches over 5 minutes: 2 messages a minute.
    assert times == [NOW + (i // 2) * 60_000 for i in range(10)]


def test_spreading_fewer_messages_than_batches_sends_one_a_batch() -> None:
    times = release_times(Release(period_s=3600, every_s=60), NOW, UTC3)
    assert times == [NOW, NOW + 60_000, NOW + 120_000]


def test_a_local_start_is_that_wall_clock_time_in_each_recipients_zone() -> None:
    release = Release(local_start=datetime(2026, 12, 7, 12, 0))
    warsaw, new_york = release_times(release, NOW, ["Europe/Warsaw", "America/New_York"])
    assert warsaw == ms("2026-12-07T11:00:00+00:00")
    assert new_york == ms("2026-12-07T17:00:00+00:00")


def test_a_local_start_already_past_in_a_zone_releases_there_at_once() -> None:
    (tokyo,) = release_times(Release(local_start=datetime(2026, 12, 7, 12, 0)), NOW, ["Asia/Tokyo"])
    assert tokyo == NOW


def test_a_message_outside_the_daily_hours_waits_for_their_opening() -> None:
    release = Release(window=time_window("10:00-18:00"))
    (utc, warsaw) = release_times(release, NOW, ["UTC", "Europe/Warsaw"])
    assert utc == ms("2026-12-07T10:00:00+00:00")
    assert warsaw == ms("2026-12-07T09:00:00+00:00")  # 10:00 in Warsaw


def test_daily_hours_on_some_days_wait_for_the_next_such_day() -> None:
    release = Release(window=time_window("10:00-18:00", days=[6, 7]))
    assert release_times(release, NOW, ["UTC"]) == [ms("2026-12-12T10:00:00+00:00")]


def test_a_spread_that_runs_past_the_hours_continues_at_the_next_opening() -> None:
    release = Release(window=time_window("09:00-10:00"), period_s=7200, every_s=3600)
    assert release_times(release, NOW, ["UTC"] * 2) == [NOW, ms("2026-12-08T09:00:00+00:00")]


def test_a_spread_overflowing_the_hours_goes_on_at_the_same_pace_at_the_next_opening() -> None:
    # Twelve batches ten minutes apart, in hours of one hour: six today, six tomorrow.
    release = Release(window=time_window("09:00-10:00"), period_s=7200, every_s=600)
    times = release_times(release, NOW, ["UTC"] * 12)
    today = [at(f"09:{m}0") for m in range(6)]
    tomorrow = [at(f"09:{m}0", day=8) for m in range(6)]
    assert times == today + tomorrow


def test_a_spread_longer_than_two_openings_fills_each_in_turn() -> None:
    release = Release(window=time_window("09:00-09:30"), period_s=5400, every_s=900)
    times = release_times(release, NOW, ["UTC"] * 6)
    assert times == [at(t, day=d) for d in (7, 8, 9) for t in ("09:00", "09:15")]


def test_a_spread_keeps_its_pace_in_each_recipients_zone() -> None:
    release = Release(window=time_window("09:00-10:00"), period_s=7200, every_s=3600)
    times = release_times(release, ms("2026-12-07T08:00:00+00:00"), ["Europe/Warsaw", "UTC"] * 2)
    # Batch one is the first two messages, batch two the last two; each zone's own hours.
    assert times == [at("08:00"), at("09:00"), at("08:00", day=8), at("09:00", day=8)]


def test_a_spread_pauses_over_the_quiet_hours_and_goes_on_after_them() -> None:
    release = Release(start_ms=at("21:40"), period_s=3600, every_s=600)
    times = release_times(release, NOW, ["UTC"] * 4, NIGHTS)
    assert times == [at("21:40"), at("21:50"), at("07:00", day=8), at("07:10", day=8)]


def test_a_release_in_quiet_hours_and_outside_the_daily_hours_waits_for_both() -> None:
    release = Release(start_ms=at("23:00"), window=time_window("08:00-20:00"))
    assert release_times(release, NOW, ["UTC"], NIGHTS) == [at("08:00", day=8)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start_ms": NOW, "local_start": datetime(2026, 12, 7, 12, 0)},
        {"local_start": datetime(2026, 12, 7, 12, 0, tzinfo=UTC)},
        {"period_s": 0},
        {"period_s": 60, "every_s": 120},
    ],
)
def test_a_release_that_cannot_be_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(DomainError):
        Release(**kwargs)  # type: ignore[arg-type]


def test_resuming_moves_a_release_later_by_the_pause_when_no_hours_hold_it() -> None:
    pending = [("UTC", at("10:00")), ("UTC", at("10:05"))]
    assert resumed_times(None, None, pending, 2 * HOUR, at("09:30")) == [at("12:00"), at("12:05")]


def test_resuming_puts_a_release_pushed_past_the_daily_hours_into_the_next_opening() -> None:
    # Due 16:30, paused 16:00-18:00: 18:30 is past 17:00, so 09:00 the next morning.
    (due,) = resumed_times(OFFICE, None, [("UTC", at("16:30"))], 2 * HOUR, at("18:00"))
    assert due == at("09:00", day=8)


def test_resuming_keeps_the_daily_hours_in_each_recipients_zone() -> None:
    pending = [("UTC", at("16:30")), ("Europe/Warsaw", at("15:30"))]  # 16:30 in Warsaw
    utc, warsaw = resumed_times(OFFICE, None, pending, 2 * HOUR, at("18:00"))
    assert (utc, warsaw) == (at("09:00", day=8), at("08:00", day=8))


def test_resuming_keeps_a_spreads_pace_across_the_closing_of_the_hours() -> None:
    # Batches ten minutes apart in open time: 16:40, 16:50, then 09:00 and 09:10 the next day.
    before = [at("16:40"), at("16:50"), at("09:00", day=8), at("09:10", day=8)]
    after = resumed_times(OFFICE, None, [("UTC", t) for t in before], 30 * MINUTE, at("16:30"))
    assert after == [at(t, day=8) for t in ("09:00", "09:10", "09:20", "09:30")]


def test_resuming_keeps_each_batch_whole() -> None:
    pending = [("UTC", at("16:50")), ("UTC", at("16:55")), ("UTC", at("16:50"))]
    first, second, first_again = resumed_times(OFFICE, None, pending, HOUR, at("17:00"))
    assert first == first_again == at("09:00", day=8)
    assert second == at("09:05", day=8)


def test_resuming_takes_a_release_out_of_the_accounts_quiet_hours() -> None:
    (due,) = resumed_times(None, NIGHTS, [("UTC", at("21:30"))], HOUR, at("21:00"))
    assert due == at("07:00", day=8)


def test_resuming_releases_nothing_before_now() -> None:
    # Due just before the pause began and not released yet: it goes at once, not in the past.
    (due,) = resumed_times(None, None, [("UTC", at("08:59"))], 30 * MINUTE, at("09:30"))
    assert due == at("09:30")


def test_daily_hours_wholly_within_the_quiet_hours_never_open() -> None:
    with pytest.raises(DomainError):
        OpenHours(time_window("23:00-23:30"), NIGHTS).opens_after(NOW)
