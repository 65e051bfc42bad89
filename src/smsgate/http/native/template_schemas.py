"""Bodies of the templates API and of the preview of a send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct, field


class TemplateBody(Struct, forbid_unknown_fields=True, kw_only=True):
    text: Annotated[
        str,
        Meta(description="{field} or {field|default} placeholders; {{ and }} for braces"),
    ]


class TemplateOut(Struct):
    name: str
    text: str
    fields: list[str]
    created_at: datetime
    updated_at: datetime


class TemplateIndex(Struct):
    data: list[TemplateOut]


class AudienceBody(Struct, forbid_unknown_fields=True, kw_only=True):
    """What a send to an audience says: the text, whom it goes to, from whom."""

    template: Annotated[str | None, Meta(description="a template's name (or give text)")] = None
    text: str | None = None
    groups: list[str] = field(default_factory=list)
    contacts: Annotated[list[str], Meta(description="contact ids")] = field(default_factory=list)
    to: Annotated[list[str], Meta(description="numbers, in contacts or not")] = field(
        default_factory=list
    )
    sender: str | None = None


class PreviewBody(AudienceBody, forbid_unknown_fields=True, kw_only=True):
    limit: Annotated[int, Meta(ge=1, le=1000, description="recipients shown")] = 100


class PreviewRowOut(Struct, omit_defaults=True):
    to: str
    text: str
    encoding: str
    parts: int | None = None
    price: str | None = None
    missing: list[str] = field(default_factory=list)
    error_code: str | None = None
    error: str | None = None


class RejectedOut(Struct):
    index: int
    to: str
    error_code: str
    error: str


class PreviewOut(Struct):
    fields: list[str]
    recipients: int
    opted_out: int
    rejected: list[RejectedOut]
    currency: str | None
    data: list[PreviewRowOut]
