"""Opt-out lists: who asked an account to stop, changed by keyword or through the API."""

from __future__ import annotations

from typing import TypeVar

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.keywords import KeywordRules, parse_words
from smsgate.domain.phone import normalize
from smsgate.services.clock import now_ms
from smsgate.services.paging import check_limit, cut
from smsgate.store import inbound_settings, opt_outs, outbox
from smsgate.store.database import Database, Job, Tx
from smsgate.store.inbound_settings import InboundSettings
from smsgate.store.opt_outs import OptOutIndex

T = TypeVar("T")

KEYWORD = "keyword"
API = "api"


async def opt_out(
    tx: Tx, index: OptOutIndex, account_id: int, number: str, source: str, at_ms: int
) -> bool:
    """Add a number to the list, with its event; False when it was on it already."""
    added = await opt_outs.add(tx.conn, account_id, number, source, at_ms)
    if added:
        _changed(tx, index, account_id, number, opted_out=True, source=source, at_ms=at_ms)
    return added


async def opt_in(
    tx: Tx, index: OptOutIndex, account_id: int, number: str, source: str, at_ms: int
) -> bool:
    """Take a number off the list, with its event; False when it was not on it."""
    removed = await opt_outs.remove(tx.conn, account_id, number)
    if removed:
        _changed(tx, index, account_id, number, opted_out=False, source=source, at_ms=at_ms)
    return removed


def _changed(
    tx: Tx,
    index: OptOutIndex,
    account_id: int,
    number: str,
    *,
    opted_out: bool,
    source: str,
    at_ms: int,
) -> None:
    index.note(account_id, number, opted_out)
    outbox.defer_events(
        tx,
        [
            outbox.NewEvent(
                account_id=account_id,
                event=outbox.OPTOUT_CHANGED,
                payload={"number": number, "opted_out": opted_out, "source": source},
                at_ms=at_ms,
            )
        ],
    )


async def changing_lists(db: Database, index: OptOutIndex, job: Job[T]) -> T:
    """Run a write that may change opt-out lists; if it fails, the index may be ahead of
    the store and is dropped, to be loaded again."""
    try:
        return await db.write(job)
    except BaseException:
        index.clear()
        raise


class OptOutService:
    def __init__(self, db: Database, index: OptOutIndex):
        self._db = db
        self._index = index

    async def page(
        self, account: Account, after: str | None, limit: int
    ) -> tuple[list[opt_outs.OptOut], str | None]:
        """A page in number order and the cursor for the next (None at the end)."""
        check_limit(limit)
        rows = await self._db.read(lambda conn: opt_outs.page(conn, account.id, after, limit + 1))
        return cut(rows, limit, lambda o: o.number)

    async def get(self, account: Account, raw: str) -> opt_outs.OptOut:
        number = _number(account, raw)
        found = await self._db.read(lambda conn: opt_outs.get(conn, account.id, number))
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"{number} has not opted out")
        return found

    async def add(self, account: Account, raw: str) -> tuple[opt_outs.OptOut, bool]:
        """The entry, and whether it is new."""
        number = _number(account, raw)

        async def job(tx: Tx) -> bool:
            return await opt_out(tx, self._index, account.id, number, API, now_ms())

        added = await changing_lists(self._db, self._index, job)
        return await self.get(account, number), added

    async def remove(self, account: Account, raw: str) -> None:
        number = _number(account, raw)

        async def job(tx: Tx) -> bool:
            return await opt_in(tx, self._index, account.id, number, API, now_ms())

        if not await changing_lists(self._db, self._index, job):
            raise DomainError(ErrorCode.NOT_FOUND, f"{number} has not opted out")

    async def settings(self, account: Account) -> InboundSettings:
        return await self._db.read(lambda conn: inbound_settings.get(conn, account.id))

    async def set_settings(self, account: Account, settings: InboundSettings) -> InboundSettings:
        async def job(tx: Tx) -> None:
            await inbound_settings.put(tx.conn, account.id, settings, now_ms())

        await self._db.write(job)
        return settings


def rules(
    stop_words: list[str],
    start_words: list[str],
    help_words: list[str],
    stop_reply: str | None,
    start_reply: str | None,
    help_reply: str | None,
) -> KeywordRules:
    """Keyword rules from a request, or INVALID_FIELD saying what is wrong with them."""
    try:
        return KeywordRules(
            stop_words=parse_words(stop_words),
            start_words=parse_words(start_words),
            help_words=parse_words(help_words),
            stop_reply=stop_reply or None,
            start_reply=start_reply or None,
            help_reply=help_reply or None,
        )
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_FIELD, str(exc), field="keywords") from None


def _number(account: Account, raw: str) -> str:
    return normalize(raw, account.default_region, field="number")
