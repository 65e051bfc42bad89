"""Recipient phone numbers: E.164 normalisation against an account's default region.

phonenumbers is the authority on what a valid number is, but its parser costs about 30 µs a
number: too slow for a request of 100,000 recipients. So the common shapes take a fast path that
replays the parser's decisions on metadata compiled once per region, and every case the fast path
does not model goes to the parser itself (`_parse`). tests/unit/test_phone.py checks that both
paths give the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeAlias

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    REGION_CODE_FOR_NON_GEO_ENTITY,
    CountryCodeSource,
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberDesc,
    PhoneNumberFormat,
    ValidationResult,
)

from smsgate.domain.errors import DomainError, ErrorCode

# Separators people type inside numbers. Anything else besides digits and one leading '+' makes
# the input "not a number": vanity letters and extensions have no place in an SMS recipient.
_SEPARATORS = str.maketrans("", "", " \t\u00a0\u202f.-()/")

# phonenumbers' bounds on a national significant number.
_MIN_NSN_LENGTH = 2
_MAX_NSN_LENGTH = 17

_COUNTRY_CODES: dict[str, int] = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}
_MAX_COUNTRY_CODE_LENGTH = 3

_NOT_A_NUMBER = "not a number"
_TOO_SHORT = "too short"
_TOO_LONG = "too long"
_INVALID_COUNTRY_CODE = "invalid country code"

_PARSE_FAILURES = {
    NumberParseException.INVALID_COUNTRY_CODE: _INVALID_COUNTRY_CODE,
    # The parser only ever sees digits (see `_compact`), so it refuses them for their count.
    NumberParseException.NOT_A_NUMBER: _TOO_SHORT,
    NumberParseException.TOO_SHORT_AFTER_IDD: _TOO_SHORT,
    NumberParseException.TOO_SHORT_NSN: _TOO_SHORT,
    NumberParseException.TOO_LONG: _TOO_LONG,
}

_LENGTH_FAILURES = {
    ValidationResult.TOO_SHORT: _TOO_SHORT,
    ValidationResult.TOO_LONG: _TOO_LONG,
    ValidationResult.INVALID_COUNTRY_CODE: _INVALID_COUNTRY_CODE,
}

# How the parser found the country of a number written without an international prefix.
_READ_NATIONALLY = frozenset(
    {CountryCodeSource.FROM_DEFAULT_COUNTRY, CountryCodeSource.FROM_NUMBER_WITHOUT_PLUS_SIGN}
)


@dataclass(frozen=True, slots=True)
class Rejected:
    index: int
    raw: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class NormalizedBatch:
    valid: list[tuple[int, str]]  # (index in the input, E.164 number), in input order
    rejected: list[Rejected]


def normalize(raw: str, default_region: str | None = None, *, field: str | None = None) -> str:
    """`raw` as an E.164 number ("+48500600700"); DomainError(INVALID_NUMBER) says why not.

    Digits without a '+' are read as a number of `default_region` and, when that is not valid, as
    an international number missing its '+' ("48500600700"). A number written with '+' or an
    international call prefix is taken as written. Raises ValueError for an unknown region.
    """
    reading = _reader(default_region).read(raw)
    if isinstance(reading, _Invalid):
        raise DomainError(ErrorCode.INVALID_NUMBER, reading.reason, field=field)
    return reading


def normalize_many(
    raws: Sequence[str], default_region: str | None = None, *, dedupe: bool = True
) -> NormalizedBatch:
    """Normalises every recipient; a bad one is rejected on its own, never failing the batch.

    With `dedupe`, a later occurrence of an already seen number is rejected as a duplicate.
    """
    read = _reader(default_region).read
    valid: list[tuple[int, str]] = []
    rejected: list[Rejected] = []
    first_seen: dict[str, int] = {}
    for index, raw in enumerate(raws):
        reading = read(raw)
        if isinstance(reading, _Invalid):
            rejected.append(Rejected(index, raw, ErrorCode.INVALID_NUMBER.code, reading.reason))
        elif dedupe and (first := first_seen.setdefault(reading, index)) != index:
            reason = f"duplicate of recipient #{first}"
            rejected.append(Rejected(index, raw, ErrorCode.DUPLICATE_RECIPIENT.code, reason))
        else:
            valid.append((index, reading))
    return NormalizedBatch(valid, rejected)


def region_of(e164: str) -> str | None:
    """The ISO region of a valid E.164 number; None for non-geographic or invalid numbers."""
    digits = e164[1:]
    if not (e164.startswith("+") and digits.isascii() and digits.isdigit()):
        return None
    split = _split_country_code(digits)
    if split is None:
        return None
    country, national = split
    region = country.region_of(national)
    return None if region == REGION_CODE_FOR_NON_GEO_ENTITY else region


def is_valid_region(region: str) -> bool:
    """Whether `region` is an upper-case ISO region code phonenumbers has a numbering plan for."""
    return region in phonenumbers.SUPPORTED_REGIONS


@dataclass(frozen=True, slots=True)
class _Invalid:
    reason: str


# An E.164 number, or why the input is not one.
_Reading: TypeAlias = str | _Invalid


def _compact(raw: str) -> str | None:
    """`raw` without separators, if what is left is digits with an optional leading '+'."""
    compact = raw.translate(_SEPARATORS)
    digits = compact[1:] if compact.startswith("+") else compact
    return compact if digits.isascii() and digits.isdigit() else None


def _parse(compact: str, region: str | None) -> _Reading:
    """The reference reading, by phonenumbers' parser; the fast path must agree with it."""
    if region is None and not compact.startswith("+"):
        compact = "+" + compact  # with no home region, digits alone can only be international
    number = PhoneNumber()
    try:
        phonenumbers.parse(compact, region, keep_raw_input=True, numobj=number)
    except NumberParseException as exc:
        reading: _Reading = _Invalid(_PARSE_FAILURES[exc.error_type])
    else:
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        reading = _Invalid(_invalid_reason(number))
    # A number written without '+' may be an international one missing it. (The parser records
    # how it found the country even when it then fails.)
    if not compact.startswith("+") and number.country_code_source in _READ_NATIONALLY:
        international = _parse("+" + compact, None)
        if not isinstance(international, _Invalid):
            return international
    return reading


def _read_slowly(raw: str, region: str | None) -> _Reading:
    """What `normalize` answers when the fast path is left out."""
    compact = _compact(raw)
    return _Invalid(_NOT_A_NUMBER) if compact is None else _parse(compact, region)


def _invalid_reason(number: PhoneNumber) -> str:
    length_failure = _LENGTH_FAILURES.get(phonenumbers.is_possible_number_with_reason(number))
    if length_failure is not None:
        return length_failure
    region = phonenumbers.region_code_for_number(number)
    if region is None or region == REGION_CODE_FOR_NON_GEO_ENTITY:
        return "not a valid number"
    return f"not a valid number for {region}"


class _Plan:
    """One region's numbering plan, compiled for the checks the parser and validator make."""

    __slots__ = (
        "_general",
        "_idd",
        "_lengths",
        "_local_only_lengths",
        "_max_length",
        "_national_prefix",
        "_transforms_prefix",
        "_valid_by_length",
        "leading_digits",
    )

    def __init__(self, metadata: PhoneMetadata) -> None:
        general = _desc(metadata.general_desc)
        self._general = re.compile(general.national_number_pattern or "")
        self._lengths = frozenset(general.possible_length)
        self._max_length = max(general.possible_length)
        self._local_only_lengths = frozenset(general.possible_length_local_only)
        self._idd = _compile(metadata.international_prefix)
        self._national_prefix = _compile(metadata.national_prefix_for_parsing)
        self._transforms_prefix = bool(metadata.national_prefix_transform_rule)
        self._valid_by_length = _validity_patterns(metadata)
        self.leading_digits = _compile(metadata.leading_digits)

    def is_valid(self, national: str) -> bool:
        pattern = self._valid_by_length.get(len(national))
        return pattern is not None and pattern.fullmatch(national) is not None

    def matches_general(self, number: str) -> bool:
        return self._general.fullmatch(number) is not None

    def is_too_long(self, number: str) -> bool:
        length = len(number)
        return length > self._max_length and length not in self._local_only_lengths

    def keeps_stripped(self, national: str) -> bool:
        """Whether the parser keeps a number whose national prefix it removed: not when the
        rest is too short or of a length the region does not use."""
        length = len(national)
        return length not in self._local_only_lengths and (
            length in self._lengths or length > self._max_length
        )

    def after_idd(self, digits: str) -> str | None:
        """What follows the region's international call prefix ("00"), if `digits` start so."""
        match = self._idd.match(digits) if self._idd is not None else None
        return None if match is None else digits[match.end() :]

    def strip_national_prefix(self, number: str) -> str | None:
        """`number` without its national prefix ("0" in "030..."), as the parser removes it;
        None where the region rewrites the prefix instead, which the fast path leaves alone."""
        match = self._national_prefix.match(number) if self._national_prefix else None
        if match is None:
            return number
        groups = match.groups()
        if self._transforms_prefix and (not groups or groups[-1] is not None):
            return None
        rest = number[match.end() :]
        if self.matches_general(number) and not self.matches_general(rest):
            return number
        return rest


class _Country:
    """A country calling code: the plan the parser reads it with, and the regions sharing it."""

    __slots__ = ("_regions", "code", "plan")

    def __init__(self, code: int) -> None:
        regions = COUNTRY_CODE_TO_REGION_CODE[code]
        main_plan = _plan(code, regions[0])
        if main_plan is None:
            raise LookupError(f"phonenumbers has no metadata for +{code}")
        self.code = str(code)
        self.plan = main_plan
        # A region sharing its code with others claims the numbers starting with its leading
        # digits (Jersey in +44); a lone region takes every number of its code.
        shared = len(regions) > 1
        self._regions = [
            (region, plan.leading_digits if shared else None, plan)
            for region in regions
            if (plan := _plan(code, region)) is not None
        ]

    def region_of(self, national: str) -> str | None:
        """The region phonenumbers validates the number in, or None when it is not valid."""
        for region, leading_digits, plan in self._regions:
            if leading_digits is None:
                if plan.is_valid(national):
                    return region
            elif leading_digits.match(national):
                return region if plan.is_valid(national) else None
        return None

    def read(self, national: str, plan: _Plan) -> _Reading | None:
        """The parser's reading of the digits after this country code, taken with `plan`;
        None where the fast path does not model it."""
        if len(national) < _MIN_NSN_LENGTH:
            return None
        stripped = plan.strip_national_prefix(national)
        if stripped is None:
            return None
        if stripped != national and plan.keeps_stripped(stripped):
            national = stripped
        # Leading zeros (Italy's fixed lines) are kept apart in a PhoneNumber: left to the parser.
        if len(national) > _MAX_NSN_LENGTH or national.startswith("0"):
            return None
        if self.region_of(national) is not None:
            return f"+{self.code}{national}"
        number = PhoneNumber(country_code=int(self.code), national_number=int(national))
        return _Invalid(_invalid_reason(number))


class _Reader:
    """Reads numbers for one default region; None as the region means international only."""

    __slots__ = ("_home", "_region")

    def __init__(self, region: str | None) -> None:
        self._region = region
        self._home = None if region is None else _home(region)

    def read(self, raw: str) -> _Reading:
        compact = _compact(raw)
        if compact is None:
            return _Invalid(_NOT_A_NUMBER)
        if compact.startswith("+"):
            reading = _read_international(compact[1:])
        elif self._home is None:
            reading = _read_international(compact)
        else:
            reading = _read_national(compact, *self._home)
        return _parse(compact, self._region) if reading is None else reading


def _read_national(digits: str, home: _Plan, country: _Country) -> _Reading | None:
    """The reading of digits written without '+' where `home` is the default region's plan;
    None where the fast path does not model it."""
    after_idd = home.after_idd(digits)
    if after_idd is not None:
        return _read_international(after_idd)
    national, plan = digits, home
    if digits.startswith(country.code):
        # The parser takes "48500600700" in PL as +48 500600700: digits that start with the
        # home country code and would otherwise be too long or malformed include it.
        without_code = home.strip_national_prefix(digits[len(country.code) :])
        if without_code is None:
            return None
        if home.is_too_long(digits) or (
            not home.matches_general(digits) and home.matches_general(without_code)
        ):
            national, plan = without_code, country.plan
    reading = country.read(national, plan)
    if not isinstance(reading, _Invalid):
        return reading
    # Not valid at home: perhaps an international number missing its '+'.
    international = _read_international(digits)
    return reading if isinstance(international, _Invalid) else international


def _read_international(digits: str) -> _Reading | None:
    """The reading of digits that follow a '+'; None where the fast path does not model it."""
    if len(digits) <= _MIN_NSN_LENGTH:
        return None
    split = _split_country_code(digits)
    if split is None:
        return None
    country, national = split
    return country.read(national, country.plan)


def _split_country_code(digits: str) -> tuple[_Country, str] | None:
    for length in range(1, _MAX_COUNTRY_CODE_LENGTH + 1):
        code = _COUNTRY_CODES.get(digits[:length])
        if code is not None:
            return _country(code), digits[length:]
    return None


def _home(region: str) -> tuple[_Plan, _Country]:
    metadata = PhoneMetadata.metadata_for_region(region) if is_valid_region(region) else None
    plan = None if metadata is None else _plan(metadata.country_code, region)
    if metadata is None or plan is None:
        raise ValueError(f"unknown region {region!r}")
    return plan, _country(metadata.country_code)


@cache
def _reader(region: str | None) -> _Reader:
    return _Reader(region)


@cache
def _country(code: int) -> _Country:
    return _Country(code)


@cache
def _plan(code: int, region: str) -> _Plan | None:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    return None if metadata is None else _Plan(metadata)


def _validity_patterns(metadata: PhoneMetadata) -> dict[int, re.Pattern[str]]:
    """Per national number length, one pattern matching exactly the numbers phonenumbers'
    is_valid_number accepts: the general description and at least one number type match."""
    general = _desc(metadata.general_desc)
    types = [
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
        metadata.fixed_line,
    ]
    # With identical patterns phonenumbers only ever tests the fixed line one.
    if not metadata.same_mobile_and_fixed_line_pattern:
        types.append(metadata.mobile)
    patterns: dict[int, re.Pattern[str]] = {}
    for length in general.possible_length:
        alternatives = [
            f"(?:{desc.national_number_pattern})"
            for desc in types
            if desc is not None
            and desc.national_number_pattern
            and (not desc.possible_length or length in desc.possible_length)
        ]
        if alternatives:
            general_matches = rf"(?=(?:{general.national_number_pattern})\Z)"
            patterns[length] = re.compile(general_matches + f"(?:{'|'.join(alternatives)})")
    return patterns


def _desc(desc: PhoneNumberDesc | None) -> PhoneNumberDesc:
    if desc is None:
        raise LookupError("phonenumbers metadata without a general description")
    return desc


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None
