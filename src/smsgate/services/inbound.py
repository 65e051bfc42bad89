"""Inbound messages from every channel: reassembled, given to their account, linked to the
message they answer, and acted on when they are a keyword (STOP, START, HELP)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import structlog

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.inbound import (
    InboundSms,
    canonical_address,
    join_incomplete,
    reassemble,
    spellings,
)
from smsgate.domain.keywords import Keyword
from smsgate.services.clock import now_ms
from smsgate.services.opt_outs import KEYWORD, changing_lists, opt_in, opt_out
from smsgate.services.paging import check_limit, cut
from smsgate.services.periodic import Periodic
from smsgate.services.sending import SendCommand, SendingService
from smsgate.store import accounts, inbound, inbound_settings, messages, numbers, outbox
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn
from smsgate.store.ids import id_floor
from smsgate.store.inbound_settings import InboundSettings
from smsgate.store.opt_outs import OptOutIndex

log = structlog.get_logger(__name__)

SWEEP_S = 30.0  # how often parts whose siblings never came are looked for
ANSWER_QUIET_MS = 10 * 60 * 1000


@dataclass(frozen=True, slots=True)
class _Whole:
    """A complete inbound message, however many parts it came in."""

    connector: str
    sender: str
    recipient: str
    text: str
    parts: int
    upstream_id: str | None
    at_ms: int

    @classmethod
    def single(cls, sms: InboundSms) -> _Whole:
        return cls(
            sms.connector, sms.sender, sms.recipient, sms.text, 1, sms.upstream_id, sms.at_ms
        )


class InboundService:
    def __init__(
        self,
        db: Database,
        sending: SendingService,
        opt_out_index: OptOutIndex,
        *,
        reply_window_s: int,
        concat_timeout_s: int,
    ):
        self._db = db
        self._sending = sending
        self._index = opt_out_index
        self._reply_window_ms = reply_window_s * 1000
        self._concat_timeout_ms = concat_timeout_s * 1000
        self._sweeper = Periodic(SWEEP_S, lambda: self.sweep(now_ms()), "inbound-sweep")

    def start(self) -> None:
        self._sweeper.start()

    async def close(self) -> None:
        await self._sweeper.close()

    async def receive(self, sms: InboundSms) -> int | None:
        """Store an inbound message or part; returns once it is committed, with the id of the
        stored message (None while a long message waits for more parts)."""
        sms = replace(
            sms, sender=canonical_address(sms.sender), recipient=canonical_address(sms.recipient)
        )

        async def job(tx: Tx) -> tuple[int | None, set[str]]:
            if not sms.is_part:
                return await self._store(tx, _Whole.single(sms))
            key = inbound.part_key(sms)
            await inbound.add_part(tx, sms)
            held = await inbound.held(tx, key)
            text = reassemble(held.parts, held.total)
            if text is None:
                return None, set()
            await inbound.release(tx, key)
            return await self._store(tx, _whole(held, text, held.total))

        stored, connectors = await changing_lists(self._db, self._index, job)
        self._sending.wake(connectors)
        return stored

    async def sweep(self, now: int) -> None:
        """Store what arrived of long messages whose other parts are overdue."""

        async def job(tx: Tx) -> set[str]:
            woken: set[str] = set()
            for key in await inbound.stale(tx, now - self._concat_timeout_ms, limit=100):
                held = await inbound.held(tx, key)
                await inbound.release(tx, key)
                log.warning(
                    "inbound message incomplete: storing the parts that came",
                    sender=key[1],
                    came=len(held.parts),
                    total=held.total,
                )
                _, connectors = await self._store(
                    tx, _whole(held, join_incomplete(held.parts), len(held.parts))
                )
                woken |= connectors
            return woken

        self._sending.wake(await changing_lists(self._db, self._index, job))

    async def get(self, account: Account, inbound_id: int) -> inbound.Inbound:
        found = await self._db.read(lambda conn: inbound.get(conn, account.id, inbound_id))
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no inbound message {inbound_id}")
        return found

    async def find(
        self, account: Account, flt: inbound.InboundFilter, limit: int
    ) -> tuple[list[inbound.Inbound], int | None]:
        """A page, newest first, and the cursor for the next page (None at the end)."""
        check_limit(limit)
        rows = await self._db.read(lambda conn: inbound.find(conn, account.id, flt, limit + 1))
        return cut(rows, limit, lambda m: m.id)

    async def numbers(self, account: Account) -> list[numbers.Number]:
        return await self._db.read(lambda conn: numbers.listed(conn, account.id))

    async def _store(self, tx: Tx, sms: _Whole) -> tuple[int, set[str]]:
        """Give the message its account and the message it answers, act on a keyword and
        write it with its events. Returns its id and the connectors an automatic answer
        went to."""
        account_id, answered, settings = await self._route(tx.conn, sms)
        keyword = settings.rules.classify(sms.text) if settings is not None else None
        inbound_id = self._db.ids.next()
        await inbound.add(
            tx,
            inbound.Inbound(
                id=inbound_id,
                account_id=account_id,
                sender=sms.sender,
                recipient=sms.recipient,
                text=sms.text,
                parts=sms.parts,
                connector=sms.connector,
                upstream_id=sms.upstream_id,
                reply_to=answered.message_id if answered else None,
                keyword=keyword.value if keyword else None,
                received_at=sms.at_ms,
            ),
        )
        if account_id is None or settings is None:
            log.warning("inbound message for no account", to=sms.recipient, id=inbound_id)
            return inbound_id, set()
        outbox.defer_events(
            tx,
            [
                outbox.NewEvent(
                    account_id=account_id,
                    event=outbox.INBOUND_RECEIVED,
                    payload={
                        "id": str(inbound_id),
                        "from": sms.sender,
                        "to": sms.recipient,
                        "text": sms.text,
                        "parts": sms.parts,
                        "reply_to": str(answered.message_id) if answered else None,
                        "keyword": keyword.value if keyword else None,
                        "received_at_ms": sms.at_ms,
                    },
                    at_ms=sms.at_ms,
                    subject=answered.message_id if answered else inbound_id,
                    callback_url=answered.reply_callback if answered else None,
                ),
            ],
        )
        if keyword is None:
            return inbound_id, set()
        # A repeated STOP or START changes nothing and is not answered again: an answering
        # machine (or a simulator answering everything) must not start a ping-pong.
        changed = True
        if keyword is Keyword.STOP:
            changed = await opt_out(tx, self._index, account_id, sms.sender, KEYWORD, sms.at_ms)
        elif keyword is Keyword.START:
            changed = await opt_in(tx, self._index, account_id, sms.sender, KEYWORD, sms.at_ms)
        answer = settings.rules.reply_to(keyword)
        if answer is None or not changed:
            return inbound_id, set()
        return inbound_id, await self._answer(tx, account_id, sms, keyword, answer)

    async def _route(
        self, conn: Conn, sms: _Whole
    ) -> tuple[int | None, inbound.Answered | None, InboundSettings | None]:
        """The account (by the number written to, else by the message answered), the message
        it answers within the account's reply window, and the account's keyword rules."""
        owner = await numbers.owner(conn, sms.recipient)
        answered = await inbound.answered(
            conn,
            subscriber=sms.sender,
            our_number=spellings(sms.recipient),
            since_id=id_floor(sms.at_ms - self._reply_window_ms),
            account_id=owner,
        )
        account_id = owner if owner is not None else answered.account_id if answered else None
        if account_id is None:
            return None, None, None
        settings = await inbound_settings.get(conn, account_id)
        window_ms = (settings.reply_window_s or 0) * 1000
        if answered and window_ms and answered.message_id < id_floor(sms.at_ms - window_ms):
            answered = None
        return account_id, answered, settings

    async def _answer(
        self, tx: Tx, account_id: int, sms: _Whole, keyword: Keyword, text: str
    ) -> set[str]:
        account = await accounts.account_by_id(tx.conn, account_id)
        if account is None or not account.active or account.test_mode:
            return set()
        # One answer per keyword and subscriber within the quiet period, however often
        # they write it (HELP, HELP, HELP...).
        tag = f"auto:{keyword.value}"
        since = id_floor(sms.at_ms - ANSWER_QUIET_MS)
        if await messages.sent_recently(tx.conn, account_id, sms.sender, tag, since):
            return set()
        try:
            return await self._sending.stage_reply(
                tx,
                account,
                SendCommand(to=(sms.sender,), text=text, sender=sms.recipient, client_ref=tag),
            )
        except DomainError as err:
            # The keyword itself took effect; only the courtesy answer could not be sent.
            log.warning("automatic answer not sent", reason=err.detail, to=sms.sender)
            return set()


def _whole(held: inbound.HeldParts, text: str, parts: int) -> _Whole:
    connector, sender, recipient, _ = held.key
    return _Whole(connector, sender, recipient, text, parts, held.first_upstream_id, held.first_at)
