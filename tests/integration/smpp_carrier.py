"""A carrier's SMSC for the connector's tests, on our own smpp/connection.py: fast and fully
scriptable (answer statuses, delays, receipts, drops). The interop tests use real peers."""

from __future__ import annotations

import asyncio
import itertools
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from smsgate.smpp.connection import Connection
from smsgate.smpp.constants import RESPONSE_BIT, CommandStatus
from smsgate.smpp.pdu import (
    PDU_TYPES,
    BindReceiver,
    BindTransceiver,
    BindTransmitter,
    DeliverSm,
    Pdu,
    SubmitSm,
    SubmitSmResp,
)
from smsgate.smpp.session import Role, State, Timers
from smsgate.smpp.tlv import Tlvs

_BINDS = (BindTransceiver, BindTransmitter, BindReceiver)


@dataclass
class Submit:
    connection: Connection
    pdu: SubmitSm
    message_id: str | None  # None when refused
    in_flight: int  # submits of this connection unanswered when this one arrived


@dataclass
class Carrier:
    """Accepts binds of `system_id`/`password`; answers each submit_sm after `delay` s with
    the status `status(n)` gives the n-th submit (1-based), ids counting from 3,000,000,000
    written in `id_format` ("hex" or "decimal")."""

    system_id: str = "smsgate"
    password: str = "secret"
    delay: float = 0.0
    id_format: str = "hex"
    status: Callable[[int], int] = lambda n: CommandStatus.ESME_ROK
    hold: bool = False  # leave submits unanswered (a full window in the air)
    port: int = 0
    connections: list[Connection] = field(default_factory=list)
    binds: list[BindTransceiver | BindTransmitter | BindReceiver] = field(default_factory=list)
    submits: list[Submit] = field(default_factory=list)
    _unanswered: dict[int, int] = field(default_factory=dict)  # id(connection) -> count
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(3_000_000_000))
    _server: asyncio.Server | None = None

    async def start(self, tls: ssl.SSLContext | None = None) -> Carrier:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, "127.0.0.1", 0, ssl=tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _protocol(self) -> Connection:
        connection = Connection(
            Role.SMSC, self._handle, window=100, timers=Timers(enquire_link=0, response_timeout=5)
        )
        self.connections.append(connection)
        return connection

    def _handle(self, connection: Connection, pdu: Pdu) -> None:
        if isinstance(pdu, _BINDS):
            self.binds.append(pdu)
            status = CommandStatus.ESME_ROK
            if pdu.system_id != self.system_id:
                status = CommandStatus.ESME_RINVSYSID
            elif pdu.password != self.password:
                status = CommandStatus.ESME_RINVPASWD
            connection.respond(_answer(pdu, status, system_id="carrier"))
        elif isinstance(pdu, SubmitSm):
            self._submit(connection, pdu)
        else:
            connection.respond(_answer(pdu, CommandStatus.ESME_ROK))

    def _submit(self, connection: Connection, pdu: SubmitSm) -> None:
        key = id(connection)
        self._unanswered[key] = self._unanswered.get(key, 0) + 1
        status = self.status(len(self.submits) + 1)
        message_id = None
        if status == CommandStatus.ESME_ROK:
            number = next(self._numbers)
            message_id = f"{number:x}" if self.id_format == "hex" else str(number)
        self.submits.append(Submit(connection, pdu, message_id, self._unanswered[key]))
        if self.hold:
            return

        def answer() -> None:
            self._unanswered[key] -= 1
            connection.respond(SubmitSmResp(pdu.sequence_number, status, message_id or ""))

        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, answer)
        else:
            answer()

    # What tests do with it

    def bound(self, *modes: State) -> list[Connection]:
        return [c for c in self.connections if c.state in (modes or _BOUND)]

    async def deliver(self, pdu: DeliverSm, connection: Connection | None = None) -> Pdu:
        """Send a deliver_sm on a receiving bind; returns the connector's answer."""
        if connection is None:
            connection = self.bound(State.BOUND_RX, State.BOUND_TRX)[0]
        return await connection.request(pdu)

    def receipt(self, message_id: str, stat: str = "DELIVRD", **tlvs: object) -> DeliverSm:
        text = f"id:{message_id} sub:001 dlvrd:001 submit date:2611220650 done date:2611220651 "
        return DeliverSm(
            esm_class=0x04,
            short_message=f"{text}stat:{stat} err:000 text:hello".encode(),
            tlvs=Tlvs(**tlvs),  # type: ignore[arg-type]
        )

    def drop(self) -> None:
        for connection in self.connections:
            connection.close("dropped by the carrier")


_BOUND = (State.BOUND_TX, State.BOUND_RX, State.BOUND_TRX)


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `condition()` holds; fail after `timeout` s."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


def _answer(pdu: Pdu, status: int, **fields: object) -> Pdu:
    response = PDU_TYPES[pdu.command_id | RESPONSE_BIT]
    return response(pdu.sequence_number, status, **fields)
