"""Limits: an account's own values over the server's, quiet hours, and the in-memory counters
(fixed windows, holds, places)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from smsgate.domain.hours import time_window
from smsgate.domain.limits import LimitOverrides, Limits, quiet_until
from smsgate.services.counters import MemoryCounters

WARSAW = ZoneInfo("Europe/Warsaw")
NIGHTS = time_window("21:00-08:00", "Europe/Warsaw")


def at(day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(2026, 12, day, hour, minute, tzinfo=WARSAW).timestamp() * 1000)


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_an_accounts_own_values_replace_the_servers_and_the_rest_stay() -> None:
    server = Limits(rate_per_s=100, subscriber_max=50)
    own = server.overridden(LimitOverrides(rate_per_s=5, subscriber_max=0))
    assert (own.rate_per_s, own.subscriber_max, own.duplicate_window_s) == (5, 0, 60)


def test_limits_within_a_bound_take_the_smaller_count_where_either_has_one() -> None:
    parent = Limits(rate_per_s=10, concurrent=0, subscriber_max=50)
    sub = Limits(rate_per_s=100, concurrent=4, subscriber_max=0).within(parent)
    assert (sub.rate_per_s, sub.concurrent, sub.subscriber_max) == (10, 4, 50)


def test_quiet_hours_given_without_a_zone_are_kept_in_the_accounts() -> None:
    follows = LimitOverrides(quiet=time_window("21:00-08:00"), quiet_follows_account=True)
    placed = Limits().overridden(follows.in_zone("Europe/Warsaw"))
    assert placed.quiet == NIGHTS


def test_quiet_hours_given_in_a_zone_keep_it_whatever_the_accounts() -> None:
    own = LimitOverrides(quiet=NIGHTS)
    assert own.in_zone("America/New_York").quiet == NIGHTS


def test_a_message_in_quiet_hours_waits_for_their_end() -> None:
    limits = Limits(quiet=NIGHTS)
    assert quiet_until(limits, at(2, 23), urgent=False) == at(3, 8)
    assert quiet_until(limits, at(3, 6), urgent=False) == at(3, 8)


def test_a_message_outside_quiet_hours_goes_now() -> None:
    assert quiet_until(Limits(quiet=NIGHTS), at(2, 12), urgent=False) is None


def test_an_urgent_message_ignores_quiet_hours() -> None:
    assert quiet_until(Limits(quiet=NIGHTS), at(2, 23), urgent=True) is None


def test_quiet_hours_end_by_the_wall_clock_across_a_change_of_time() -> None:
    # Europe/Warsaw leaves summer time on the night of 25 October 2026.
    night = datetime(2026, 10, 24, 23, tzinfo=WARSAW).timestamp() * 1000
    end = quiet_until(Limits(quiet=NIGHTS), int(night), urgent=False)
    assert end == int(datetime(2026, 10, 25, 8, tzinfo=WARSAW).timestamp() * 1000)


async def test_a_count_starts_again_with_each_window() -> None:
    clock = Clock(1000.2)
    counters = MemoryCounters(clock)
    assert await counters.count("k", 1.0) == (1, pytest.approx(0.8))
    assert (await counters.count("k", 1.0))[0] == 2
    clock.now = 1001.0
    assert (await counters.count("k", 1.0))[0] == 1


async def test_counts_of_many_keys_are_kept_apart() -> None:
    counters = MemoryCounters(Clock())
    await counters.count_many(["a", "b"], 60)
    assert await counters.count_many(["a", "c"], 60) == [2, 1]


async def test_a_held_key_cannot_be_claimed_until_it_runs_out() -> None:
    clock = Clock()
    counters = MemoryCounters(clock)
    assert await counters.claim("k", 60)
    assert not await counters.claim("k", 60)
    assert await counters.held_for("k") == 60
    clock.now += 60
    assert await counters.held_for("k") is None
    assert await counters.claim("k", 60)


async def test_a_released_key_is_free_at_once() -> None:
    counters = MemoryCounters(Clock())
    await counters.claim("k", 60)
    await counters.release("k")
    assert await counters.claim("k", 60)


async def test_places_are_limited_and_given_back() -> None:
    counters = MemoryCounters(Clock())
    assert await counters.enter("p", 2)
    assert await counters.enter("p", 2)
    assert not await counters.enter("p", 2)
    await counters.leave("p")
    assert await counters.enter("p", 2)


async def test_expired_entries_are_dropped_as_the_maps_grow() -> None:
    clock = Clock()
    counters = MemoryCounters(clock)
    counters.PRUNE_EVERY = 10
    await counters.count_many([f"old{n}" for n in range(5)], 1.0)
    clock.now += 5
    await counters.count_many([f"new{n}" for n in range(5)], 1.0)
    assert len(counters._counts) == 5
