"""Request and response bodies of the native API (msgspec Structs: validated at the edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct


class PersonalisedMessage(Struct, forbid_unknown_fields=True):
    to: str
    text: str


class SendBody(Struct, forbid_unknown_fields=True, kw_only=True):
    """One text to many recipients (`to` + `text`), or personalised `messages`."""

    to: list[str] | str | None = None
    text: str | None = None
    messages: list[PersonalisedMessage] | None = None
    sender: (
        Annotated[
            str,
            Meta(
                description="alphanumeric (at most 11 characters) or numeric (at most 15 digits); "
                "without it, the account's default sender, else a number of the shared pool"
            ),
        ]
        | None
    ) = None
    two_way: Annotated[
        bool,
        Meta(description="replies are expected: sent from a number that receives them"),
    ] = False
    send_at: Annotated[
        datetime | None,
        Meta(description="ISO 8601 with a UTC offset, e.g. 2026-12-24T18:00:00+01:00"),
    ] = None
    validity: Annotated[int, Meta(description="validity period in seconds")] | None = None
    client_ref: Annotated[str, Meta(max_length=42, description="echoed in reports")] | None = None
    urgent: bool = False
    test: bool = False
    estimate: bool = False
    smart_encoding: bool = False
    transliterate: bool = False
    single: bool = False
    status_callback: (
        Annotated[str, Meta(description="URL that receives each status change of these messages")]
        | None
    ) = None
    reply_callback: (
        Annotated[str, Meta(description="URL that receives the replies to these messages")] | None
    ) = None


class ErrorDetail(Struct, omit_defaults=True):
    code: str
    message: str
    field: str | None = None
    raw: Annotated[str, Meta(description="the upstream's own error code")] | None = None


class ErrorBody(Struct):
    error: ErrorDetail


class RecipientOut(Struct, omit_defaults=True):
    index: int
    to: str
    id: str | None = None
    parts: int | None = None
    price: Annotated[str | None, Meta(description="when the account pays: a decimal string")] = None
    status: str | None = None
    error: ErrorDetail | None = None


class SendResponse(Struct):
    status: str | None
    test: bool
    estimate: bool
    accepted: int
    rejected: int
    parts: int
    encoding: str | None
    messages: list[RecipientOut]
    cost: Annotated[
        str | None, Meta(description="of the accepted messages, when the account pays")
    ] = None
    currency: str | None = None


class StatusTime(Struct):
    status: str
    at: datetime


class PartOut(Struct):
    part: int
    upstream_id: str
    status: str
    error_code: str | None
    error_raw: str | None
    at: datetime


class MessageOut(Struct, omit_defaults=True):
    id: str
    to: str
    sender: str | None
    text: str
    encoding: str
    parts: int
    status: str
    urgent: bool
    client_ref: str | None
    send_at: datetime | None
    expires_at: datetime | None
    connector: str | None
    upstream_id: str | None
    price: str | None
    error: ErrorDetail | None
    created_at: datetime
    updated_at: datetime
    history: list[StatusTime]
    status_callback: str | None = None
    reply_callback: str | None = None
    # Only on GET /v1/messages/{id}: each part as the upstream knows it.
    part_details: list[PartOut] | None = None


class EventOut(Struct):
    id: str
    type: str
    at: datetime
    data: dict[str, object]


class EventPage(Struct):
    data: list[EventOut]
    next_cursor: str | None


class MessagePage(Struct):
    data: list[MessageOut]
    next_cursor: str | None


class RejectedBatch(Struct):
    """Answer when no recipient could be accepted: the error and each recipient's reason."""

    error: ErrorDetail
    messages: list[RecipientOut]


class InboundOut(Struct, rename={"from_": "from"}):
    id: str
    from_: Annotated[str, Meta(description="the subscriber who wrote")]
    to: Annotated[str, Meta(description="our number it was sent to")]
    text: str
    parts: int
    reply_to: Annotated[str | None, Meta(description="id of the message it answers")]
    keyword: Annotated[str | None, Meta(description="stop, start or help")]
    received_at: datetime


class InboundPage(Struct):
    data: list[InboundOut]
    next_cursor: str | None


class OptOutOut(Struct):
    number: str
    source: Annotated[str, Meta(description="keyword (the subscriber wrote one) or api")]
    created_at: datetime


class OptOutPage(Struct):
    data: list[OptOutOut]
    next_cursor: str | None


class InboundSettingsBody(Struct, forbid_unknown_fields=True, kw_only=True):
    """Keywords (matched when they are the whole message, case-insensitive) and the
    automatic answers to them; an empty or absent answer sends none."""

    stop_words: list[str]
    start_words: list[str]
    help_words: list[str]
    stop_reply: Annotated[str, Meta(max_length=1000)] | None = None
    start_reply: Annotated[str, Meta(max_length=1000)] | None = None
    help_reply: Annotated[str, Meta(max_length=1000)] | None = None
    reply_window: (
        Annotated[int, Meta(ge=60, le=30 * 86400, description="seconds; null: server default")]
        | None
    ) = None


class NumberOut(Struct):
    number: str
    created_at: datetime
