"""The SMPP client connector against a carrier SMSC on loopback (tests/integration/
smpp_carrier.py): binding, submitting within the window, throttling, reconnecting, receipts
and inbound messages acknowledged only after commit, a clean stop."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from smsgate.connectors.base import SubmitError
from smsgate.connectors.smpp import SmppConnector, SmppOptions
from smsgate.domain.inbound import Concat, InboundSms
from smsgate.domain.message import NORMAL_LANE, URGENT_LANE, OutboundMessage
from smsgate.domain.reports import Report
from smsgate.domain.status import Status
from smsgate.domain.text import segment
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import DeliverSm, SubmitSmResp
from smsgate.smpp.session import State
from smsgate.smpp.tlv import Tlvs
from tests.integration.smpp_carrier import Carrier, eventually


class Sink:
    """Records what the connector hands in; `gate` holds commits back, `fail` refuses them."""

    def __init__(self) -> None:
        self.committed: list[Report] = []
        self.inbound_sms: list[InboundSms] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False

    async def _commit(self) -> None:
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("the store is down")

    async def report(self, report: Report) -> None:
        await self._commit()
        self.committed.append(report)

    async def reports(self, reports: Sequence[Report]) -> None:
        for report in reports:
            await self.report(report)

    async def awaiting_reports(self, connector: str) -> list[str]:
        return []

    async def inbound(self, sms: InboundSms) -> None:
        await self._commit()
        self.inbound_sms.append(sms)


class RecordingSmpp(SmppConnector):
    sink: Sink


def message(text: str = "hello", n: int = 1, sender: str | None = "Acme") -> OutboundMessage:
    segments = segment(text)
    return OutboundMessage(
        id=1000 + n,
        account_id=1,
        recipient="+48500600700",
        sender=sender,
        text=text,
        encoding=segments.encoding,
        parts=segments.count,
        client_ref=None,
        lane=NORMAL_LANE,
        expires_at=None,
        attempt=1,
    )


@pytest.fixture
async def tls_carrier(certificate: tuple[Path, Path]) -> AsyncIterator[Carrier]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    smsc = await Carrier().start(tls=context)
    yield smsc
    await smsc.close()


@pytest.fixture
async def connect(carrier: Carrier) -> AsyncIterator[Any]:
    """`await connect(**options)`: a started connector bound to the carrier."""
    started: list[RecordingSmpp] = []

    async def start(
        wait_bound: bool = True, to: Carrier = carrier, **overrides: Any
    ) -> RecordingSmpp:
        options = {
            "host": "127.0.0.1",
            "port": to.port,
            "system_id": "smsgate",
            "password": "secret",
            "reconnect_initial_s": 0.02,
            "reconnect_max_s": 0.1,
            "response_timeout_s": 2,
            **overrides,
        }
        connector = RecordingSmpp("carrier", SmppOptions.model_validate(options))
        connector.sink = Sink()
        await connector.start(connector.sink)
        started.append(connector)
        if wait_bound:
            await eventually(lambda: connector.link().state == "up")
        return connector

    yield start
    for connector in started:
        await connector.stop()


# Binding


async def test_a_transceiver_bind_sends_the_configured_credentials(
    carrier: Carrier, connect: Any
) -> None:
    await connect(system_type="SMS")
    [bind] = carrier.binds
    assert (type(bind).__name__, bind.system_id, bind.password, bind.system_type) == (
        "BindTransceiver",
        "smsgate",
        "secret",
        "SMS",
    )


async def test_a_pair_binds_a_transmitter_and_a_receiver_per_bind(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(bind_mode="pair", binds=2)
    await eventually(lambda: len(carrier.bound()) == 4)
    modes = sorted(type(b).__name__ for b in carrier.binds)
    assert modes == ["BindReceiver", "BindReceiver", "BindTransmitter", "BindTransmitter"]
    assert [(b.mode, b.state) for b in connector.link().binds] == [
        ("transmitter", "bound"),
        ("receiver", "bound"),
    ] * 2


async def test_a_refused_bind_keeps_retrying_and_shows_the_refusal(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(wait_bound=False, password="wrong")
    await eventually(lambda: len(carrier.binds) >= 3)
    assert connector.link().state in ("connecting", "down")
    assert "ESME_RINVPASWD" in (connector.counters.last_error or "")


async def test_with_no_bind_up_a_submit_is_refused_as_temporary_quickly(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(wait_bound=False, password="wrong", bind_wait_s=0.1)
    started = asyncio.get_running_loop().time()
    with pytest.raises(SubmitError) as refused:
        await connector.submit(message())
    assert refused.value.temporary
    assert refused.value.code == "smpp:not_bound"
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_a_submit_waits_for_a_bind_that_is_coming_up(carrier: Carrier, connect: Any) -> None:
    connector = await connect(wait_bound=False)
    assert await connector.submit(message())


async def test_each_bind_reconnects_after_the_carrier_drops_it(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(binds=2)
    await eventually(lambda: len(carrier.bound()) == 2)
    carrier.drop()
    await eventually(lambda: len(carrier.bound()) == 2 and connector.link().state == "up")
    assert [b.binds for b in connector.binds] == [2, 2]
    assert await connector.submit(message())


async def test_a_tls_bind_checks_the_carriers_certificate(
    tls_carrier: Carrier, certificate: tuple[Path, Path], connect: Any
) -> None:
    connector = await connect(to=tls_carrier, tls=True, tls_ca_file=str(certificate[0]))
    assert await connector.submit(message())


async def test_a_tls_bind_refuses_a_certificate_it_cannot_verify(
    tls_carrier: Carrier, connect: Any
) -> None:
    connector = await connect(to=tls_carrier, tls=True, wait_bound=False)
    await eventually(lambda: connector.counters.last_error is not None)
    assert "CERTIFICATE_VERIFY_FAILED" in (connector.counters.last_error or "")
    assert tls_carrier.binds == []


async def test_tls_without_verification_binds_to_any_certificate(
    tls_carrier: Carrier, connect: Any
) -> None:
    connector = await connect(to=tls_carrier, tls=True, tls_verify=False)
    assert await connector.submit(message())


# Submitting


async def test_a_submit_carries_addresses_text_and_a_receipt_request(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    await connector.submit(message("hi €", sender="Acme"))
    pdu = carrier.submits[0].pdu
    assert (pdu.source_addr_ton, pdu.source_addr_npi, pdu.source_addr) == (5, 0, "Acme")
    assert (pdu.dest_addr_ton, pdu.dest_addr_npi, pdu.destination_addr) == (1, 1, "48500600700")
    assert (pdu.data_coding, pdu.short_message) == (0, b"hi \x1b\x65")
    assert pdu.registered_delivery == 1


async def test_a_numeric_sender_goes_out_as_an_international_number(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    await connector.submit(message(sender="+48600111222"))
    pdu = carrier.submits[0].pdu
    assert (pdu.source_addr_ton, pdu.source_addr_npi, pdu.source_addr) == (1, 1, "48600111222")


async def test_configured_ton_npi_override_the_automatic_ones(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(source_ton=0, source_npi=1, dest_ton=0, dest_npi=0)
    await connector.submit(message(sender="Acme"))
    pdu = carrier.submits[0].pdu
    assert (pdu.source_addr_ton, pdu.source_addr_npi) == (0, 1)
    assert (pdu.dest_addr_ton, pdu.dest_addr_npi) == (0, 0)


async def test_the_upstream_id_is_canonical_in_the_configured_base(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(submit_id_base="hex")
    assert await connector.submit(message()) == ("3000000000",)  # 0xb2d05e00


async def test_a_long_message_is_one_submit_per_part_with_one_id_each(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    ids = await connector.submit(message("x" * 400))
    assert len(ids) == 3 == len(set(ids))
    udhs = [s.pdu.short_message[:6] for s in carrier.submits]
    assert [u[4:] for u in udhs] == [b"\x03\x01", b"\x03\x02", b"\x03\x03"]
    assert {s.pdu.esm_class for s in carrier.submits} == {0x40}


async def test_sar_mode_puts_the_parts_place_in_tlvs(carrier: Carrier, connect: Any) -> None:
    connector = await connect(long_messages="sar")
    await connector.submit(message("x" * 200))
    assert [
        (s.pdu.tlvs.sar_total_segments, s.pdu.tlvs.sar_segment_seqnum) for s in carrier.submits
    ] == [(2, 1), (2, 2)]


async def test_payload_mode_sends_the_whole_text_in_one_submit(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(long_messages="payload")
    assert len(await connector.submit(message("x" * 400))) == 1
    assert carrier.submits[0].pdu.tlvs.message_payload == b"x" * 400


async def test_submits_in_flight_never_exceed_each_binds_window(
    carrier: Carrier, connect: Any
) -> None:
    carrier.delay = 0.02
    connector = await connect(binds=2, window=3)
    await eventually(lambda: len(carrier.bound()) == 2)
    assert connector.window == 6
    await asyncio.gather(*(connector.submit(message(n=n)) for n in range(30)))
    assert max(s.in_flight for s in carrier.submits) == 3
    per_bind = {id(s.connection) for s in carrier.submits}
    assert len(per_bind) == 2  # the load went to both binds


async def test_a_permanent_refusal_fails_with_the_raw_status_kept(
    carrier: Carrier, connect: Any
) -> None:
    carrier.status = lambda n: CommandStatus.ESME_RINVDSTADR
    connector = await connect()
    with pytest.raises(SubmitError) as refused:
        await connector.submit(message())
    assert not refused.value.temporary
    assert refused.value.code == "smpp:0x0000000b"
    assert refused.value.detail == "ESME_RINVDSTADR: invalid destination address"


async def test_a_temporary_refusal_is_retried_later(carrier: Carrier, connect: Any) -> None:
    carrier.status = lambda n: CommandStatus.ESME_RSYSERR
    connector = await connect()
    with pytest.raises(SubmitError) as refused:
        await connector.submit(message())
    assert refused.value.temporary
    assert refused.value.code == "smpp:0x00000008"


async def test_a_vendor_status_configured_as_temporary_is_retried(
    carrier: Carrier, connect: Any
) -> None:
    carrier.status = lambda n: 0x401
    connector = await connect(temporary_statuses=[0x401])
    with pytest.raises(SubmitError) as refused:
        await connector.submit(message())
    assert refused.value.temporary


async def test_a_submit_cut_off_by_a_drop_is_temporary(carrier: Carrier, connect: Any) -> None:
    carrier.hold = True
    connector = await connect()
    submit = asyncio.create_task(connector.submit(message()))
    await eventually(lambda: len(carrier.submits) == 1)
    carrier.drop()
    with pytest.raises(SubmitError) as refused:
        await submit
    assert (refused.value.code, refused.value.temporary) == ("smpp:connection_lost", True)


async def test_an_unanswered_submit_times_out_as_temporary(carrier: Carrier, connect: Any) -> None:
    carrier.hold = True
    connector = await connect(response_timeout_s=0.3)
    with pytest.raises(SubmitError) as refused:
        await connector.submit(message())
    assert (refused.value.code, refused.value.temporary) == ("smpp:timeout", True)


# Throttling


async def test_a_throttled_submit_is_temporary_and_pauses_the_connector(
    carrier: Carrier, connect: Any
) -> None:
    carrier.status = lambda n: CommandStatus.ESME_RTHROTTLED if n == 1 else CommandStatus.ESME_ROK
    connector = await connect(throttle_initial_s=0.3, throttle_max_s=1)
    with pytest.raises(SubmitError) as refused:
        await connector.submit(message())
    assert (refused.value.code, refused.value.temporary) == ("smpp:0x00000058", True)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await connector.submit(message(n=2))
    assert loop.time() - started >= 0.3 * 0.5  # the backoff's jitter keeps at least half
    assert connector.smpp.throttles == 1


async def test_a_full_window_throttled_at_once_counts_as_one_throttle(
    carrier: Carrier, connect: Any
) -> None:
    carrier.delay = 0.02
    carrier.status = lambda n: CommandStatus.ESME_RMSGQFUL if n <= 10 else CommandStatus.ESME_ROK
    connector = await connect(window=10, throttle_initial_s=0.2, throttle_max_s=5)
    results = await asyncio.gather(
        *(connector.submit(message(n=n)) for n in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, SubmitError) and r.temporary for r in results)
    assert connector.smpp.throttles == 1


async def test_after_a_pause_submits_resume_one_more_at_a_time(
    carrier: Carrier, connect: Any
) -> None:
    carrier.delay = 0.02
    carrier.status = lambda n: CommandStatus.ESME_RTHROTTLED if n == 1 else CommandStatus.ESME_ROK
    connector = await connect(window=20, throttle_initial_s=0.2, throttle_max_s=1)
    with pytest.raises(SubmitError):
        await connector.submit(message())
    await asyncio.gather(*(connector.submit(message(n=n)) for n in range(2, 22)))
    # No burst: the first submits after the pause went one, then two at a time...
    assert [s.in_flight for s in carrier.submits[1:4]] == [1, 1, 2]
    assert max(s.in_flight for s in carrier.submits) < 20


async def test_an_urgent_submit_waiting_out_a_pause_goes_before_the_bulk_ones(
    carrier: Carrier, connect: Any
) -> None:
    carrier.status = lambda n: CommandStatus.ESME_RTHROTTLED if n == 1 else CommandStatus.ESME_ROK
    connector = await connect(window=1, throttle_initial_s=0.3, throttle_max_s=1)
    with pytest.raises(SubmitError):
        await connector.submit(message())
    bulk = [asyncio.create_task(connector.submit(message(n=n))) for n in range(2, 6)]
    await asyncio.sleep(0.05)  # the bulk submits wait out the pause first
    urgent = replace(message(n=9), lane=URGENT_LANE, recipient="+48500600999")
    await asyncio.gather(connector.submit(urgent), *bulk)
    after_the_pause = [s.pdu.destination_addr for s in carrier.submits[1:]]
    assert after_the_pause == ["48500600999"] + ["48500600700"] * 4


async def test_repeated_throttles_lengthen_the_pause(carrier: Carrier, connect: Any) -> None:
    carrier.status = lambda n: CommandStatus.ESME_RTHROTTLED if n <= 3 else CommandStatus.ESME_ROK
    connector = await connect(throttle_initial_s=0.1, throttle_max_s=5)
    loop = asyncio.get_running_loop()
    pauses = []
    for n in range(3):
        with pytest.raises(SubmitError):
            await connector.submit(message(n=n))
        pauses.append(connector._pace.paused_until - loop.time())
    assert pauses[0] < pauses[2]
    assert pauses[2] >= 0.4 * 0.5 - 0.05


# Receipts and inbound messages


async def test_a_receipt_becomes_a_report_on_the_submitted_part(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(submit_id_base="hex", receipt_text_id_base="decimal")
    [upstream_id] = await connector.submit(message())
    answer = await carrier.deliver(carrier.receipt("3000000000"))
    assert answer.command_status == CommandStatus.ESME_ROK
    [report] = connector.sink.committed
    assert (report.connector, report.upstream_id, report.status) == (
        "carrier",
        upstream_id,
        Status.DELIVERED,
    )


async def test_receipted_message_id_is_read_in_the_submit_base(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(submit_id_base="hex", receipt_text_id_base="decimal")
    [upstream_id] = await connector.submit(message())
    receipt = carrier.receipt("3000000000", receipted_message_id="B2D05E00", message_state=5)
    await carrier.deliver(receipt)
    [report] = connector.sink.committed
    assert (report.upstream_id, report.status) == (upstream_id, Status.UNDELIVERED)


async def test_a_receipt_may_come_before_the_submit_answer(carrier: Carrier, connect: Any) -> None:
    carrier.hold = True
    connector = await connect(submit_id_base="hex")
    submit = asyncio.create_task(connector.submit(message()))
    await eventually(lambda: len(carrier.submits) == 1)
    await carrier.deliver(carrier.receipt("b2d05e00"))
    held = carrier.submits[0]
    held.connection.respond(SubmitSmResp(held.pdu.sequence_number, message_id="b2d05e00"))
    assert await submit == (connector.sink.committed[0].upstream_id,)


async def test_the_receipt_is_acknowledged_only_after_the_commit(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    connector.sink.gate.clear()
    answer = asyncio.create_task(carrier.deliver(carrier.receipt("abc")))
    await asyncio.sleep(0.1)
    assert not answer.done()
    connector.sink.gate.set()
    assert (await answer).command_status == CommandStatus.ESME_ROK
    assert [r.upstream_id for r in connector.sink.committed] == ["abc"]


async def test_a_deliver_sm_that_cannot_be_committed_is_refused_for_redelivery(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    connector.sink.fail = True
    answer = await carrier.deliver(carrier.receipt("abc"))
    assert answer.command_status == CommandStatus.ESME_RX_T_APPN
    assert connector.smpp.refused == 1


async def test_a_receipt_without_any_id_is_refused_for_good(carrier: Carrier, connect: Any) -> None:
    await connect()
    answer = await carrier.deliver(DeliverSm(esm_class=0x04, short_message=b"stat:DELIVRD"))
    assert answer.command_status == CommandStatus.ESME_RX_P_APPN


async def test_a_deliver_sm_without_a_receipt_is_an_inbound_message(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    mo = DeliverSm(
        source_addr_ton=1,
        source_addr="48500600700",
        dest_addr_ton=1,
        destination_addr="48600111222",
        data_coding=8,
        short_message="Cześć 👋".encode("utf-16-be"),
    )
    assert (await carrier.deliver(mo)).command_status == CommandStatus.ESME_ROK
    [sms] = connector.sink.inbound_sms
    assert (sms.connector, sms.sender, sms.recipient, sms.text, sms.concat) == (
        "carrier",
        "+48500600700",
        "+48600111222",
        "Cześć 👋",
        None,
    )


async def test_a_part_of_a_long_inbound_message_keeps_its_place(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    udh = bytes((5, 0, 3, 0x42, 2, 1))
    await carrier.deliver(
        DeliverSm(source_addr="48500600700", esm_class=0x40, short_message=udh + b"part one")
    )
    await carrier.deliver(
        DeliverSm(
            source_addr="48500600700",
            short_message=b"part two",
            tlvs=Tlvs(sar_msg_ref_num=7, sar_total_segments=2, sar_segment_seqnum=2),
        )
    )
    assert [(s.text, s.concat) for s in connector.sink.inbound_sms] == [
        ("part one", Concat(0x42, 2, 1)),
        ("part two", Concat(7, 2, 2)),
    ]


async def test_data_coding_zero_is_read_as_the_carrier_uses_it(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(data_coding={"default_alphabet": "latin1"})
    await carrier.deliver(DeliverSm(source_addr="123", short_message="é".encode("latin-1")))
    assert connector.sink.inbound_sms[0].text == "é"


async def test_receipts_and_inbound_messages_reach_us_on_the_receiver_of_a_pair(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect(bind_mode="pair")
    await eventually(lambda: len(carrier.bound(State.BOUND_RX)) == 1)
    await carrier.deliver(carrier.receipt("abc"))
    assert len(connector.sink.committed) == 1


# Stopping


async def test_stop_unbinds_every_bind_and_leaves_no_task(carrier: Carrier, connect: Any) -> None:
    before = asyncio.all_tasks()
    connector = await connect(binds=2, bind_mode="pair")
    await eventually(lambda: len(carrier.bound()) == 4)
    await connector.submit(message())
    await connector.stop()
    assert {c.close_reason for c in carrier.connections} == {"the peer unbound"}
    assert asyncio.all_tasks() - before == set()
    assert connector.link().state == "disabled"


async def test_a_stopped_connector_binds_again_when_started_again(
    carrier: Carrier, connect: Any
) -> None:
    connector = await connect()
    await connector.stop()
    await connector.start(connector.sink)
    await eventually(lambda: connector.link().state == "up")
    assert await connector.submit(message())
