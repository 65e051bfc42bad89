"""submit_sm, data_sm and submit_multi from SMPP customers, through the one submit path.

Each PDU becomes a `SendCommand` validated by `SendingService.prepare`, like an HTTP request.
What arrives in the same turn of the event loop, over every connection, is staged in one store
transaction (`SendingService.stage` per submit), and each submit is answered once that
transaction is committed: one commit for many submits, one answer per submit, each with its own
status.

Long messages sent as parts (a concatenation UDH, or the sar_* TLVs) are held in the store, each
part answered with an id of its own once held. When the last part arrives, the parts become one
message, in the same transaction: priced, routed and delivered as one, and each part's id is
recorded against it, so a receipt goes out for every id the customer was given. Parts whose
siblings never come are sent as they are after `concat_timeout_s`
(docs/decisions/0009-smpp-server-long-messages.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import structlog

from smsgate.domain.errors import DomainError
from smsgate.domain.inbound import Concat, join_incomplete
from smsgate.domain.schedule import MAX_VALIDITY_S, MIN_VALIDITY_S
from smsgate.services.clock import now_ms
from smsgate.services.periodic import Periodic
from smsgate.services.sending import Prepared, SendCommand, SendingService, SendResult
from smsgate.services.smpp_accounts import Customer, customer_of
from smsgate.services.smpp_statuses import status_of, submit_status
from smsgate.smpp.coding import UDHI, CodingError, CodingMap, UnsupportedCoding, read_text
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import (
    DataSm,
    DistributionList,
    SubmitMulti,
    SubmitSm,
    UnsuccessSme,
    decode_pdu,
    encode_pdu,
)
from smsgate.smpp.times import TimeFormatError, parse_time
from smsgate.store import smpp as repo
from smsgate.store.database import Database, Tx

log = structlog.get_logger(__name__)

SubmitPdu = SubmitSm | DataSm | SubmitMulti
ALPHANUMERIC_TON = 5
INTERNATIONAL_TON = 1
# registered_delivery: bits 0-1 ask for a final receipt (1: always, 2: on failure), bit 4 for
# intermediate notifications.
RECEIPT_BITS = 0x03
INTERMEDIATE_BIT = 0x10
SWEEP_S = 10.0


class Refused(Exception):
    """A submit answered with an error status before it reaches the submit path."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True, slots=True)
class Submit:
    """One message request as read from a PDU."""

    source: repo.Address
    dests: tuple[repo.Address, ...]
    text: str
    concat: Concat | None
    send_at_ms: int | None
    validity_s: int | None
    registered_delivery: int
    urgent: bool
    unusable: tuple[UnsuccessSme, ...] = ()  # submit_multi destinations refused on sight

    def command(self, text: str | None = None) -> SendCommand:
        return SendCommand(
            to=tuple(number_of(d) for d in self.dests),
            text=self.text if text is None else text,
            sender=sender_of(self.source),
            send_at_ms=self.send_at_ms,
            validity_s=self.validity_s,
            urgent=self.urgent,
        )


def read_submit(pdu: SubmitPdu, coding: CodingMap, now: int) -> Submit:
    """The request in `pdu`, its text read as `coding` says; raises Refused."""
    short_message = pdu.short_message if not isinstance(pdu, DataSm) else b""
    try:
        text, concat = read_text(pdu.esm_class, pdu.data_coding, short_message, pdu.tlvs, coding)
    except UnsupportedCoding as error:
        raise Refused(CommandStatus.ESME_RSUBMITFAIL, str(error)) from None
    except CodingError as error:
        udh = pdu.esm_class & UDHI
        status = CommandStatus.ESME_RINVESMCLASS if udh else CommandStatus.ESME_RSUBMITFAIL
        raise Refused(status, str(error)) from None
    send_at = validity_s = None
    urgent = False
    if not isinstance(pdu, DataSm):
        send_at, validity_s = read_timing(pdu.schedule_delivery_time, pdu.validity_period, now)
        urgent = pdu.priority_flag > 0
    source = repo.Address(pdu.source_addr, pdu.source_addr_ton, pdu.source_addr_npi)
    unusable: tuple[UnsuccessSme, ...] = ()
    if isinstance(pdu, SubmitMulti):
        dests = tuple(
            repo.Address(d.address, d.ton, d.npi)
            for d in pdu.dest_addresses
            if not isinstance(d, DistributionList)
        )
        unusable = tuple(
            UnsuccessSme(d.name, CommandStatus.ESME_RINVDLNAME)
            for d in pdu.dest_addresses
            if isinstance(d, DistributionList)
        )
    else:
        dests = (repo.Address(pdu.destination_addr, pdu.dest_addr_ton, pdu.dest_addr_npi),)
    return Submit(
        source=source,
        dests=dests,
        text=text,
        concat=concat if concat is not None and concat.total > 1 else None,
        send_at_ms=send_at,
        validity_s=validity_s,
        registered_delivery=pdu.registered_delivery,
        urgent=urgent,
        unusable=unusable,
    )


def read_timing(schedule: str, validity: str, now: int) -> tuple[int | None, int | None]:
    """(send_at, validity in seconds). A validity beyond what smsgate keeps messages for is cut
    to that (the SMSC's maximum applies, spec §5.2.16); one already over is refused."""
    try:
        send_at = parse_time(schedule, now)
    except TimeFormatError as error:
        raise Refused(CommandStatus.ESME_RINVSCHED, str(error)) from None
    try:
        expires = parse_time(validity, now)
    except TimeFormatError as error:
        raise Refused(CommandStatus.ESME_RINVEXPIRY, str(error)) from None
    if expires is None:
        return send_at, None
    start = max(send_at or now, now)
    if expires <= start:
        raise Refused(CommandStatus.ESME_RINVEXPIRY, "the validity period ends before it starts")
    return send_at, min(max((expires - start) // 1000, MIN_VALIDITY_S), MAX_VALIDITY_S)


def number_of(address: repo.Address) -> str:
    """A destination as the send path reads numbers: international ones with their `+`."""
    addr = address.addr
    if address.ton == INTERNATIONAL_TON and addr.isdigit():
        return "+" + addr
    return addr


def sender_of(address: repo.Address) -> str | None:
    if not address.addr:
        return None  # the account's default
    if address.ton == ALPHANUMERIC_TON:
        return address.addr
    return number_of(address)


def wants_receipt(registered_delivery: int) -> bool:
    return bool(registered_delivery & (RECEIPT_BITS | INTERMEDIATE_BIT))


@dataclass(frozen=True, slots=True)
class Answer:
    """What a submit is answered with: the id, or the status of its refusal."""

    status: int = CommandStatus.ESME_ROK
    message_id: str = ""
    unsuccess: tuple[UnsuccessSme, ...] = ()


Reply = Callable[[Answer], None]


@dataclass(slots=True)
class _Item:
    customer: Customer
    submit: Submit
    reply: Reply
    prepared: Prepared | None = None  # a whole message
    part: tuple[int, bytes] | None = None  # (our id for it, the PDU) of a part
    group_id: int | None = None  # submit_multi's one id for all its messages


@dataclass(slots=True)
class _Staged:
    answers: list[Answer] = field(default_factory=list)
    refs: list[repo.SubmitRef] = field(default_factory=list)
    connectors: set[str] = field(default_factory=set)


class SmppSubmits:
    def __init__(self, db: Database, sending: SendingService, *, concat_timeout_s: float):
        self._db = db
        self._sending = sending
        self._concat_timeout_ms = int(concat_timeout_s * 1000)
        self._pending: list[_Item] = []
        self._writes: set[asyncio.Task[None]] = set()
        self._sweeper = Periodic(SWEEP_S, lambda: self.sweep(now_ms()), "smpp-parts-sweep")

    def start(self) -> None:
        self._sweeper.start()

    async def close(self) -> None:
        """Stop sweeping; wait for the submits being written, so each gets its answer."""
        await self._sweeper.close()
        self._flush()
        while self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    def submit(self, customer: Customer, pdu: SubmitPdu, reply: Reply) -> None:
        """Take a submit; `reply` is called once with its answer, after commit when accepted."""
        now = now_ms()
        try:
            submit = read_submit(pdu, customer.coding, now)
            item = self._item(customer, submit, pdu, reply)
        except Refused as refused:
            reply(Answer(refused.status))
            return
        except DomainError as error:
            reply(Answer(status_of(error)))
            return
        if customer.account.test_mode:
            self._spawn(self._test(item))
            return
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(item)

    def _item(self, customer: Customer, submit: Submit, pdu: SubmitPdu, reply: Reply) -> _Item:
        account = customer.account
        concat = submit.concat
        if concat is None:
            group = self._db.ids.next() if isinstance(pdu, SubmitMulti) else None
            prepared = self._sending.prepare(account, submit.command())
            return _Item(customer, submit, reply, prepared=prepared, group_id=group)
        if isinstance(pdu, SubmitMulti):
            raise Refused(
                CommandStatus.ESME_RSUBMITFAIL, "a long submit_multi goes in one message_payload"
            )
        if concat.total > account.max_parts:
            raise Refused(
                CommandStatus.ESME_RINVMSGLEN,
                f"{concat.total} parts, at most {account.max_parts} allowed",
            )
        # Everything but the length is checked now: a refusal belongs to the first part.
        self._sending.prepare(account, submit.command())
        return _Item(customer, submit, reply, part=(self._db.ids.next(), encode_pdu(pdu)))

    def _flush(self) -> None:
        items, self._pending = self._pending, []
        if items:
            self._spawn(self._write(items))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self, items: list[_Item]) -> None:
        for item in items:
            if item.prepared is not None:
                item.prepared = await self._sending.capped(item.prepared)

        async def job(tx: Tx) -> _Staged:
            staged = _Staged()
            for item in items:
                staged.answers.append(await self._stage(tx, item, staged))
            repo.defer_submits(tx, staged.refs)
            return staged

        try:
            staged = await self._db.write(job)
        except Exception:
            log.exception("SMPP submits not stored", count=len(items))
            for item in items:
                item.reply(Answer(CommandStatus.ESME_RSYSERR))
            return
        for item, answer in zip(items, staged.answers, strict=True):
            item.reply(answer)
        self._sending.wake(staged.connectors)

    async def _stage(self, tx: Tx, item: _Item, staged: _Staged) -> Answer:
        if item.prepared is not None:
            try:
                result, connectors = await self._sending.stage(tx, item.prepared)
            except DomainError as refused:  # nothing of it written: the others stand
                return Answer(status_of(refused))
            staged.connectors |= connectors
            return _answer(item, result, staged.refs)
        assert item.part is not None and item.submit.concat is not None
        part_id, pdu = item.part
        concat = item.submit.concat
        key = _part_key(item.customer, item.submit)
        at = now_ms()
        await repo.hold_part(tx.conn, key, concat.seq, part_id, pdu, at)
        held = await repo.held_parts(tx.conn, key)
        if len(held) < concat.total:
            return Answer(message_id=str(part_id))
        await repo.release_parts(tx.conn, key)
        status = await self._assemble(tx, item.customer, held, complete=True, staged=staged)
        return Answer(status, str(part_id) if status == CommandStatus.ESME_ROK else "")

    async def _assemble(
        self,
        tx: Tx,
        customer: Customer,
        held: list[repo.HeldPart],
        *,
        complete: bool,
        staged: _Staged,
    ) -> int:
        """Stage the message the held parts make (all of them, or what came); the status."""
        first = held[0].received_at
        parts = [(h, read_submit(_submit_pdu(h.pdu), customer.coding, first)) for h in held]
        texts = [(h.seq, submit.text) for h, submit in parts]
        text = "".join(t for _, t in texts) if complete else join_incomplete(texts)
        head = parts[0][1]
        try:
            prepared = self._sending.prepare(customer.account, head.command(text))
            result, connectors = await self._sending.stage(tx, prepared)
        except DomainError as error:
            log.warning("long SMPP message refused", reason=error.detail, parts=len(held))
            return status_of(error)
        staged.connectors |= connectors
        (recipient,) = result.recipients
        if recipient.id is None:
            return submit_status(recipient.error_code or "")
        staged.refs.extend(
            _ref(h.part_id, recipient.id, customer, submit, submit.dests[0], h.seq)
            for h, submit in parts
        )
        return CommandStatus.ESME_ROK

    async def _test(self, item: _Item) -> None:
        """A test-mode account: answered as usual, nothing stored or sent."""
        if item.part is not None:
            item.reply(Answer(message_id=str(item.part[0])))
            return
        try:
            result = await self._sending.send(item.customer.account, item.submit.command())
        except DomainError as error:
            item.reply(Answer(status_of(error)))
            return
        item.reply(_answer(item, result, []))

    # Parts whose siblings never came.

    async def sweep(self, now: int) -> int:
        """Send what came of long messages held longer than the timeout; how many."""

        async def job(tx: Tx) -> tuple[_Staged, int]:
            staged = _Staged()
            keys = await repo.stale_parts(tx.conn, now - self._concat_timeout_ms, 100)
            for key in keys:
                held = await repo.held_parts(tx.conn, key)
                await repo.release_parts(tx.conn, key)
                customer = await customer_of(tx.conn, key.account_id)
                if customer is None:
                    log.warning(
                        "long SMPP message dropped: the account has no SMPP access any more",
                        account=key.account_id,
                        parts=len(held),
                    )
                    continue
                log.warning(
                    "long SMPP message incomplete: sending the parts that came",
                    account=key.account_id,
                    came=len(held),
                    total=key.total,
                )
                await self._assemble(tx, customer, held, complete=False, staged=staged)
            repo.defer_submits(tx, staged.refs)
            return staged, len(keys)

        staged, swept = await self._db.write(job)
        self._sending.wake(staged.connectors)
        return swept


def _submit_pdu(raw: bytes) -> SubmitPdu:
    pdu = decode_pdu(raw)
    assert isinstance(pdu, SubmitSm | DataSm), "held parts are submits we decoded before"
    return pdu


def _part_key(customer: Customer, submit: Submit) -> repo.PartKey:
    assert submit.concat is not None
    return repo.PartKey(
        customer.account.id,
        submit.source.addr,
        submit.dests[0].addr,
        submit.concat.ref,
        submit.concat.total,
    )


def _ref(
    customer_id: int,
    message_id: int,
    customer: Customer,
    submit: Submit,
    dest: repo.Address,
    part_no: int = 1,
) -> repo.SubmitRef:
    return repo.SubmitRef(
        id=customer_id,
        message_id=message_id,
        account_id=customer.account.id,
        part_no=part_no,
        registered_delivery=submit.registered_delivery,
        source=submit.source,
        dest=dest,
    )


def _answer(item: _Item, result: SendResult, refs: list[repo.SubmitRef]) -> Answer:
    """The answer to a whole message's submit, recording the ids that need more than the
    message row: those that asked for a receipt, and submit_multi's."""
    submit = item.submit
    if item.group_id is None:
        (recipient,) = result.recipients
        if recipient.id is None:
            return Answer(submit_status(recipient.error_code or ""))
        if wants_receipt(submit.registered_delivery):
            refs.append(_ref(recipient.id, recipient.id, item.customer, submit, submit.dests[0]))
        return Answer(message_id=str(recipient.id))
    unsuccess = list(submit.unusable)
    for r in result.recipients:
        dest = submit.dests[r.index]
        if r.id is None:
            status = submit_status(r.error_code or "")
            unsuccess.append(UnsuccessSme(dest.addr, status, dest.ton, dest.npi))
        else:
            refs.append(_ref(item.group_id, r.id, item.customer, submit, dest))
    if result.accepted == 0:
        return Answer(unsuccess[0].error_status_code, unsuccess=tuple(unsuccess))
    return Answer(message_id=str(item.group_id), unsuccess=tuple(unsuccess))
