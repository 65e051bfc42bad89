"""Sender identities (the originator a recipient sees): which are valid, which an account may
use, and which sender a message gets when the request names none."""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.inbound import canonical_address

# Alphanumeric senders: GSM-safe printable characters, at most 11 (the TP-OA limit).
_ALPHA = re.compile(r"[A-Za-z0-9 .\-_&@!?'+]{1,11}")
_NUMERIC = re.compile(r"\+?[0-9]{1,15}")
_DIGITS = re.compile(r"\+?[0-9]+")


def validate_sender(sender: str) -> str:
    """Return the sender as it will be sent, or raise INVALID_SENDER saying why."""
    value = sender.strip()
    if not value:
        raise DomainError(ErrorCode.INVALID_SENDER, "sender is empty", field="sender")
    if _NUMERIC.fullmatch(value):
        return value
    if _DIGITS.fullmatch(value):
        raise DomainError(
            ErrorCode.INVALID_SENDER, "a numeric sender has at most 15 digits", field="sender"
        )
    if len(value) > 11:
        raise DomainError(
            ErrorCode.INVALID_SENDER,
            "an alphanumeric sender has at most 11 characters",
            field="sender",
        )
    if not _ALPHA.fullmatch(value):
        raise DomainError(
            ErrorCode.INVALID_SENDER,
            "an alphanumeric sender may hold only Latin letters, digits, space "
            "and . - _ & @ ! ? ' +",
            field="sender",
        )
    return value


class SenderState(StrEnum):
    """A registered sender name: asked for by the account, decided by the operator."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SenderPolicy(StrEnum):
    """Which names an account may send under (its own numbers are always allowed)."""

    OPEN = "open"  # any valid sender, except names the operator rejected or has yet to decide
    REGISTERED = "registered"  # only names the operator approved


class NumberKind(StrEnum):
    """What one of the gateway's numbers is for."""

    DEDICATED = "dedicated"  # owned by one account: its sender, and inbound to it is the account's
    SHARED = "shared"  # the pool given to messages sent without a sender (the seeds' ECO)
    TWO_WAY = "two_way"  # the pool given to messages that expect replies


@dataclass(frozen=True, slots=True)
class Registered:
    name: str
    state: SenderState
    reason: str | None = None  # why it was rejected


@dataclass(frozen=True, slots=True)
class SenderChoice:
    """The sender of a send's messages: one for all, or a pool number per recipient, the same
    number for the same recipient of the same account every time, so a conversation stays on
    one number and replies find their way back."""

    fixed: str | None
    pool: tuple[str, ...] = ()

    def for_recipient(self, account_id: int, recipient: str) -> str | None:
        if not self.pool:
            return self.fixed
        key = f"{account_id}:{recipient}".encode()
        return self.pool[zlib.crc32(key) % len(self.pool)]


NO_SENDER = SenderChoice(None)  # the connector's own source address


@dataclass(frozen=True, slots=True)
class SenderDirectory:
    """Every registered sender and number of the gateway: what `resolve` decides from."""

    registered: Mapping[int, Mapping[str, Registered]] = field(default_factory=dict)
    owners: Mapping[str, int | None] = field(default_factory=dict)  # number -> account (None: pool)
    own_numbers: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    shared_pool: tuple[str, ...] = ()
    two_way_pool: tuple[str, ...] = ()

    def resolve(
        self,
        account_id: int,
        policy: SenderPolicy,
        requested: str | None,
        *,
        default: str | None = None,
        two_way: bool = False,
    ) -> SenderChoice:
        """The sender of a send, or a DomainError saying why the one asked for may not be
        used. `requested` is the request's sender, `default` the account's."""
        if requested is not None:
            sender = self._allowed(account_id, policy, validate_sender(requested))
            if two_way and sender not in self.own_numbers.get(account_id, ()):
                raise DomainError(
                    ErrorCode.INVALID_SENDER,
                    "a message that expects replies is sent from one of the account's numbers "
                    "or from the two-way pool: give one of your numbers or no sender",
                    field="sender",
                )
            return SenderChoice(sender)
        own = self.own_numbers.get(account_id, ())
        if two_way:
            if default is not None and default in own:
                return SenderChoice(default)
            pool = own or self.two_way_pool
            if not pool:
                raise DomainError(ErrorCode.NO_TWO_WAY_NUMBER, field="sender")
            return SenderChoice(None, pool)
        if default is not None:
            try:
                return SenderChoice(self._allowed(account_id, policy, default))
            except DomainError as err:
                raise DomainError(
                    err.spec, f"the account's default sender: {err.detail}", "sender"
                ) from None
        return SenderChoice(None, self.shared_pool) if self.shared_pool else NO_SENDER

    def _allowed(self, account_id: int, policy: SenderPolicy, sender: str) -> str:
        number = _as_number(sender)
        if number in self.owners:
            if self.owners[number] != account_id:
                raise DomainError(ErrorCode.SENDER_NOT_OWNED, field="sender")
            return number
        entry = self.registered.get(account_id, {}).get(sender)
        if entry is None:
            if policy is SenderPolicy.REGISTERED:
                raise DomainError(ErrorCode.SENDER_NOT_REGISTERED, field="sender")
            return sender
        if entry.state is SenderState.PENDING:
            raise DomainError(ErrorCode.SENDER_PENDING, field="sender")
        if entry.state is SenderState.REJECTED:
            detail = (
                f"{ErrorCode.SENDER_REJECTED.message}: {entry.reason}" if entry.reason else None
            )
            raise DomainError(ErrorCode.SENDER_REJECTED, detail, field="sender")
        return sender


def _as_number(sender: str) -> str:
    """A numeric sender as the gateway's numbers are written (E.164, or a short code)."""
    return canonical_address(sender) if _NUMERIC.fullmatch(sender) else sender
