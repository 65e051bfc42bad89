"""Reads API credentials from a request: `Authorization: Bearer <key_id>.<secret>` or HTTP Basic
`key_id:secret`. Turning them into an account is the account service's job."""

from __future__ import annotations

import base64

from smsgate.domain.errors import DomainError, ErrorCode


def parse_authorization(header: str | None) -> tuple[str, str]:
    if not header:
        raise DomainError(ErrorCode.UNAUTHORIZED, "send an Authorization header (Bearer or Basic)")
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "bearer":
        key_id, dot, secret = value.partition(".")
    elif scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        # Bad base64 (binascii.Error), non-ASCII input and non-UTF-8 bytes are all ValueErrors.
        except ValueError:
            raise DomainError(ErrorCode.UNAUTHORIZED, "malformed Basic credentials") from None
        key_id, dot, secret = decoded.partition(":")
    else:
        raise DomainError(ErrorCode.UNAUTHORIZED, "use the Bearer or Basic scheme")
    if not dot or not key_id or not secret:
        raise DomainError(ErrorCode.UNAUTHORIZED, "malformed credentials")
    return key_id, secret
