"""Contacts of an account's address book, and the groups they are in.

A contact is a number (E.164, one contact per number and account) with a first and last name,
a time zone and custom fields that templates fill placeholders from. Field names are the
placeholders' names, so they are lower-case identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import time_zone
from smsgate.domain.phone import normalize

NAME_MAX = 64
GROUP_NAME_MAX = 64
FIELD_VALUE_MAX = 256
FIELDS_MAX = 20
BUILT_IN = frozenset({"number", "first_name", "last_name", "time_zone"})

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True, slots=True)
class ContactData:
    """What a contact says about a person, checked."""

    number: str  # E.164
    first_name: str = ""
    last_name: str = ""
    time_zone: str | None = None  # IANA name; None: the account's
    fields: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str | None:
        """A built-in or custom field by name (what a placeholder asks for)."""
        if name == "number":
            return self.number
        if name == "first_name":
            return self.first_name
        if name == "last_name":
            return self.last_name
        if name == "time_zone":
            return self.time_zone
        return self.fields.get(name)

    def merged(self, newer: ContactData, given: Collection[str]) -> ContactData:
        """This contact with the fields of `newer` that a file or a patch `given` values for;
        custom fields are added or overwritten, never dropped."""
        return ContactData(
            number=self.number,
            first_name=newer.first_name if "first_name" in given else self.first_name,
            last_name=newer.last_name if "last_name" in given else self.last_name,
            time_zone=newer.time_zone if "time_zone" in given else self.time_zone,
            fields={**self.fields, **newer.fields},
        )


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    data: ContactData
    groups: tuple[str, ...]
    opted_out: bool
    created_at: int  # ms
    updated_at: int


def field_name(name: str, at: str = "fields") -> str:
    if name in BUILT_IN or not _FIELD_NAME.fullmatch(name):
        raise DomainError(
            ErrorCode.INVALID_FIELD,
            f"{name!r} is not a custom field name (a-z, 0-9 and _, 32 at most, not a built-in)",
            at,
        )
    return name


def _text(value: str, limit: int, at: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise DomainError(ErrorCode.INVALID_FIELD, f"{limit} characters at most", at)
    return value


def contact_data(
    number: str,
    region: str | None,
    *,
    first_name: str = "",
    last_name: str = "",
    zone: str | None = None,
    fields: Mapping[str, str] | None = None,
    at: str = "",
) -> ContactData:
    """A contact from what a person typed, or DomainError naming the field (under `at`, e.g.
    "line 7." for a row of a file)."""
    given = dict(fields or {})
    if len(given) > FIELDS_MAX:
        raise DomainError(
            ErrorCode.INVALID_FIELD, f"{FIELDS_MAX} custom fields at most", f"{at}fields"
        )
    checked = {
        field_name(k, f"{at}fields.{k}"): _text(v, FIELD_VALUE_MAX, f"{at}fields.{k}")
        for k, v in given.items()
    }
    zone = zone.strip() if zone else None
    return ContactData(
        number=normalize(number, region, field=f"{at}number"),
        first_name=_text(first_name, NAME_MAX, f"{at}first_name"),
        last_name=_text(last_name, NAME_MAX, f"{at}last_name"),
        time_zone=time_zone(zone, f"{at}time_zone") if zone else None,
        fields={k: v for k, v in checked.items() if v},
    )


def group_name(name: str, at: str = "name") -> str:
    name = name.strip()
    if not 1 <= len(name) <= GROUP_NAME_MAX:
        raise DomainError(
            ErrorCode.INVALID_FIELD, f"a group name is 1-{GROUP_NAME_MAX} characters", at
        )
    return name
