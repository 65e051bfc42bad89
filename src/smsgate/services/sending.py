"""The one submit path: every door (native API, dialects, SMPP server, CLI) calls `send`."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import msgspec

from smsgate.dispatch.router import Router
from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.limits import quiet_until
from smsgate.domain.message import NORMAL_LANE, URGENT_LANE
from smsgate.domain.pricing import Priced, price_plan
from smsgate.domain.schedule import resolve_timing
from smsgate.domain.sender import SenderChoice
from smsgate.domain.status import Status
from smsgate.domain.submission import (
    MAX_CAMPAIGN,
    MAX_PERSONALISED,
    Plan,
    plan_personalised,
    plan_shared,
)
from smsgate.domain.text import TextPolicy
from smsgate.domain.urls import validate_callback_url
from smsgate.services.billing import PriceBook
from smsgate.services.clock import now_ms
from smsgate.services.limits import LimitService
from smsgate.services.senders import SenderBook
from smsgate.store import billing, messages, requests
from smsgate.store.database import Database, Tx
from smsgate.store.opt_outs import OptOutIndex

MAX_CLIENT_REF = 42


class SendCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A send request in the core's terms, whatever door it came through."""

    to: tuple[str, ...] = ()
    text: str | None = None
    personalised: tuple[tuple[str, str], ...] = ()  # (to, text) pairs
    sender: str | None = None  # None: the account's default sender, else a pool number
    two_way: bool = False  # replies expected: sent from a number that receives them
    send_at_ms: int | None = None
    validity_s: int | None = None
    client_ref: str | None = None
    urgent: bool = False
    test: bool = False
    estimate: bool = False  # cost only: report parts and encoding, store nothing
    smart: bool = False
    translit: bool = False
    single: bool = False
    status_callback: str | None = None  # URL told of every status change of these messages
    reply_callback: str | None = None  # URL told of replies to them
    # A campaign's: its id, and when each personalised message is released (epoch ms, in
    # their order; one due already is queued at once).
    campaign_id: int | None = None
    release_at: tuple[int, ...] = ()


class RecipientResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    index: int
    to: str
    id: int | None = None  # set when accepted
    parts: int | None = None
    price: Decimal | None = None  # when the account pays for its messages
    error_code: str | None = None  # set when rejected
    error: str | None = None


class SendResult(msgspec.Struct, frozen=True, kw_only=True):
    status: Status | None  # what accepted messages became: queued or scheduled (None: estimate)
    test: bool
    estimate: bool
    accepted: int
    rejected: int
    parts: int
    encoding: str | None
    recipients: list[RecipientResult]
    cost: Decimal | None = None  # of the accepted messages, when the account pays
    currency: str | None = None


_result_encoder = msgspec.msgpack.Encoder()
_result_decoder = msgspec.msgpack.Decoder(SendResult)
_command_encoder = msgspec.msgpack.Encoder()


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated request, ready to be stored: everything but the opt-out check, which
    must see the list as committed when the messages are."""

    account: Account
    cmd: SendCommand
    plan: Plan
    priced: Priced | None  # None: the account does not pay
    ids: dict[int, int]  # message id by request index
    status: Status
    send_at: int | None
    expires_at: int | None
    sender: SenderChoice
    now: int

    @property
    def recipients(self) -> list[str]:
        return [pl.recipient for pl in self.plan.planned]


class SendingService:
    def __init__(
        self,
        db: Database,
        router: Router,
        opt_outs: OptOutIndex,
        prices: PriceBook,
        senders: SenderBook,
        limits: LimitService,
        on_queued: Callable[[set[str], bool], None] = lambda connectors, urgent: None,
    ):
        self._db = db
        self._router = router
        self._opt_outs = opt_outs
        self._prices = prices
        self._senders = senders
        self._limits = limits
        self._on_queued = on_queued

    async def send(
        self, account: Account, cmd: SendCommand, idempotency_key: str | None = None
    ) -> SendResult:
        if not account.active:
            raise DomainError(ErrorCode.ACCOUNT_DISABLED)
        if idempotency_key is not None:
            replay = await self._replay(account, cmd, idempotency_key)
            if replay is not None:
                return replay
        await self._prices.ensure(account.price_list_id)
        if cmd.estimate:
            plan, priced = self._price(account, _plan(account, cmd))
            _validate(cmd, now_ms())
            self._sender(account, cmd)
            return _result(plan, {}, priced, status=None, test=False, estimate=True)
        prepared = self.prepare(account, cmd)
        if account.test_mode or cmd.test:
            opted = await self._db.read(
                lambda conn: self._opt_outs.among(conn, account.id, prepared.recipients)
            )
            return _result(
                prepared.plan.refusing(opted, ErrorCode.OPTED_OUT),
                prepared.ids,
                prepared.priced,
                status=prepared.status,
                test=True,
                estimate=False,
            )
        # A request with an Idempotency-Key is answered again instead (above).
        hold = (
            None if idempotency_key else await self._limits.hold_request(account, _body_hash(cmd))
        )
        accepted = False
        try:
            prepared = await self.capped(prepared)
            stored = await self._db.write(self._store_job(prepared, idempotency_key))
            if isinstance(stored, DomainError):
                raise stored
            if isinstance(stored, requests.StoredRequest):
                # A concurrent twin with the same key won: answer as it did.
                return _check_replay(stored, cmd)
            result, connectors = stored
            accepted = result.accepted > 0
        finally:
            if not accepted:  # nothing was sent: the same request may come again
                await self._limits.let_go(hold)
        if prepared.status is Status.QUEUED:
            self.wake(connectors, urgent=cmd.urgent)
        return result

    async def stage_reply(self, tx: Tx, account: Account, cmd: SendCommand) -> set[str]:
        """Store an automatic answer (to STOP, START, HELP) inside the caller's transaction,
        opt-out list or not: confirming an opt-out is the one message still owed. It is sent
        from the number the subscriber wrote to, whoever's it is. Returns the connectors to
        wake once the transaction is committed."""
        prepared = self.prepare(account, cmd, answering=True)
        _, connectors = await self._store(tx, prepared, prepared.plan, request_id=None)
        return connectors

    def wake(self, connectors: set[str], *, urgent: bool = False) -> None:
        """Tell the dispatcher messages were queued for `connectors` (`urgent`: some of them
        must overtake what the connector has claimed already)."""
        if connectors:
            self._on_queued(connectors, urgent)

    def prepare(self, account: Account, cmd: SendCommand, *, answering: bool = False) -> Prepared:
        """Validate and plan a send (raises DomainError); `stage` stores it. Messages the
        account's quiet hours hold back are scheduled for the end of them."""
        now = now_ms()
        plan, priced = self._price(account, _plan(account, cmd))
        send_at, expires_at = _validate(cmd, now)
        held_until = quiet_until(self._limits.of(account), send_at or now, cmd.urgent)
        if held_until is not None and not answering:
            send_at, expires_at = _validate(
                msgspec.structs.replace(cmd, send_at_ms=held_until), now
            )
        sender = SenderChoice(cmd.sender) if answering else self._sender(account, cmd)
        return Prepared(
            account=account,
            cmd=cmd,
            plan=plan,
            priced=priced,
            ids=dict(
                zip(
                    (pl.index for pl in plan.planned),
                    self._db.ids.take(len(plan.planned)),
                    strict=True,
                )
            ),
            status=Status.SCHEDULED if send_at is not None or cmd.release_at else Status.QUEUED,
            send_at=send_at,
            expires_at=expires_at,
            sender=sender,
            now=now,
        )

    def _store_job(
        self, p: Prepared, key: str | None
    ) -> Callable[
        [Tx], Awaitable[requests.StoredRequest | tuple[SendResult, set[str]] | DomainError]
    ]:
        account, cmd = p.account, p.cmd
        request_id = self._db.ids.next() if key is not None else None

        async def job(
            tx: Tx,
        ) -> requests.StoredRequest | tuple[SendResult, set[str]] | DomainError:
            if key is not None and request_id is not None:
                existing = await requests.get(tx.conn, account.id, key)
                if existing is not None:
                    return existing
            try:
                result, connectors = await self.stage(tx, p, request_id)
            except DomainError as refused:  # nothing written: the sends beside it stand
                return refused
            if key is not None and request_id is not None:
                requests.defer_add(
                    tx,
                    request_id=request_id,
                    account_id=account.id,
                    key=key,
                    body_hash=_body_hash(cmd),
                    response=_result_encoder.encode(result),
                    now_ms=p.now,
                )
            return result, connectors

        return job

    async def stage(
        self, tx: Tx, p: Prepared, request_id: int | None = None
    ) -> tuple[SendResult, set[str]]:
        """Store a prepared send inside `tx`, its recipients checked against the opt-out lists
        as committed with it. Returns the answer and the connectors to wake once committed.
        Doors that gather many sends into one transaction (the SMPP server) call this for
        each; `send` is this for one."""
        opted = await self._opt_outs.among(tx.conn, p.account.id, p.recipients)
        return await self._store(tx, p, p.plan.refusing(opted, ErrorCode.OPTED_OUT), request_id)

    async def _store(
        self, tx: Tx, p: Prepared, plan: Plan, request_id: int | None
    ) -> tuple[SendResult, set[str]]:
        """Charge for `plan` (what is left of the prepared send to store) and write it."""
        result = _result(plan, p.ids, p.priced, status=p.status, test=False, estimate=False)
        await self._charge(tx, p, result)
        return result, self._add_rows(tx, p, result, request_id)

    async def capped(self, p: Prepared) -> Prepared:
        """The send without the recipients the account has written to its most within the
        subscriber window (each rejected on its own). Every door calls it before `stage`."""
        over = await self._limits.over_subscriber_cap(p.account, p.recipients)
        if not over:
            return p
        return replace(p, plan=p.plan.refusing(over, ErrorCode.SUBSCRIBER_LIMIT))

    def _sender(self, account: Account, cmd: SendCommand) -> SenderChoice:
        return self._senders.directory.resolve(
            account.id,
            account.sender_policy,
            cmd.sender,
            default=account.default_sender,
            two_way=cmd.two_way,
        )

    def _price(self, account: Account, plan: Plan) -> tuple[Plan, Priced | None]:
        if account.price_list_id is None:
            return plan, None
        price_list = self._prices.get(account.price_list_id)
        if price_list is None:  # a list in use is never removed: this one is new elsewhere
            raise DomainError(ErrorCode.PRICES_LOADING)
        priced = price_plan(plan, price_list)
        return priced.plan, priced

    async def _charge(self, tx: Tx, p: Prepared, result: SendResult) -> None:
        """Reserve the cost of the accepted messages, or refuse the whole send (before any of
        it is written, so the rest of a shared transaction stands)."""
        if result.cost is None or not result.accepted:
            return
        first = min(r.id for r in result.recipients if r.id is not None)
        charged = await billing.charge(tx, p.account.id, result.cost, result.accepted, first, p.now)
        if not charged.taken:
            raise DomainError(
                ErrorCode.INSUFFICIENT_FUNDS,
                f"the send costs {result.cost:f} {result.currency}; "
                f"{charged.available:f} is available",
            )

    def _add_rows(
        self, tx: Tx, p: Prepared, result: SendResult, request_id: int | None
    ) -> set[str]:
        """Queue the accepted messages of `result` for insert; the connectors they go to."""
        cmd = p.cmd
        lane = URGENT_LANE if cmd.urgent else NORMAL_LANE
        status = p.status
        planned = {pl.index: pl for pl in p.plan.planned}
        route = self._router.route
        sender_of = p.sender.for_recipient
        account_id = p.account.id
        release = cmd.release_at
        validity_ms = (p.expires_at or p.now) - (p.send_at or p.now)
        connectors: set[str] = set()
        rows: list[tuple[object, ...]] = []
        for r in result.recipients:
            if r.id is None:
                continue
            pl = planned[r.index]
            if release:  # a campaign's: each message its own time; those due now go at once
                send_at, expires_at = release[r.index], release[r.index] + validity_ms
                status = Status.SCHEDULED if send_at > p.now else Status.QUEUED
            else:
                send_at, expires_at = p.send_at, p.expires_at
            sender = sender_of(account_id, pl.recipient)
            connector = route(account_id, pl.recipient, sender, cmd.urgent, send_at or p.now)
            connectors.add(connector)
            rows.append(
                (
                    r.id,
                    account_id,
                    request_id,
                    pl.recipient,
                    sender,
                    pl.text,
                    pl.encoding.value,
                    pl.parts,
                    r.price,
                    cmd.client_ref,
                    lane,
                    status.value,
                    send_at if status is Status.SCHEDULED else None,
                    expires_at,
                    connector,
                    cmd.status_callback,
                    cmd.reply_callback,
                    cmd.campaign_id,
                    p.now,
                    p.now if status is Status.SCHEDULED else None,
                    p.now if status is Status.QUEUED else None,
                    p.now,
                )
            )
        messages.defer_add(tx, rows)
        return connectors

    async def _replay(self, account: Account, cmd: SendCommand, key: str) -> SendResult | None:
        stored = await self._db.read(lambda conn: requests.get(conn, account.id, key))
        return _check_replay(stored, cmd) if stored is not None else None


def _validate(cmd: SendCommand, now: int) -> tuple[int | None, int | None]:
    """The request's timing and other fields beyond recipients, text and sender:
    (send_at, expires_at)."""
    timing = resolve_timing(now, cmd.send_at_ms, cmd.validity_s)
    for name in ("status_callback", "reply_callback"):
        url = getattr(cmd, name)
        if url is not None:
            validate_callback_url(url, field=name)
    if cmd.client_ref is not None and len(cmd.client_ref) > MAX_CLIENT_REF:
        raise DomainError(
            ErrorCode.INVALID_FIELD,
            f"client_ref is longer than {MAX_CLIENT_REF} characters",
            field="client_ref",
        )
    return timing.send_at, timing.expires_at


def _check_replay(stored: requests.StoredRequest, cmd: SendCommand) -> SendResult:
    if stored.body_hash != _body_hash(cmd):
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, field="Idempotency-Key")
    return _result_decoder.decode(stored.response)


def _body_hash(cmd: SendCommand) -> str:
    return hashlib.sha256(_command_encoder.encode(cmd)).hexdigest()


def _plan(account: Account, cmd: SendCommand) -> Plan:
    policy = TextPolicy(
        max_parts=account.max_parts, single=cmd.single, smart=cmd.smart, translit=cmd.translit
    )
    if cmd.personalised:
        if cmd.to or cmd.text is not None:
            raise DomainError(
                ErrorCode.INVALID_REQUEST,
                "give either personalised messages or to + text, not both",
                field="messages",
            )
        most = MAX_CAMPAIGN if cmd.campaign_id is not None else MAX_PERSONALISED
        return plan_personalised(cmd.personalised, policy, account.default_region, most=most)
    if cmd.text is None:
        raise DomainError(ErrorCode.MISSING_FIELD, "text is required", field="text")
    return plan_shared(cmd.to, cmd.text, policy, account.default_region)


def _result(
    plan: Plan,
    ids: dict[int, int],
    priced: Priced | None,
    *,
    status: Status | None,
    test: bool,
    estimate: bool,
) -> SendResult:
    """The answer to a request; `ids` gives each planned message's id by its request index
    (empty for an estimate)."""
    prices = priced.prices if priced is not None else {}
    recipients = [
        RecipientResult(
            index=p.index,
            to=p.recipient,
            id=ids.get(p.index),
            parts=p.parts,
            price=prices.get(p.index),
        )
        for p in plan.planned
    ]
    if plan.rejected:
        recipients.extend(
            RecipientResult(index=r.index, to=r.to, error_code=r.code, error=r.reason)
            for r in plan.rejected
        )
        recipients.sort(key=lambda r: r.index)
    encodings = {p.encoding.value for p in plan.planned}
    return SendResult(
        status=status,
        test=test,
        estimate=estimate,
        accepted=len(plan.planned),
        rejected=len(plan.rejected),
        parts=plan.parts,
        encoding=encodings.pop() if len(encodings) == 1 else ("mixed" if encodings else None),
        recipients=recipients,
        cost=sum((prices[p.index] for p in plan.planned), Decimal(0)) if priced else None,
        currency=priced.currency if priced is not None else None,
    )
