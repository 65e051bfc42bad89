"""Booking slots on a virtual schedule: the one step behind every rate cap that paces."""

from __future__ import annotations

from smsgate.domain.pacing import Booking, book_slot


def test_an_empty_schedule_books_a_slot_now() -> None:
    assert book_slot(None, 100.0, interval=0.5, burst=0.5, hold=1.0) == Booking(0.0, 100.5)


def test_a_booked_slot_makes_the_next_one_wait_an_interval() -> None:
    assert book_slot(100.5, 100.0, interval=0.5, burst=0.5, hold=1.0) == Booking(0.5, 101.0)


def test_idle_time_earns_at_most_the_burst() -> None:
    # Idle since 50.0, with two intervals of burst: this slot and one more are free now.
    first = book_slot(50.0, 100.0, interval=1.0, burst=2.0, hold=0.0)
    second = book_slot(first.next_free, 100.0, interval=1.0, burst=2.0, hold=0.0)
    third = book_slot(second.next_free, 100.0, interval=1.0, burst=2.0, hold=5.0)
    assert (first.wait, second.wait, third.wait) == (-1.0, 0.0, 1.0)


def test_a_slot_beyond_the_hold_is_told_but_not_booked() -> None:
    assert book_slot(103.0, 100.0, interval=1.0, burst=1.0, hold=2.0) == Booking(3.0, None)


def test_a_slot_exactly_at_the_hold_is_booked() -> None:
    assert book_slot(100.5, 100.0, interval=1.0, burst=1.0, hold=0.5) == Booking(0.5, 101.5)
