"""Rate and abuse limits: what each account may do (the server's limits with the account's own
over them), and the counters that enforce them, in memory or shared by all nodes in Redis."""

from __future__ import annotations

from collections.abc import Sequence

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.limits import LimitOverrides, Limits
from smsgate.services.accounts import AccountService
from smsgate.services.clock import now_ms
from smsgate.services.counters import Counters
from smsgate.services.periodic import Refreshing
from smsgate.store import accounts as accounts_repo
from smsgate.store import limits as repo
from smsgate.store.database import Database, Tx

REFRESH_S = 5.0  # how soon a limit changed on another node (or by the CLI) applies here


class LimitBook(Refreshing):
    """Every account's limits, in memory: looking them up costs no store round trip.

    A sub-account sends under its parent's limits, with its own over them, and none looser
    than its parent's: a reseller cannot lift its own limits by making sub-accounts."""

    def __init__(self, db: Database, defaults: Limits):
        super().__init__(REFRESH_S, "limit-book")
        self._db = db
        self.defaults = defaults
        self._limits: dict[int, Limits] = {}

    def of(self, account: Account) -> Limits:
        """The limits `account` sends under; a sub-account too new to be in the book yet (made
        on another node) sends under its parent's."""
        found = self._limits.get(account.id)
        if found is None and account.parent_id is not None:
            found = self._limits.get(account.parent_id)
        return found if found is not None else self.defaults

    async def refresh(self) -> None:
        overrides = await self._db.read(repo.all_overrides)
        parents = await self._db.read(accounts_repo.parents)
        own = {a: self.defaults.overridden(o) for a, o in overrides.items()}
        for sub, parent in parents.items():
            bound = own.get(parent, self.defaults)
            mine = overrides.get(sub)
            own[sub] = (bound.overridden(mine) if mine else bound).within(bound)
        self._limits = own

    def effective(self, account: Account, overrides: LimitOverrides) -> Limits:
        """What `account` would send under with these overrides of its own."""
        if account.parent_id is None:
            return self.defaults.overridden(overrides)
        bound = self._limits.get(account.parent_id, self.defaults)
        return bound.overridden(overrides).within(bound)


class AuthGuard:
    """Addresses that keep failing to authenticate are blocked for a while."""

    def __init__(self, counters: Counters, *, failures: int, window_s: float, block_s: float):
        self._counters = counters
        self._failures = failures
        self._window_s = window_s
        self._block_s = block_s

    async def check(self, address: str) -> None:
        """AUTH_BLOCKED while `address` is blocked."""
        left = await self._counters.held_for(f"blocked:{address}")
        if left is not None:
            raise DomainError(ErrorCode.AUTH_BLOCKED, retry_after_s=left)

    async def failed(self, address: str) -> None:
        count, _ = await self._counters.count(f"auth-failures:{address}", self._window_s)
        if count >= self._failures and self._block_s > 0:
            await self._counters.claim(f"blocked:{address}", self._block_s)


class LimitService:
    def __init__(self, db: Database, book: LimitBook, counters: Counters, accounts: AccountService):
        self._db = db
        self._book = book
        self._counters = counters
        self._accounts = accounts

    def of(self, account: Account) -> Limits:
        return self._book.of(account)

    async def admit(self, account: Account, *, lasting: bool = False) -> str | None:
        """Let one API request of the account in, or refuse it beyond the account's rate or
        while too many of its requests are in progress. Returns the place it holds, to `leave`
        once answered (None: no place to give back). A `lasting` request (an event stream)
        holds no place: it would hold it for hours."""
        limits = self._book.of(account)
        if limits.rate_per_s:
            count, left = await self._counters.count(f"rate:{account.id}", 1.0)
            if count > limits.rate_per_s:
                raise DomainError(
                    ErrorCode.RATE_LIMITED,
                    f"at most {limits.rate_per_s} requests a second",
                    retry_after_s=left,
                )
        if not limits.concurrent or lasting:
            return None
        place = f"in-progress:{account.id}"
        if not await self._counters.enter(place, limits.concurrent):
            raise DomainError(
                ErrorCode.TOO_MANY_CONCURRENT,
                f"at most {limits.concurrent} requests at once",
                retry_after_s=1.0,
            )
        return place

    async def leave(self, place: str | None) -> None:
        if place is not None:
            await self._counters.leave(place)

    async def hold_request(self, account: Account, fingerprint: str) -> str | None:
        """Refuse a send request identical to one accepted within the account's duplicate
        window; else hold its fingerprint. Returns the hold, to `let_go` if the request is
        not accepted after all (None: the account checks no duplicates)."""
        window = self._book.of(account).duplicate_window_s
        if not window:
            return None
        hold = f"request:{account.id}:{fingerprint}"
        if not await self._counters.claim(hold, window):
            left = await self._counters.held_for(hold)
            raise DomainError(ErrorCode.DUPLICATE_REQUEST, retry_after_s=left)
        return hold

    async def let_go(self, hold: str | None) -> None:
        if hold is not None:
            await self._counters.release(hold)

    async def over_subscriber_cap(self, account: Account, recipients: Sequence[str]) -> set[str]:
        """Count one message to each recipient; those the account has sent its maximum
        within the window already."""
        limits = self._book.of(account)
        if not limits.subscriber_max or not recipients:
            return set()
        counts = await self._counters.count_many(
            [f"subscriber:{account.id}:{r}" for r in recipients], limits.subscriber_window_s
        )
        return {r for r, n in zip(recipients, counts, strict=True) if n > limits.subscriber_max}

    # The operator's

    async def overrides_of(self, account_name: str) -> tuple[Account, LimitOverrides, Limits]:
        account = await self._accounts.account(account_name)
        overrides = await self._db.read(repo.all_overrides)
        own = overrides.get(account.id, LimitOverrides())
        return account, own, self._book.effective(account, own)

    async def set_overrides(
        self, account_name: str, overrides: LimitOverrides
    ) -> tuple[Account, LimitOverrides, Limits]:
        account = await self._accounts.account(account_name)
        overrides = overrides.in_zone(account.timezone)
        for name in ("rate_per_s", "concurrent", "duplicate_window_s", "subscriber_max"):
            value = getattr(overrides, name)
            if value is not None and not 0 <= value <= 1_000_000:
                raise DomainError(ErrorCode.INVALID_FIELD, f"{name} is 0-1000000", name)
        window = overrides.subscriber_window_s
        if window is not None and not 1 <= window <= 86_400:
            raise DomainError(
                ErrorCode.INVALID_FIELD, "subscriber_window_s is 1-86400", "subscriber_window_s"
            )

        async def job(tx: Tx) -> None:
            await repo.put(tx.conn, account.id, overrides, now_ms())

        await self._db.write(job)
        await self._book.refresh()
        return account, overrides, self._book.effective(account, overrides)

    async def set_timezone(self, account_name: str, zone: str) -> Account:
        """Set the account's time zone: quiet hours given without one follow it at once here
        (within REFRESH_S on other nodes)."""
        account = await self._accounts.set_timezone(account_name, zone)
        await self._book.refresh()
        return account
