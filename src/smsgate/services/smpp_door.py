"""The SMPP door: what the server (smpp/server.py) asks of the application, answered by the
use cases. Binds are authenticated against the accounts' SMPP credentials with a lockout of
addresses that keep failing; each request of a bound customer goes to its use case and its
answer back as the response PDU."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import structlog

from smsgate.domain.errors import DomainError
from smsgate.services.smpp_accounts import Customer, Lockout, SmppAccounts
from smsgate.services.smpp_queries import SmppQueries
from smsgate.services.smpp_statuses import status_of
from smsgate.services.smpp_submits import Answer, Refused, SmppSubmits
from smsgate.smpp import server
from smsgate.smpp.connection import Connection
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import (
    BindReceiver,
    BindTransceiver,
    BindTransmitter,
    CancelSm,
    DataSm,
    DataSmResp,
    Pdu,
    QuerySm,
    ReplaceSm,
    SubmitMulti,
    SubmitMultiResp,
    SubmitSm,
    SubmitSmResp,
)
from smsgate.smpp.server import BindRefused
from smsgate.smpp.session import response_to

log = structlog.get_logger(__name__)


class SmppDoor:
    def __init__(
        self,
        accounts: SmppAccounts,
        submits: SmppSubmits,
        queries: SmppQueries,
        lockout: Lockout,
        on_receivers: Callable[[int], None],
    ):
        self._accounts = accounts
        self._submits = submits
        self._queries = queries
        self._lockout = lockout
        self._on_receivers = on_receivers
        self._tasks: set[asyncio.Task[None]] = set()

    async def authenticate(
        self, bind: BindTransmitter | BindReceiver | BindTransceiver, address: str
    ) -> Customer:
        if self._lockout.locked(address):
            raise BindRefused(
                CommandStatus.ESME_RBINDFAIL, "too many failed binds from here", close=True
            )
        try:
            customer = await self._accounts.authenticate(bind.system_id, bind.password)
        except BindRefused as refused:
            if refused.status == CommandStatus.ESME_RINVPASWD:
                self._lockout.failed(address)
                refused.close = self._lockout.locked(address)
            raise
        self._lockout.succeeded(address)
        return customer

    def receivers_changed(self, account_id: int) -> None:
        self._on_receivers(account_id)

    def handle(self, bound: server.Customer, connection: Connection, pdu: Pdu) -> None:
        customer = bound
        assert isinstance(customer, Customer), "the server gives back what authenticate gave"
        sequence = pdu.sequence_number
        if isinstance(pdu, SubmitSm):
            self._submits.submit(
                customer,
                pdu,
                lambda a: connection.respond(SubmitSmResp(sequence, a.status, a.message_id)),
            )
        elif isinstance(pdu, DataSm):
            self._submits.submit(
                customer,
                pdu,
                lambda a: connection.respond(DataSmResp(sequence, a.status, a.message_id)),
            )
        elif isinstance(pdu, SubmitMulti):
            self._submits.submit(customer, pdu, lambda a: connection.respond(_multi(sequence, a)))
        elif isinstance(pdu, QuerySm):
            self._answer(connection, pdu, self._queries.query(customer, pdu))
        elif isinstance(pdu, CancelSm):
            self._answer(connection, pdu, self._queries.cancel(customer, pdu))
        elif isinstance(pdu, ReplaceSm):
            self._answer(connection, pdu, self._queries.replace(customer, pdu))
        else:
            connection.respond(response_to(pdu.command_id, sequence, CommandStatus.ESME_RINVCMDID))

    def _answer(self, connection: Connection, pdu: Pdu, answer: Awaitable[Pdu | None]) -> None:
        """Answer `pdu` with what `answer` gives, its bodiless OK response for None."""

        async def run() -> None:
            try:
                response = await answer or response_to(
                    pdu.command_id, pdu.sequence_number, CommandStatus.ESME_ROK
                )
            except Refused as refused:
                response = response_to(pdu.command_id, pdu.sequence_number, refused.status)
            except DomainError as error:
                response = response_to(pdu.command_id, pdu.sequence_number, status_of(error))
            except Exception:
                log.exception("SMPP request failed", command=type(pdu).__name__)
                response = response_to(
                    pdu.command_id, pdu.sequence_number, CommandStatus.ESME_RSYSERR
                )
            connection.respond(response)

        self._spawn(run())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _multi(sequence: int, answer: Answer) -> SubmitMultiResp:
    return SubmitMultiResp(
        sequence, answer.status, message_id=answer.message_id, unsuccess_smes=answer.unsuccess
    )
