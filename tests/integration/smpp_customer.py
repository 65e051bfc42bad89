"""SMPP customers for tests: a gateway whose account "acme" has SMPP credentials, and our own
Connection in the ESME role bound to its server.

A `Customer` records every deliver_sm it gets and answers each with the status `answers` gives
next (OK once they run out), so tests can refuse some and watch them come again.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from smsgate.config import SmppServerSettings
from smsgate.domain.message import Message
from smsgate.domain.status import Status
from smsgate.runtime import Gateway
from smsgate.smpp.connection import Connection, connect
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import (
    BindReceiver,
    BindTransceiver,
    BindTransmitter,
    DeliverSm,
    DeliverSmResp,
    Pdu,
    SubmitSm,
    SubmitSmResp,
)
from smsgate.smpp.session import Role, Timers
from smsgate.store import smpp as smpp_store
from smsgate.store.messages import MessageFilter

from .conftest import Running, settings_for, start_gateway

Bind = type[BindTransmitter] | type[BindReceiver] | type[BindTransceiver]


class Customer:
    def __init__(self, port: int, *, answers: tuple[int, ...] = (), window: int = 100):
        self.port = port
        self.delivered: list[DeliverSm] = []
        self.answers = deque(answers)
        self._arrived = asyncio.Event()
        self.connection = Connection(
            Role.ESME, self._on_request, window=window, timers=Timers(enquire_link=0)
        )

    def _on_request(self, connection: Connection, pdu: Pdu) -> None:
        assert isinstance(pdu, DeliverSm), pdu
        self.delivered.append(pdu)
        self._arrived.set()
        status = self.answers.popleft() if self.answers else CommandStatus.ESME_ROK
        connection.respond(DeliverSmResp(pdu.sequence_number, status))

    async def bind(
        self,
        system_id: str = "acme",
        password: str = "secret",
        mode: Bind = BindTransceiver,
        tls: ssl.SSLContext | None = None,
    ) -> Pdu:
        """Connect (over TLS with a context) and bind; returns the answer, whatever its
        status."""
        await connect("127.0.0.1", self.port, self.connection, tls=tls)
        return await self.connection.request(mode(system_id=system_id, password=password))

    async def submit(self, **fields: object) -> SubmitSmResp:
        defaults: dict[str, object] = {
            "source_addr": "Acme",
            "source_addr_ton": 5,
            "dest_addr_ton": 1,
            "dest_addr_npi": 1,
            "destination_addr": "48600100200",
            "short_message": b"Hello",
        }
        answer = await self.connection.request(SubmitSm(**{**defaults, **fields}))  # type: ignore[arg-type]
        assert isinstance(answer, SubmitSmResp)
        return answer

    async def wait_for(
        self, count: int, timeout: float = 10.0, where: Callable[[DeliverSm], bool] = bool
    ) -> list[DeliverSm]:
        """The first `count` deliver_sm matching `where`, waiting for them as long as needed."""
        async with asyncio.timeout(timeout):
            while True:
                found = [d for d in self.delivered if where(d)]
                if len(found) >= count:
                    return found[:count]
                self._arrived.clear()
                await self._arrived.wait()

    async def close(self) -> None:
        if not self.connection.is_closed:
            await self.connection.unbind(timeout=2.0)


@dataclass
class Smpp:
    running: Running
    port: int
    customers: list[Customer]

    @property
    def gateway(self) -> Gateway:
        return self.running.gateway

    async def customer(self, **kwargs: object) -> Customer:
        customer = Customer(self.port, **kwargs)  # type: ignore[arg-type]
        self.customers.append(customer)
        return customer

    async def bound(self, mode: Bind = BindTransmitter, **kwargs: object) -> Customer:
        customer = await self.customer(**kwargs)
        answer = await customer.bind(mode=mode)
        assert answer.command_status == CommandStatus.ESME_ROK
        return customer

    async def message(self, message_id: str | int) -> Message:
        account = await self.gateway.accounts.account("acme")
        return await self.gateway.queries.get(account, int(message_id))

    async def wait_status(self, message_id: str | int, statuses: set[Status]) -> Message:
        async with asyncio.timeout(10):
            while (message := await self.message(message_id)).status not in statuses:
                await asyncio.sleep(0.02)
        return message

    async def messages(self, count: int, timeout: float = 10.0) -> list[Message]:
        """The account's messages, oldest first, once there are `count` of them."""
        account = await self.gateway.accounts.account("acme")
        async with asyncio.timeout(timeout):
            while True:
                page, _ = await self.gateway.queries.find(account, MessageFilter(), 100)
                if len(page) >= count:
                    return page[::-1]
                await asyncio.sleep(0.02)

    async def pending(self) -> int:
        account = await self.gateway.accounts.account("acme")
        return await self.gateway.db.read(
            lambda conn: smpp_store.pending_deliveries(conn, account.id)
        )


async def start_smpp(
    database_url: str,
    tmp_path: Path,
    server: SmppServerSettings,
    **credentials: object,
) -> AsyncIterator[Smpp]:
    """A gateway whose account "acme" binds as system_id "acme", password "secret"
    (`credentials` change these or add to them)."""
    settings = settings_for(database_url, tmp_path)
    settings.smpp_server = server
    async for running in start_gateway(settings):
        await running.gateway.smpp_accounts.set_credentials(
            "acme",
            **{"system_id": "acme", "password": "secret", **credentials},  # type: ignore[arg-type]
        )
        smpp = Smpp(running, running.gateway.smpp_server.ports[0], [])
        try:
            yield smpp
        finally:
            for customer in smpp.customers:
                await customer.close()
