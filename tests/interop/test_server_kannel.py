"""Kannel bound to our SMPP server as a customer: what it submits arrives as the text its user
gave (GSM-7 escapes, UCS-2 with an emoji, a long message in UDH parts as one message), our
receipts reach its dlr-url as delivered, and inbound messages reach its service."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from smsgate.domain.inbound import InboundSms
from smsgate.domain.status import Status
from tests.interop.peers import kannel_esme
from tests.interop.server import smsgate_for_customers

pytestmark = pytest.mark.interop

TO = "48600111222"
DELIVERED = 1


async def test_gsm7_with_escapes_arrives_as_written_and_its_dlr_reaches_kannel(
    tmp_path: Path,
) -> None:
    async with (
        smsgate_for_customers(tmp_path, system_id="kannel", password="secret") as smpp,
        kannel_esme(tmp_path / "kannel", smpp.port) as kannel,
    ):
        sent = await kannel.send(TO, "Hi €[{ @£", coding=0)
        assert sent.status == 202, sent.body
        [message] = await smpp.messages(1)
        dlr = await kannel.wait_dlr(sent.ref, DELIVERED)
    assert (message.text, message.encoding.value) == ("Hi €[{ @£", "gsm7")
    assert (message.recipient, message.sender) == ("+48600111222", "12345")
    assert "stat:DELIVRD" in dlr["reply"]
    assert dlr["foreign_id"] == str(message.id)


async def test_ucs2_with_an_emoji_arrives_as_written_and_is_delivered(tmp_path: Path) -> None:
    async with (
        smsgate_for_customers(tmp_path, system_id="kannel", password="secret") as smpp,
        kannel_esme(tmp_path / "kannel", smpp.port) as kannel,
    ):
        sent = await kannel.send(TO, "Zażółć 😀", coding=2)
        assert sent.status == 202, sent.body
        [message] = await smpp.messages(1)
        dlr = await kannel.wait_dlr(sent.ref, DELIVERED)
    assert (message.text, message.encoding.value) == ("Zażółć 😀", "ucs2")
    assert "stat:DELIVRD" in dlr["reply"]


async def test_a_long_message_in_udh_parts_arrives_as_one_message_and_is_delivered(
    tmp_path: Path,
) -> None:
    text = "".join(f"{n:04d} " for n in range(80))  # 400 characters: 3 parts
    async with (
        smsgate_for_customers(tmp_path, system_id="kannel", password="secret") as smpp,
        kannel_esme(tmp_path / "kannel", smpp.port) as kannel,
    ):
        sent = await kannel.send(TO, text, coding=0)
        assert sent.status == 202, sent.body
        [message] = await smpp.messages(1)
        await smpp.wait_status(message.id, {Status.DELIVERED})
        # Kannel asks for a receipt on the first part only; that one reports the message.
        dlr = await kannel.wait_dlr(sent.ref, DELIVERED)
    assert (message.text, message.parts) == (text, 3)
    assert "stat:DELIVRD" in dlr["reply"]


async def test_an_inbound_message_reaches_kannels_service(tmp_path: Path) -> None:
    async with (
        smsgate_for_customers(tmp_path, system_id="kannel", password="secret") as smpp,
        kannel_esme(tmp_path / "kannel", smpp.port) as kannel,
    ):
        await smpp.gateway.senders.assign_number("acme", "+48500000001")
        await smpp.gateway.inbound.receive(
            InboundSms(
                "simulator", "+48600111222", "+48500000001", "Reply €", int(time.time() * 1000)
            )
        )
        [mo] = await kannel.wait_mo(1)
    assert (mo["from"], mo["to"]) == ("+48600111222", "+48500000001")
    assert mo["text"] == "Reply €"
