"""Pacing submits to a connector's throughput and each sender's pace. Timings are loose: CI
machines stall."""

from __future__ import annotations

import asyncio
import time

import pytest
from tests.unit.test_limits import Clock

from smsgate.dispatch.throttle import Pacer, Schedules, SenderPacer
from smsgate.services.counters import MemoryCounters


def connector_pacer(rate: float | None, burst: int = 1) -> Pacer:
    return Pacer(Schedules(MemoryCounters()), "sink", rate, burst)


def sender_pacer(rate: float, hold: float, clock: Clock) -> SenderPacer:
    return SenderPacer(Schedules(MemoryCounters(clock)), "sink", rate, hold)


async def seconds_for(pacer: Pacer, waits: int) -> float:
    start = time.monotonic()
    for _ in range(waits):
        await pacer.wait()
    return time.monotonic() - start


async def test_without_a_rate_a_pacer_never_waits() -> None:
    assert await seconds_for(connector_pacer(None), 10_000) < 0.5


async def test_waits_are_spaced_by_the_rate() -> None:
    # 60 waits at 200/s: 59 intervals of 5 ms after the first, about 0.3 s.
    elapsed = await seconds_for(connector_pacer(200), 60)
    assert 0.2 <= elapsed < 1.5


async def test_a_fresh_pacer_lets_a_whole_burst_through_at_once() -> None:
    # Paced, these five would take 200 ms.
    assert await seconds_for(connector_pacer(20, burst=5), 5) < 0.1


async def test_after_the_burst_waits_follow_the_rate() -> None:
    pacer = connector_pacer(100, burst=5)
    await seconds_for(pacer, 5)
    assert await seconds_for(pacer, 20) >= 0.15


async def test_idle_time_earns_a_new_burst() -> None:
    pacer = connector_pacer(20, burst=5)
    await seconds_for(pacer, 5)
    await asyncio.sleep(0.3)
    assert await seconds_for(pacer, 5) < 0.1


async def test_idle_time_earns_no_more_than_one_burst() -> None:
    pacer = connector_pacer(100, burst=3)
    await asyncio.sleep(0.3)  # thirty intervals
    # Three go at once, the next twenty are paced: about 0.2 s.
    assert await seconds_for(pacer, 23) >= 0.15


async def test_a_sender_within_its_pace_does_not_wait() -> None:
    assert await sender_pacer(10, hold=1.0, clock=Clock(100.0)).wait("SHOP") == 0


async def test_a_senders_next_message_waits_for_its_turn() -> None:
    pacer = sender_pacer(10, hold=1.0, clock=Clock(100.0))
    waits = [await pacer.wait("SHOP") for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.1, 0.2])


async def test_each_sender_has_a_pace_of_its_own() -> None:
    pacer = sender_pacer(1, hold=5.0, clock=Clock(100.0))
    await pacer.wait("SHOP")
    assert await pacer.wait("BANK") == 0


async def test_a_turn_beyond_the_hold_is_not_booked() -> None:
    clock = Clock(100.0)
    pacer = sender_pacer(1, hold=1.0, clock=clock)
    assert [await pacer.wait("SHOP") for _ in range(2)] == [0.0, 1.0]
    # The third would wait 2 s, past the hold: it is refused without taking the slot, so the
    # next one asking gets the same turn.
    assert await pacer.wait("SHOP") == 2.0
    clock.now = 100.5
    assert await pacer.wait("SHOP") == 1.5


async def test_an_idle_sender_earns_no_burst() -> None:
    clock = Clock(100.0)
    pacer = sender_pacer(10, hold=1.0, clock=clock)
    await pacer.wait("SHOP")
    clock.now = 200.0
    assert [await pacer.wait("SHOP") for _ in range(2)] == pytest.approx([0.0, 0.1])


class Unreachable(MemoryCounters):
    async def book(self, key: str, *, interval: float, burst: float, hold: float) -> float:
        raise ConnectionError("redis is down")


async def test_while_the_shared_schedules_fail_a_node_paces_on_its_own() -> None:
    pacer = SenderPacer(Schedules(Unreachable()), "sink", 10, hold=1.0)
    waits = [await pacer.wait("SHOP") for _ in range(2)]
    assert waits[0] == 0
    assert waits[1] == pytest.approx(0.1, abs=0.01)
