"""Hours of the day in a time zone, on some days of the week: when a routing rule applies,
when an account's messages must not go out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from smsgate.domain.errors import DomainError, ErrorCode

_HOURS = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Hours of the day (start inclusive, end exclusive, across midnight when end < start),
    on some days of the week (ISO: 1 Monday .. 7 Sunday), in a time zone."""

    start_min: int
    end_min: int
    zone: str = "UTC"
    days: frozenset[int] = frozenset(range(1, 8))

    @property
    def hours(self) -> str:
        return (
            f"{self.start_min // 60:02}:{self.start_min % 60:02}-"
            f"{self.end_min // 60:02}:{self.end_min % 60:02}"
        )

    def contains(self, at_ms: int) -> bool:
        local = datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(ZoneInfo(self.zone))
        minute = local.hour * 60 + local.minute
        if self.start_min <= self.end_min:
            inside = self.start_min <= minute < self.end_min
            day = local.isoweekday()
        else:  # across midnight: the early hours belong to the window opened the day before
            inside = minute >= self.start_min or minute < self.end_min
            day = (
                local.isoweekday() if minute >= self.start_min else (local.isoweekday() - 2) % 7 + 1
            )
        return inside and day in self.days

    def closes_after(self, at_ms: int) -> int:
        """When the window open at `at_ms` closes (epoch ms); `at_ms` must be inside it."""
        zone = ZoneInfo(self.zone)
        local = datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(zone)
        minute = local.hour * 60 + local.minute
        day = local.date()
        if self.start_min > self.end_min and minute >= self.start_min:
            day += timedelta(days=1)  # the window runs on past midnight
        end = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=self.end_min)
        return int(end.timestamp() * 1000)

    def opens_after(self, at_ms: int) -> int:
        """The first moment from `at_ms` on inside the window (epoch ms): `at_ms` itself when
        the window is open then."""
        if self.contains(at_ms):
            return at_ms
        zone = ZoneInfo(self.zone)
        day = datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(zone).date()
        for ahead in range(8):
            date = day + timedelta(days=ahead)
            opening = datetime(date.year, date.month, date.day, tzinfo=zone) + timedelta(
                minutes=self.start_min
            )
            opens = int(opening.timestamp() * 1000)
            if opens >= at_ms and date.isoweekday() in self.days:
                return opens
        raise AssertionError("a window with days opens within a week")  # days is never empty


def time_window(hours: str, zone: str = "UTC", days: Sequence[int] = ()) -> TimeWindow:
    """A window from "HH:MM-HH:MM", an IANA zone name and ISO weekdays, or INVALID_FIELD."""
    found = _HOURS.fullmatch(hours)
    if found is None:
        raise DomainError(
            ErrorCode.INVALID_FIELD, "hours are HH:MM-HH:MM, e.g. 08:00-20:00", "hours"
        )
    start = int(found[1]) * 60 + int(found[2])
    end = int(found[3]) * 60 + int(found[4])
    if start == end or end > 24 * 60:
        raise DomainError(ErrorCode.INVALID_FIELD, "the window is empty or past 24:00", "hours")
    time_zone(zone)
    if any(d not in range(1, 8) for d in days):
        raise DomainError(ErrorCode.INVALID_FIELD, "days are 1 (Monday) to 7 (Sunday)", "days")
    return TimeWindow(start, end, zone, frozenset(days) if days else frozenset(range(1, 8)))


def time_zone(zone: str, field: str = "timezone") -> str:
    """`zone` when it is an IANA time zone name ("Europe/Warsaw"), or INVALID_FIELD."""
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError):
        raise DomainError(ErrorCode.INVALID_FIELD, f"unknown time zone {zone}", field) from None
    return zone
