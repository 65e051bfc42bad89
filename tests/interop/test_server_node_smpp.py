"""node-smpp bound to our SMPP server as a customer: its GSM text in data_coding 1 read as the
account's setting says, long messages in each of its three ways, receipts, a refused receipt
coming again, inbound messages, and binds refused for wrong credentials."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from smsgate.domain.inbound import InboundSms
from smsgate.smpp.constants import CommandStatus
from tests.interop.peers import node_esme
from tests.interop.server import smsgate_for_customers

pytestmark = pytest.mark.interop

TO = "48600111222"
LONG = "".join(f"{n:04d} " for n in range(80))  # 400 characters


async def test_gsm_text_in_data_coding_1_is_read_as_gsm_when_the_account_says_so(
    tmp_path: Path,
) -> None:
    async with (
        smsgate_for_customers(tmp_path, dc1="gsm7") as smpp,
        node_esme(smpp.port, system_id="acme") as esme,
    ):
        [resp] = await esme.submit(TO, "Hi €[{ @£ §")  # node-smpp's choice: data_coding 1
        [message] = await smpp.messages(1)
    assert resp["command_status"] == 0
    assert resp["message_id"] == str(message.id)
    assert (message.text, message.encoding.value) == ("Hi €[{ @£ §", "gsm7")


@pytest.mark.parametrize("long", ["udh", "sar", "payload"])
async def test_a_long_message_arrives_as_one_message_however_it_is_sent(
    tmp_path: Path, long: str
) -> None:
    async with (
        smsgate_for_customers(tmp_path) as smpp,
        node_esme(smpp.port, system_id="acme") as esme,
    ):
        responses = await esme.submit(TO, LONG, data_coding=0, long=long)
        [message] = await smpp.messages(1)
    assert all(r["command_status"] == 0 for r in responses)
    assert len({r["message_id"] for r in responses}) == len(responses)
    assert (message.text, message.parts) == (LONG, 3)


async def test_a_receipt_reaches_the_customer_with_its_tlvs(tmp_path: Path) -> None:
    async with (
        smsgate_for_customers(tmp_path) as smpp,
        node_esme(smpp.port, system_id="acme") as esme,
    ):
        [resp] = await esme.submit(TO, "Receipt please", data_coding=0, registered_delivery=1)
        [receipt] = await esme.wait_delivered(1, timeout=10)
    assert receipt["esm_class"] == 0x04
    assert receipt["receipt"]["id"] == resp["message_id"]
    assert receipt["receipt"]["stat"] == "DELIVRD"
    assert receipt["receipt"]["text"] == "Receipt please"
    assert receipt["tlvs"]["receipted_message_id"] == resp["message_id"]
    assert receipt["tlvs"]["message_state"] == 2


async def test_a_receipt_the_customer_refuses_comes_again(tmp_path: Path) -> None:
    async with (
        smsgate_for_customers(tmp_path) as smpp,
        node_esme(smpp.port, system_id="acme") as esme,
    ):
        await esme.deliver_status(CommandStatus.ESME_RX_T_APPN)
        [resp] = await esme.submit(TO, "Try again", data_coding=0, registered_delivery=1)
        await esme.wait_delivered(1, timeout=10)
        await esme.deliver_status(0)
        receipts = await esme.wait_delivered(2, timeout=10)
        async with asyncio.timeout(5):
            while await smpp.pending():  # taken this time: no longer owed
                await asyncio.sleep(0.02)
    assert {r["receipt"]["id"] for r in receipts} == {resp["message_id"]}


async def test_an_inbound_message_reaches_the_customer(tmp_path: Path) -> None:
    async with (
        smsgate_for_customers(tmp_path) as smpp,
        node_esme(smpp.port, system_id="acme") as esme,
    ):
        await smpp.gateway.senders.assign_number("acme", "+48500000001")
        await smpp.gateway.inbound.receive(
            InboundSms("simulator", "+48600111222", "+48500000001", "Zażółć 😀", _now())
        )
        [mo] = await esme.wait_delivered(1, timeout=10)
    assert mo["esm_class"] == 0
    assert (mo["source_addr"], mo["destination_addr"]) == ("48600111222", "48500000001")
    assert mo["data_coding"] == 8
    assert mo["text"] == "Zażółć 😀"


async def test_a_wrong_password_is_refused(tmp_path: Path) -> None:
    async with (
        smsgate_for_customers(tmp_path) as smpp,
        node_esme(smpp.port, system_id="acme", password="wrong", require_bound=False) as esme,
    ):
        assert esme.bind_status == CommandStatus.ESME_RINVPASWD


def _now() -> int:
    return int(time.time() * 1000)
