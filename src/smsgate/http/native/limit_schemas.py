"""Bodies of the limits API."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

Count = Annotated[int, Meta(ge=0, le=1_000_000)]


class LimitsBody(Struct, forbid_unknown_fields=True, kw_only=True):
    """An account's own limits; a field left out (or null) keeps the server's; 0 is none."""

    rate_per_s: Count | None = None
    concurrent: Count | None = None
    duplicate_window_s: Count | None = None
    subscriber_max: Count | None = None
    subscriber_window_s: Annotated[int, Meta(ge=1, le=86_400)] | None = None
    quiet_hours: Annotated[str, Meta(description="HH:MM-HH:MM, e.g. 21:00-08:00")] | None = None
    quiet_timezone: Annotated[
        str | None, Meta(description="the zone of quiet_hours; without it, the account's")
    ] = None


class LimitsOut(Struct):
    rate_per_s: int
    concurrent: int
    duplicate_window_s: int
    subscriber_max: int
    subscriber_window_s: int
    quiet_hours: str | None
    quiet_timezone: str | None


class AccountLimitsOut(Struct):
    account: str
    effective: LimitsOut  # the server's limits with the account's own over them
    own: LimitsBody  # the account's own
