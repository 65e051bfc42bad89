"""Webhook and callback URLs: where smsgate may post events."""

from __future__ import annotations

from urllib.parse import urlsplit

from smsgate.domain.errors import DomainError, ErrorCode

MAX_URL = 2048


def validate_callback_url(url: str, field: str) -> str:
    """An absolute http(s) URL with a host; returned unchanged when valid."""
    if len(url) > MAX_URL:
        raise DomainError(ErrorCode.INVALID_URL, f"longer than {MAX_URL} characters", field=field)
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise DomainError(ErrorCode.INVALID_URL, "not a URL", field=field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise DomainError(
            ErrorCode.INVALID_URL, "must be an absolute http:// or https:// URL", field=field
        )
    if any(c.isspace() for c in url):
        raise DomainError(ErrorCode.INVALID_URL, "must not contain whitespace", field=field)
    return url
