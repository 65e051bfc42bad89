"""Bad input to our SMPP server: garbage bytes, half PDUs, bodies that do not parse, commands
that do not exist or come before a bind. Each session survives or closes cleanly, and the server
goes on serving the customers who behave."""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from smsgate.smpp.constants import CommandId, CommandStatus
from smsgate.smpp.framing import Framer
from smsgate.smpp.pdu import (
    BindTransceiver,
    EnquireLink,
    GenericNack,
    Pdu,
    SubmitSm,
    encode_pdu,
)
from tests.integration.smpp_customer import Smpp
from tests.interop.peers import node_esme
from tests.interop.server import smsgate_for_customers

pytestmark = pytest.mark.interop


class Raw:
    """A socket that writes bytes as they are and reads what the server answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.framer = Framer()
        self.received: list[Pdu] = []

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def next_pdu(self, timeout: float = 5.0) -> Pdu:
        async with asyncio.timeout(timeout):
            while not self.received:
                data = await self.reader.read(4096)
                assert data, "the server closed the connection"
                self.received += [p for p in self.framer.feed(data) if isinstance(p, Pdu)]
        return self.received.pop(0)

    async def closed_by_server(self, timeout: float = 5.0) -> bool:
        async with asyncio.timeout(timeout):
            while data := await self.reader.read(4096):
                self.received += [p for p in self.framer.feed(data) if isinstance(p, Pdu)]
        return True

    async def bind(self) -> None:
        await self.send(encode_pdu(BindTransceiver(1, system_id="acme", password="secret")))
        answer = await self.next_pdu()
        assert answer.command_status == CommandStatus.ESME_ROK


@contextlib.asynccontextmanager
async def raw(smpp: Smpp) -> AsyncIterator[Raw]:
    reader, writer = await asyncio.open_connection("127.0.0.1", smpp.port)
    try:
        yield Raw(reader, writer)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def submit(sequence: int) -> bytes:
    return encode_pdu(
        SubmitSm(
            sequence,
            source_addr="Acme",
            source_addr_ton=5,
            dest_addr_ton=1,
            destination_addr="48600111222",
            short_message=b"Still here",
        )
    )


async def others_are_served(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.submit()
    assert answer.command_status == CommandStatus.ESME_ROK


async def test_garbage_bytes_get_a_generic_nack_and_a_clean_close(tmp_path: Path) -> None:
    async with smsgate_for_customers(tmp_path) as smpp, raw(smpp) as garbage:
        await garbage.send(b"GARBAGE! not SMPP at all \x00\xff" * 4)
        nack = await garbage.next_pdu()
        assert isinstance(nack, GenericNack)
        assert nack.command_status == CommandStatus.ESME_RINVCMDLEN
        assert await garbage.closed_by_server()
        await others_are_served(smpp)


async def test_garbage_after_a_bind_ends_only_that_session(tmp_path: Path) -> None:
    async with smsgate_for_customers(tmp_path) as smpp:
        bystander = await smpp.bound()
        async with raw(smpp) as garbage:
            await garbage.bind()
            await garbage.send(struct.pack(">I", 3) + b"\xde\xad\xbe\xef" * 8)
            assert isinstance(await garbage.next_pdu(), GenericNack)
            assert await garbage.closed_by_server()
        assert (await bystander.submit()).command_status == CommandStatus.ESME_ROK


async def test_half_a_pdu_waits_for_its_rest_and_is_then_answered(tmp_path: Path) -> None:
    async with smsgate_for_customers(tmp_path) as smpp, raw(smpp) as slow:
        await slow.bind()
        whole = submit(2)
        await slow.send(whole[:11])
        await asyncio.sleep(0.2)
        await others_are_served(smpp)
        await slow.send(whole[11:])
        answer = await slow.next_pdu()
        assert answer.command_id == CommandId.SUBMIT_SM_RESP
        assert answer.command_status == CommandStatus.ESME_ROK


async def test_a_customer_gone_in_the_middle_of_a_pdu_leaves_the_server_serving(
    tmp_path: Path,
) -> None:
    async with smsgate_for_customers(tmp_path) as smpp:
        async with raw(smpp) as gone:
            await gone.bind()
            await gone.send(submit(2)[:20])
        await others_are_served(smpp)


async def test_a_body_that_does_not_parse_is_refused_and_the_session_goes_on(
    tmp_path: Path,
) -> None:
    async with smsgate_for_customers(tmp_path) as smpp, raw(smpp) as customer:
        await customer.bind()
        whole = bytearray(submit(2))
        sm_length_at = len(whole) - len(b"Still here") - 1
        whole[sm_length_at] = 200  # sm_length beyond the end of the PDU
        await customer.send(bytes(whole))
        refused = await customer.next_pdu()
        assert refused.command_id == CommandId.SUBMIT_SM_RESP
        assert refused.command_status == CommandStatus.ESME_RINVMSGLEN
        await customer.send(encode_pdu(EnquireLink(3)))
        assert (await customer.next_pdu()).command_id == CommandId.ENQUIRE_LINK_RESP
        await customer.send(submit(4))
        assert (await customer.next_pdu()).command_status == CommandStatus.ESME_ROK


async def test_an_unknown_command_gets_a_generic_nack_and_the_session_goes_on(
    tmp_path: Path,
) -> None:
    async with smsgate_for_customers(tmp_path) as smpp, raw(smpp) as customer:
        await customer.bind()
        await customer.send(struct.pack(">IIII", 16, 0x00000099, 0, 7))
        nack = await customer.next_pdu()
        assert isinstance(nack, GenericNack)
        assert (nack.sequence_number, nack.command_status) == (7, CommandStatus.ESME_RINVCMDID)
        await customer.send(submit(8))
        assert (await customer.next_pdu()).command_status == CommandStatus.ESME_ROK


async def test_a_submit_before_a_bind_is_refused(tmp_path: Path) -> None:
    async with smsgate_for_customers(tmp_path) as smpp, raw(smpp) as early:
        await early.send(submit(1))
        answer = await early.next_pdu()
        assert answer.command_id == CommandId.SUBMIT_SM_RESP
        assert answer.command_status == CommandStatus.ESME_RINVBNDSTS
        await early.bind()


async def test_node_smpp_writing_garbage_is_cut_off_and_others_are_served(tmp_path: Path) -> None:
    async with (
        smsgate_for_customers(tmp_path) as smpp,
        node_esme(smpp.port, system_id="acme") as esme,
    ):
        await esme.raw("ffffffff" + "00" * 12)  # a command_length of 4 GiB
        await esme.wait_for("close", timeout=5)
        await others_are_served(smpp)
