"""Slots on a virtual schedule: how a rate cap (a connector's throughput, a sender's pace) is
kept with one number per schedule, the time its next slot is free (the generic cell rate
algorithm). The counters keep that number in memory or in Redis, so every node books from the
same schedule; this is the one step they all take."""

from __future__ import annotations

from typing import NamedTuple


class Booking(NamedTuple):
    wait: float  # seconds from now until the slot
    next_free: float | None  # the schedule's next free slot once booked; None: not booked


def book_slot(
    next_free: float | None, now: float, *, interval: float, burst: float, hold: float
) -> Booking:
    """Book the next slot of a schedule whose slots are `interval` seconds apart.

    Idle time earns credit, but at most `burst` seconds of it (`burst == interval`: none, each
    slot waits for the one before). A slot further off than `hold` seconds is not booked: the
    caller will ask again later instead of holding a turn far ahead of everyone else.
    """
    slot = now - burst + interval
    if next_free is not None and next_free > slot:
        slot = next_free
    wait = slot - now
    if wait > hold:
        return Booking(wait, None)
    return Booking(wait, slot + interval)
