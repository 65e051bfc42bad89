"""Sender names and numbers: what accounts register and operators decide, the numbers the
gateway owns, and the directory in memory the send path resolves senders from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.inbound import canonical_address
from smsgate.domain.sender import (
    NumberKind,
    Registered,
    SenderDirectory,
    SenderPolicy,
    SenderState,
    validate_sender,
)
from smsgate.services.accounts import AccountService
from smsgate.services.clock import now_ms
from smsgate.services.periodic import Refreshing
from smsgate.store import accounts as account_repo
from smsgate.store import numbers, senders
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn
from smsgate.store.numbers import Number

REFRESH_S = 5.0  # how soon a decision made on another node (or the CLI) applies here


async def _load(conn: Conn) -> SenderDirectory:
    registered: dict[int, dict[str, Registered]] = {}
    for account_id, entry in await senders.listed(conn):
        registered.setdefault(account_id, {})[entry.name] = entry
    owners: dict[str, int | None] = {}
    own: dict[int, list[str]] = {}
    pools: dict[NumberKind, list[str]] = {NumberKind.SHARED: [], NumberKind.TWO_WAY: []}
    for n in await numbers.listed(conn):
        owners[n.number] = n.account_id
        if n.account_id is not None:
            own.setdefault(n.account_id, []).append(n.number)
        else:
            pools[n.kind].append(n.number)
    return SenderDirectory(
        registered=registered,
        owners=owners,
        own_numbers={account_id: tuple(held) for account_id, held in own.items()},
        shared_pool=tuple(pools[NumberKind.SHARED]),
        two_way_pool=tuple(pools[NumberKind.TWO_WAY]),
    )


class SenderBook(Refreshing):
    """The sender directory, in memory: resolving a send's sender costs no store round trip.
    A change made on this node applies at once, one made elsewhere within REFRESH_S."""

    def __init__(self, db: Database):
        super().__init__(REFRESH_S, "sender-book")
        self._db = db
        self.directory = SenderDirectory()

    async def refresh(self) -> None:
        self.directory = await self._db.read(_load)


@dataclass(frozen=True, slots=True)
class AccountSenders:
    """What an account may send under, as it is shown to the account and to the operator."""

    account: Account
    registered: list[Registered]
    numbers: list[Number]


@dataclass(frozen=True, slots=True)
class NumberView:
    number: Number
    account: str | None  # the owner's name; None for a pool number


class SenderService:
    def __init__(self, db: Database, accounts: AccountService, book: SenderBook):
        self._db = db
        self._accounts = accounts
        self._book = book

    # What accounts do

    async def of(self, account: Account) -> AccountSenders:
        async def read(conn: Conn) -> AccountSenders:
            return AccountSenders(
                account,
                [entry for _, entry in await senders.listed(conn, account.id)],
                await numbers.listed(conn, account.id),
            )

        return await self._db.read(read)

    async def register(self, account: Account, name: str) -> Registered:
        """Ask for a sender name: it waits for the operator's decision."""
        return await self._add(account, name, SenderState.PENDING)

    async def withdraw(self, account: Account, name: str) -> None:
        """Remove a registered name (and stop using it as the default sender)."""

        async def job(tx: Tx) -> bool:
            removed = await senders.remove(tx.conn, account.id, name)
            if removed and account.default_sender == name:
                await account_repo.set_sender_terms(
                    tx.conn, account.id, account.sender_policy, None
                )
            return removed

        if not await self._db.write(job):
            raise DomainError(ErrorCode.NOT_FOUND, f"no sender {name} is registered", "name")
        await self._changed(account)

    async def set_default(self, account: Account, sender: str | None) -> Account:
        """The sender of requests that name none: an approved name or one of the account's
        numbers (None: the shared pool, else the connector's own)."""
        if sender is not None:
            await self._book.refresh()  # decisions made elsewhere count
            sender = self._book.directory.resolve(account.id, account.sender_policy, sender).fixed
        await self._terms(account, account.sender_policy, sender)
        return await self._accounts.account(account.name)

    # What operators do

    async def add_for(self, account_name: str, name: str) -> Registered:
        """Register a name for an account as approved already."""
        return await self._add(
            await self._accounts.account(account_name), name, SenderState.APPROVED
        )

    async def decide(
        self, account_name: str, name: str, state: SenderState, reason: str | None = None
    ) -> Registered:
        account = await self._accounts.account(account_name)
        if state is SenderState.PENDING:
            raise DomainError(ErrorCode.INVALID_FIELD, "decide approved or rejected", "state")
        entry = Registered(name, state, reason if state is SenderState.REJECTED else None)

        async def job(tx: Tx) -> bool:
            return await senders.decide(tx.conn, account.id, entry, now_ms())

        if not await self._db.write(job):
            raise DomainError(ErrorCode.NOT_FOUND, f"{account_name} has no sender {name}", "name")
        await self._changed(account)
        return entry

    async def remove_for(self, account_name: str, name: str) -> None:
        await self.withdraw(await self._accounts.account(account_name), name)

    async def waiting(self, state: SenderState | None = None) -> list[tuple[str, Registered]]:
        """(account name, sender) of every registered sender, or of those in `state`."""

        async def read(conn: Conn) -> list[tuple[str, Registered]]:
            names = await account_repo.names_by_id(conn)
            return [(names[i], entry) for i, entry in await senders.listed(conn, state=state)]

        return await self._db.read(read)

    async def set_policy(self, account_name: str, policy: SenderPolicy) -> Account:
        account = await self._accounts.account(account_name)
        await self._terms(account, policy, account.default_sender)
        return await self._accounts.account(account_name)

    async def set_default_of(self, account_name: str, sender: str | None) -> Account:
        return await self.set_default(await self._accounts.account(account_name), sender)

    async def senders_of(self, account_name: str) -> AccountSenders:
        return await self.of(await self._accounts.account(account_name))

    # Numbers (operator)

    async def assign_number(self, account_name: str, raw: str) -> NumberView:
        """Give a number (or short code) to an account: inbound messages to it are its, and
        it may send from it without registering it."""
        account = await self._accounts.account(account_name)
        number = await self._add_number(raw, account.id, NumberKind.DEDICATED)
        return NumberView(number, account.name)

    async def pool_number(self, raw: str, kind: NumberKind) -> NumberView:
        """Put a number in the shared or the two-way pool."""
        if kind is NumberKind.DEDICATED:
            raise DomainError(ErrorCode.INVALID_FIELD, "a pool is shared or two_way", "kind")
        return NumberView(await self._add_number(raw, None, kind), None)

    async def release_number(self, raw: str) -> bool:
        number = canonical_address(raw)

        async def job(tx: Tx) -> bool:
            return await numbers.remove(tx.conn, number)

        released = await self._db.write(job)
        await self._book.refresh()
        return released

    async def numbers(self) -> list[NumberView]:
        async def read(conn: Conn) -> list[NumberView]:
            names = await account_repo.names_by_id(conn)
            return [
                NumberView(n, names[n.account_id] if n.account_id is not None else None)
                for n in await numbers.listed(conn)
            ]

        return await self._db.read(read)

    # Shared steps

    async def _add(self, account: Account, name: str, state: SenderState) -> Registered:
        entry = Registered(validate_sender(name), state)

        async def job(tx: Tx) -> None:
            await senders.add(tx.conn, account.id, entry, now_ms())

        try:
            await self._db.write(job)
        except IntegrityError:
            raise DomainError(
                ErrorCode.SENDER_EXISTS, f"{entry.name} is registered", "name"
            ) from None
        await self._changed(account)
        return entry

    async def _add_number(self, raw: str, account_id: int | None, kind: NumberKind) -> Number:
        number = canonical_address(raw)
        if not number.lstrip("+").isdigit() or len(number.lstrip("+")) > 15:
            raise DomainError(ErrorCode.INVALID_NUMBER, f"{raw} is not a number", field="number")

        async def job(tx: Tx) -> Number:
            held = await numbers.get(tx.conn, number)
            if held is not None:
                return held
            added = Number(number, kind, account_id, now_ms())
            await numbers.add(tx.conn, added)
            return added

        held = await self._db.write(job)
        if (held.account_id, held.kind) != (account_id, kind):
            whose = "another account" if held.account_id is not None else f"the {held.kind} pool"
            raise DomainError(ErrorCode.NUMBER_TAKEN, f"{number} belongs to {whose}", "number")
        await self._book.refresh()
        return held

    async def _terms(self, account: Account, policy: SenderPolicy, default: str | None) -> None:
        async def job(tx: Tx) -> None:
            await account_repo.set_sender_terms(tx.conn, account.id, policy, default)

        await self._db.write(job)
        self._accounts.forget(account.id)

    async def _changed(self, account: Account) -> None:
        self._accounts.forget(account.id)
        await self._book.refresh()
