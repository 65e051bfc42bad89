"""The SMPP server customers bind to: listeners, binds, and which bind a deliver_sm goes to.

A thin shell. Each accepted socket gets a `Connection` (smpp/connection.py) in the SMSC role;
the session answers what needs no decision. A bind is checked by the application, then counted
against the customer's limit; every other request of a bound customer goes to the application,
which answers through `Connection.respond` when it is ready (submit_sm_resp after commit). The
registry of binds tells the application which connections can take a deliver_sm for an account.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from smsgate.smpp.connection import Connection
from smsgate.smpp.constants import CommandId, CommandStatus
from smsgate.smpp.pdu import (
    BindReceiver,
    BindReceiverResp,
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    BindTransmitterResp,
    Pdu,
)
from smsgate.smpp.session import Role, State, Timers
from smsgate.smpp.tlv import Tlvs

log = structlog.get_logger(__name__)

SYSTEM_ID = "smsgate"
INTERFACE_VERSION = 0x34

_Bind = BindTransmitter | BindReceiver | BindTransceiver
_BIND_RESP: dict[int, type[BindTransmitterResp | BindReceiverResp | BindTransceiverResp]] = {
    CommandId.BIND_TRANSMITTER: BindTransmitterResp,
    CommandId.BIND_RECEIVER: BindReceiverResp,
    CommandId.BIND_TRANSCEIVER: BindTransceiverResp,
}
_RECEIVING = frozenset({State.BOUND_RX, State.BOUND_TRX})


class BindRefused(Exception):
    """A bind the application will not accept; `close` hangs up after the answer."""

    def __init__(self, status: CommandStatus, reason: str, *, close: bool = False):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.close = close


class Customer(Protocol):
    @property
    def account_id(self) -> int: ...

    @property
    def max_binds(self) -> int: ...


class Application(Protocol):
    async def authenticate(self, bind: _Bind, address: str) -> Customer:
        """The customer the bind's credentials name; raises BindRefused."""
        ...

    def handle(self, customer: Customer, connection: Connection, pdu: Pdu) -> None:
        """A request of a bound customer, to answer with `connection.respond`."""
        ...

    def receivers_changed(self, account_id: int) -> None:
        """A bind that can take deliver_sm came or went for the account."""
        ...


@dataclass(frozen=True, slots=True)
class Listener:
    host: str
    port: int
    tls: ssl.SSLContext | None = None


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    """A server context for SMPP over TLS: TLS 1.2 or newer, no client certificates."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


@dataclass(slots=True)
class _Bound:
    customer: Customer
    connection: Connection


@dataclass(slots=True)
class _Account:
    binds: list[_Bound] = field(default_factory=list)
    turn: int = 0  # round robin over the receivers


class SmppServer:
    def __init__(
        self,
        app: Application,
        listeners: list[Listener],
        *,
        window: int = 10,
        timers: Timers | None = None,
    ):
        self._app = app
        self._listeners = listeners
        self._window = window
        self._timers = timers or Timers()
        self._servers: list[asyncio.Server] = []
        self._connections: set[Connection] = set()
        self._customers: dict[Connection, Customer] = {}
        self._accounts: dict[int, _Account] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def ports(self) -> list[int]:
        """The ports listened on (the real ones when port 0 was asked), plain first."""
        return [s.sockets[0].getsockname()[1] for s in self._servers if s.sockets]

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for listener in self._listeners:
            server = await loop.create_server(
                self._connection, listener.host, listener.port, ssl=listener.tls
            )
            self._servers.append(server)
            log.info(
                "SMPP server listening",
                host=listener.host,
                port=server.sockets[0].getsockname()[1],
                tls=listener.tls is not None,
            )

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop listening, unbind every customer (answers owed go out first), close."""
        for server in self._servers:
            server.close()
        connections = list(self._connections)
        await asyncio.gather(*(c.unbind(timeout) for c in connections), return_exceptions=True)
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout)
        for task in list(self._tasks):
            task.cancel()
        self._servers.clear()

    # The registry.

    def receivers(self, account_id: int) -> Iterator[Connection]:
        """The account's binds that take deliver_sm, starting with the next in turn."""
        account = self._accounts.get(account_id)
        if account is None:
            return iter(())
        able = [b.connection for b in account.binds if b.connection.state in _RECEIVING]
        if not able:
            return iter(())
        account.turn = (account.turn + 1) % len(able)
        return iter(able[account.turn :] + able[: account.turn])

    def receiving(self) -> dict[int, int]:
        """How many binds take deliver_sm, by account (accounts with none left out)."""
        counts = {
            account_id: sum(b.connection.state in _RECEIVING for b in account.binds)
            for account_id, account in self._accounts.items()
        }
        return {account_id: n for account_id, n in counts.items() if n}

    def bind_count(self, account_id: int) -> int:
        account = self._accounts.get(account_id)
        return len(account.binds) if account else 0

    # Connections.

    def _connection(self) -> Connection:
        connection = Connection(
            Role.SMSC,
            self._on_request,
            window=self._window,
            timers=self._timers,
            on_closed=self._on_closed,
        )
        self._connections.add(connection)
        return connection

    def _on_request(self, connection: Connection, pdu: Pdu) -> None:
        customer = self._customers.get(connection)
        if customer is not None:
            self._app.handle(customer, connection, pdu)
        elif isinstance(pdu, _Bind):
            self._spawn(self._bind(connection, pdu))
        else:  # the session lets only binds through before a bind
            raise AssertionError(f"{type(pdu).__name__} before a bind")

    async def _bind(self, connection: Connection, pdu: _Bind) -> None:
        answer = _BIND_RESP[pdu.command_id]
        address = connection.peer[0] if connection.peer else "?"
        try:
            customer = await self._app.authenticate(pdu, address)
            if self.bind_count(customer.account_id) >= customer.max_binds:
                raise BindRefused(
                    CommandStatus.ESME_RBINDFAIL, f"at most {customer.max_binds} binds"
                )
        except BindRefused as refused:
            log.info("SMPP bind refused", system_id=pdu.system_id, address=address, why=refused)
            connection.respond(answer(pdu.sequence_number, refused.status))
            if refused.close:
                connection.close("bind refused")
            return
        except Exception:  # the store is down, say: the customer may try again
            log.exception("SMPP bind failed", system_id=pdu.system_id, address=address)
            connection.respond(answer(pdu.sequence_number, CommandStatus.ESME_RSYSERR))
            return
        if connection.state is not State.OPEN:
            return  # closed while the credentials were checked
        tlvs = (
            Tlvs(sc_interface_version=INTERFACE_VERSION)
            if pdu.interface_version >= INTERFACE_VERSION
            else Tlvs()
        )
        self._customers[connection] = customer
        self._accounts.setdefault(customer.account_id, _Account()).binds.append(
            _Bound(customer, connection)
        )
        connection.respond(answer(pdu.sequence_number, system_id=SYSTEM_ID, tlvs=tlvs))
        log.info(
            "SMPP customer bound",
            system_id=pdu.system_id,
            account=customer.account_id,
            mode=connection.state.value,
            address=address,
        )
        if connection.state in _RECEIVING:
            self._app.receivers_changed(customer.account_id)

    def _on_closed(self, connection: Connection, reason: str) -> None:
        self._connections.discard(connection)
        customer = self._customers.pop(connection, None)
        if customer is None:
            return
        account = self._accounts.get(customer.account_id)
        if account is not None:
            account.binds = [b for b in account.binds if b.connection is not connection]
            if not account.binds:
                del self._accounts[customer.account_id]
        log.info("SMPP customer unbound", account=customer.account_id, reason=reason)
        self._app.receivers_changed(customer.account_id)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
