"""Pages of a listing: the one limit every list in the API takes, and the next cursor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from smsgate.domain.errors import DomainError, ErrorCode

T = TypeVar("T")
C = TypeVar("C")

MAX_PAGE = 1000


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise DomainError(
            ErrorCode.INVALID_FIELD, f"limit must be between 1 and {MAX_PAGE}", field="limit"
        )
    return limit


def cut(rows: Sequence[T], limit: int, cursor_of: Callable[[T], C]) -> tuple[list[T], C | None]:
    """A page from `limit + 1` rows read, and the cursor of the next page (None at the end)."""
    if len(rows) > limit:
        return list(rows[:limit]), cursor_of(rows[limit - 1])
    return list(rows), None
