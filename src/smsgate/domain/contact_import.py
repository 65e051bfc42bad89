"""Rows of an imported file turned into contacts: which column is which field, one contact per
number, and an error for each row that cannot be one.

Columns map to the built-in fields, to `groups` (names split on ',' or ';') or to custom fields.
Without an explicit mapping a column is recognised by its header ("Phone", "Mobile" and "MSISDN"
are the number; "Surname" the last name); other headers become custom fields when they make a
field name, and are left out otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from smsgate.domain.contacts import BUILT_IN, ContactData, contact_data, field_name, group_name
from smsgate.domain.errors import DomainError, ErrorCode

GROUPS = "groups"
SKIP = "-"

_ALIASES = {
    **dict.fromkeys(
        ("number", "phone", "phone_number", "mobile", "msisdn", "tel", "telephone", "cell"),
        "number",
    ),
    **dict.fromkeys(("first_name", "firstname", "name", "given_name"), "first_name"),
    **dict.fromkeys(("last_name", "lastname", "surname", "family_name"), "last_name"),
    **dict.fromkeys(("time_zone", "timezone", "tz"), "time_zone"),
    **dict.fromkeys(("groups", "group", "tags", "tag"), GROUPS),
    "opted_out": SKIP,  # an export's mark: opt-outs are the opt-out list's to decide
}
_NOT_IN_NAME = re.compile(r"[^a-z0-9]+")
_GROUP_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # in the file, the header being line 1
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportedContact:
    line: int
    data: ContactData
    groups: tuple[str, ...]
    given: frozenset[str]  # the fields the file has a value for: an update changes only these


@dataclass(slots=True)
class ParsedImport:
    contacts: list[ImportedContact] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # lines repeating an earlier number


def _header_key(header: str) -> str:
    return _NOT_IN_NAME.sub("_", header.strip().lower()).strip("_")


def guess_mapping(header: Sequence[str]) -> dict[str, str]:
    """The field of each column whose header says it; columns that say nothing are left out."""
    mapping: dict[str, str] = {}
    for column in header:
        key = _header_key(column)
        target = _ALIASES.get(key, key)
        if target == SKIP:
            continue
        if target in BUILT_IN or target == GROUPS:
            mapping[column] = target
            continue
        try:
            mapping[column] = field_name(key)
        except DomainError:
            continue
    return mapping


def mapping_of(pairs: Iterable[str]) -> dict[str, str]:
    """ "COLUMN=FIELD" pairs, as a caller writes them ("Tel. (mobile)=number"), as a mapping."""
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column:
            raise DomainError(ErrorCode.INVALID_FIELD, f"{pair!r} is not COLUMN=FIELD", "map")
        mapping[column] = target.strip()
    return mapping


def column_mapping(header: Sequence[str], given: Mapping[str, str]) -> dict[int, str]:
    """Column index -> field, from the header and the caller's mapping (header -> field, `-`
    to leave a column out) over the guessed one."""
    known = set(header)
    for column, target in given.items():
        if column not in known:
            raise DomainError(ErrorCode.INVALID_FIELD, f"the file has no column {column!r}", "map")
        if target not in BUILT_IN and target not in (GROUPS, SKIP):
            field_name(target, "map")
    mapping = {**guess_mapping(header), **given}
    by_index = {i: mapping[c] for i, c in enumerate(header) if mapping.get(c, SKIP) != SKIP}
    targets = list(by_index.values())
    if "number" not in targets:
        raise DomainError(ErrorCode.INVALID_FIELD, "no column is the number", "map")
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        raise DomainError(
            ErrorCode.INVALID_FIELD, f"several columns map to {', '.join(doubled)}", "map"
        )
    return by_index


def parse_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    region: str | None,
    mapping: Mapping[str, str] | None = None,
) -> ParsedImport:
    by_index = column_mapping(header, mapping or {})
    parsed = ParsedImport()
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        values = {t: row[i].strip() for i, t in by_index.items() if i < len(row) and row[i]}
        if not values:
            continue  # a blank line
        try:
            imported = _contact(values, region, line)
        except DomainError as err:
            parsed.errors.append(RowError(line, err.field or "", err.detail))
            continue
        if imported.data.number in seen:
            parsed.duplicates.append(line)
            continue
        seen.add(imported.data.number)
        parsed.contacts.append(imported)
    return parsed


def _contact(values: dict[str, str], region: str | None, line: int) -> ImportedContact:
    if "number" not in values:
        raise DomainError(ErrorCode.MISSING_FIELD, "the row has no number", "number")
    given = frozenset(values) - {GROUPS}
    groups = tuple(
        group_name(g, GROUPS) for g in _GROUP_SEPARATORS.split(values.pop(GROUPS, "")) if g.strip()
    )
    data = contact_data(
        values.pop("number"),
        region,
        first_name=values.pop("first_name", ""),
        last_name=values.pop("last_name", ""),
        zone=values.pop("time_zone", None),
        fields=values,
    )
    return ImportedContact(line, data, groups, given)
