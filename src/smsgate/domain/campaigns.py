"""When each message of a campaign is released.

A campaign starts at once, at a moment, after a delay ("+90": minutes, as SMSC.ru's
`time=+m`), or at a wall-clock time in each recipient's own time zone. It may be spread over
a period in even batches, one every so often (SMSC.ru `period`/`freq`), and kept to daily
hours in each recipient's zone (SMSC.ru `time=h1-h2`): a message whose turn falls outside
them waits for the next opening. The account's quiet hours close them further. Every time is
computed when the campaign is made and stored with its message, so a restart neither loses nor
repeats a release; resuming a paused campaign computes the times still to come again.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import TimeWindow

MAX_PERIOD_S = 31 * 24 * 3600
MAX_DELAY_MIN = 366 * 24 * 60
# Daily hours and quiet hours repeat every week: hours closed for longer are closed for good.
_SEARCH_MS = 8 * 24 * 3600 * 1000
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


@dataclass(frozen=True, slots=True)
class OpenHours:
    """When a campaign's messages may go out in one time zone: inside its daily hours (when it
    has them) and outside the account's quiet hours (when it has them)."""

    window: TimeWindow | None = None  # in the recipients' zone
    quiet: TimeWindow | None = None  # in the zone the quiet hours are kept in

    def opens_after(self, at_ms: int) -> int:
        """The first open moment from `at_ms` on; INVALID_FIELD when there is none."""
        at = at_ms
        while at - at_ms <= _SEARCH_MS:
            if self.window is not None:
                at = self.window.opens_after(at)
            if self.quiet is None or not self.quiet.contains(at):
                return at
            at = self.quiet.closes_after(at)
        raise DomainError(
            ErrorCode.INVALID_FIELD, "the daily hours fall wholly within the quiet hours", "hours"
        )

    def advance(self, at_ms: int, open_ms: int) -> int:
        """The moment `open_ms` of open time after `at_ms` (itself moved into the open hours):
        a pace that runs past a closing goes on at the next opening."""
        opens, closes = self._span(at_ms)
        while closes is not None and opens + open_ms >= closes:
            open_ms -= closes - opens
            opens, closes = self._span(closes)
        return opens + open_ms

    def open_between(self, start_ms: int, end_ms: int) -> int:
        """How long the hours are open from `start_ms` to `end_ms`."""
        total = 0
        opens, closes = self._span(start_ms)
        while opens < end_ms:
            if closes is None or closes >= end_ms:
                return total + end_ms - opens
            total += closes - opens
            opens, closes = self._span(closes)
        return total

    def _span(self, at_ms: int) -> tuple[int, int | None]:
        """The open stretch at or after `at_ms`: when it opens and closes (None: never)."""
        while True:
            opens = self.opens_after(at_ms)
            ends = []
            if self.window is not None:
                ends.append(self.window.closes_after(opens))
            if self.quiet is not None:
                ends.append(self.quiet.opens_after(opens))
            closes = min(ends, default=None)
            if closes is None or closes > opens:
                return opens, closes
            at_ms = opens + 1  # an opening a change of clocks swallowed


def open_hours(window: TimeWindow | None, zone: str, quiet: TimeWindow | None) -> OpenHours:
    """The hours of a recipient in `zone`: the daily `window` kept in that zone."""
    return OpenHours(replace(window, zone=zone) if window is not None else None, quiet)


def release_times(
    release: Release, now_ms: int, zones: Sequence[str], quiet: TimeWindow | None = None
) -> list[int]:
    """When each recipient's message is due (epoch ms), in their order; `zones` are their
    time zones (a contact's own, or the campaign's for the rest), `quiet` the account's quiet
    hours. Batch k of a spread is due after k steps of open time in each zone: a spread that
    runs past the daily hours (or into quiet hours) goes on at the same pace at the next
    opening."""
    base = max(release.start_ms or now_ms, now_ms)
    batch = _batch_size(release, len(zones))
    step_ms = release.every_s * 1000 if release.period_s else 0
    hours: dict[str, OpenHours] = {}
    latest: dict[str, tuple[int, int]] = {}  # by zone: its latest batch, and when it is due
    times = []
    for i, zone in enumerate(zones):
        if zone not in hours:
            hours[zone] = open_hours(release.window, zone, quiet)
            latest[zone] = (0, hours[zone].opens_after(_start_in(release, zone, base)))
        k = i // batch
        last, last_due = latest[zone]
        due = last_due if k == last else hours[zone].advance(last_due, (k - last) * step_ms)
        latest[zone] = (k, due)
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


def resumed_times(
    window: TimeWindow | None,
    quiet: TimeWindow | None,
    pending: Sequence[tuple[str, int]],
    paused_ms: int,
    now_ms: int,
) -> list[int]:
    """When the messages of a campaign resumed at `now_ms` after `paused_ms` are released:
    `pending` are each one's (zone, release time as it stood). In each zone, its first batch
    still to come moves later by the pause (never before now), then into the open hours; each
    later batch follows the one before it after as much open time as separated them before,
    so a spread keeps its pace across the hours' closings."""
    by_zone: dict[str, set[int]] = defaultdict(set)
    for zone, at in pending:
        by_zone[zone].add(at)
    moved: dict[tuple[str, int], int] = {}
    for zone, times in by_zone.items():
        hours = open_hours(window, zone, quiet)
        previous: int | None = None
        for at in sorted(times):
            if previous is None:
                due = hours.opens_after(max(at + paused_ms, now_ms))
            else:
                due = hours.advance(moved[zone, previous], hours.open_between(previous, at))
            moved[zone, at] = due
            previous = at
    return [moved[zone, at] for zone, at in pending]
