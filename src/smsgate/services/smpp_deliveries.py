"""deliver_sm to SMPP customers: receipts for the messages that asked for one, and inbound
messages, to the account's receiver and transceiver binds.

Two halves, as for webhooks. `SmppFanout` follows the outbox from a cursor of its own
(services/outbox_follower.py) and turns each event an SMPP customer is owed into encoded
deliver_sm rows, moving the cursor in the same transaction, so a crash neither loses nor repeats
the fan-out.
`SmppDeliverer` takes due rows of the accounts bound right now, sends each on one of their
binds in turn, and removes a row only once the customer answered deliver_sm_resp OK: at least
once. A refusal or no answer makes the row due again after a backoff; a bind that goes away
hands its rows to the next. Rows wait in the store while an account has no receiver bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import msgspec
import structlog

from smsgate.batching import Batcher
from smsgate.domain.status import FINAL, Status
from smsgate.domain.text import detect_encoding
from smsgate.services.clock import now_ms
from smsgate.services.outbox_follower import CommitWake, OutboxFollower
from smsgate.services.periodic import Periodic
from smsgate.services.smpp_accounts import customer_of
from smsgate.services.smpp_submits import INTERMEDIATE_BIT, RECEIPT_BITS
from smsgate.smpp.coding import CodingMap
from smsgate.smpp.connection import Connection, ConnectionClosed, ResponseTimeout
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.long_messages import LongMode, plan_submits
from smsgate.smpp.pdu import DeliverSm, decode_pdu, encode_pdu
from smsgate.smpp.receipts import (
    DELIVERY_RECEIPT,
    INTERMEDIATE_NOTIFICATION,
    format_receipt,
    receipt_for,
    receipt_tlvs,
)
from smsgate.store import outbox
from smsgate.store import smpp as repo
from smsgate.store import webhooks as cursors
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import smpp_deliveries

log = structlog.get_logger(__name__)

CURSOR = "smpp-fanout"
BATCH = 1000
IDLE_POLL_S = 1.0  # due retries are looked for this often
EXPIRY_S = 60.0
ERROR_PAUSE_S = 1.0
ALPHANUMERIC_TON = 5
INTERNATIONAL_TON = 1
ISDN_NPI = 1


class _StatusPayload(msgspec.Struct):
    message_id: str
    status: Status
    at_ms: int
    error_code: str | None = None


class _InboundPayload(msgspec.Struct):
    id: str
    text: str
    received_at_ms: int
    to: str
    from_: str = msgspec.field(name="from")


_status_payload = msgspec.json.Decoder(_StatusPayload)
_inbound_payload = msgspec.json.Decoder(_InboundPayload)


def wants(registered_delivery: int, status: Status) -> bool:
    """Whether a submit with `registered_delivery` is owed a receipt for `status`."""
    if status is Status.SENT:
        return bool(registered_delivery & INTERMEDIATE_BIT)
    asked = registered_delivery & RECEIPT_BITS
    if status not in FINAL or not asked:
        return False
    return asked != 2 or status is not Status.DELIVERED  # 2: failures only


def receipt_pdu(
    ref: repo.SubmitRef, event: _StatusPayload, text: str, submitted_at: int
) -> DeliverSm:
    receipt = receipt_for(
        str(ref.id), event.status, submitted_at, event.at_ms, event.error_code, text
    )
    final = event.status is not Status.SENT
    return DeliverSm(
        source_addr_ton=ref.dest.ton,
        source_addr_npi=ref.dest.npi,
        source_addr=ref.dest.addr,
        dest_addr_ton=ref.source.ton,
        dest_addr_npi=ref.source.npi,
        destination_addr=ref.source.addr,
        esm_class=DELIVERY_RECEIPT if final else INTERMEDIATE_NOTIFICATION,
        short_message=format_receipt(receipt),
        tlvs=receipt_tlvs(receipt),
    )


def address_fields(address: str) -> tuple[str, int, int]:
    """(addr, ton, npi) of one of our addresses: E.164 as international ISDN, digits as
    unknown ISDN, a name as alphanumeric."""
    digits = address.removeprefix("+")
    if digits.isdigit():
        return digits, INTERNATIONAL_TON if address.startswith("+") else 0, ISDN_NPI
    return address, ALPHANUMERIC_TON, 0


def inbound_pdus(event: _InboundPayload, coding: CodingMap) -> list[DeliverSm]:
    """The deliver_sm of an inbound message: one, or one per part with a concatenation UDH."""
    source, source_ton, source_npi = address_fields(event.from_)
    dest, dest_ton, dest_npi = address_fields(event.to)
    reference = int(event.id) & 0xFF
    return [
        DeliverSm(
            source_addr_ton=source_ton,
            source_addr_npi=source_npi,
            source_addr=source[:20],
            dest_addr_ton=dest_ton,
            dest_addr_npi=dest_npi,
            destination_addr=dest[:20],
            esm_class=part.esm_class,
            data_coding=part.data_coding,
            short_message=part.short_message,
            tlvs=part.tlvs,
        )
        for part in plan_submits(
            event.text, detect_encoding(event.text), LongMode.UDH, reference, coding
        )
    ]


class SmppFanout:
    def __init__(self, db: Database, *, batch: int = BATCH):
        self._db = db
        self._batch = batch
        self._follower = OutboxFollower(db, CURSOR, self.run_once, batch=batch)

    async def start(self) -> None:
        await self._follower.start()

    async def stop(self) -> None:
        await self._follower.stop()

    async def run_once(self) -> int:
        """Turn the next batch of outbox events into deliver_sm rows; how many events."""
        limit = self._batch

        async def job(tx: Tx) -> int:
            position = await cursors.cursor(tx.conn, CURSOR)
            assert position is not None, "SmppFanout.start() creates the cursor"
            rows = await cursors.outbox_after(tx.conn, position, limit)
            if not rows:
                return 0
            customers = await repo.accounts_with_credentials(tx.conn)
            owed = [r for r in rows if r.account_id in customers]
            pdus = await _receipts(tx.conn, owed) + await _inbound(tx.conn, owed)
            repo.defer_deliveries(tx, pdus, now_ms())
            await cursors.move_cursor(tx.conn, CURSOR, rows[-1].id)
            return len(rows)

        return await self._db.write(job, background=True)


async def _receipts(conn: Conn, rows: Sequence[cursors.OutboxRow]) -> list[tuple[int, bytes]]:
    statuses = [_status_payload.decode(r.payload) for r in rows if r.event == outbox.MESSAGE_STATUS]
    events = [e for e in statuses if e.status in FINAL or e.status is Status.SENT]
    if not events:
        return []
    refs = await repo.refs_of_messages(conn, {int(e.message_id) for e in events})
    if not refs:
        return []
    by_message: dict[int, list[repo.SubmitRef]] = {}
    for ref in refs:
        by_message.setdefault(ref.message_id, []).append(ref)
    facts = await repo.receipt_facts(conn, by_message.keys())
    pdus: list[tuple[int, bytes]] = []
    for event in events:
        message_id = int(event.message_id)
        for ref in by_message.get(message_id, ()):
            if wants(ref.registered_delivery, event.status) and message_id in facts:
                text, submitted_at = facts[message_id]
                pdus.append(
                    (ref.account_id, encode_pdu(receipt_pdu(ref, event, text, submitted_at)))
                )
    return pdus


async def _inbound(conn: Conn, rows: Sequence[cursors.OutboxRow]) -> list[tuple[int, bytes]]:
    pdus: list[tuple[int, bytes]] = []
    for r in rows:
        if r.event != outbox.INBOUND_RECEIVED:
            continue
        customer = await customer_of(conn, r.account_id)
        if customer is None:
            continue
        event = _inbound_payload.decode(r.payload)
        pdus.extend((r.account_id, encode_pdu(pdu)) for pdu in inbound_pdus(event, customer.coding))
    return pdus


class Receivers(Protocol):
    """The binds deliver_sm can go to (the SMPP server's registry)."""

    def receivers(self, account_id: int) -> Iterator[Connection]: ...

    def receiving(self) -> dict[int, int]: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_s: float
    cap_s: float

    def delay_ms(self, attempts: int) -> int:
        """Exponential backoff with jitter: base, 2 base, 4 base... up to the cap."""
        ceiling = min(self.cap_s, self.base_s * 2 ** max(attempts - 1, 0))
        return int(1000 * random.uniform(ceiling / 2, ceiling))


class SmppDeliverer:
    def __init__(
        self,
        db: Database,
        receivers: Receivers,
        *,
        window: int,
        retry: RetryPolicy,
        lease_s: float,
        keep_s: float,
    ):
        self._db = db
        self._receivers = receivers
        self._window = window
        self._retry = retry
        self._lease_ms = int(lease_s * 1000)
        self._keep_ms = int(keep_s * 1000)
        self._expiry = Periodic(EXPIRY_S, lambda: self.drop_expired(now_ms()), "smpp-expiry")
        self._in_flight: dict[int, int] = {}  # account -> deliver_sm we are sending
        self._wake = CommitWake()
        self._task: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self._outcomes: Batcher[tuple[int, int | None]] = Batcher(
            self._settle, max_items=1000, max_delay=0.01, name="smpp-deliveries"
        )

    def start(self) -> None:
        self._wake.attach()
        self._db.on_commit(smpp_deliveries.name, self._wake.committed)
        self._outcomes.start()
        self._expiry.start()
        self._task = asyncio.create_task(self._run(), name="smpp-deliverer")

    async def stop(self) -> None:
        self._wake.detach()
        await self._expiry.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for send in list(self._sends):
            send.cancel()
        await asyncio.gather(*self._sends, return_exceptions=True)
        await self._outcomes.close()

    async def drop_expired(self, now: int) -> int:
        """Drop deliver_sm older than `keep_s`: an account that never binds a receiver must
        not make them pile up for ever. How many."""

        async def job(tx: Tx) -> int:
            return await repo.drop_deliveries_before(tx, now - self._keep_ms)

        dropped = await self._db.write(job)
        if dropped:
            log.warning("deliver_sm dropped: no receiver took them in time", count=dropped)
        return dropped

    def wake(self) -> None:
        self._wake.event.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("SMPP deliveries failed; retrying")
                await asyncio.sleep(ERROR_PAUSE_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.event.wait(), IDLE_POLL_S)

    async def run_once(self) -> int:
        """Claim what the bound accounts can take now and send it; how many."""
        room: dict[int, int] = {}
        for account_id, binds in self._receivers.receiving().items():
            free = binds * self._window - self._in_flight.get(account_id, 0)
            if free > 0:
                room[account_id] = free
        if not room:
            return 0
        lease, limit = self._lease_ms, max(room.values())

        async def job(tx: Tx) -> list[repo.Pending]:
            return await repo.claim_deliveries(
                tx, room.keys(), now_ms=now_ms(), lease_ms=lease, limit=limit
            )

        claimed = await self._db.write(job)
        taken: dict[int, int] = {}
        for pending in claimed:
            count = taken.get(pending.account_id, 0)
            if count >= room[pending.account_id]:
                # More than this account has room for (the claim's limit is per batch): due
                # again at once, for the next round.
                self._record(pending.id, now_ms())
                continue
            taken[pending.account_id] = count + 1
            self._in_flight[pending.account_id] = self._in_flight.get(pending.account_id, 0) + 1
            send = asyncio.create_task(self._send(pending))
            self._sends.add(send)
            send.add_done_callback(self._sends.discard)
        return sum(taken.values())

    async def _send(self, pending: repo.Pending) -> None:
        retry_at: int | None
        try:
            connection = next(self._receivers.receivers(pending.account_id), None)
            pdu = decode_pdu(pending.pdu)
            if connection is None or not isinstance(pdu, DeliverSm):
                retry_at = now_ms()  # the bind went away: the next one takes it
            else:
                answer = await connection.request(pdu)
                if answer.command_status == CommandStatus.ESME_ROK:
                    retry_at = None
                else:
                    log.info(
                        "deliver_sm refused; retrying later",
                        account=pending.account_id,
                        status=answer.command_status,
                    )
                    retry_at = now_ms() + self._retry.delay_ms(pending.attempts)
        except ConnectionClosed:
            retry_at = now_ms()
        except ResponseTimeout:
            retry_at = now_ms() + self._retry.delay_ms(pending.attempts)
        finally:
            self._in_flight[pending.account_id] -= 1
        self._record(pending.id, retry_at)
        self._wake.event.set()

    def _record(self, delivery_id: int, retry_at: int | None) -> None:
        """Write an outcome (None: delivered) with others. One that fails to be written leaves
        the row claimed: it goes again once the lease ends, at least once as promised."""
        written = self._outcomes.add_nowait((delivery_id, retry_at))
        written.add_done_callback(_log_failure)

    async def _settle(self, outcomes: list[tuple[int, int | None]]) -> None:
        delivered = [delivery_id for delivery_id, at in outcomes if at is None]
        retry = [(delivery_id, at) for delivery_id, at in outcomes if at is not None]

        async def job(tx: Tx) -> None:
            await repo.settle_deliveries(tx, delivered, retry)

        await self._db.write(job)


def _log_failure(written: asyncio.Future[None]) -> None:
    if not written.cancelled() and written.exception() is not None:
        log.warning("deliver_sm outcome not written", error=str(written.exception()))
