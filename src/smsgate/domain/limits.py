"""The limits an account sends under: request rate, requests in progress, repeated requests,
messages to one subscriber, and quiet hours. A limit of 0 is no limit."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from smsgate.domain.hours import TimeWindow, time_window


@dataclass(frozen=True, slots=True)
class Limits:
    rate_per_s: int = 0  # API requests per second
    concurrent: int = 0  # API requests in progress at once
    duplicate_window_s: int = 60  # an identical send request within this long is refused
    subscriber_max: int = 50  # messages to one number ...
    subscriber_window_s: int = 60  # ... within this long
    quiet: TimeWindow | None = None  # messages (but urgent ones) wait for its end; per account

    def overridden(self, overrides: LimitOverrides) -> Limits:
        """These limits with the account's own values where it has them."""
        changes = {
            f.name: getattr(overrides, f.name)
            for f in fields(self)
            if getattr(overrides, f.name) is not None
        }
        return replace(self, **changes)

    def within(self, bound: Limits) -> Limits:
        """These limits, none looser than `bound`'s (a sub-account's under its parent's): a
        count limit is the smaller of the two, where either has one."""
        return replace(
            self,
            rate_per_s=_tighter(self.rate_per_s, bound.rate_per_s),
            concurrent=_tighter(self.concurrent, bound.concurrent),
            subscriber_max=_tighter(self.subscriber_max, bound.subscriber_max),
        )


def _tighter(a: int, b: int) -> int:
    return min(a, b) if a and b else a or b


@dataclass(frozen=True, slots=True)
class LimitOverrides:
    """An account's own limits; None keeps the server's."""

    rate_per_s: int | None = None
    concurrent: int | None = None
    duplicate_window_s: int | None = None
    subscriber_max: int | None = None
    subscriber_window_s: int | None = None
    quiet: TimeWindow | None = None
    # The quiet hours were given without a zone: they are kept in the account's, whatever it
    # is now (`in_zone` puts them there).
    quiet_follows_account: bool = False

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(Limits))

    def with_quiet(
        self, hours: str | None, zone: str | None, account_zone: str = "UTC"
    ) -> LimitOverrides:
        """These overrides with quiet hours "HH:MM-HH:MM" (none when not given) in `zone`, or,
        given without one, following the account's: kept in `account_zone` until `in_zone`
        puts them in the account's own."""
        if not hours:
            return replace(self, quiet=None, quiet_follows_account=False)
        window = time_window(hours, zone or account_zone)
        return replace(self, quiet=window, quiet_follows_account=zone is None)

    def in_zone(self, zone: str) -> LimitOverrides:
        """These overrides with quiet hours that follow the account kept in `zone`, its own."""
        if self.quiet is None or not self.quiet_follows_account:
            return self
        return replace(self, quiet=replace(self.quiet, zone=zone))


def quiet_until(limits: Limits, at_ms: int, urgent: bool) -> int | None:
    """When a message to be sent at `at_ms` may go, if quiet hours hold it back (None: now)."""
    if urgent or limits.quiet is None or not limits.quiet.contains(at_ms):
        return None
    return limits.quiet.closes_after(at_ms)
