"""Our client connector against node-smpp as the carrier, through a running gateway: what
arrives at the SMSC (GSM-7 escapes, UCS-2 emoji, long messages), receipts in either id base
making messages delivered, MO becoming inbound messages, throttling, and a cut with a full
window in the air."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from smsgate.dispatch import dispatcher as dispatcher_module
from tests.interop.client import (
    FINAL,
    OUR_NUMBER,
    connector_for,
    gateway,
    send,
    send_many,
)
from tests.interop.peers import node_smsc

pytestmark = pytest.mark.interop


async def test_gsm7_text_with_escapes_goes_out_in_data_coding_0_and_is_delivered(
    tmp_path: Path,
) -> None:
    async with node_smsc() as smsc, gateway(tmp_path, connector_for(smsc)) as gw:
        message_id = await send(gw, "Hi €[{ @£", sender="Acme")
        [submit] = await smsc.wait_submits(1)
        body = await gw.wait_for_status(message_id, FINAL)
    assert submit["data_coding"] == 0
    assert submit["short_message"] == "4869201b651b3c1b28200001"
    assert submit["text"] == "Hi €[{ @£"
    assert (submit["source_addr_ton"], submit["source_addr"]) == (5, "Acme")
    assert (submit["dest_addr_ton"], submit["destination_addr"]) == (1, "48600111222")
    assert body["status"] == "delivered"


async def test_ucs2_text_with_an_emoji_goes_out_in_data_coding_8(tmp_path: Path) -> None:
    async with node_smsc() as smsc, gateway(tmp_path, connector_for(smsc)) as gw:
        message_id = await send(gw, "Zażółć 😀")
        [submit] = await smsc.wait_submits(1)
        body = await gw.wait_for_status(message_id, FINAL)
    assert submit["data_coding"] == 8
    assert submit["short_message"] == "Zażółć 😀".encode("utf-16-be").hex()
    assert submit["text"] == "Zażółć 😀"
    assert body["status"] == "delivered"


async def test_a_long_message_goes_out_as_udh_parts_and_is_delivered_with_every_part(
    tmp_path: Path,
) -> None:
    text = "".join(f"{n:04d} " for n in range(80))  # 400 characters, 3 parts
    async with node_smsc() as smsc, gateway(tmp_path, connector_for(smsc)) as gw:
        message_id = await send(gw, text)
        parts = await smsc.wait_submits(3)
        body = await gw.wait_for_status(message_id, FINAL)
    assert [p["esm_class"] for p in parts] == [0x40] * 3
    udhs = [bytes.fromhex(p["short_message"])[:6] for p in parts]
    assert [u[:3] + u[4:] for u in udhs] == [bytes((5, 0, 3, 3, n)) for n in (1, 2, 3)]
    assert len({u[3] for u in udhs}) == 1  # one reference for the three
    assert "".join(p["text"] for p in parts) == text
    assert body["status"] == "delivered"
    assert len(body["part_details"]) == 3


@pytest.mark.parametrize("receipt_tlvs", [True, False], ids=["with-tlvs", "text-only"])
async def test_receipts_with_decimal_ids_match_submits_answered_in_hex(
    tmp_path: Path, receipt_tlvs: bool
) -> None:
    options = {"submit_id_base": "hex", "receipt_text_id_base": "decimal"}
    async with (
        node_smsc(id_format="hex", receipt_id_format="dec", receipt_tlvs=receipt_tlvs) as smsc,
        gateway(tmp_path, connector_for(smsc, **options)) as gw,
    ):
        message_id = await send(gw, "hello")
        [submit] = await smsc.wait_submits(1)
        body = await gw.wait_for_status(message_id, FINAL)
        [sent] = await smsc.wait_many("deliver_sm_sent", 1, kind="receipt")
    assert sent["short_message"] != ""
    assert body["status"] == "delivered"
    assert body["part_details"][0]["upstream_id"] == str(int(submit["message_id"], 16))


async def test_a_failed_receipt_makes_the_message_undelivered_with_the_error_kept(
    tmp_path: Path,
) -> None:
    async with (
        node_smsc(receipts="never") as smsc,
        gateway(tmp_path, connector_for(smsc, submit_id_base="hex")) as gw,
    ):
        message_id = await send(gw, "hello")
        [submit] = await smsc.wait_submits(1)
        await gw.wait_for_status(message_id, {"sent"})
        await smsc.receipt(submit["message_id"], stat="UNDELIV", err="001")
        body = await gw.wait_for_status(message_id, FINAL)
    assert body["status"] == "undelivered"
    assert body["error"]["code"] == "invalid_number"
    assert "GSM-001" in body["error"]["raw"]


async def test_receipts_reach_the_receiver_of_a_transmitter_receiver_pair(tmp_path: Path) -> None:
    async with (
        node_smsc() as smsc,
        gateway(tmp_path, connector_for(smsc, bind_mode="pair")) as gw,
    ):
        message_id = await send(gw, "hello")
        body = await gw.wait_for_status(message_id, FINAL)
        binds = smsc.seen("bind")
    assert sorted(b["command"] for b in binds) == ["bind_receiver", "bind_transmitter"]
    assert body["status"] == "delivered"


async def test_an_mo_becomes_an_inbound_message_answering_our_message(tmp_path: Path) -> None:
    async with node_smsc() as smsc, gateway(tmp_path, connector_for(smsc)) as gw:
        message_id = await send(gw, "Will you come?", sender=OUR_NUMBER)
        await gw.wait_for_status(message_id, FINAL)
        await smsc.mo("48600111222", OUR_NUMBER.removeprefix("+"), "Tak, będę 😀", data_coding=8)
        [resp] = await smsc.wait_many("deliver_sm_resp", 1, kind="mo")
        inbound = (await gw.client.get("/v1/inbound")).json()["data"]
    assert resp["command_status"] == 0
    [reply] = inbound
    assert (reply["from"], reply["text"], reply["reply_to"]) == (
        "+48600111222",
        "Tak, będę 😀",
        message_id,
    )


async def test_a_throttling_carrier_slows_the_connector_and_every_message_gets_through(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "RETRY_BASE_MS", 50)
    async with node_smsc(throttle_first=3) as smsc:
        connector = connector_for(smsc, window=5, throttle_initial_s=0.2, throttle_max_s=1)
        async with gateway(tmp_path, connector) as gw:
            ids = await send_many(gw, 20)
            bodies = [await gw.wait_for_status(i, FINAL, timeout=20) for i in ids]
    assert {b["status"] for b in bodies} == {"delivered"}
    assert connector.smpp.throttles >= 1
    refused = smsc.submits(command_status=0x58)
    assert len(refused) == 3
    # No flood after the pause: the SMSC saw few submits beyond the twenty and the three.
    assert len(smsc.submits()) <= 20 + 3 + 5


async def test_a_cut_with_a_full_window_in_the_air_loses_nothing_and_repeats_at_most_the_window(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "RETRY_BASE_MS", 50)
    window = 10
    async with node_smsc(delay_ms=5000) as smsc:
        connector = connector_for(smsc, window=window)
        async with gateway(tmp_path, connector) as gw:
            ids = await send_many(gw, 50)
            await smsc.wait_submits(window)
            await asyncio.sleep(0.1)
            assert len(smsc.submits()) == window  # the window is full; nothing more goes
            await smsc.configure(delay_ms=0)
            assert await smsc.drop() == 1
            bodies = [await gw.wait_for_status(i, FINAL, timeout=20) for i in ids]
    assert {b["status"] for b in bodies} == {"delivered"}
    destinations = [s["destination_addr"] for s in smsc.submits()]
    assert len(set(destinations)) == 50
    assert len(destinations) - 50 <= window
