"""The SMPP server as customers see it: our own Connection binds to a real gateway, on each
engine, and submits, queries and receives receipts and inbound messages."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from smsgate.config import SmppServerSettings
from smsgate.domain.inbound import InboundSms
from smsgate.domain.limits import LimitOverrides
from smsgate.domain.status import Status
from smsgate.smpp.coding import split_udh
from smsgate.smpp.constants import CommandStatus, MessageState
from smsgate.smpp.pdu import (
    BindReceiver,
    BindTransceiverResp,
    BindTransmitter,
    CancelSm,
    DataSm,
    DataSmResp,
    DeliverSm,
    QuerySm,
    QuerySmResp,
    ReplaceSm,
    SmeAddress,
    SubmitMulti,
    SubmitMultiResp,
    UnsuccessSme,
)
from smsgate.smpp.receipts import parse_receipt
from smsgate.smpp.tlv import Tlvs
from smsgate.store.database import Tx

from .smpp_customer import Customer, Smpp, start_smpp

FAST = SmppServerSettings(
    bind_failures=3,
    bind_failure_window_s=60.0,
    bind_lock_s=60.0,
    retry_base_s=0.1,
    retry_cap_s=0.2,
    concat_timeout_s=1.0,
)


@pytest.fixture
async def smpp(database_url: str, tmp_path: Path) -> AsyncIterator[Smpp]:
    async for started in start_smpp(database_url, tmp_path, FAST, max_binds=2):
        yield started


# Binding


async def test_a_bind_with_the_right_credentials_is_accepted(smpp: Smpp) -> None:
    customer = await smpp.customer()
    answer = await customer.bind()
    assert isinstance(answer, BindTransceiverResp)
    assert answer.command_status == CommandStatus.ESME_ROK
    assert answer.system_id == "smsgate"
    assert answer.tlvs.sc_interface_version == 0x34


async def test_a_wrong_password_is_refused(smpp: Smpp) -> None:
    customer = await smpp.customer()
    answer = await customer.bind(password="wrong")
    assert answer.command_status == CommandStatus.ESME_RINVPASWD


async def test_an_unknown_system_id_is_answered_like_a_wrong_password(smpp: Smpp) -> None:
    customer = await smpp.customer()
    answer = await customer.bind(system_id="nobody")
    assert answer.command_status == CommandStatus.ESME_RINVPASWD


async def test_repeated_failures_lock_the_address_out_even_with_the_right_password(
    smpp: Smpp,
) -> None:
    for _ in range(FAST.bind_failures):
        customer = await smpp.customer()
        await customer.bind(password="wrong")
    locked = await smpp.customer()
    answer = await locked.bind()
    assert answer.command_status == CommandStatus.ESME_RBINDFAIL
    async with asyncio.timeout(5):
        await locked.connection.wait_closed()


async def test_binds_beyond_the_accounts_limit_are_refused(smpp: Smpp) -> None:
    await smpp.bound()
    await smpp.bound()
    third = await smpp.customer()
    answer = await third.bind()
    assert answer.command_status == CommandStatus.ESME_RBINDFAIL


async def test_a_bind_freed_by_an_unbind_can_be_taken_again(smpp: Smpp) -> None:
    first = await smpp.bound()
    await smpp.bound()
    await first.close()
    again = await smpp.customer()
    assert (await again.bind()).command_status == CommandStatus.ESME_ROK


async def test_disabled_credentials_refuse_binds(smpp: Smpp) -> None:
    await smpp.gateway.smpp_accounts.set_credentials(
        "acme", system_id="acme", password="secret", enabled=False
    )
    customer = await smpp.customer()
    assert (await customer.bind()).command_status == CommandStatus.ESME_RBINDFAIL


async def test_a_sub_account_of_a_disabled_account_cannot_bind(smpp: Smpp) -> None:
    accounts = smpp.gateway.accounts
    await accounts.create_account("shop", parent="acme")
    await smpp.gateway.smpp_accounts.set_credentials("shop", system_id="shop", password="secret")
    await accounts.set_active(await accounts.account("acme"), False)
    customer = await smpp.customer()
    answer = await customer.bind(system_id="shop")
    assert answer.command_status == CommandStatus.ESME_RBINDFAIL


async def test_customers_can_bind_over_tls(
    database_url: str, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    server = FAST.model_copy(update={"tls_port": 0, "tls_cert": cert, "tls_key": key})
    async for smpp in start_smpp(database_url, tmp_path, server):
        plain_port, tls_port = smpp.gateway.smpp_server.ports
        customer = Customer(tls_port)
        smpp.customers.append(customer)
        trust = ssl.create_default_context(cafile=str(cert))
        assert (await customer.bind(tls=trust)).command_status == CommandStatus.ESME_ROK
        assert (await customer.submit()).command_status == CommandStatus.ESME_ROK
        assert plain_port != tls_port


# Submitting


async def test_a_submit_is_stored_with_its_text_encoding_and_validity(smpp: Smpp) -> None:
    customer = await smpp.bound()
    before = int(time.time() * 1000)
    # "€[{" in unpacked GSM 03.38: each an escape and a septet.
    answer = await customer.submit(
        short_message=b"Price \x1be5 \x1b<\x1b(", validity_period="000000020000000R"
    )
    assert answer.command_status == CommandStatus.ESME_ROK
    message = await smpp.message(answer.message_id)
    assert message.text == "Price €5 [{"
    assert message.encoding.value == "gsm7"
    assert message.recipient == "+48600100200"
    assert message.sender == "Acme"
    assert message.expires_at is not None
    assert abs(message.expires_at - (before + 2 * 3600 * 1000)) < 5000


async def test_ucs2_text_keeps_characters_outside_the_bmp(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.submit(data_coding=8, short_message="Hi 😀".encode("utf-16-be"))
    message = await smpp.message(answer.message_id)
    assert message.text == "Hi 😀"
    assert message.encoding.value == "ucs2"


async def test_latin1_text_in_data_coding_3_is_stored_as_written(smpp: Smpp) -> None:
    # "@" and "$" are other characters in GSM 03.38 (0x40 "¡", 0x24 "¤"); "½" and "ã" are not
    # in it at all, so the message goes out in UCS-2.
    text = "Größe ½ @ $5, São Paulo"
    customer = await smpp.bound()
    answer = await customer.submit(data_coding=3, short_message=text.encode("latin-1"))
    assert answer.command_status == CommandStatus.ESME_ROK
    message = await smpp.message(answer.message_id)
    assert message.text == text
    assert message.encoding.value == "ucs2"


async def test_a_scheduled_submit_waits_for_its_time(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.submit(schedule_delivery_time="000000010000000R")
    message = await smpp.message(answer.message_id)
    assert message.status is Status.SCHEDULED
    assert message.send_at is not None and message.send_at > time.time() * 1000 + 3500_000


async def test_the_answer_comes_only_once_the_message_is_committed(smpp: Smpp) -> None:
    customer = await smpp.bound()
    held = asyncio.Event()
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def hold_the_store(tx: Tx) -> None:
        loop.call_soon_threadsafe(held.set)
        while not release.is_set():
            await asyncio.sleep(0.01)

    holding = asyncio.ensure_future(smpp.gateway.db.write(hold_the_store))
    await held.wait()
    submit = asyncio.ensure_future(customer.submit())
    await asyncio.sleep(0.3)
    assert not submit.done(), "answered while the store could not have committed"
    release.set()
    await holding
    answer = await submit
    # Read at once: a committed message is there the moment its id is known.
    assert (await smpp.message(answer.message_id)).recipient == "+48600100200"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"destination_addr": "12"}, CommandStatus.ESME_RINVDSTADR),
        ({"source_addr": "Far too long a name"}, CommandStatus.ESME_RINVSRCADR),
        ({"validity_period": "2601010000000000"}, CommandStatus.ESME_RINVEXPIRY),
        ({"schedule_delivery_time": "nonsense"}, CommandStatus.ESME_RINVSCHED),
        ({"short_message": b""}, CommandStatus.ESME_RINVMSGLEN),
        ({"data_coding": 4, "short_message": b"\x00\x01"}, CommandStatus.ESME_RSUBMITFAIL),
    ],
)
async def test_a_refused_submit_gets_the_status_of_its_reason(
    smpp: Smpp, fields: dict[str, object], status: int
) -> None:
    customer = await smpp.bound()
    assert (await customer.submit(**fields)).command_status == status


async def test_a_sender_awaiting_verification_is_refused_as_an_invalid_source(smpp: Smpp) -> None:
    account = await smpp.gateway.accounts.account("acme")
    await smpp.gateway.senders.register(account, "Pending")
    customer = await smpp.bound()
    answer = await customer.submit(source_addr="Pending", source_addr_ton=5)
    assert answer.command_status == CommandStatus.ESME_RINVSRCADR


async def test_a_recipient_over_the_subscriber_cap_is_throttled(smpp: Smpp) -> None:
    await smpp.gateway.limits.set_overrides("acme", LimitOverrides(subscriber_max=1))
    customer = await smpp.bound()
    assert (await customer.submit()).command_status == CommandStatus.ESME_ROK
    assert (await customer.submit()).command_status == CommandStatus.ESME_RTHROTTLED


async def test_a_recipient_who_opted_out_is_refused_with_smsgates_own_status(smpp: Smpp) -> None:
    account = await smpp.gateway.accounts.account("acme")
    await smpp.gateway.opt_outs.add(account, "+48600100200")
    customer = await smpp.bound()
    assert (await customer.submit()).command_status == 0x401


async def test_submits_on_several_binds_each_get_their_own_id(smpp: Smpp) -> None:
    first, second = await smpp.bound(), await smpp.bound()
    answers = await asyncio.gather(
        *(c.submit(destination_addr=f"4860010{n:04d}") for n in range(50) for c in (first, second))
    )
    ids = {a.message_id for a in answers}
    assert len(ids) == 100
    assert all(a.command_status == CommandStatus.ESME_ROK for a in answers)


async def test_data_sm_takes_its_text_from_message_payload(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.connection.request(
        DataSm(
            source_addr="Acme",
            source_addr_ton=5,
            dest_addr_ton=1,
            destination_addr="48600100200",
            tlvs=Tlvs(message_payload=b"A data sm"),
        )
    )
    assert isinstance(answer, DataSmResp) and answer.command_status == CommandStatus.ESME_ROK
    assert (await smpp.message(answer.message_id)).text == "A data sm"


async def test_submit_multi_reports_each_refused_recipient(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.connection.request(
        SubmitMulti(
            source_addr="Acme",
            source_addr_ton=5,
            dest_addresses=(
                SmeAddress("48600100200", 1, 1),
                SmeAddress("12", 1, 1),
                SmeAddress("48600100201", 1, 1),
            ),
            short_message=b"To all",
        )
    )
    assert isinstance(answer, SubmitMultiResp)
    assert answer.command_status == CommandStatus.ESME_ROK
    assert answer.unsuccess_smes == (UnsuccessSme("12", CommandStatus.ESME_RINVDSTADR, 1, 1),)
    query = await customer.connection.request(QuerySm(message_id=answer.message_id))
    assert query.command_status == CommandStatus.ESME_ROK


# Long messages sent in parts


def udh(ref: int, total: int, seq: int) -> bytes:
    return bytes((5, 0, 3, ref, total, seq))


async def test_parts_sent_with_a_udh_become_one_message(smpp: Smpp) -> None:
    customer = await smpp.bound()
    texts = ["A" * 153, "B" * 153, "C" * 10]
    answers = [
        await customer.submit(esm_class=0x43, short_message=udh(7, 3, n) + text.encode())
        for n, text in enumerate(texts, start=1)
    ]
    assert all(a.command_status == CommandStatus.ESME_ROK for a in answers)
    assert len({a.message_id for a in answers}) == 3
    assert [(m.text, m.parts) for m in await smpp.messages(1)] == [("".join(texts), 3)]


async def test_parts_with_sar_tlvs_in_any_order_become_one_message(smpp: Smpp) -> None:
    customer = await smpp.bound()
    for seq, text in ((2, b"world"), (1, b"Hello ")):
        answer = await customer.submit(
            short_message=text,
            tlvs=Tlvs(sar_msg_ref_num=300, sar_total_segments=2, sar_segment_seqnum=seq),
        )
        assert answer.command_status == CommandStatus.ESME_ROK
    assert [m.text for m in await smpp.messages(1)] == ["Hello world"]


async def test_a_held_part_is_en_route_and_its_siblings_timeout_sends_what_came(
    smpp: Smpp,
) -> None:
    customer = await smpp.bound()
    answer = await customer.submit(esm_class=0x40, short_message=udh(9, 2, 1) + b"Only half")
    query = await customer.connection.request(QuerySm(message_id=answer.message_id))
    assert isinstance(query, QuerySmResp)
    assert query.message_state == MessageState.ENROUTE
    await asyncio.sleep(FAST.concat_timeout_s + 0.1)
    await smpp.gateway.smpp_submits.sweep(int(time.time() * 1000))  # or the periodic sweep
    assert [m.text for m in await smpp.messages(1)] == ["Only half"]


async def test_each_part_gets_its_own_receipt(smpp: Smpp) -> None:
    transceiver = await smpp.customer()
    await transceiver.bind()
    answers = [
        await transceiver.submit(
            esm_class=0x40, registered_delivery=1, short_message=udh(11, 2, n) + b"x" * 10
        )
        for n in (1, 2)
    ]
    receipts = await transceiver.wait_for(2, where=lambda d: d.esm_class == 0x04)
    assert {r.tlvs.receipted_message_id for r in receipts} == {a.message_id for a in answers}


# Query, cancel, replace


async def test_query_sm_gives_the_final_state_and_date(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.submit()
    await smpp.wait_status(answer.message_id, {Status.DELIVERED})
    query = await customer.connection.request(QuerySm(message_id=answer.message_id))
    assert isinstance(query, QuerySmResp)
    assert query.message_state == MessageState.DELIVERED
    assert len(query.final_date) == 16 and query.final_date.endswith("+")


async def test_query_sm_of_an_unknown_id_is_refused(smpp: Smpp) -> None:
    customer = await smpp.bound()
    for message_id in ("123", "not-a-number"):
        query = await customer.connection.request(QuerySm(message_id=message_id))
        assert query.command_status == CommandStatus.ESME_RINVMSGID


async def test_cancel_sm_cancels_a_scheduled_message(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.submit(schedule_delivery_time="000001000000000R")
    cancel = await customer.connection.request(CancelSm(message_id=answer.message_id))
    assert cancel.command_status == CommandStatus.ESME_ROK
    assert (await smpp.message(answer.message_id)).status is Status.CANCELED
    again = await customer.connection.request(CancelSm(message_id=answer.message_id))
    assert again.command_status == CommandStatus.ESME_RCANCELFAIL


async def test_cancel_sm_without_an_id_cancels_every_waiting_message_to_the_destination(
    smpp: Smpp,
) -> None:
    customer = await smpp.bound()
    scheduled = [await customer.submit(schedule_delivery_time="000001000000000R") for _ in range(2)]
    cancel = await customer.connection.request(
        CancelSm(
            source_addr="Acme", source_addr_ton=5, destination_addr="48600100200", dest_addr_ton=1
        )
    )
    assert cancel.command_status == CommandStatus.ESME_ROK
    for answer in scheduled:
        assert (await smpp.message(answer.message_id)).status is Status.CANCELED


async def test_replace_sm_gives_a_waiting_message_a_new_text(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.submit(schedule_delivery_time="000001000000000R")
    replace = await customer.connection.request(
        ReplaceSm(message_id=answer.message_id, short_message=b"Changed my mind")
    )
    assert replace.command_status == CommandStatus.ESME_ROK
    assert (await smpp.message(answer.message_id)).text == "Changed my mind"


async def test_replace_sm_of_a_message_already_sent_is_refused(smpp: Smpp) -> None:
    customer = await smpp.bound()
    answer = await customer.submit()
    await smpp.wait_status(answer.message_id, {Status.DELIVERED})
    replace = await customer.connection.request(
        ReplaceSm(message_id=answer.message_id, short_message=b"Too late")
    )
    assert replace.command_status == CommandStatus.ESME_RREPLACEFAIL


# Receipts and inbound messages


def is_receipt(pdu: DeliverSm) -> bool:
    return pdu.esm_class == 0x04


async def test_a_receipt_goes_to_the_transceiver_that_asked(smpp: Smpp) -> None:
    customer = await smpp.customer()
    await customer.bind()
    answer = await customer.submit(registered_delivery=1, short_message=b"Receipt please")
    [receipt] = await customer.wait_for(1, where=is_receipt)
    parsed = parse_receipt(receipt.short_message)
    assert parsed is not None and parsed.id == answer.message_id
    assert parsed.stat == "DELIVRD" and parsed.text == "Receipt please"
    assert receipt.tlvs.receipted_message_id == answer.message_id
    assert receipt.tlvs.message_state == MessageState.DELIVERED
    # The receipt comes from the recipient and goes to the sender, as the customer wrote them.
    assert (receipt.source_addr, receipt.source_addr_ton) == ("48600100200", 1)
    assert (receipt.destination_addr, receipt.dest_addr_ton) == ("Acme", 5)


async def test_no_receipt_goes_out_when_none_was_asked_for(smpp: Smpp) -> None:
    customer = await smpp.customer()
    await customer.bind()
    answer = await customer.submit()
    await smpp.wait_status(answer.message_id, {Status.DELIVERED})
    await asyncio.sleep(0.3)
    assert customer.delivered == []
    assert await smpp.pending() == 0


async def test_receipts_wait_in_the_store_until_a_receiver_binds(smpp: Smpp) -> None:
    sender = await smpp.bound(BindTransmitter)
    answer = await sender.submit(registered_delivery=1)
    await smpp.wait_status(answer.message_id, {Status.DELIVERED})
    async with asyncio.timeout(5):
        while await smpp.pending() == 0:
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    assert sender.delivered == []
    receiver = await smpp.bound(BindReceiver)
    [receipt] = await receiver.wait_for(1, where=is_receipt)
    assert receipt.tlvs.receipted_message_id == answer.message_id
    async with asyncio.timeout(5):
        while await smpp.pending():
            await asyncio.sleep(0.02)


async def test_removing_smpp_access_drops_what_the_account_was_owed(smpp: Smpp) -> None:
    sender = await smpp.bound(BindTransmitter)
    await sender.submit(registered_delivery=1)
    async with asyncio.timeout(10):
        while await smpp.pending() == 0:
            await asyncio.sleep(0.02)
    assert await smpp.gateway.smpp_accounts.remove_credentials("acme")
    assert await smpp.pending() == 0


async def test_what_no_receiver_takes_in_time_is_dropped(smpp: Smpp) -> None:
    sender = await smpp.bound(BindTransmitter)
    await sender.submit(registered_delivery=1)
    async with asyncio.timeout(10):
        while await smpp.pending() == 0:
            await asyncio.sleep(0.02)
    deliverer = smpp.gateway.smpp_deliverer
    assert await deliverer.drop_expired(_now()) == 0  # kept for a week by default
    week_later = _now() + int(smpp.gateway.settings.smpp_server.keep_deliveries_s * 1000) + 1
    assert await deliverer.drop_expired(week_later) == 1
    assert await smpp.pending() == 0


async def test_a_refused_receipt_comes_again_until_it_is_taken(smpp: Smpp) -> None:
    customer = await smpp.customer(answers=(CommandStatus.ESME_RX_T_APPN,))
    await customer.bind()
    answer = await customer.submit(registered_delivery=1)
    receipts = await customer.wait_for(2, where=is_receipt)
    assert [r.tlvs.receipted_message_id for r in receipts] == [answer.message_id] * 2
    async with asyncio.timeout(5):
        while await smpp.pending():
            await asyncio.sleep(0.02)


async def test_an_inbound_message_goes_out_as_deliver_sm(smpp: Smpp) -> None:
    await smpp.gateway.senders.assign_number("acme", "+48500000001")
    customer = await smpp.customer()
    await customer.bind()
    await smpp.gateway.inbound.receive(
        InboundSms("simulator", "+48600100200", "+48500000001", "Zażółć 😀", at_ms=_now())
    )
    [pdu] = await customer.wait_for(1)
    assert pdu.esm_class == 0
    assert (pdu.source_addr, pdu.source_addr_ton) == ("48600100200", 1)
    assert (pdu.destination_addr, pdu.dest_addr_ton) == ("48500000001", 1)
    assert pdu.data_coding == 8
    assert pdu.short_message.decode("utf-16-be") == "Zażółć 😀"


async def test_a_long_inbound_message_goes_out_in_parts_with_a_udh(smpp: Smpp) -> None:
    await smpp.gateway.senders.assign_number("acme", "+48500000001")
    customer = await smpp.customer()
    await customer.bind()
    text = "Long reply " * 30
    await smpp.gateway.inbound.receive(
        InboundSms("simulator", "+48600100200", "+48500000001", text, at_ms=_now())
    )
    parts = await customer.wait_for(3)
    assert all(p.esm_class == 0x40 and p.data_coding == 0 for p in parts)
    pieces = [split_udh(p.short_message) for p in parts]
    assert [c.seq for c, _ in pieces if c] == [1, 2, 3]
    assert "".join(data.decode("ascii") for _, data in pieces) == text


def _now() -> int:
    return int(time.time() * 1000)


async def test_submits_beyond_the_balance_are_refused_and_the_rest_stored(smpp: Smpp) -> None:
    billing = smpp.gateway.billing
    await billing.put_price_list("pl", "PLN", {"48": "0.16"})
    await billing.set_terms("acme", price_list="pl")
    await billing.top_up("acme", "1.60", "ten messages")
    customer = await smpp.bound()
    answers = await asyncio.gather(
        *(customer.submit(destination_addr=f"4860010{n:04d}") for n in range(30))
    )
    statuses = sorted(a.command_status for a in answers)
    assert statuses == [CommandStatus.ESME_ROK] * 10 + [CommandStatus.ESME_RSUBMITFAIL] * 20
    standing = await billing.standing_of("acme")
    assert standing.balance.balance == 0
