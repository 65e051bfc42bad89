"""The one submit path: every door (native API, dialects, SMPP server, CLI) calls `send`."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import msgspec

from smsgate.dispatch.router import Router
from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.message import NORMAL_LANE, URGENT_LANE
from smsgate.domain.schedule import resolve_timing
from smsgate.domain.sender import validate_sender
from smsgate.domain.status import Status
from smsgate.domain.submission import Plan, plan_personalised, plan_shared
from smsgate.domain.text import TextPolicy
from smsgate.domain.urls import validate_callback_url
from smsgate.services.clock import now_ms
from smsgate.store import messages, requests
from smsgate.store.database import Database, Tx

MAX_CLIENT_REF = 42


class SendCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A send request in the core's terms, whatever door it came through."""

    to: tuple[str, ...] = ()
    text: str | None = None
    personalised: tuple[tuple[str, str], ...] = ()  # (to, text) pairs
    sender: str | None = None
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


class RecipientResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    index: int
    to: str
    id: int | None = None  # set when accepted
    parts: int | None = None
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


_result_encoder = msgspec.msgpack.Encoder()
_result_decoder = msgspec.msgpack.Decoder(SendResult)
_command_encoder = msgspec.msgpack.Encoder()


class SendingService:
    def __init__(
        self,
        db: Database,
        router: Router,
        on_queued: Callable[[set[str]], None] = lambda connectors: None,
    ):
        self._db = db
        self._router = router
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
        now = now_ms()
        plan = _plan(account, cmd)
        timing = resolve_timing(now, cmd.send_at_ms, cmd.validity_s)
        sender = validate_sender(cmd.sender) if cmd.sender is not None else None
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
        status = Status.SCHEDULED if timing.send_at is not None else Status.QUEUED
        if cmd.estimate:
            return _result(plan, [], status=None, test=False, estimate=True)
        ids = self._db.ids.take(len(plan.planned))
        test = account.test_mode or cmd.test
        result = _result(plan, ids, status=status, test=test, estimate=False)
        if test:
            return result

        lane = URGENT_LANE if cmd.urgent else NORMAL_LANE
        scheduled_at = now if status is Status.SCHEDULED else None
        queued_at = now if status is Status.QUEUED else None
        request_id = self._db.ids.next() if idempotency_key is not None else None
        connectors: set[str] = set()
        rows: list[tuple[object, ...]] = []
        route = self._router.route
        for message_id, p in zip(ids, plan.planned, strict=True):
            connector = route(account.id, p.recipient, cmd.urgent)
            connectors.add(connector)
            rows.append(
                (
                    message_id,
                    account.id,
                    request_id,
                    p.recipient,
                    sender,
                    p.text,
                    p.encoding.value,
                    p.parts,
                    None,
                    cmd.client_ref,
                    lane,
                    status.value,
                    timing.send_at,
                    timing.expires_at,
                    connector,
                    cmd.status_callback,
                    cmd.reply_callback,
                    now,
                    scheduled_at,
                    queued_at,
                    now,
                )
            )
        stored = await self._db.write(
            _store_job(account, cmd, idempotency_key, rows, result, request_id, now)
        )
        if stored is not None:  # a concurrent twin with the same key won: answer as it did
            return _check_replay(stored, cmd)
        if status is Status.QUEUED and rows:
            self._on_queued(connectors)
        return result

    async def _replay(self, account: Account, cmd: SendCommand, key: str) -> SendResult | None:
        stored = await self._db.read(lambda conn: requests.get(conn, account.id, key))
        return _check_replay(stored, cmd) if stored is not None else None


def _store_job(
    account: Account,
    cmd: SendCommand,
    key: str | None,
    rows: list[tuple[object, ...]],
    result: SendResult,
    request_id: int | None,
    now: int,
) -> Callable[[Tx], Awaitable[requests.StoredRequest | None]]:
    async def job(tx: Tx) -> requests.StoredRequest | None:
        if key is not None and request_id is not None:
            existing = await requests.get(tx.conn, account.id, key)
            if existing is not None:
                return existing
            requests.defer_add(
                tx,
                request_id=request_id,
                account_id=account.id,
                key=key,
                body_hash=_body_hash(cmd),
                response=_result_encoder.encode(result),
                now_ms=now,
            )
        messages.defer_add(tx, rows)
        return None

    return job


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
        return plan_personalised(cmd.personalised, policy, account.default_region)
    if cmd.text is None:
        raise DomainError(ErrorCode.MISSING_FIELD, "text is required", field="text")
    return plan_shared(cmd.to, cmd.text, policy, account.default_region)


def _result(
    plan: Plan, ids: list[int], *, status: Status | None, test: bool, estimate: bool
) -> SendResult:
    recipients = [
        RecipientResult(index=p.index, to=p.recipient, id=ids[i] if ids else None, parts=p.parts)
        for i, p in enumerate(plan.planned)
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
    )
