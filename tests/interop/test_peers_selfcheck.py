"""The interop harness proven without smsgate: each real peer talks to another real peer.

These guard the CI install (.ci/run) and the wrappers the interop tests of our client
connector and server are written with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.peers import kannel_esme, node_esme, node_smsc, perl_smsc

pytestmark = pytest.mark.interop

ESME_RTHROTTLED = 0x58
ESME_RINVPASWD = 0x0E
MSISDN = "48600111222"


# node-smpp customer <-> node-smpp carrier


async def test_node_esme_sends_gsm_text_with_data_coding_1_unless_told() -> None:
    async with node_smsc() as smsc, node_esme(smsc.port) as esme:
        [resp] = await esme.submit(MSISDN, "Hello €[{")
        [submit] = await smsc.wait_submits(1)
    assert resp["command_status"] == 0
    assert submit["message_id"] == resp["message_id"]
    assert submit["data_coding"] == 1
    assert submit["short_message"] == "48656c6c6f201b651b3c1b28"


async def test_node_smsc_receipt_carries_tlvs_and_the_id_in_the_other_base() -> None:
    async with (
        node_smsc(id_format="hex", receipt_id_format="dec") as smsc,
        node_esme(smsc.port) as esme,
    ):
        [resp] = await esme.submit(MSISDN, "Hello", registered_delivery=1)
        [receipt] = await esme.wait_delivered(1)
    assert receipt["esm_class"] == 0x04
    assert receipt["tlvs"]["receipted_message_id"] == resp["message_id"]
    assert receipt["tlvs"]["message_state"] == 2
    assert receipt["receipt"]["id"] == str(int(resp["message_id"], 16))
    assert receipt["receipt"]["stat"] == "DELIVRD"
    assert receipt["receipt"]["err"] == "000"
    assert receipt["source_addr"] == MSISDN


async def test_node_smsc_sends_no_receipt_unless_asked() -> None:
    async with node_smsc() as smsc, node_esme(smsc.port) as esme:
        await esme.submit(MSISDN, "no receipt", registered_delivery=0)
        await esme.submit(MSISDN, "receipt", registered_delivery=1)
        [receipt] = await esme.wait_delivered(1)
    assert receipt["receipt"]["text"] == "receipt"
    assert len(esme.delivered()) == 1


async def test_node_smsc_mo_reaches_the_esme_as_a_plain_deliver_sm() -> None:
    async with node_smsc() as smsc, node_esme(smsc.port) as esme:
        await smsc.mo(MSISDN, "12345", "Zażółć 😀", data_coding=8)
        [mo] = await esme.wait_delivered(1)
        [resp] = await smsc.wait_many("deliver_sm_resp", 1, kind="mo")
    assert mo["esm_class"] == 0
    assert mo["data_coding"] == 8
    assert mo["text"] == "Zażółć 😀"
    assert mo["short_message"] == "Zażółć 😀".encode("utf-16-be").hex()
    assert resp["command_status"] == 0


async def test_node_smsc_keeps_receipts_until_a_receiver_binds() -> None:
    async with node_smsc() as smsc:
        async with node_esme(smsc.port, mode="transmitter") as sender:
            [resp] = await sender.submit(MSISDN, "later")
        async with node_esme(smsc.port, mode="receiver") as receiver:
            [receipt] = await receiver.wait_delivered(1)
    assert receipt["tlvs"]["receipted_message_id"] == resp["message_id"]


@pytest.mark.parametrize(
    ("long", "parts"), [("udh", 2), ("sar", 2), ("payload", 1)], ids=["udh", "sar", "payload"]
)
async def test_node_esme_sends_a_long_text_as_asked(long: str, parts: int) -> None:
    text = "x" * 150 + " ünïcode"  # Latin-1, so 140 octets a part
    async with node_smsc() as smsc, node_esme(smsc.port) as esme:
        responses = await esme.submit(MSISDN, text, long=long)
        submits = await smsc.wait_submits(parts)
    assert [r["command_status"] for r in responses] == [0] * parts
    assert all(s["data_coding"] == 3 for s in submits)
    if long == "udh":
        assert [s["esm_class"] & 0x40 for s in submits] == [0x40, 0x40]
        assert [s["short_message"][:12] for s in submits] == ["050003010201", "050003010202"]
    if long == "sar":
        assert [s["tlvs"]["sar_segment_seqnum"] for s in submits] == [1, 2]
        assert {s["tlvs"]["sar_total_segments"] for s in submits} == {2}
    if long == "payload":
        assert submits[0]["short_message"] == ""
        assert submits[0]["text"] == text
    else:
        assert "".join(s["text"] for s in submits) == text


async def test_node_smsc_throttles_the_first_submits_when_told() -> None:
    async with node_smsc(throttle_first=2) as smsc, node_esme(smsc.port) as esme:
        statuses = [(await esme.submit(MSISDN, f"m{i}"))[0]["command_status"] for i in range(3)]
    assert statuses == [ESME_RTHROTTLED, ESME_RTHROTTLED, 0]


async def test_node_smsc_refuses_a_wrong_password() -> None:
    async with (
        node_smsc(password="right") as smsc,
        node_esme(smsc.port, password="wrong", require_bound=False) as esme,
    ):
        assert esme.bind_status == ESME_RINVPASWD


async def test_node_smsc_drop_cuts_the_connection() -> None:
    async with node_smsc() as smsc, node_esme(smsc.port) as esme:
        assert await smsc.drop() == 1
        await esme.wait_for("close")


# Kannel as a customer -> node-smpp carrier


async def test_kannel_sends_gsm7_escapes_and_gets_its_dlr(tmp_path: Path) -> None:
    async with (
        node_smsc(system_id="kannel") as smsc,
        kannel_esme(tmp_path, smsc.port, system_id="kannel") as kannel,
    ):
        sent = await kannel.send(MSISDN, "Hi €[{", coding=0)
        dlr = await kannel.wait_dlr(sent.ref, dlr_type=1)
        [submit] = smsc.submits()
    assert sent.status == 202
    assert submit["data_coding"] == 0
    assert submit["short_message"] == "4869201b651b3c1b28"
    assert submit["esm_class"] & 0x03 == 0x03  # Kannel marks every submit store-and-forward
    assert dlr["foreign_id"] == submit["message_id"]
    assert "stat:DELIVRD" in dlr["reply"]


async def test_kannel_sends_ucs2_with_a_surrogate_pair(tmp_path: Path) -> None:
    text = "Zażółć 😀"
    async with (
        node_smsc(system_id="kannel") as smsc,
        kannel_esme(tmp_path, smsc.port, system_id="kannel") as kannel,
    ):
        sent = await kannel.send(MSISDN, text, coding=2)
        await kannel.wait_dlr(sent.ref, dlr_type=1)
        [submit] = smsc.submits()
    assert submit["data_coding"] == 8
    assert submit["short_message"] == text.encode("utf-16-be").hex()


async def test_kannel_splits_a_long_text_into_udh_parts_and_reports_once(tmp_path: Path) -> None:
    text = "L" * 170 + " end €"
    async with (
        node_smsc(system_id="kannel") as smsc,
        kannel_esme(tmp_path, smsc.port, system_id="kannel") as kannel,
    ):
        sent = await kannel.send(MSISDN, text, coding=0)
        dlr = await kannel.wait_dlr(sent.ref, dlr_type=1)
        first, last = await smsc.wait_submits(2)
    assert [first["esm_class"], last["esm_class"]] == [0x43, 0x43]
    assert [first["short_message"][:12], last["short_message"][:12]] == [
        first["short_message"][:8] + "0201",
        first["short_message"][:8] + "0202",
    ]
    assert first["text"] + last["text"] == text
    # Kannel asks a receipt for the first part only; its DLR is that part's.
    assert first["registered_delivery"] != 0
    assert last["registered_delivery"] == 0
    assert dlr["foreign_id"] == first["message_id"]


async def test_kannel_passes_an_mo_to_its_service(tmp_path: Path) -> None:
    async with (
        node_smsc(system_id="kannel") as smsc,
        kannel_esme(tmp_path, smsc.port, system_id="kannel") as kannel,
    ):
        await smsc.mo(MSISDN, "12345", "MO 😀", data_coding=8)
        [mo] = await kannel.wait_mo(1)
    assert mo["coding"] == "2"
    assert mo["text"] == "MO 😀"
    assert mo["to"] == "12345"


# node-smpp customer -> Net::SMPP carrier


async def test_net_smpp_smsc_answers_and_sends_a_receipt() -> None:
    async with perl_smsc(id_format="dec") as smsc, node_esme(smsc.port) as esme:
        [resp] = await esme.submit(MSISDN, "Hello Perl")
        [receipt] = await esme.wait_delivered(1)
        [submit] = await smsc.wait_submits(1)
    assert resp["command_status"] == 0
    assert submit["short_message"] == b"Hello Perl".hex()
    assert receipt["esm_class"] == 0x04
    assert receipt["tlvs"]["receipted_message_id"] == resp["message_id"]
    assert receipt["receipt"]["id"] == resp["message_id"]


async def test_net_smpp_smsc_refuses_a_wrong_password() -> None:
    async with (
        perl_smsc(password="right") as smsc,
        node_esme(smsc.port, password="wrong", require_bound=False) as esme,
    ):
        assert esme.bind_status == ESME_RINVPASWD
