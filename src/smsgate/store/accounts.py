"""Accounts and API keys."""

from __future__ import annotations

from sqlalchemy import Row, insert, select, update

from smsgate.domain.account import Account
from smsgate.domain.pricing import ChargeOn
from smsgate.domain.sender import SenderPolicy
from smsgate.store.engine import Conn
from smsgate.store.schema import accounts, api_keys


def _account(row: Row[tuple[object, ...]]) -> Account:
    return Account(
        id=row.id,
        name=row.name,
        default_region=row.default_region,
        max_parts=row.max_parts,
        test_mode=bool(row.test_mode),
        active=bool(row.active),
        price_list_id=row.price_list_id,
        charge_on=ChargeOn(row.charge_on),
        sender_policy=SenderPolicy(row.sender_policy),
        default_sender=row.default_sender,
        parent_id=row.parent_id,
        timezone=row.timezone,
    )


async def add_account(conn: Conn, new: Account, now_ms: int) -> Account:
    """Store `new` (its id is given by the store) and return it as stored."""
    result = await conn.execute(
        insert(accounts)
        .values(
            name=new.name,
            default_region=new.default_region,
            max_parts=new.max_parts,
            test_mode=new.test_mode,
            active=new.active,
            price_list_id=new.price_list_id,
            charge_on=new.charge_on.value,
            sender_policy=new.sender_policy.value,
            default_sender=new.default_sender,
            parent_id=new.parent_id,
            timezone=new.timezone,
            created_at=now_ms,
        )
        .returning(*accounts.c)
    )
    return _account(result.one())


async def account_by_name(conn: Conn, name: str) -> Account | None:
    row = (await conn.execute(select(accounts).where(accounts.c.name == name))).first()
    return _account(row) if row else None


async def account_by_id(conn: Conn, account_id: int) -> Account | None:
    row = (await conn.execute(select(accounts).where(accounts.c.id == account_id))).first()
    return _account(row) if row else None


async def list_accounts(conn: Conn) -> list[Account]:
    rows = await conn.execute(select(accounts).order_by(accounts.c.id))
    return [_account(r) for r in rows]


async def sub_accounts(conn: Conn, parent_id: int) -> list[Account]:
    rows = await conn.execute(
        select(accounts).where(accounts.c.parent_id == parent_id).order_by(accounts.c.name)
    )
    return [_account(r) for r in rows]


async def parents(conn: Conn) -> dict[int, int]:
    """Every sub-account's parent, by the sub-account's id."""
    rows = await conn.execute(
        select(accounts.c.id, accounts.c.parent_id).where(accounts.c.parent_id.is_not(None))
    )
    return {r[0]: r[1] for r in rows}


async def names_by_id(conn: Conn) -> dict[int, str]:
    """Every account's name, by its id: for listings that name the accounts of their rows."""
    return {r[0]: r[1] for r in await conn.execute(select(accounts.c.id, accounts.c.name))}


async def set_account_active(conn: Conn, account_id: int, active: bool) -> None:
    await conn.execute(update(accounts).where(accounts.c.id == account_id).values(active=active))


async def set_sender_terms(
    conn: Conn, account_id: int, policy: SenderPolicy, default_sender: str | None
) -> None:
    await conn.execute(
        update(accounts)
        .where(accounts.c.id == account_id)
        .values(sender_policy=policy.value, default_sender=default_sender)
    )


async def set_timezone(conn: Conn, account_id: int, zone: str) -> None:
    await conn.execute(update(accounts).where(accounts.c.id == account_id).values(timezone=zone))


async def add_key(
    conn: Conn,
    *,
    key_id: str,
    account_id: int,
    secret_hash: str,
    label: str | None,
    now_ms: int,
) -> None:
    await conn.execute(
        insert(api_keys).values(
            key_id=key_id,
            account_id=account_id,
            secret_hash=secret_hash,
            label=label,
            created_at=now_ms,
        )
    )


async def key_with_account(conn: Conn, key_id: str) -> tuple[str, Account] | None:
    """The stored secret hash of an active key and its account, or None."""
    row = (
        await conn.execute(
            select(api_keys.c.secret_hash, accounts)
            .join(accounts, accounts.c.id == api_keys.c.account_id)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    return row.secret_hash, _account(row)


async def revoke_key(
    conn: Conn, key_id: str, now_ms: int, *, account_id: int | None = None
) -> bool:
    """Revoke an active key (only one of `account_id`'s, when given)."""
    query = update(api_keys).where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
    if account_id is not None:
        query = query.where(api_keys.c.account_id == account_id)
    result = await conn.execute(query.values(revoked_at=now_ms))
    return result.rowcount > 0
