"""query_sm, cancel_sm and replace_sm from SMPP customers.

The message_id a customer gives is one we answered a submit with: a message's own id, the id of
one part of a long message the customer sent in parts, or submit_multi's id for its messages
(store/smpp.py `messages_of`). A part still held (its siblings have not all come) is en route;
canceling it drops the whole long message.
"""

from __future__ import annotations

from smsgate.domain.errors import DomainError
from smsgate.domain.message import Message
from smsgate.domain.phone import normalize
from smsgate.domain.status import Status, is_final
from smsgate.domain.text import Encoding
from smsgate.services.clock import now_ms
from smsgate.services.queries import MessageQueries
from smsgate.services.sending import SendCommand, SendingService
from smsgate.services.smpp_accounts import Customer
from smsgate.services.smpp_statuses import status_of
from smsgate.services.smpp_submits import Refused, number_of, read_timing, sender_of
from smsgate.smpp.coding import CodingError, decode_text
from smsgate.smpp.constants import CommandStatus, MessageState
from smsgate.smpp.pdu import CancelSm, QuerySm, QuerySmResp, ReplaceSm
from smsgate.smpp.receipts import message_state_of, receipt_for
from smsgate.smpp.times import format_absolute
from smsgate.store import messages as message_repo
from smsgate.store import smpp as repo
from smsgate.store.database import Database, Tx

UCS2 = 8
_WAITING = (Status.QUEUED, Status.SCHEDULED)


class SmppQueries:
    def __init__(self, db: Database, sending: SendingService, queries: MessageQueries):
        self._db = db
        self._sending = sending
        self._queries = queries

    async def _messages(self, customer: Customer, raw_id: str) -> list[int]:
        customer_id = _id(raw_id)
        account_id = customer.account.id
        return await self._db.read(lambda conn: repo.messages_of(conn, account_id, customer_id))

    async def _held(self, customer: Customer, raw_id: str) -> repo.PartKey | None:
        customer_id, account_id = _id(raw_id), customer.account.id
        return await self._db.read(lambda conn: repo.held_part_key(conn, account_id, customer_id))

    async def query(self, customer: Customer, pdu: QuerySm) -> QuerySmResp:
        """The state of a message; an error status as `Refused`."""
        found = await self._messages(customer, pdu.message_id)
        if not found:
            if await self._held(customer, pdu.message_id) is None:
                raise Refused(CommandStatus.ESME_RINVMSGID, f"no message {pdu.message_id}")
            return QuerySmResp(
                pdu.sequence_number, message_id=pdu.message_id, message_state=MessageState.ENROUTE
            )
        message = await self._queries.get(customer.account, found[0])
        status = message.status
        done = message.status_times.get(status, message.accepted_at)
        return QuerySmResp(
            pdu.sequence_number,
            message_id=pdu.message_id,
            final_date=format_absolute(done) if is_final(status) else "",
            message_state=message_state_of(status),
            error_code=_error_code(message) if is_final(status) else 0,
        )

    async def cancel(self, customer: Customer, pdu: CancelSm) -> None:
        """Cancel one message (by id) or every waiting one from source to destination."""
        if pdu.message_id:
            found = await self._messages(customer, pdu.message_id)
            if not found:
                await self._drop_held(customer, pdu.message_id)
                return
        else:
            found = await self._waiting_between(customer, pdu)
            if not found:
                raise Refused(CommandStatus.ESME_RCANCELFAIL, "no waiting message matches")
        for message_id in found:
            try:
                await self._queries.cancel(customer.account, message_id)
            except DomainError as error:
                raise Refused(CommandStatus.ESME_RCANCELFAIL, error.detail) from None

    async def _drop_held(self, customer: Customer, raw_id: str) -> None:
        key = await self._held(customer, raw_id)
        if key is None:
            raise Refused(CommandStatus.ESME_RINVMSGID, f"no message {raw_id}")

        async def job(tx: Tx) -> int:
            return await repo.release_parts(tx.conn, key)

        if not await self._db.write(job):
            raise Refused(CommandStatus.ESME_RCANCELFAIL, "the message is no longer held")

    async def _waiting_between(self, customer: Customer, pdu: CancelSm) -> list[int]:
        account = customer.account
        try:
            recipient = normalize(
                number_of(repo.Address(pdu.destination_addr, pdu.dest_addr_ton)),
                account.default_region,
            )
        except DomainError:
            raise Refused(CommandStatus.ESME_RINVDSTADR, "no such destination") from None
        sender = sender_of(repo.Address(pdu.source_addr, pdu.source_addr_ton, pdu.source_addr_npi))
        found: list[int] = []
        for status in _WAITING:
            page, _ = await self._queries.find(
                account, message_repo.MessageFilter(status=status, recipient=recipient), 1000
            )
            found += [m.id for m in page if sender is None or m.sender == sender]
        return found

    async def replace(self, customer: Customer, pdu: ReplaceSm) -> None:
        """New text (and validity, schedule) for a message not yet handed to a connector."""
        found = await self._messages(customer, pdu.message_id)
        if len(found) != 1 or found[0] != _id(pdu.message_id):
            # Parts and submit_multi's id name no single message the new text could replace.
            status = CommandStatus.ESME_RREPLACEFAIL if found else CommandStatus.ESME_RINVMSGID
            raise Refused(status, f"{pdu.message_id} names no single message")
        account = customer.account
        message = await self._queries.get(account, found[0])
        if message.status not in _WAITING:
            raise Refused(CommandStatus.ESME_RREPLACEFAIL, f"the message is {message.status}")
        # replace_sm has no data_coding: the new text is read as the old one was sent.
        data_coding = UCS2 if message.encoding is Encoding.UCS2 else 0
        try:
            text = decode_text(data_coding, pdu.short_message, customer.coding)
        except CodingError as error:
            raise Refused(CommandStatus.ESME_RREPLACEFAIL, str(error)) from None
        now = now_ms()
        send_at, validity_s = read_timing(pdu.schedule_delivery_time, pdu.validity_period, now)
        command = SendCommand(
            to=(message.recipient,),
            text=text,
            sender=message.sender,
            send_at_ms=send_at,
            validity_s=validity_s,
        )
        try:
            planned = self._sending.prepare(account, command)
        except DomainError as error:
            raise Refused(status_of(error), error.detail) from None
        (plan,) = planned.plan.planned
        ref = repo.SubmitRef(
            id=message.id,
            message_id=message.id,
            account_id=account.id,
            part_no=1,
            registered_delivery=pdu.registered_delivery,
            source=repo.Address(pdu.source_addr, pdu.source_addr_ton, pdu.source_addr_npi),
            dest=repo.Address(message.recipient.removeprefix("+"), 1, 1),
        )

        async def job(tx: Tx) -> bool:
            replaced = await repo.replace_waiting(
                tx,
                account.id,
                message.id,
                text=plan.text,
                encoding=plan.encoding.value,
                parts=plan.parts,
                send_at=planned.send_at,
                expires_at=planned.expires_at if validity_s is not None else None,
                now_ms=now,
            )
            if replaced:
                await repo.set_registered_delivery(tx, ref)
            return replaced

        if not await self._db.write(job):
            raise Refused(CommandStatus.ESME_RREPLACEFAIL, "the message is no longer waiting")


def _id(raw: str) -> int:
    """A message id as we give them: a decimal number."""
    value = raw.strip()
    if not value.isdigit() or len(value) > 19:
        raise Refused(CommandStatus.ESME_RINVMSGID, f"{raw!r} is not one of our message ids")
    return int(value)


def _error_code(message: Message) -> int:
    """query_sm_resp's one-octet error_code: the GSM code our receipts give the failure."""
    receipt = receipt_for("", message.status, 0, 0, message.error_code, "")
    return int(receipt.err or 0) & 0xFF
