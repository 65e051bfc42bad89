"""SMPP time fields: schedule_delivery_time, validity_period, final_date (spec §7.1.1).

Sixteen characters `YYMMDDhhmmsstnnp`. With p `+` or `-` the time is absolute: local time at
nn quarter hours ahead of (`+`) or behind (`-`) UTC, t tenths of a second. With p `R` it is
relative to now: YY years, MM months, DD days, hh hours, mm minutes, ss seconds (t and nn are
0). An empty field means "not given". Years are 2000-2099, as every SMSC in use reads them.
"""

from __future__ import annotations

import calendar
import datetime as dt

_UTC = dt.UTC


class TimeFormatError(ValueError):
    """A time field that does not follow §7.1.1."""


def parse_time(value: str, now_ms: int) -> int | None:
    """Epoch ms the field names (None when empty). Raises TimeFormatError."""
    if not value:
        return None
    if len(value) != 16 or not value[:15].isdigit() or value[15] not in "+-R":
        raise TimeFormatError(f"{value!r} is not YYMMDDhhmmsstnnp")
    yy, mo, dd, hh, mi, ss = (int(value[i : i + 2]) for i in range(0, 12, 2))
    tenths, quarters, sign = int(value[12]), int(value[13:15]), value[15]
    if sign == "R":
        return _relative(now_ms, yy, mo, dd, hh, mi, ss)
    if quarters > 48:
        raise TimeFormatError(f"{value!r}: offset of {quarters} quarter hours")
    try:
        local = dt.datetime(2000 + yy, mo, dd, hh, mi, ss, tenths * 100_000, tzinfo=_UTC)
    except ValueError as error:
        raise TimeFormatError(f"{value!r}: {error}") from None
    offset = dt.timedelta(minutes=15 * quarters)
    utc = local - offset if sign == "+" else local + offset
    return int(utc.timestamp() * 1000)


def _relative(now_ms: int, years: int, months: int, days: int, h: int, m: int, s: int) -> int:
    if h > 23 or m > 59 or s > 59:
        raise TimeFormatError(f"relative time of {h:02d}:{m:02d}:{s:02d}")
    now = dt.datetime.fromtimestamp(now_ms / 1000, _UTC)
    month_index = now.month - 1 + months + 12 * years
    year, month = now.year + month_index // 12, month_index % 12 + 1
    # A month later than 31 January is the last day of February, as calendars count.
    day = min(now.day, calendar.monthrange(year, month)[1])
    moved = now.replace(year=year, month=month, day=day)
    return int((moved + dt.timedelta(days=days, hours=h, minutes=m, seconds=s)).timestamp() * 1000)


def format_absolute(epoch_ms: int) -> str:
    """`epoch_ms` as an absolute time field in UTC (`...000+`), as query_sm_resp gives it."""
    moment = dt.datetime.fromtimestamp(epoch_ms / 1000, _UTC)
    return moment.strftime("%y%m%d%H%M%S") + f"{moment.microsecond // 100_000}00+"
