"""Bodies of the webhook API (msgspec Structs: validated at the edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct

from smsgate.http.native.schemas import EventOut

_EVENTS = Meta(
    description="event types to receive: message.status, inbound.received, optout.changed; "
    '["*"] (the default) for all'
)


class EndpointBody(Struct, forbid_unknown_fields=True, kw_only=True):
    url: Annotated[str, Meta(description="absolute http:// or https:// URL")]
    events: Annotated[list[str], _EVENTS] | None = None
    description: Annotated[str, Meta(max_length=200)] | None = None


class EndpointPatch(Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields left out stay as they are; an empty description clears it."""

    url: str | None = None
    events: Annotated[list[str], _EVENTS] | None = None
    active: bool | None = None
    description: Annotated[str, Meta(max_length=200)] | None = None


class EndpointOut(Struct, omit_defaults=True):
    id: str
    url: str
    events: list[str]
    description: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    secret: (
        Annotated[str, Meta(description="signing secret; shown on create and rotate only")] | None
    ) = None


class EndpointList(Struct):
    data: list[EndpointOut]


class DeliveryOut(Struct):
    id: str
    endpoint_id: str | None
    callback_url: str | None
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    settled_at: datetime | None
    event: EventOut


class DeliveryPage(Struct):
    data: list[DeliveryOut]
    next_cursor: str | None


class ReplayBody(Struct, forbid_unknown_fields=True, kw_only=True):
    endpoint_id: Annotated[str, Meta(description="only this endpoint's dead letters")] | None = None


class ReplayResult(Struct):
    replayed: int


class SecretOut(Struct):
    secret: str
