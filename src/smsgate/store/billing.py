"""Price lists, balances and the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, delete, func, insert, select, update

from smsgate.domain.pricing import ChargeOn, PriceList
from smsgate.store.bulk import in_chunks
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import (
    accounts,
    balances,
    connector_costs,
    ledger,
    price_lists,
    prices,
)

MICROS = 1_000_000


def _micros(amount: Decimal) -> int:
    """Money as stored here: an integer of millionths (domain amounts have 6 places)."""
    return int(amount * MICROS)


def _money(micros: int) -> Decimal:
    return Decimal(micros).scaleb(-6)


LEDGER_COLUMNS = ("account_id", "kind", "amount", "messages", "message_id", "reason", "created_at")


@dataclass(frozen=True, slots=True)
class Balance:
    account_id: int
    currency: str | None
    balance: Decimal
    credit_limit: Decimal

    @property
    def available(self) -> Decimal:
        return self.balance + self.credit_limit


@dataclass(frozen=True, slots=True)
class Movement:
    id: int
    kind: str
    amount: Decimal
    messages: int
    message_id: int | None
    reason: str | None
    created_at: int


@dataclass(frozen=True, slots=True)
class Refund:
    """A message's charge given back (or, with a negative price, taken again)."""

    account_id: int
    message_id: int
    amount: Decimal
    reason: str


# Price lists


async def all_price_lists(conn: Conn) -> list[PriceList]:
    per_part: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for list_id, prefix, price in await conn.execute(
        select(prices.c.price_list_id, prices.c.prefix, prices.c.price)
    ):
        per_part[list_id][prefix] = _money(price)
    rows = await conn.execute(
        select(price_lists.c.id, price_lists.c.name, price_lists.c.currency).order_by(
            price_lists.c.name
        )
    )
    return [PriceList(i, name, cur, per_part.get(i, {})) for i, name, cur in rows]


async def price_list_id(conn: Conn, name: str) -> int | None:
    return await _scalar(conn, select(price_lists.c.id).where(price_lists.c.name == name))


async def put_price_list(
    tx: Tx, name: str, currency: str, per_part: dict[str, Decimal], now_ms: int
) -> int:
    """Create the list or replace its currency and every price."""
    list_id = await price_list_id(tx.conn, name)
    if list_id is None:
        result = await tx.conn.execute(
            insert(price_lists)
            .values(name=name, currency=currency, created_at=now_ms, updated_at=now_ms)
            .returning(price_lists.c.id)
        )
        list_id = int(result.scalar_one())
    else:
        await tx.conn.execute(
            update(price_lists)
            .where(price_lists.c.id == list_id)
            .values(currency=currency, updated_at=now_ms)
        )
        await tx.conn.execute(delete(prices).where(prices.c.price_list_id == list_id))
    if per_part:
        await tx.conn.execute(
            insert(prices),
            [
                {"price_list_id": list_id, "prefix": p, "price": _micros(v)}
                for p, v in per_part.items()
            ],
        )
    return list_id


async def price_list_in_use(conn: Conn, list_id: int) -> bool:
    """Whether an account pays by the list or a connector's cost is kept in it."""
    users = (
        select(accounts.c.id).where(accounts.c.price_list_id == list_id),
        select(connector_costs.c.price_list_id).where(connector_costs.c.price_list_id == list_id),
    )
    for query in users:
        if await _scalar(conn, query.limit(1)) is not None:
            return True
    return False


async def remove_price_list(tx: Tx, list_id: int) -> None:
    await tx.conn.execute(delete(prices).where(prices.c.price_list_id == list_id))
    await tx.conn.execute(delete(price_lists).where(price_lists.c.id == list_id))


async def set_billing(
    tx: Tx, account_id: int, *, price_list_id: int | None, charge_on: ChargeOn
) -> None:
    await tx.conn.execute(
        update(accounts)
        .where(accounts.c.id == account_id)
        .values(price_list_id=price_list_id, charge_on=charge_on.value)
    )


# Balances


async def balance(conn: Conn, account_id: int) -> Balance:
    """The account's balance; an empty one when it never had any."""
    stored = await _stored_balance(conn, account_id)
    return stored or Balance(account_id, None, Decimal(0), Decimal(0))


async def ensure_balance(tx: Tx, account_id: int, now_ms: int) -> Balance:
    """The account's balance row, made (empty) when it has none yet."""
    await _settle(tx, [account_id])
    stored = await _stored_balance(tx.conn, account_id)
    if stored is not None:
        return stored
    await tx.conn.execute(insert(balances).values(account_id=account_id, updated_at=now_ms))
    return Balance(account_id, None, Decimal(0), Decimal(0))


async def _stored_balance(conn: Conn, account_id: int) -> Balance | None:
    row = (
        await conn.execute(
            select(balances.c.currency, balances.c.balance, balances.c.credit_limit).where(
                balances.c.account_id == account_id
            )
        )
    ).first()
    return None if row is None else Balance(account_id, row[0], _money(row[1]), _money(row[2]))


async def set_balance_terms(
    tx: Tx, account_id: int, now_ms: int, *, currency: str | None, credit_limit: Decimal | None
) -> None:
    await ensure_balance(tx, account_id, now_ms)
    values: dict[str, object] = {"updated_at": now_ms}
    if currency is not None:
        values["currency"] = currency
    if credit_limit is not None:
        values["credit_limit"] = _micros(credit_limit)
    await tx.conn.execute(
        update(balances).where(balances.c.account_id == account_id).values(values)
    )


@dataclass(slots=True)
class _Locked:
    """An account's balance row this transaction has debited: no other transaction can change
    it before this one commits, so the next charges of the transaction are decided here and
    written once, at flush. A send costs no statement of its own then."""

    balance: int  # micros, after every charge taken so far
    credit_limit: int
    owed: int = 0  # taken here, not written yet
    at_ms: int = 0


@dataclass(frozen=True, slots=True)
class Charged:
    taken: bool
    available: Decimal  # what the balance covers: after the charge, or when it was refused


async def charge(
    tx: Tx, account_id: int, amount: Decimal, messages: int, first_id: int, now_ms: int
) -> Charged:
    """Take `amount` if the balance (with its credit limit) covers it; nothing is written when
    it does not. The first charge of a transaction checks and debits in one statement, which
    a parallel send cannot split; it locks the row for the rest of the transaction."""
    micros = _micros(amount)
    locked = _locked(tx)
    held = locked.get(account_id)
    if held is None:
        row = (
            await tx.conn.execute(
                update(balances)
                .where(
                    balances.c.account_id == account_id,
                    balances.c.balance - micros >= -balances.c.credit_limit,
                )
                .values(balance=balances.c.balance - micros, updated_at=now_ms)
                .returning(balances.c.balance, balances.c.credit_limit)
            )
        ).first()
        if row is None:
            return Charged(False, (await balance(tx.conn, account_id)).available)
        locked[account_id] = held = _Locked(row[0], row[1])
    elif held.balance - micros < -held.credit_limit:
        return Charged(False, _money(held.balance + held.credit_limit))
    else:
        held.balance -= micros
        held.owed += micros
        held.at_ms = now_ms
    tx.defer_insert(
        ledger,
        LEDGER_COLUMNS,
        [(account_id, "charge", -micros, messages, first_id, None, now_ms)],
    )
    return Charged(True, _money(held.balance + held.credit_limit))


def _locked(tx: Tx) -> dict[int, _Locked]:
    locked: dict[int, _Locked] | None = tx.state.get("balances")
    if locked is None:
        locked = tx.state["balances"] = {}
        tx.before_flush(lambda: _settle(tx, list(locked)))
    return locked


async def _settle(tx: Tx, account_ids: Sequence[int]) -> None:
    """Write what charges of `account_ids` took in memory, and forget their rows: a movement
    of another kind is about to change them (or the transaction ends)."""
    locked: dict[int, _Locked] = tx.state.get("balances", {})
    for account_id in account_ids:
        held = locked.pop(account_id, None)
        if held is not None and held.owed:
            await tx.conn.execute(
                update(balances)
                .where(balances.c.account_id == account_id)
                .values(balance=balances.c.balance - held.owed, updated_at=held.at_ms)
            )


async def credit(
    tx: Tx, account_id: int, kind: str, amount: Decimal, reason: str | None, now_ms: int
) -> Decimal:
    """An operator's movement (top-up, adjustment); the balance after."""
    await ensure_balance(tx, account_id, now_ms)
    result = await tx.conn.execute(
        update(balances)
        .where(balances.c.account_id == account_id)
        .values(balance=balances.c.balance + _micros(amount), updated_at=now_ms)
        .returning(balances.c.balance)
    )
    tx.defer_insert(
        ledger, LEDGER_COLUMNS, [(account_id, kind, _micros(amount), 0, None, reason, now_ms)]
    )
    return _money(result.scalar_one())


@dataclass(frozen=True, slots=True)
class Transfer:
    """Money moved between two accounts (a parent and its sub-account), each side with the
    reason its own ledger shows."""

    payer_id: int
    payee_id: int
    amount: Decimal  # above zero
    payer_reason: str
    payee_reason: str


async def transfer(tx: Tx, move: Transfer, now_ms: int) -> bool:
    """Move the amount if the payer's balance covers it without its credit limit (credit is
    the operator's to give, not to hand on); nothing is written when it does not. The payee's
    balance takes the payer's currency when it has none yet."""
    micros = _micros(move.amount)
    await ensure_balance(tx, move.payee_id, now_ms)
    await _settle(tx, [move.payer_id])
    taken = (
        await tx.conn.execute(
            update(balances)
            .where(balances.c.account_id == move.payer_id, balances.c.balance >= micros)
            .values(balance=balances.c.balance - micros, updated_at=now_ms)
            .returning(balances.c.currency)
        )
    ).first()
    if taken is None:
        return False
    await tx.conn.execute(
        update(balances)
        .where(balances.c.account_id == move.payee_id)
        .values(
            balance=balances.c.balance + micros,
            currency=func.coalesce(balances.c.currency, taken[0]),
            updated_at=now_ms,
        )
    )
    tx.defer_insert(
        ledger,
        LEDGER_COLUMNS,
        [
            (move.payer_id, "transfer", -micros, 0, None, move.payer_reason[:255], now_ms),
            (move.payee_id, "transfer", micros, 0, None, move.payee_reason[:255], now_ms),
        ],
    )
    return True


async def refund(tx: Tx, refunds: Sequence[Refund], now_ms: int) -> None:
    """Give charges back: one ledger entry per message, one balance update per account."""
    if not refunds:
        return
    per_account: dict[int, int] = defaultdict(int)
    for r in refunds:
        per_account[r.account_id] += _micros(r.amount)
    await _settle(tx, list(per_account))
    for account_id, amount in per_account.items():
        await tx.conn.execute(
            update(balances)
            .where(balances.c.account_id == account_id)
            .values(balance=balances.c.balance + amount, updated_at=now_ms)
        )
    tx.defer_insert(
        ledger,
        LEDGER_COLUMNS,
        [
            (
                r.account_id,
                "refund" if r.amount > 0 else "charge",
                _micros(r.amount),
                1,
                r.message_id,
                r.reason,
                now_ms,
            )
            for r in refunds
        ],
    )


async def movements(
    conn: Conn, account_id: int, *, before_id: int | None, limit: int
) -> list[Movement]:
    """Newest first; `before_id` pages back."""
    query = select(
        ledger.c.id,
        ledger.c.kind,
        ledger.c.amount,
        ledger.c.messages,
        ledger.c.message_id,
        ledger.c.reason,
        ledger.c.created_at,
    ).where(ledger.c.account_id == account_id)
    if before_id is not None:
        query = query.where(ledger.c.id < before_id)
    rows = await conn.execute(query.order_by(ledger.c.id.desc()).limit(limit))
    return [Movement(r[0], r[1], _money(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


async def ledger_sum(conn: Conn, account_id: int) -> Decimal:
    """What the balance must equal: the sum of every movement (checked by the tests)."""
    rows = await conn.execute(select(ledger.c.amount).where(ledger.c.account_id == account_id))
    return _money(sum(r[0] for r in rows))


async def charge_policies(conn: Conn, ids: Sequence[int]) -> dict[int, ChargeOn]:
    found: dict[int, ChargeOn] = {}
    for chunk in in_chunks(ids):
        rows = await conn.execute(
            select(accounts.c.id, accounts.c.charge_on).where(accounts.c.id.in_(chunk))
        )
        found.update({r[0]: ChargeOn(r[1]) for r in rows})
    return found


async def _scalar(conn: Conn, query: Select[tuple[int]]) -> int | None:
    value = (await conn.execute(query)).scalar_one_or_none()
    return None if value is None else int(value)
