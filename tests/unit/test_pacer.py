"""Pacing submits to a connector's throughput. Timings are loose: CI machines stall."""

from __future__ import annotations

import asyncio
import time

import pytest

from smsgate.dispatch.throttle import Pacer, SenderPacer


async def seconds_for(pacer: Pacer, waits: int) -> float:
    start = time.monotonic()
    for _ in range(waits):
        await pacer.wait()
    return time.monotonic() - start


async def test_without_a_rate_a_pacer_never_waits() -> None:
    assert await seconds_for(Pacer(None), 10_000) < 0.5


async def test_waits_are_spaced_by_the_rate() -> None:
    # 60 waits at 200/s: 59 intervals of 5 ms after the first, about 0.3 s.
    elapsed = await seconds_for(Pacer(200), 60)
    assert 0.2 <= elapsed < 1.5


async def test_a_fresh_pacer_lets_a_whole_burst_through_at_once() -> None:
    # Paced, these five would take 200 ms.
    assert await seconds_for(Pacer(20, burst=5), 5) < 0.1


async def test_after_the_burst_waits_follow_the_rate() -> None:
    pacer = Pacer(100, burst=5)
    await seconds_for(pacer, 5)
    assert await seconds_for(pacer, 20) >= 0.15


async def test_idle_time_earns_a_new_burst() -> None:
    pacer = Pacer(20, burst=5)
    await seconds_for(pacer, 5)
    await asyncio.sleep(0.3)
    assert await seconds_for(pacer, 5) < 0.1


async def test_idle_time_earns_no_more_than_one_burst() -> None:
    pacer = Pacer(100, burst=3)
    await asyncio.sleep(0.3)  # thirty intervals
    # Three go at once, the next twenty are paced: about 0.2 s.
    assert await seconds_for(pacer, 23) >= 0.15


def test_a_sender_within_its_pace_does_not_wait() -> None:
    assert SenderPacer(10, hold=1.0).wait("SHOP", now=100.0) == 0


def test_a_senders_next_message_waits_for_its_turn() -> None:
    pacer = SenderPacer(10, hold=1.0)
    waits = [pacer.wait("SHOP", now=100.0) for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.1, 0.2])


def test_each_sender_has_a_pace_of_its_own() -> None:
    pacer = SenderPacer(1, hold=5.0)
    pacer.wait("SHOP", now=100.0)
    assert pacer.wait("BANK", now=100.0) == 0


def test_a_turn_beyond_the_hold_is_not_booked() -> None:
    pacer = SenderPacer(1, hold=1.0)
    assert [pacer.wait("SHOP", now=100.0) for _ in range(2)] == [0.0, 1.0]
    # The third would wait 2 s, past the hold: it is refused without taking the slot, so the
    # next one asking gets the same turn.
    assert pacer.wait("SHOP", now=100.0) == 2.0
    assert pacer.wait("SHOP", now=100.5) == 1.5


def test_an_idle_sender_earns_no_burst() -> None:
    pacer = SenderPacer(10, hold=1.0)
    pacer.wait("SHOP", now=100.0)
    assert [pacer.wait("SHOP", now=200.0) for _ in range(2)] == pytest.approx([0.0, 0.1])
