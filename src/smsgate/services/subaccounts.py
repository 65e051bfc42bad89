"""Sub-accounts: what an account (a reseller, a company with departments) does for the
accounts it owns. Each sub-account is a whole account (its own keys, senders, limits, price
list and balance); its parent makes it, funds it, caps its limits and watches its traffic.

Sub-accounts go one level deep. The operator sets a sub-account's price list as any other's;
a new one starts on its parent's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.limits import LimitOverrides, Limits
from smsgate.domain.pricing import money
from smsgate.services.accounts import AccountService, NewKey
from smsgate.services.billing import BillingService, Standing
from smsgate.services.clock import now_ms
from smsgate.services.limits import LimitService
from smsgate.store import billing as billing_repo
from smsgate.store import messages as messages_repo
from smsgate.store.database import Database, Tx
from smsgate.store.ids import id_floor

TRAFFIC_DAYS = 30  # the span of traffic a listing shows when none is asked for
_DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class SubAccountView:
    standing: Standing  # the account and its balance
    traffic: list[messages_repo.Traffic]  # its messages since `since_ms`, by status
    since_ms: int


class SubAccountService:
    def __init__(
        self, db: Database, accounts: AccountService, billing: BillingService, limits: LimitService
    ):
        self._db = db
        self._accounts = accounts
        self._billing = billing
        self._limits = limits

    async def create(
        self,
        parent: Account,
        name: str,
        *,
        default_region: str | None = None,
        max_parts: int | None = None,
        key_label: str | None = None,
    ) -> NewKey:
        """A new sub-account of `parent`, and its first key."""
        await self._accounts.create_account(
            name, default_region=default_region, max_parts=max_parts, parent=parent.name
        )
        return await self._accounts.create_key(name, label=key_label)

    async def of(self, parent: Account) -> list[Standing]:
        return [
            await self._billing.standing(sub) for sub in await self._accounts.sub_accounts(parent)
        ]

    async def view(
        self, parent: Account, name: str, *, since_ms: int | None = None
    ) -> SubAccountView:
        sub = await self._accounts.sub_account(parent, name)
        since = since_ms if since_ms is not None else now_ms() - TRAFFIC_DAYS * _DAY_MS
        traffic = await self._db.read(
            lambda conn: messages_repo.traffic(conn, sub.id, id_floor(since))
        )
        return SubAccountView(await self._billing.standing(sub), traffic, since)

    async def acting_as(self, account: Account, name: str | None) -> Account:
        """The account a request reads as: the caller, or one of its sub-accounts by name."""
        if name is None or name == account.name:
            return account
        return await self._accounts.sub_account(account, name)

    async def set_active(self, parent: Account, name: str, active: bool) -> Account:
        """Suspend a sub-account (its keys and binds are refused) or let it work again."""
        sub = await self._accounts.sub_account(parent, name)
        return await self._accounts.set_active(sub, active)

    async def new_key(self, parent: Account, name: str, label: str | None = None) -> NewKey:
        sub = await self._accounts.sub_account(parent, name)
        return await self._accounts.create_key(sub.name, label=label)

    async def revoke_key(self, parent: Account, name: str, key_id: str) -> None:
        sub = await self._accounts.sub_account(parent, name)
        if not await self._accounts.revoke_key(key_id, of=sub):
            raise DomainError(ErrorCode.NOT_FOUND, f"{name} has no active key {key_id}", "key_id")

    async def transfer(
        self, parent: Account, name: str, amount: str | Decimal, reason: str | None = None
    ) -> tuple[Standing, Standing]:
        """Move funds to the sub-account (a positive amount) or back from it (negative). The
        side that pays must hold the amount itself: credit limits are not handed on."""
        sub = await self._accounts.sub_account(parent, name)
        value = money(amount)
        if value == 0:
            raise DomainError(ErrorCode.INVALID_FIELD, "the amount is not zero", "amount")
        if reason is not None and len(reason) > 200:
            raise DomainError(ErrorCode.INVALID_FIELD, "a reason is 200 characters at most")
        ours, theirs = await self._billing.standing(parent), await self._billing.standing(sub)
        if None not in (ours.currency, theirs.currency) and ours.currency != theirs.currency:
            raise DomainError(
                ErrorCode.BILLING_CONFLICT,
                f"{parent.name} holds {ours.currency}, {name} holds {theirs.currency}",
                "amount",
            )
        payer, payee = (parent, sub) if value > 0 else (sub, parent)
        note = f": {reason}" if reason else ""
        move = billing_repo.Transfer(
            payer.id,
            payee.id,
            abs(value),
            payer_reason=f"to {payee.name}{note}",
            payee_reason=f"from {payer.name}{note}",
        )

        async def job(tx: Tx) -> bool:
            return await billing_repo.transfer(tx, move, now_ms())

        if not await self._db.write(job):
            raise DomainError(
                ErrorCode.INSUFFICIENT_FUNDS,
                f"the balance of {payer.name} does not cover {abs(value)}",
                "amount",
            )
        return await self._billing.standing(parent), await self._billing.standing(sub)

    async def limits_of(self, parent: Account, name: str) -> tuple[Account, LimitOverrides, Limits]:
        sub = await self._accounts.sub_account(parent, name)
        return await self._limits.overrides_of(sub.name)

    async def set_limits(
        self, parent: Account, name: str, overrides: LimitOverrides
    ) -> tuple[Account, LimitOverrides, Limits]:
        """The sub-account's own limits; those in effect are never looser than the parent's."""
        sub = await self._accounts.sub_account(parent, name)
        return await self._limits.set_overrides(sub.name, overrides)

    async def movements(
        self, parent: Account, name: str, *, before_id: int | None = None, limit: int = 100
    ) -> list[billing_repo.Movement]:
        sub = await self._accounts.sub_account(parent, name)
        return await self._billing.movements(sub, before_id=before_id, limit=limit)
