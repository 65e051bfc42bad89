"""Mobile networks (MCC/MNC) and the numbering plan that tells which one a number is on.

A plan maps number prefixes (E.164 digits) to the network that was given the range; the
longest prefix that matches wins. It knows the network a number was allocated to, not where
it has been ported since: an operator who needs that loads a plan that reflects it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from smsgate.domain.errors import DomainError, ErrorCode

_MCC = re.compile(r"[0-9]{3}")
_MNC = re.compile(r"[0-9]{2,3}")
_CODE = re.compile(r"([0-9]{3})-([0-9]{2,3})")
_DIGITS = re.compile(r"[0-9]{0,15}")

T = TypeVar("T")


def longest_prefix(table: Mapping[str, T], digits: str, longest: int) -> T | None:
    """The value of the longest key of `table` that starts `digits` ('' matches all), looking
    at keys up to `longest` characters."""
    for length in range(min(len(digits), longest), -1, -1):
        found = table.get(digits[:length])
        if found is not None:
            return found
    return None


def number_prefix(value: str, field_name: str = "prefix") -> str:
    """A number prefix as stored: digits of the E.164 number, without the '+'."""
    digits = value.removeprefix("+")
    if not _DIGITS.fullmatch(digits):
        raise DomainError(
            ErrorCode.INVALID_FIELD, f"{value!r} is not a number prefix (digits)", field_name
        )
    return digits


def network_code(value: str) -> str | None:
    """`value` as a network code "MCC-MNC" ("260-01"), or None when it is not one."""
    return value if _CODE.fullmatch(value) else None


@dataclass(frozen=True, slots=True)
class Network:
    mcc: str  # mobile country code, 3 digits
    mnc: str  # mobile network code, 2 or 3 digits
    name: str

    @property
    def code(self) -> str:
        """How price lists name it: "260-01"."""
        return f"{self.mcc}-{self.mnc}"


def network(mcc: str, mnc: str, name: str, *, at: str = "network") -> Network:
    """A network from an operator's input, or INVALID_FIELD naming the field (under `at`)."""
    if not _MCC.fullmatch(mcc):
        raise DomainError(ErrorCode.INVALID_FIELD, "an MCC is 3 digits", f"{at}.mcc")
    if not _MNC.fullmatch(mnc):
        raise DomainError(ErrorCode.INVALID_FIELD, "an MNC is 2 or 3 digits", f"{at}.mnc")
    if len(name) > 64:
        raise DomainError(ErrorCode.INVALID_FIELD, "a name is 64 characters at most", f"{at}.name")
    return Network(mcc, mnc, name)


@dataclass(frozen=True, slots=True)
class NetworkPlan:
    by_prefix: Mapping[str, Network]  # number prefix (digits) -> network
    _longest: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_longest", max(map(len, self.by_prefix), default=0))

    def of(self, e164: str) -> Network | None:
        """The network `e164` is on, or None when the plan does not say."""
        return longest_prefix(self.by_prefix, e164.removeprefix("+"), self._longest)


NO_NETWORKS = NetworkPlan({})


def network_plan(
    rows: Iterable[tuple[str, str, str, str]],
    row_name: Callable[[int], str] = "networks[{}]".format,
) -> NetworkPlan:
    """A plan from an operator's rows (prefix, MCC, MNC, name), or INVALID_FIELD naming the
    row by its index (`row_name(3)`: "networks[3]") and the field ("networks[3].mcc")."""
    by_prefix: dict[str, Network] = {}
    for i, (raw_prefix, mcc, mnc, name) in enumerate(rows):
        at = row_name(i)
        digits = number_prefix(raw_prefix, f"{at}.prefix")
        if not digits:
            raise DomainError(
                ErrorCode.INVALID_FIELD, "a prefix has one digit at least", f"{at}.prefix"
            )
        if digits in by_prefix:
            raise DomainError(
                ErrorCode.INVALID_FIELD, f"prefix {digits} is given twice", f"{at}.prefix"
            )
        by_prefix[digits] = network(mcc, mnc, name, at=at)
    return NetworkPlan(by_prefix)
