"""Bodies of the address book API: contacts, groups and imports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct, field


class ContactBody(Struct, forbid_unknown_fields=True, kw_only=True):
    number: Annotated[str, Meta(description="E.164, or national in the account's region")]
    first_name: str = ""
    last_name: str = ""
    time_zone: Annotated[
        str | None, Meta(description="IANA name, e.g. Europe/Warsaw; null: the account's")
    ] = None
    fields: Annotated[
        dict[str, str],
        Meta(description="custom fields for templates: names a-z, 0-9 and _, 20 at most"),
    ] = field(default_factory=dict)
    groups: Annotated[list[str], Meta(description="names of its groups; unknown ones are made")] = (
        field(default_factory=list)
    )


class ContactOut(Struct):
    id: str
    number: str
    first_name: str
    last_name: str
    time_zone: str | None
    fields: dict[str, str]
    groups: list[str]
    opted_out: Annotated[bool, Meta(description="the number is on the account's opt-out list")]
    created_at: datetime
    updated_at: datetime


class ContactPage(Struct):
    data: list[ContactOut]
    next_cursor: str | None


class RowErrorOut(Struct):
    line: int
    field: str
    reason: str


class ImportOut(Struct):
    created: int
    updated: int
    unchanged: int
    duplicates: Annotated[list[int], Meta(description="lines repeating an earlier number")]
    rejected: int
    errors: list[RowErrorOut]


class GroupBody(Struct, forbid_unknown_fields=True, kw_only=True):
    name: str


class GroupOut(Struct):
    name: str
    contacts: int
    created_at: datetime


class GroupIndex(Struct):
    data: list[GroupOut]


class MembersBody(Struct, forbid_unknown_fields=True, kw_only=True):
    contacts: Annotated[list[str], Meta(description="contact ids", max_length=10_000)]


class MembersOut(Struct):
    added: int
