"""When each message of a campaign is released: start, delay, local time, daily hours,
spreading in batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smsgate.domain.campaigns import Release, delayed_start, release_times
from smsgate.domain.errors import DomainError
from smsgate.domain.hours import time_window


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


NOW = ms("2026-12-07T09:00:00+00:00")  # a Monday
UTC3 = ["UTC"] * 3


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
