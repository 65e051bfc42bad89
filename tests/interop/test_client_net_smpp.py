"""Our client connector against Net::SMPP as a second carrier, through a running gateway:
text and coding as they arrive, receipts (decimal or hex ids) making messages delivered."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.client import FINAL, connector_for, gateway, send
from tests.interop.peers import perl_smsc

pytestmark = pytest.mark.interop


async def test_gsm7_text_with_escapes_arrives_and_is_delivered(tmp_path: Path) -> None:
    async with perl_smsc() as smsc, gateway(tmp_path, connector_for(smsc)) as gw:
        message_id = await send(gw, "Hi €[{", sender="+48500000001")
        [submit] = await smsc.wait_submits(1)
        body = await gw.wait_for_status(message_id, FINAL)
    assert (submit["data_coding"], submit["short_message"]) == (0, "4869201b651b3c1b28")
    assert (submit["source_addr_ton"], submit["source_addr"]) == (1, "48500000001")
    assert submit["registered_delivery"] == 1
    assert body["status"] == "delivered"
    assert body["part_details"][0]["upstream_id"] == submit["message_id"]


async def test_ucs2_text_with_an_emoji_arrives_as_utf16(tmp_path: Path) -> None:
    async with perl_smsc() as smsc, gateway(tmp_path, connector_for(smsc)) as gw:
        message_id = await send(gw, "Cześć 😀")
        [submit] = await smsc.wait_submits(1)
        body = await gw.wait_for_status(message_id, FINAL)
    assert (submit["data_coding"], submit["short_message"]) == (
        8,
        "Cześć 😀".encode("utf-16-be").hex(),
    )
    assert body["status"] == "delivered"


async def test_a_long_message_goes_as_udh_parts_and_is_delivered(tmp_path: Path) -> None:
    async with perl_smsc() as smsc, gateway(tmp_path, connector_for(smsc)) as gw:
        message_id = await send(gw, "y" * 300)
        parts = await smsc.wait_submits(2)
        body = await gw.wait_for_status(message_id, FINAL)
    assert [p["esm_class"] for p in parts] == [0x40, 0x40]
    assert [bytes.fromhex(p["short_message"])[4:6] for p in parts] == [b"\x02\x01", b"\x02\x02"]
    assert body["status"] == "delivered"


async def test_a_long_message_goes_as_sar_parts_and_is_delivered(tmp_path: Path) -> None:
    async with (
        perl_smsc() as smsc,
        gateway(tmp_path, connector_for(smsc, long_messages="sar")) as gw,
    ):
        message_id = await send(gw, "y" * 300)
        parts = await smsc.wait_submits(2)
        body = await gw.wait_for_status(message_id, FINAL)
    # sar_total_segments (0x020e) and sar_segment_seqnum (0x020f), as Net::SMPP logged them
    assert [(p["tlvs"]["0x020e"], p["tlvs"]["0x020f"]) for p in parts] == [
        ("02", "01"),
        ("02", "02"),
    ]
    assert body["status"] == "delivered"


async def test_hex_message_ids_match_their_hex_receipts(tmp_path: Path) -> None:
    async with (
        perl_smsc(id_format="hex") as smsc,
        gateway(tmp_path, connector_for(smsc, submit_id_base="hex")) as gw,
    ):
        message_id = await send(gw, "hello")
        [submit] = await smsc.wait_submits(1)
        body = await gw.wait_for_status(message_id, FINAL)
    assert body["status"] == "delivered"
    assert body["part_details"][0]["upstream_id"] == str(int(submit["message_id"], 16))
