"""Accounts, API keys and authentication.

Secrets are stored as PBKDF2-SHA256 hashes: key secrets may be human-chosen (the seeds' demo/demo,
dialect passwords), so a fast hash would not do. Verifying PBKDF2 costs milliseconds, so a
successful check is remembered in memory for a short while, keyed by a SHA-256 of the secret,
which keeps the per-request cost of authentication at one SHA-256.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import time_zone
from smsgate.domain.phone import is_valid_region
from smsgate.services.clock import now_ms
from smsgate.store import accounts as repo
from smsgate.store.database import Database, Tx

DEMO_NAME = "demo"
DEMO_SECRET = "demo"
PBKDF2_ITERATIONS = 120_000
AUTH_CACHE_SECONDS = 60.0
_KEY_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_NAME = re.compile(r"[A-Za-z0-9_\-.@]{1,64}")


def hash_secret(secret: str, *, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)


@dataclass(frozen=True, slots=True)
class NewKey:
    account: str
    key_id: str
    secret: str

    @property
    def token(self) -> str:
        """The Bearer token: key id and secret joined by a dot (key ids hold no dots)."""
        return f"{self.key_id}.{self.secret}"


class AccountService:
    def __init__(self, db: Database):
        self._db = db
        # key_id -> (sha256 of the secret, account, valid until monotonic time)
        self._verified: dict[str, tuple[bytes, Account, float]] = {}
        self._verifying: dict[tuple[str, bytes], asyncio.Future[Account]] = {}

    async def create_account(
        self,
        name: str,
        *,
        default_region: str | None = None,
        max_parts: int | None = None,
        test_mode: bool = False,
        parent: str | None = None,
        timezone: str | None = None,
    ) -> Account:
        """A new account; with a `parent`, a sub-account of it, which starts on the parent's
        terms (price list, sender policy, test mode, region, time zone) and sends no longer
        messages."""
        owner = await self.account(parent) if parent is not None else None
        if owner is not None and owner.parent_id is not None:
            raise DomainError(ErrorCode.NOT_A_PARENT, field="parent")
        if not _NAME.fullmatch(name):
            raise DomainError(
                ErrorCode.INVALID_FIELD,
                "an account name is 1-64 letters, digits or _ - . @",
                field="name",
            )
        if default_region is not None:
            default_region = default_region.upper()
            if not is_valid_region(default_region):
                raise DomainError(
                    ErrorCode.INVALID_FIELD, f"unknown region {default_region}", field="region"
                )
        most = owner.max_parts if owner is not None else 255
        if max_parts is None:
            max_parts = owner.max_parts if owner is not None else 10
        if not 1 <= max_parts <= most:
            raise DomainError(ErrorCode.INVALID_FIELD, f"max_parts is 1-{most}", "max_parts")
        if timezone is not None:
            time_zone(timezone)
        new = Account(0, name, default_region, max_parts, test_mode, timezone=timezone or "UTC")
        if owner is not None:
            new = replace(
                new,
                default_region=default_region or owner.default_region,
                test_mode=test_mode or owner.test_mode,
                price_list_id=owner.price_list_id,
                charge_on=owner.charge_on,
                sender_policy=owner.sender_policy,
                parent_id=owner.id,
                timezone=timezone or owner.timezone,
            )

        async def job(tx: Tx) -> Account:
            return await repo.add_account(tx.conn, new, now_ms())

        try:
            return await self._db.write(job)
        except IntegrityError:
            raise DomainError(
                ErrorCode.INVALID_FIELD, f"account {name} already exists", field="name"
            ) from None

    async def create_key(
        self,
        account_name: str,
        *,
        key_id: str | None = None,
        secret: str | None = None,
        label: str | None = None,
    ) -> NewKey:
        account = await self.account(account_name)
        key_id = key_id or "k" + secrets.token_hex(8)
        if not _KEY_ID.fullmatch(key_id):
            raise DomainError(
                ErrorCode.INVALID_FIELD, "a key id is 1-64 letters, digits, _ or -", field="key_id"
            )
        secret = secret or secrets.token_urlsafe(24).replace(".", "_")
        secret_hash = await asyncio.to_thread(hash_secret, secret)

        async def job(tx: Tx) -> None:
            await repo.add_key(
                tx.conn,
                key_id=key_id,
                account_id=account.id,
                secret_hash=secret_hash,
                label=label,
                now_ms=now_ms(),
            )

        try:
            await self._db.write(job)
        except IntegrityError:
            raise DomainError(
                ErrorCode.INVALID_FIELD, f"key {key_id} already exists", field="key_id"
            ) from None
        return NewKey(account=account.name, key_id=key_id, secret=secret)

    async def revoke_key(self, key_id: str, *, of: Account | None = None) -> bool:
        """Revoke a key (only one of the account `of`, when given)."""

        async def job(tx: Tx) -> bool:
            return await repo.revoke_key(
                tx.conn, key_id, now_ms(), account_id=of.id if of is not None else None
            )

        revoked = await self._db.write(job)
        if revoked:
            self._verified.pop(key_id, None)
        return revoked

    def forget(self, account_id: int) -> None:
        """Drop the verified keys of the account and its sub-accounts, so their next requests
        read them afresh (after a change made on this node; other nodes see it within
        AUTH_CACHE_SECONDS)."""
        for key_id in [
            k for k, (_, a, _) in self._verified.items() if account_id in (a.id, a.parent_id)
        ]:
            del self._verified[key_id]

    async def account(self, name: str) -> Account:
        account = await self._db.read(lambda conn: repo.account_by_name(conn, name))
        if account is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no account named {name}", field="account")
        return account

    async def accounts(self) -> list[Account]:
        return await self._db.read(repo.list_accounts)

    async def names(self) -> dict[int, str]:
        """Every account's name, by its id."""
        return await self._db.read(repo.names_by_id)

    async def authenticate(self, key_id: str, secret: str) -> Account:
        fingerprint = hashlib.sha256(secret.encode()).digest()
        cached = self._verified.get(key_id)
        fresh = cached is not None and cached[2] > time.monotonic()
        if fresh and cached is not None and hmac.compare_digest(cached[0], fingerprint):
            return cached[1]
        # Many connections opening at once with the same key share one PBKDF2 run (~60 ms
        # of CPU each) instead of queueing one per connection.
        attempt = (key_id, fingerprint)
        verifying = self._verifying.get(attempt)
        if verifying is None:
            verifying = asyncio.ensure_future(self._verify(key_id, secret, fingerprint))
            self._verifying[attempt] = verifying
            verifying.add_done_callback(lambda _: self._verifying.pop(attempt, None))
        return await asyncio.shield(verifying)

    async def _verify(self, key_id: str, secret: str, fingerprint: bytes) -> Account:
        found = await self._db.read(lambda conn: repo.key_with_account(conn, key_id))
        if found is None or not await asyncio.to_thread(verify_secret, secret, found[0]):
            raise DomainError(ErrorCode.UNAUTHORIZED)
        account = found[1]
        if not await self.enabled(account):
            raise DomainError(ErrorCode.ACCOUNT_DISABLED)
        self._verified[key_id] = (fingerprint, account, time.monotonic() + AUTH_CACHE_SECONDS)
        return account

    async def enabled(self, account: Account) -> bool:
        """Whether the account may work: it is active, and so is its parent (a sub-account of
        a disabled account is disabled with it)."""
        if not account.active or account.parent_id is None:
            return account.active
        parent_id = account.parent_id
        parent = await self._db.read(lambda conn: repo.account_by_id(conn, parent_id))
        return parent is not None and parent.active

    async def sub_accounts(self, parent: Account) -> list[Account]:
        return await self._db.read(lambda conn: repo.sub_accounts(conn, parent.id))

    async def sub_account(self, parent: Account, name: str) -> Account:
        """`parent`'s sub-account `name`; not found when it is not one of its own."""
        account = await self._db.read(lambda conn: repo.account_by_name(conn, name))
        if account is None or account.parent_id != parent.id:
            raise DomainError(ErrorCode.NOT_FOUND, f"no sub-account named {name}", "account")
        return account

    async def set_active(self, account: Account, active: bool) -> Account:
        async def job(tx: Tx) -> None:
            await repo.set_account_active(tx.conn, account.id, active)

        await self._db.write(job)
        self.forget(account.id)
        return replace(account, active=active)

    async def set_timezone(self, name: str, zone: str) -> Account:
        """Set the account's time zone (an IANA name)."""
        account = await self.account(name)
        time_zone(zone)

        async def job(tx: Tx) -> None:
            await repo.set_timezone(tx.conn, account.id, zone)

        await self._db.write(job)
        self.forget(account.id)
        return replace(account, timezone=zone)

    async def ensure_demo(self) -> Account:
        """The public demo account of the seeds: demo/demo, always in test mode. It is made
        with its key in one transaction; a node that loses the race to make it (several
        starting on a new store) takes the one the winner made."""

        async def stored() -> Account | None:
            return await self._db.read(lambda conn: repo.account_by_name(conn, DEMO_NAME))

        account = await stored()
        if account is not None:
            return account
        secret_hash = await asyncio.to_thread(hash_secret, DEMO_SECRET)

        async def job(tx: Tx) -> Account:
            at = now_ms()
            made = await repo.add_account(
                tx.conn, Account(0, DEMO_NAME, "PL", 10, test_mode=True), at
            )
            await repo.add_key(
                tx.conn,
                key_id=DEMO_NAME,
                account_id=made.id,
                secret_hash=secret_hash,
                label="demo",
                now_ms=at,
            )
            return made

        try:
            return await self._db.write(job)
        except IntegrityError:
            account = await stored()
            if account is None:
                raise
            return account
