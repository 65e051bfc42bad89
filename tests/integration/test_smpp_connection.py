"""The asyncio shell of an SMPP session over real loopback sockets, our own code on both ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from smsgate.smpp.connection import (
    Connection,
    ConnectionClosed,
    ResponseTimeout,
    SmppError,
    connect,
)
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import (
    BindTransceiver,
    BindTransceiverResp,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    Pdu,
    SubmitSm,
    SubmitSmResp,
)
from smsgate.smpp.session import Role, State, Timers


@dataclass
class Smsc:
    """A scriptable peer: accepts binds with password `pw`, answers submits via `answer`."""

    answer: Callable[[Connection, Pdu], None] | None = None
    connections: list[Connection] = field(default_factory=list)
    requests: list[Pdu] = field(default_factory=list)
    port: int = 0
    timers: Timers | None = None

    def handle(self, conn: Connection, pdu: Pdu) -> None:
        self.requests.append(pdu)
        if isinstance(pdu, BindTransceiver):
            status = (
                CommandStatus.ESME_ROK if pdu.password == "pw" else CommandStatus.ESME_RINVPASWD
            )
            conn.respond(BindTransceiverResp(pdu.sequence_number, status, system_id="smsc"))
        elif self.answer is not None:
            self.answer(conn, pdu)

    def protocol(self) -> Connection:
        conn = Connection(Role.SMSC, self.handle, timers=self.timers)
        self.connections.append(conn)
        return conn


@pytest.fixture
async def smsc() -> AsyncIterator[Smsc]:
    peer = Smsc()
    server = await asyncio.get_running_loop().create_server(peer.protocol, "127.0.0.1", 0)
    peer.port = server.sockets[0].getsockname()[1]
    yield peer
    server.close()
    for conn in peer.connections:
        conn.close()
    await server.wait_closed()


def ignore(conn: Connection, pdu: Pdu) -> None:
    pass


async def bound_client(
    smsc: Smsc,
    *,
    window: int = 10,
    timers: Timers | None = None,
    on_request: Callable[[Connection, Pdu], None] = ignore,
) -> Connection:
    conn = Connection(Role.ESME, on_request, window=window, timers=timers)
    await connect("127.0.0.1", smsc.port, conn)
    await conn.bind(BindTransceiver(system_id="us", password="pw"))
    return conn


def echo_id(conn: Connection, pdu: Pdu) -> None:
    conn.respond(SubmitSmResp(pdu.sequence_number, message_id=f"id{pdu.sequence_number}"))


async def test_a_bind_with_the_right_password_is_bound_on_both_ends(smsc: Smsc) -> None:
    conn = await bound_client(smsc)
    assert conn.state is State.BOUND_TRX
    assert smsc.connections[0].state is State.BOUND_TRX
    await conn.unbind()


async def test_a_refused_bind_raises_with_the_peers_status(smsc: Smsc) -> None:
    conn = Connection(Role.ESME, ignore)
    await connect("127.0.0.1", smsc.port, conn)
    with pytest.raises(SmppError) as refused:
        await conn.bind(BindTransceiver(system_id="us", password="wrong"))
    assert refused.value.status == CommandStatus.ESME_RINVPASWD
    conn.close()


async def test_each_request_gets_its_own_answer(smsc: Smsc) -> None:
    smsc.answer = echo_id
    conn = await bound_client(smsc)
    answers = await asyncio.gather(
        *(conn.request(SubmitSm(destination_addr=str(n))) for n in range(50))
    )
    assert all(isinstance(a, SubmitSmResp) for a in answers)
    assert len({a.message_id for a in answers}) == 50
    await conn.unbind()


async def test_no_more_requests_than_the_window_are_in_flight(smsc: Smsc) -> None:
    held: list[Pdu] = []
    smsc.answer = lambda conn, pdu: held.append(pdu)
    conn = await bound_client(smsc, window=4)
    requests = [
        asyncio.ensure_future(conn.request(SubmitSm(destination_addr=str(n)))) for n in range(10)
    ]
    await asyncio.sleep(0.2)
    assert len(held) == 4 and conn.in_flight == 4
    peer = smsc.connections[0]
    for pdu in held[:2]:
        peer.respond(SubmitSmResp(pdu.sequence_number, message_id="x"))
    await asyncio.sleep(0.2)
    assert len(held) == 6
    for request in requests:
        request.cancel()
    conn.close()


async def test_answers_sent_out_of_order_reach_the_right_request(smsc: Smsc) -> None:
    held: list[Pdu] = []
    smsc.answer = lambda conn, pdu: held.append(pdu)
    conn = await bound_client(smsc)
    first = asyncio.ensure_future(conn.request(SubmitSm(destination_addr="1")))
    second = asyncio.ensure_future(conn.request(SubmitSm(destination_addr="2")))
    while len(held) < 2:
        await asyncio.sleep(0.01)
    peer = smsc.connections[0]
    for pdu in reversed(held):
        peer.respond(SubmitSmResp(pdu.sequence_number, message_id=pdu.destination_addr))
    assert (await first).message_id == "1"
    assert (await second).message_id == "2"
    await conn.unbind()


async def test_a_request_the_peer_never_answers_times_out(smsc: Smsc) -> None:
    smsc.answer = lambda conn, pdu: None
    conn = await bound_client(smsc, timers=Timers(response_timeout=0.6, enquire_link=0))
    with pytest.raises(ResponseTimeout):
        await asyncio.wait_for(conn.request(SubmitSm(destination_addr="1")), 5)
    assert conn.in_flight == 0
    conn.close()


async def test_requests_in_flight_fail_when_the_connection_drops(smsc: Smsc) -> None:
    smsc.answer = lambda conn, pdu: None
    conn = await bound_client(smsc)
    pending = asyncio.ensure_future(conn.request(SubmitSm(destination_addr="1")))
    await asyncio.sleep(0.1)
    smsc.connections[0].close()
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(pending, 5)
    await asyncio.wait_for(conn.wait_closed(), 5)


async def test_the_peers_requests_reach_the_handler_and_its_answers_go_back(smsc: Smsc) -> None:
    delivered: list[Pdu] = []

    def on_request(conn: Connection, pdu: Pdu) -> None:
        delivered.append(pdu)
        conn.respond(DeliverSmResp(pdu.sequence_number))

    conn = await bound_client(smsc, on_request=on_request)
    answer = await smsc.connections[0].request(DeliverSm(source_addr="48500", short_message=b"hi"))
    assert isinstance(answer, DeliverSmResp) and answer.command_status == CommandStatus.ESME_ROK
    assert [p.short_message for p in delivered] == [b"hi"]
    await conn.unbind()


async def test_a_handler_that_raises_answers_system_error_and_the_session_survives(
    smsc: Smsc,
) -> None:
    def on_request(conn: Connection, pdu: Pdu) -> None:
        raise RuntimeError("bug")

    conn = await bound_client(smsc, on_request=on_request)
    answer = await smsc.connections[0].request(DeliverSm(short_message=b"hi"))
    assert answer.command_status == CommandStatus.ESME_RSYSERR
    assert isinstance(await conn.request(EnquireLink()), EnquireLinkResp)
    await conn.unbind()


async def test_unbind_waits_for_requests_in_flight_then_closes_both_ends(smsc: Smsc) -> None:
    held: list[Pdu] = []
    smsc.answer = lambda conn, pdu: held.append(pdu)
    conn = await bound_client(smsc)
    pending = asyncio.ensure_future(conn.request(SubmitSm(destination_addr="1")))
    while not held:
        await asyncio.sleep(0.01)
    unbinding = asyncio.ensure_future(conn.unbind(timeout=5))
    await asyncio.sleep(0.1)
    assert not unbinding.done()
    smsc.connections[0].respond(SubmitSmResp(held[0].sequence_number, message_id="m"))
    assert (await pending).message_id == "m"
    await asyncio.wait_for(unbinding, 5)
    assert conn.is_closed
    await asyncio.wait_for(smsc.connections[0].wait_closed(), 5)


async def test_a_quiet_link_is_kept_alive_by_enquire_link(smsc: Smsc) -> None:
    smsc.timers = Timers(enquire_link=0, inactivity=1.2)  # the peer hangs up on silence
    conn = await bound_client(smsc, timers=Timers(enquire_link=0.5, response_timeout=2))
    await asyncio.sleep(2.5)
    assert conn.state is State.BOUND_TRX
    await conn.unbind()


async def test_a_silent_client_is_disconnected_by_the_inactivity_timeout(smsc: Smsc) -> None:
    smsc.timers = Timers(enquire_link=0, inactivity=0.6)
    conn = await bound_client(smsc, timers=Timers(enquire_link=0))
    await asyncio.wait_for(conn.wait_closed(), 5)


async def test_garbage_bytes_get_generic_nack_and_a_clean_close(smsc: Smsc) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", smsc.port)
    writer.write(b"\x00\x00\x00\x05garbage that is not SMPP at all")
    answer = await asyncio.wait_for(reader.read(), 5)
    assert answer[4:8] == b"\x80\x00\x00\x00"  # generic_nack, then EOF
    writer.close()
