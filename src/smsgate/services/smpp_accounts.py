"""SMPP credentials of accounts, and who may bind to the SMPP server.

A bind's password is checked with the same PBKDF2 hashes as API keys (services/accounts.py):
fine once per bind, and a success is remembered briefly so a customer opening many binds at
once pays for one check. An unknown system_id is answered like a wrong password, so the answers
do not tell which system_ids exist. Repeated failures from one address lock it out for a while
(`Lockout`, in memory: one node's view, enough to make guessing slow).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.services.accounts import AccountService, hash_secret, verify_secret
from smsgate.services.clock import now_ms
from smsgate.smpp.coding import Alphabet, CodingMap
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.server import BindRefused
from smsgate.store import smpp as repo
from smsgate.store.accounts import account_by_id
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn

AUTH_CACHE_SECONDS = 60.0
DEFAULT_MAX_BINDS = 4
MAX_SYSTEM_ID = 15  # C-octet string of 16 with its NUL
MAX_PASSWORD = 8  # of 9
_PRINTABLE = re.compile(r"[\x21-\x7e]+")


@functools.cache
def _dummy_hash() -> str:
    """Verified when the system_id is unknown, so that answer takes as long as a wrong
    password."""
    return hash_secret("smsgate")


@dataclass(frozen=True, slots=True)
class Customer:
    """An account bound (or binding) over SMPP, with its SMPP settings."""

    account: Account
    system_id: str
    max_binds: int
    coding: CodingMap

    @property
    def account_id(self) -> int:
        return self.account.id


def _customer(credentials: repo.Credentials, account: Account) -> Customer:
    return Customer(
        account=account,
        system_id=credentials.system_id,
        max_binds=credentials.max_binds,
        coding=CodingMap(
            default_alphabet=Alphabet(credentials.dc0), ia5_alphabet=Alphabet(credentials.dc1)
        ),
    )


async def customer_of(conn: Conn, account_id: int) -> Customer | None:
    """The customer an account is over SMPP, or None when it has no credentials."""
    credentials = await repo.credentials_of(conn, account_id)
    account = await account_by_id(conn, account_id) if credentials else None
    if credentials is None or account is None:
        return None
    return _customer(credentials, account)


class SmppAccounts:
    def __init__(self, db: Database, accounts: AccountService):
        self._db = db
        self._accounts = accounts
        # system_id -> (sha256 of the password, customer, valid until monotonic time)
        self._verified: dict[str, tuple[bytes, Customer, float]] = {}

    # The operator's side.

    async def set_credentials(
        self,
        account_name: str,
        *,
        system_id: str,
        password: str,
        max_binds: int = DEFAULT_MAX_BINDS,
        dc0: str = Alphabet.GSM7.value,
        dc1: str = Alphabet.ASCII.value,
        enabled: bool = True,
    ) -> repo.Credentials:
        """Give an account SMPP credentials, or replace the ones it has."""
        if not _PRINTABLE.fullmatch(system_id) or len(system_id) > MAX_SYSTEM_ID:
            raise _invalid("system_id", f"1-{MAX_SYSTEM_ID} printable ASCII characters")
        if not _PRINTABLE.fullmatch(password) or len(password) > MAX_PASSWORD:
            raise _invalid("password", f"1-{MAX_PASSWORD} printable ASCII characters")
        if not 1 <= max_binds <= 100:
            raise _invalid("max_binds", "1-100")
        for name, value in (("dc0", dc0), ("dc1", dc1)):
            if value not in Alphabet.__members__.values():
                raise _invalid(name, "gsm7, latin1 or ascii")
        account = await self._accounts.account(account_name)
        credentials = repo.Credentials(
            account_id=account.id,
            system_id=system_id,
            password_hash=await asyncio.to_thread(hash_secret, password),
            max_binds=max_binds,
            dc0=dc0,
            dc1=dc1,
            enabled=enabled,
        )

        async def job(tx: Tx) -> None:
            await repo.put_credentials(tx.conn, credentials, now_ms())

        try:
            await self._db.write(job)
        except IntegrityError:
            raise DomainError(
                ErrorCode.INVALID_FIELD,
                f"system_id {system_id} belongs to another account",
                field="system_id",
            ) from None
        self._verified.clear()
        return credentials

    async def credentials(self, account_name: str) -> repo.Credentials | None:
        account = await self._accounts.account(account_name)
        return await self._db.read(lambda conn: repo.credentials_of(conn, account.id))

    async def remove_credentials(self, account_name: str) -> bool:
        account = await self._accounts.account(account_name)

        async def job(tx: Tx) -> bool:
            return await repo.remove_credentials(tx.conn, account.id)

        self._verified.clear()
        return await self._db.write(job)

    # The bind.

    async def authenticate(self, system_id: str, password: str) -> Customer:
        """The customer these credentials bind as; raises BindRefused."""
        fingerprint = hashlib.sha256(password.encode("latin-1")).digest()
        cached = self._verified.get(system_id)
        fresh = cached is not None and cached[2] > time.monotonic()
        if fresh and cached is not None and hmac.compare_digest(cached[0], fingerprint):
            return cached[1]
        found = await self._db.read(lambda conn: repo.by_system_id(conn, system_id))
        stored = found[0].password_hash if found else _dummy_hash()
        if not await asyncio.to_thread(verify_secret, password, stored) or found is None:
            raise BindRefused(CommandStatus.ESME_RINVPASWD, "wrong system_id or password")
        credentials, account = found
        if not credentials.enabled or not await self._accounts.enabled(account):
            raise BindRefused(CommandStatus.ESME_RBINDFAIL, "SMPP access is disabled")
        customer = _customer(credentials, account)
        self._verified[system_id] = (fingerprint, customer, time.monotonic() + AUTH_CACHE_SECONDS)
        return customer


def _invalid(field: str, what: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_FIELD, f"{field} is {what}", field=field)


class Lockout:
    """Addresses that failed to bind too often lately, locked out for a while."""

    def __init__(
        self,
        failures: int,
        window_s: float,
        lock_s: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._limit = failures
        self._window = window_s
        self._lock = lock_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked: dict[str, float] = {}  # address -> locked until

    def locked(self, address: str) -> bool:
        until = self._locked.get(address)
        if until is None:
            return False
        if until > self._clock():
            return True
        del self._locked[address]
        return False

    def failed(self, address: str) -> None:
        now = self._clock()
        recent = self._failures.setdefault(address, deque())
        recent.append(now)
        while recent and recent[0] <= now - self._window:
            recent.popleft()
        if len(recent) >= self._limit:
            self._locked[address] = now + self._lock
            del self._failures[address]
        self._forget_old(now)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)

    def _forget_old(self, now: float) -> None:
        # Addresses that failed once and never came back must not pile up forever.
        if len(self._failures) > 10_000:
            for address in [a for a, d in self._failures.items() if d[-1] <= now - self._window]:
                del self._failures[address]
