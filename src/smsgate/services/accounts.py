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
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
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
        max_parts: int = 10,
        test_mode: bool = False,
    ) -> Account:
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
        if not 1 <= max_parts <= 255:
            raise DomainError(ErrorCode.INVALID_FIELD, "max_parts is 1-255", field="max_parts")

        async def job(tx: Tx) -> Account:
            return await repo.add_account(
                tx.conn,
                name=name,
                default_region=default_region,
                max_parts=max_parts,
                test_mode=test_mode,
                now_ms=now_ms(),
            )

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

    async def revoke_key(self, key_id: str) -> bool:
        self._verified.pop(key_id, None)

        async def job(tx: Tx) -> bool:
            return await repo.revoke_key(tx.conn, key_id, now_ms())

        return await self._db.write(job)

    def forget(self, account_id: int) -> None:
        """Drop the account's verified keys, so its next request reads it afresh (after a
        change to it made on this node; other nodes see it within AUTH_CACHE_SECONDS)."""
        for key_id in [k for k, (_, a, _) in self._verified.items() if a.id == account_id]:
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
        if not account.active:
            raise DomainError(ErrorCode.ACCOUNT_DISABLED)
        self._verified[key_id] = (fingerprint, account, time.monotonic() + AUTH_CACHE_SECONDS)
        return account

    async def ensure_demo(self) -> Account:
        """The public demo account of the seeds: demo/demo, always in test mode."""
        account = await self._db.read(lambda conn: repo.account_by_name(conn, DEMO_NAME))
        if account is None:
            account = await self.create_account(DEMO_NAME, default_region="PL", test_mode=True)
            await self.create_key(DEMO_NAME, key_id=DEMO_NAME, secret=DEMO_SECRET, label="demo")
        return account
