"""An SMPP customer for tests: our own Connection in the ESME role, bound to smsgate's server.

It records every deliver_sm it gets and answers each with the status `answers` gives next
(OK once they run out), so tests can refuse some and watch them come again.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

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
        self, system_id: str = "acme", password: str = "secret", mode: Bind = BindTransceiver
    ) -> Pdu:
        """Connect and bind; returns the answer, whatever its status."""
        await connect("127.0.0.1", self.port, self.connection)
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
