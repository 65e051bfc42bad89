"""When each message of a campaign is released.

A campaign starts at once, at a moment, after a delay ("+90": minutes, as SMSC.ru's
`time=+m`), or at a wall-clock time in each recipient's own time zone. It may be spread over
a period in even batches, one every so often (SMSC.ru `period`/`freq`), and kept to daily
hours in each recipient's zone (SMSC.ru `time=h1-h2`): a message whose turn falls outside
them waits for the next opening. Every time is computed when the campaign is made and stored
with its message, so a restart neither loses nor repeats a release.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import TimeWindow

MAX_PERIOD_S = 31 * 24 * 3600
MAX_DELAY_MIN = 366 * 24 * 60
_DELAY = re.compile(r"\+([0-9]{1,6})")


@dataclass(frozen=True, slots=True)
class Release:
    start_ms: int | None = None  # None: at once
    local_start: datetime | None = None  # naive: this wall-clock time in each recipient's zone
    window: TimeWindow | None = None  # daily hours; its zone is each recipient's
    period_s: int | None = None  # spread over this long
    every_s: int = 60  # one batch this often while spreading

    def __post_init__(self) -> None:
        if self.start_ms is not None and self.local_start is not None:
            raise DomainError(
                ErrorCode.INVALID_FIELD, "give a start or a local start, not both", "start"
            )
        if self.local_start is not None and self.local_start.tzinfo is not None:
            raise DomainError(
                ErrorCode.INVALID_FIELD, "a local start has no UTC offset", "local_start"
            )
        if self.period_s is not None and not 1 <= self.period_s <= MAX_PERIOD_S:
            raise DomainError(
                ErrorCode.INVALID_FIELD, f"a period is 1 to {MAX_PERIOD_S} seconds", "period"
            )
        if not 1 <= self.every_s <= (self.period_s or MAX_PERIOD_S):
            raise DomainError(
                ErrorCode.INVALID_FIELD, "a batch comes at least once in the period", "every"
            )


def delayed_start(value: str, now_ms: int) -> int:
    """A start written "+M": M minutes from now."""
    found = _DELAY.fullmatch(value.strip())
    if found is None or int(found[1]) > MAX_DELAY_MIN:
        raise DomainError(
            ErrorCode.INVALID_FIELD, "a delay is +MINUTES, at most a year ahead", "start"
        )
    return now_ms + int(found[1]) * 60_000


def release_times(release: Release, now_ms: int, zones: Sequence[str]) -> list[int]:
    """When each recipient's message is due (epoch ms), in their order; `zones` are their
    time zones (a contact's own, or the campaign's for the rest)."""
    base = max(release.start_ms or now_ms, now_ms)
    starts: dict[str, int] = {}
    windows: dict[str, TimeWindow] = {}
    batch = _batch_size(release, len(zones))
    times = []
    for i, zone in enumerate(zones):
        start = starts.get(zone)
        if start is None:
            start = starts[zone] = _start_in(release, zone, base)
        due = start + (i // batch) * release.every_s * 1000 if release.period_s else start
        if release.window is not None:
            window = windows.get(zone)
            if window is None:
                window = windows[zone] = replace(release.window, zone=zone)
            due = window.opens_after(due)
        times.append(due)
    return times


def _batch_size(release: Release, recipients: int) -> int:
    if not release.period_s or not recipients:
        return max(recipients, 1)
    batches = max(1, release.period_s // release.every_s)
    return math.ceil(recipients / batches)


def _start_in(release: Release, zone: str, base: int) -> int:
    if release.local_start is None:
        return base
    local = release.local_start.replace(tzinfo=ZoneInfo(zone))
    return max(int(local.timestamp() * 1000), base)  # a moment already past there: at once
