"""Sender identities (the originator a recipient sees)."""

from __future__ import annotations

import re

from smsgate.domain.errors import DomainError, ErrorCode

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
