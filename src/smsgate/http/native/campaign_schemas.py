"""Bodies of the campaigns API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct, field

from smsgate.http.native.template_schemas import AudienceBody


class CampaignBody(AudienceBody, forbid_unknown_fields=True, kw_only=True):
    name: str
    urgent: bool = False
    start: Annotated[
        str | None,
        Meta(description='ISO 8601 with an offset, or "+M": M minutes from now; now without it'),
    ] = None
    local_start: Annotated[
        datetime | None,
        Meta(
            description="ISO 8601 without an offset: that wall-clock time in each recipient's zone"
        ),
    ] = None
    hours: Annotated[
        str | None, Meta(description="HH:MM-HH:MM: messages go only then, in each recipient's zone")
    ] = None
    days: Annotated[list[int], Meta(description="ISO weekdays of `hours`; all without it")] = field(
        default_factory=list
    )
    period: Annotated[int | None, Meta(description="seconds to spread the messages over")] = None
    every: Annotated[int, Meta(description="seconds between batches while spreading")] = 60
    time_zone: Annotated[
        str | None,
        Meta(description="of recipients whose contact has none; the account's without it"),
    ] = None
    validity: Annotated[int | None, Meta(description="seconds each message may wait")] = None


class ProgressOut(Struct):
    scheduled: int
    queued: int
    sent: int
    delivered: int
    failed: Annotated[int, Meta(description="undelivered, rejected, failed and expired")]
    canceled: int
    replies: int
    opt_outs: int
    cost: str


class CampaignOut(Struct):
    id: str
    name: str
    state: Annotated[str, Meta(description="running, paused, canceled or finished")]
    text: str
    recipients: int
    skipped: int
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    progress: ProgressOut


class RefusedOut(Struct):
    to: str
    error_code: str
    error: str


class CampaignMadeOut(Struct):
    campaign: CampaignOut
    opted_out: int
    refused: list[RefusedOut]


class CampaignPage(Struct):
    data: list[CampaignOut]
    next_cursor: str | None


class CanceledOut(Struct):
    campaign: CampaignOut
    canceled: int
