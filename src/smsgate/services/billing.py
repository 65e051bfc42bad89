"""Prices and balances: what operators set, what accounts are told, and the price book the
send path reads from memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.networks import NO_NETWORKS, NetworkPlan
from smsgate.domain.pricing import ChargeOn, PriceList, currency, money, price_key
from smsgate.services.accounts import AccountService
from smsgate.services.clock import now_ms
from smsgate.services.periodic import Refreshing
from smsgate.store import billing as repo
from smsgate.store import networks as networks_repo
from smsgate.store.database import Database, Tx

REFRESH_S = 5.0  # how soon a price change made on another node (or the CLI) applies here
MAX_MOVEMENTS = 1000
TOPUP_KINDS = ("topup", "adjustment")


@dataclass(frozen=True, slots=True)
class Standing:
    """An account's money: its balance and the terms it sends on."""

    account: Account
    balance: repo.Balance
    price_list: PriceList | None  # None: its sends are not charged

    @property
    def currency(self) -> str | None:
        if self.balance.currency is not None:
            return self.balance.currency
        return self.price_list.currency if self.price_list is not None else None


class PriceBook(Refreshing):
    """Every price list, in memory, with the numbering plan that tells a recipient's network:
    pricing a send costs no store round trip."""

    def __init__(self, db: Database):
        super().__init__(REFRESH_S, "price-book")
        self._db = db
        self._lists: dict[int, PriceList] = {}
        self._networks = NO_NETWORKS
        self._networks_version = (0, 0)

    def get(self, list_id: int) -> PriceList | None:
        return self._lists.get(list_id)

    def all(self) -> list[PriceList]:
        return sorted(self._lists.values(), key=lambda pl: pl.name)

    def by_name(self, name: str) -> PriceList | None:
        return next((pl for pl in self._lists.values() if pl.name == name), None)

    async def ensure(self, list_id: int | None) -> None:
        """Load the lists afresh when `list_id` is not among them yet (given to an account on
        another node, or by the CLI, within the last REFRESH_S)."""
        if list_id is not None and list_id not in self._lists:
            await self.refresh()

    @property
    def networks(self) -> NetworkPlan:
        return self._networks

    async def refresh(self) -> None:
        lists = await self._db.read(repo.all_price_lists)
        version = await self._db.read(networks_repo.version)
        if version != self._networks_version:  # the plan may be large: read it only anew
            self._networks = NetworkPlan(await self._db.read(networks_repo.plan))
            self._networks_version = version
        self._lists = {pl.id: replace(pl, networks=self._networks) for pl in lists}


class BillingService:
    def __init__(self, db: Database, accounts: AccountService, book: PriceBook):
        self._db = db
        self._accounts = accounts
        self._book = book

    # Price lists (operator)

    async def price_lists(self) -> list[PriceList]:
        await self._book.refresh()
        return self._book.all()

    async def price_list(self, name: str) -> PriceList:
        await self._book.refresh()
        found = self._book.by_name(name)
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no price list named {name}", "price_list")
        return found

    async def put_price_list(
        self, name: str, currency_code: str, per_part: Mapping[str, str | Decimal]
    ) -> PriceList:
        """Create a list or replace all of it: its currency and every price."""
        if not 1 <= len(name) <= 64:
            raise DomainError(ErrorCode.INVALID_FIELD, "a name is 1-64 characters", "name")
        code = currency(currency_code)
        prices: dict[str, Decimal] = {}
        for raw_prefix, raw_price in per_part.items():
            price = money(raw_price, field=f"prices.{raw_prefix}")
            if price < 0:
                raise DomainError(
                    ErrorCode.INVALID_FIELD, "a price is not negative", f"prices.{raw_prefix}"
                )
            prices[price_key(raw_prefix)] = price

        async def job(tx: Tx) -> None:
            list_id = await repo.price_list_id(tx.conn, name)
            if list_id is not None and await repo.price_list_in_use(tx.conn, list_id):
                current = self._book.get(list_id)
                if current is not None and current.currency != code:
                    raise DomainError(
                        ErrorCode.BILLING_CONFLICT,
                        "accounts or connector costs use this list: its currency cannot change",
                        "currency",
                    )
            await repo.put_price_list(tx, name, code, prices, now_ms())

        await self._db.write(job)
        return await self.price_list(name)

    async def remove_price_list(self, name: str) -> None:
        found = await self.price_list(name)

        async def job(tx: Tx) -> None:
            if await repo.price_list_in_use(tx.conn, found.id):
                raise DomainError(
                    ErrorCode.BILLING_CONFLICT,
                    "accounts or connector costs use this price list",
                    "price_list",
                )
            await repo.remove_price_list(tx, found.id)

        await self._db.write(job)
        await self._book.refresh()

    # Accounts' terms (operator)

    async def set_terms(
        self,
        account_name: str,
        *,
        price_list: str | None = None,
        unpriced: bool = False,
        charge_on: ChargeOn | None = None,
        credit_limit: str | Decimal | None = None,
    ) -> Account:
        """Change what an account pays: its price list (or none: `unpriced`), when a charge
        becomes final, how far below zero its balance may go."""
        account = await self._accounts.account(account_name)
        chosen = await self.price_list(price_list) if price_list is not None else None
        limit = money(credit_limit, field="credit_limit") if credit_limit is not None else None
        if limit is not None and limit < 0:
            raise DomainError(
                ErrorCode.INVALID_FIELD, "credit_limit is not negative", "credit_limit"
            )

        async def job(tx: Tx) -> None:
            now = now_ms()
            current = await repo.ensure_balance(tx, account.id, now)
            if (
                chosen is not None
                and current.currency not in (None, chosen.currency)
                and current.balance != 0
            ):
                raise DomainError(
                    ErrorCode.BILLING_CONFLICT,
                    f"the balance is in {current.currency}; the list is in {chosen.currency}",
                    "price_list",
                )
            list_id = account.price_list_id
            if chosen is not None:
                list_id = chosen.id
            elif unpriced:
                list_id = None
            await repo.set_billing(
                tx, account.id, price_list_id=list_id, charge_on=charge_on or account.charge_on
            )
            await repo.set_balance_terms(
                tx,
                account.id,
                now,
                currency=chosen.currency if chosen is not None else None,
                credit_limit=limit,
            )

        await self._db.write(job)
        self._accounts.forget(account.id)
        return await self._accounts.account(account_name)

    async def top_up(
        self, account_name: str, amount: str | Decimal, reason: str, *, kind: str = "topup"
    ) -> Standing:
        """Money in (or, as an adjustment, out) by the operator, with the reason kept."""
        if kind not in TOPUP_KINDS:
            raise DomainError(ErrorCode.INVALID_FIELD, "kind is topup or adjustment", "kind")
        value = money(amount)
        if kind == "topup" and value <= 0:
            raise DomainError(ErrorCode.INVALID_FIELD, "a top-up is above zero", "amount")
        if not reason.strip() or len(reason) > 255:
            raise DomainError(ErrorCode.INVALID_FIELD, "a reason of 1-255 characters", "reason")
        account = await self._accounts.account(account_name)

        async def job(tx: Tx) -> None:
            await repo.credit(tx, account.id, kind, value, reason.strip(), now_ms())

        await self._db.write(job)
        return await self.standing(account)

    async def standing_of(self, account_name: str) -> Standing:
        return await self.standing(await self._accounts.account(account_name))

    async def movements_of(
        self, account_name: str, *, before_id: int | None = None, limit: int = 100
    ) -> list[repo.Movement]:
        account = await self._accounts.account(account_name)
        return await self.movements(account, before_id=before_id, limit=limit)

    # What accounts see

    async def standing(self, account: Account) -> Standing:
        held = await self._db.read(lambda conn: repo.balance(conn, account.id))
        if account.price_list_id is not None and self._book.get(account.price_list_id) is None:
            await self._book.refresh()
        listed = self._book.get(account.price_list_id) if account.price_list_id else None
        return Standing(account, held, listed)

    async def movements(
        self, account: Account, *, before_id: int | None = None, limit: int = 100
    ) -> list[repo.Movement]:
        if not 1 <= limit <= MAX_MOVEMENTS:
            raise DomainError(ErrorCode.INVALID_FIELD, f"limit is 1-{MAX_MOVEMENTS}", "limit")
        return await self._db.read(
            lambda conn: repo.movements(conn, account.id, before_id=before_id, limit=limit)
        )
