"""Accounts' own limits."""

from __future__ import annotations

from sqlalchemy import Row, delete, insert, select

from smsgate.domain.limits import LimitOverrides
from smsgate.store.engine import Conn
from smsgate.store.schema import account_limits, accounts

_NUMBERS = (
    "rate_per_s",
    "concurrent",
    "duplicate_window_s",
    "subscriber_max",
    "subscriber_window_s",
)


def _overrides(row: Row[tuple[object, ...]]) -> LimitOverrides:
    """An account's own limits, quiet hours without a zone of their own in the account's."""
    return LimitOverrides(**{name: getattr(row, name) for name in _NUMBERS}).with_quiet(
        row.quiet_hours, row.quiet_zone, row.timezone
    )


async def all_overrides(conn: Conn) -> dict[int, LimitOverrides]:
    rows = await conn.execute(
        select(account_limits, accounts.c.timezone).join(
            accounts, accounts.c.id == account_limits.c.account_id
        )
    )
    return {row.account_id: _overrides(row) for row in rows}


async def put(conn: Conn, account_id: int, overrides: LimitOverrides, now_ms: int) -> None:
    await conn.execute(delete(account_limits).where(account_limits.c.account_id == account_id))
    if overrides.is_empty():
        return
    quiet = overrides.quiet
    await conn.execute(
        insert(account_limits).values(
            account_id=account_id,
            quiet_hours=quiet.hours if quiet is not None else None,
            quiet_zone=quiet.zone if quiet and not overrides.quiet_follows_account else None,
            updated_at=now_ms,
            **{name: getattr(overrides, name) for name in _NUMBERS},
        )
    )
