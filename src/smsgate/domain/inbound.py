"""Inbound messages (MO) as channels hand them in, and the reassembly of long ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smsgate.domain.errors import DomainError
from smsgate.domain.phone import normalize


@dataclass(frozen=True, slots=True)
class Concat:
    """Where a part sits in a long message (UDH or SAR): reference, parts in all, position."""

    ref: int
    total: int
    seq: int

    def __post_init__(self) -> None:
        if not 1 <= self.seq <= self.total:
            raise ValueError(f"part {self.seq} of {self.total} is out of range")


@dataclass(frozen=True, slots=True)
class InboundSms:
    """One received SMS, or one part of a long one."""

    connector: str
    sender: str  # the subscriber who wrote
    recipient: str  # our number it was sent to
    text: str
    at_ms: int
    upstream_id: str | None = None
    concat: Concat | None = None

    @property
    def is_part(self) -> bool:
        return self.concat is not None and self.concat.total > 1


def reassemble(parts: Sequence[tuple[int, str]], total: int) -> str | None:
    """The whole text once every part from 1 to `total` is there (in any order), else None.

    A part that came twice counts once."""
    by_seq = dict(parts)
    if len(by_seq) < total or any(seq not in by_seq for seq in range(1, total + 1)):
        return None
    return "".join(by_seq[seq] for seq in range(1, total + 1))


def join_incomplete(parts: Sequence[tuple[int, str]]) -> str:
    """What arrived of a message whose other parts never came, in order."""
    return "".join(text for _, text in sorted(dict(parts).items()))


def canonical_address(raw: str) -> str:
    """A phone number in E.164, so it compares equal to the numbers we send to; a short code
    or an alphanumeric name as written."""
    try:
        return normalize(raw.strip())
    except DomainError:
        return raw.strip()


def spellings(number: str) -> tuple[str, ...]:
    """The ways a customer may have written one of our numbers as a sender."""
    digits = number.removeprefix("+")
    return (number,) if digits == number else (number, digits)
