"""The SMPP server's rules that need no socket: how a submit is read (addresses, times, text),
which status each catalog error gets, which receipts a submit asked for, and the lockout."""

from __future__ import annotations

import pytest

from smsgate.domain.errors import ErrorCode
from smsgate.domain.schedule import MAX_VALIDITY_S, MIN_VALIDITY_S
from smsgate.domain.status import Status
from smsgate.services.smpp_accounts import Lockout
from smsgate.services.smpp_deliveries import address_fields, wants
from smsgate.services.smpp_statuses import ESME_ROPTEDOUT, submit_status
from smsgate.services.smpp_submits import Refused, read_submit
from smsgate.smpp.coding import Alphabet, CodingMap
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import DistributionList, SmeAddress, SubmitMulti, SubmitSm
from smsgate.smpp.tlv import Tlvs

NOW = 1_800_000_000_000
GSM = CodingMap()


def submit_sm(**fields: object) -> SubmitSm:
    return SubmitSm(**{"destination_addr": "48600100200", "short_message": b"Hi", **fields})  # type: ignore[arg-type]


# Reading a submit


def test_an_international_destination_gets_its_plus() -> None:
    submit = read_submit(submit_sm(dest_addr_ton=1), GSM, NOW)
    assert submit.command().to == ("+48600100200",)


def test_a_destination_of_unknown_type_is_left_to_the_accounts_region() -> None:
    submit = read_submit(submit_sm(destination_addr="600100200"), GSM, NOW)
    assert submit.command().to == ("600100200",)


@pytest.mark.parametrize(
    ("addr", "ton", "sender"),
    [("Acme", 5, "Acme"), ("48500000001", 1, "+48500000001"), ("1234", 3, "1234"), ("", 0, None)],
)
def test_the_sender_is_read_by_its_type(addr: str, ton: int, sender: str | None) -> None:
    submit = read_submit(submit_sm(source_addr=addr, source_addr_ton=ton), GSM, NOW)
    assert submit.command().sender == sender


def test_data_coding_0_and_1_are_read_as_the_account_says() -> None:
    latin = CodingMap(default_alphabet=Alphabet.LATIN1, ia5_alphabet=Alphabet.GSM7)
    assert read_submit(submit_sm(short_message=b"\xe9t\xe9"), latin, NOW).text == "été"
    assert read_submit(submit_sm(data_coding=1, short_message=b"\x1be"), latin, NOW).text == "€"


def test_a_relative_validity_becomes_seconds() -> None:
    submit = read_submit(submit_sm(validity_period="000000020000000R"), GSM, NOW)
    assert submit.validity_s == 2 * 3600


def test_a_validity_beyond_what_smsgate_keeps_is_cut_to_its_maximum() -> None:
    submit = read_submit(submit_sm(validity_period="000100000000000R"), GSM, NOW)
    assert submit.validity_s == MAX_VALIDITY_S


def test_a_validity_shorter_than_the_minimum_is_raised_to_it() -> None:
    submit = read_submit(submit_sm(validity_period="000000000010000R"), GSM, NOW)
    assert submit.validity_s == MIN_VALIDITY_S


def test_validity_counts_from_the_scheduled_time() -> None:
    submit = read_submit(
        submit_sm(schedule_delivery_time="000000010000000R", validity_period="000000030000000R"),
        GSM,
        NOW,
    )
    assert submit.send_at_ms == NOW + 3600_000
    assert submit.validity_s == 2 * 3600


def test_a_validity_that_ends_before_the_message_is_due_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        read_submit(
            submit_sm(
                schedule_delivery_time="000000020000000R", validity_period="000000010000000R"
            ),
            GSM,
            NOW,
        )
    assert refused.value.status == CommandStatus.ESME_RINVEXPIRY


def test_a_udh_that_does_not_parse_is_refused_as_a_bad_esm_class() -> None:
    with pytest.raises(Refused) as refused:
        read_submit(submit_sm(esm_class=0x40, short_message=b"\x09\x00\x03"), GSM, NOW)
    assert refused.value.status == CommandStatus.ESME_RINVESMCLASS


def test_a_part_knows_its_place_and_a_single_part_is_a_whole_message() -> None:
    udh = b"\x05\x00\x03\x07\x02\x01"
    part = read_submit(submit_sm(esm_class=0x40, short_message=udh + b"Hi"), GSM, NOW)
    assert part.text == "Hi"
    assert part.concat is not None and (part.concat.ref, part.concat.seq) == (7, 1)
    alone = read_submit(
        submit_sm(tlvs=Tlvs(sar_msg_ref_num=1, sar_total_segments=1, sar_segment_seqnum=1)),
        GSM,
        NOW,
    )
    assert alone.concat is None


def test_a_nonzero_priority_goes_in_the_urgent_lane() -> None:
    assert read_submit(submit_sm(priority_flag=1), GSM, NOW).command().urgent


def test_distribution_lists_of_submit_multi_are_refused_one_by_one() -> None:
    pdu = SubmitMulti(
        dest_addresses=(SmeAddress("48600100200", 1, 1), DistributionList("friends")),
        short_message=b"Hi",
    )
    submit = read_submit(pdu, GSM, NOW)
    assert submit.command().to == ("+48600100200",)
    assert [(u.address, u.error_status_code) for u in submit.unusable] == [
        ("friends", CommandStatus.ESME_RINVDLNAME)
    ]


# Statuses


@pytest.mark.parametrize(
    ("spec", "status"),
    [
        (ErrorCode.INVALID_NUMBER, CommandStatus.ESME_RINVDSTADR),
        (ErrorCode.INVALID_SENDER, CommandStatus.ESME_RINVSRCADR),
        (ErrorCode.SENDER_PENDING, CommandStatus.ESME_RINVSRCADR),
        (ErrorCode.SENDER_REJECTED, CommandStatus.ESME_RINVSRCADR),
        (ErrorCode.SENDER_NOT_REGISTERED, CommandStatus.ESME_RINVSRCADR),
        (ErrorCode.SENDER_NOT_OWNED, CommandStatus.ESME_RINVSRCADR),
        (ErrorCode.NO_TWO_WAY_NUMBER, CommandStatus.ESME_RINVSRCADR),
        (ErrorCode.TOO_MANY_PARTS, CommandStatus.ESME_RINVMSGLEN),
        (ErrorCode.INVALID_VALIDITY, CommandStatus.ESME_RINVEXPIRY),
        (ErrorCode.OPTED_OUT, ESME_ROPTEDOUT),
        (ErrorCode.NO_ROUTE, CommandStatus.ESME_RSYSERR),
        (ErrorCode.INTERNAL, CommandStatus.ESME_RSYSERR),
        (ErrorCode.INVALID_URL, CommandStatus.ESME_RSUBMITFAIL),
    ],
)
def test_each_error_gets_its_status(spec: object, status: int) -> None:
    assert submit_status(spec.code) == status  # type: ignore[attr-defined]


def test_every_error_of_the_catalog_has_a_status() -> None:
    assert all(submit_status(spec.code) for spec in ErrorCode.all())


def test_a_code_the_catalog_does_not_know_is_a_submit_failure() -> None:
    assert submit_status("new_code") == CommandStatus.ESME_RSUBMITFAIL


# Receipts asked for


@pytest.mark.parametrize(
    ("registered_delivery", "status", "owed"),
    [
        (0, Status.DELIVERED, False),
        (1, Status.DELIVERED, True),
        (1, Status.UNDELIVERED, True),
        (1, Status.SENT, False),
        (2, Status.DELIVERED, False),
        (2, Status.EXPIRED, True),
        (0x11, Status.SENT, True),
        (0x10, Status.DELIVERED, False),
    ],
)
def test_a_receipt_is_owed_as_registered_delivery_asks(
    registered_delivery: int, status: Status, owed: bool
) -> None:
    assert wants(registered_delivery, status) is owed


@pytest.mark.parametrize(
    ("address", "fields"),
    [
        ("+48600100200", ("48600100200", 1, 1)),
        ("8080", ("8080", 0, 1)),
        ("Acme", ("Acme", 5, 0)),
    ],
)
def test_our_addresses_go_out_with_their_type(address: str, fields: tuple[str, int, int]) -> None:
    assert address_fields(address) == fields


# Lockout


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_locked_after_too_many_failures_within_the_window() -> None:
    clock = Clock()
    lockout = Lockout(3, window_s=60, lock_s=300, clock=clock)
    for _ in range(3):
        assert not lockout.locked("10.0.0.1")
        lockout.failed("10.0.0.1")
    assert lockout.locked("10.0.0.1")
    assert not lockout.locked("10.0.0.2")
    clock.now = 301
    assert not lockout.locked("10.0.0.1")


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    clock = Clock()
    lockout = Lockout(3, window_s=60, lock_s=300, clock=clock)
    for _ in range(5):
        lockout.failed("10.0.0.1")
        clock.now += 31
    assert not lockout.locked("10.0.0.1")


def test_a_success_forgets_the_failures_before_it() -> None:
    lockout = Lockout(3, window_s=60, lock_s=300, clock=Clock())
    lockout.failed("10.0.0.1")
    lockout.failed("10.0.0.1")
    lockout.succeeded("10.0.0.1")
    lockout.failed("10.0.0.1")
    assert not lockout.locked("10.0.0.1")
