"""Delivery receipts: the Appendix B text both ways, states and errors both ways, receipts in
deliver_sm, and message ids that compare equal across bases."""

from __future__ import annotations

import contextlib
from datetime import datetime

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.delivery_errors import DeliveryError
from smsgate.domain.status import Status
from smsgate.smpp.constants import MessageState
from smsgate.smpp.pdu import DataSm, DeliverSm
from smsgate.smpp.receipts import (
    DELIVERY_RECEIPT,
    Outcome,
    Receipt,
    ReceiptError,
    canonical_id,
    format_receipt,
    message_state_of,
    outcome,
    parse_receipt,
    read_receipt,
    receipt_for,
    receipt_tlvs,
)
from smsgate.smpp.tlv import NetworkErrorCode, Tlvs

STANDARD = (
    b"id:0123456789 sub:001 dlvrd:001 submit date:2401311455 done date:2401311456 "
    b"stat:DELIVRD err:000 text:Hello there"
)
STANDARD_RECEIPT = Receipt(
    id="0123456789",
    sub=1,
    dlvrd=1,
    submit_date=datetime(2024, 1, 31, 14, 55),
    done_date=datetime(2024, 1, 31, 14, 56),
    stat="DELIVRD",
    err="000",
    text="Hello there",
)
JAN_31_2024_1455_UTC_MS = 1706712900000


# --- writing ---------------------------------------------------------------------------------


def test_a_receipt_is_written_as_the_appendix_b_text():
    assert format_receipt(STANDARD_RECEIPT) == STANDARD


def test_fields_that_are_none_are_left_out():
    assert format_receipt(Receipt(id="7", stat="EXPIRED")) == b"id:7 stat:EXPIRED"


def test_a_character_outside_ascii_is_written_as_a_question_mark():
    assert format_receipt(Receipt(id="7", stat="DELIVRD", text="Zaż")) == (
        b"id:7 stat:DELIVRD text:Za?"
    )


def test_our_receipt_of_a_delivered_message():
    submitted = JAN_31_2024_1455_UTC_MS
    text = "Your code is 123456, valid 5 minutes"
    receipt = receipt_for("42", Status.DELIVERED, submitted, submitted + 60_000, None, text)

    assert receipt == msgspec.structs.replace(
        STANDARD_RECEIPT, id="42", text="Your code is 123456,"
    )


def test_our_receipt_of_a_failure_gives_the_gsm_code_of_its_delivery_error():
    receipt = receipt_for("42", Status.UNDELIVERED, 0, 0, DeliveryError.ABSENT_SUBSCRIBER, "x")
    assert (receipt.stat, receipt.err, receipt.dlvrd) == ("UNDELIV", "027", 0)


def test_our_receipt_of_a_delivery_error_without_a_gsm_code_has_err_000():
    receipt = receipt_for("42", Status.REJECTED, 0, 0, DeliveryError.SENDER_REJECTED, "x")
    assert (receipt.stat, receipt.err) == ("REJECTD", "000")


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (Status.ACCEPTED, MessageState.ENROUTE),
        (Status.SCHEDULED, MessageState.ENROUTE),
        (Status.QUEUED, MessageState.ENROUTE),
        (Status.SENT, MessageState.ENROUTE),
        (Status.DELIVERED, MessageState.DELIVERED),
        (Status.UNDELIVERED, MessageState.UNDELIVERABLE),
        (Status.FAILED, MessageState.UNDELIVERABLE),
        (Status.EXPIRED, MessageState.EXPIRED),
        (Status.REJECTED, MessageState.REJECTED),
        (Status.CANCELED, MessageState.DELETED),
    ],
)
def test_each_outbound_status_has_a_message_state(status: Status, state: MessageState):
    assert message_state_of(status) is state


def test_an_inbound_status_has_no_message_state():
    with pytest.raises(ValueError):
        message_state_of(Status.RECEIVED)


def test_the_tlvs_of_a_receipt_repeat_its_id_and_state():
    tlvs = receipt_tlvs(Receipt(id="42", stat="DELIVRD", err="000"))
    assert tlvs == Tlvs(receipted_message_id="42", message_state=MessageState.DELIVERED)


def test_the_tlvs_of_a_failure_carry_its_gsm_code_as_network_error_code():
    tlvs = receipt_tlvs(Receipt(id="42", stat="UNDELIV", err="027"))
    assert tlvs.network_error_code == NetworkErrorCode(3, 27)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (Status.DELIVERED, None),
        (Status.UNDELIVERED, DeliveryError.ABSENT_SUBSCRIBER),
        (Status.UNDELIVERED, DeliveryError.INVALID_NUMBER),
        (Status.UNDELIVERED, DeliveryError.BLOCKED),
        (Status.UNDELIVERED, DeliveryError.NETWORK_ERROR),
        (Status.EXPIRED, DeliveryError.EXPIRED),
        (Status.REJECTED, DeliveryError.REJECTED),
    ],
)
def test_our_receipts_read_back_as_the_status_and_error_they_were_made_from(
    status: Status, error: DeliveryError | None
):
    receipt = receipt_for("42", status, 0, 0, error, "text")
    pdu = DeliverSm(
        esm_class=DELIVERY_RECEIPT,
        short_message=format_receipt(receipt),
        tlvs=receipt_tlvs(receipt),
    )

    incoming = read_receipt(pdu)

    assert incoming is not None
    assert (incoming.outcome.status, incoming.outcome.error_code) == (status, error)


# --- parsing ---------------------------------------------------------------------------------


def test_the_appendix_b_text_parses_into_every_field():
    assert parse_receipt(STANDARD) == STANDARD_RECEIPT


def test_keys_are_read_in_any_letter_case():
    receipt = parse_receipt(b"ID:5 Sub:001 DLVRD:001 Stat:DELIVRD Err:000 Text:hi")
    assert receipt == Receipt(id="5", sub=1, dlvrd=1, stat="DELIVRD", err="000", text="hi")


def test_keys_are_read_in_any_order():
    receipt = parse_receipt(b"stat:UNDELIV err:001 id:5 text:hi")
    assert receipt == Receipt(id="5", stat="UNDELIV", err="001", text="hi")


def test_missing_fields_are_none():
    assert parse_receipt(b"id:5 stat:DELIVRD") == Receipt(id="5", stat="DELIVRD")


def test_extra_spaces_around_values_are_ignored():
    assert parse_receipt(b"  id:  5   stat :DELIVRD  err:   000 ") == Receipt(
        id="5", stat="DELIVRD", err="000"
    )


def test_date_keys_may_be_written_with_an_underscore():
    receipt = parse_receipt(b"id:5 submit_date:2401311455 done_date:2401311456 stat:DELIVRD")
    assert receipt is not None
    assert (receipt.submit_date, receipt.done_date) == (
        datetime(2024, 1, 31, 14, 55),
        datetime(2024, 1, 31, 14, 56),
    )


def test_dates_may_have_seconds():
    receipt = parse_receipt(b"id:5 done date:240131145607 stat:DELIVRD")
    assert receipt is not None
    assert receipt.done_date == datetime(2024, 1, 31, 14, 56, 7)


def test_dates_may_have_a_four_digit_year():
    receipt = parse_receipt(b"id:5 done date:20240131145607 stat:DELIVRD")
    assert receipt is not None
    assert receipt.done_date == datetime(2024, 1, 31, 14, 56, 7)


@pytest.mark.parametrize("date", ["2413311455", "24013114", "2401311455x", "２４０１３１１４５５"])
def test_a_date_that_is_no_date_is_none_and_the_receipt_still_counts(date: str):
    receipt = parse_receipt(f"id:5 done date:{date} stat:DELIVRD")
    assert receipt == Receipt(id="5", stat="DELIVRD")


def test_text_takes_the_rest_colons_and_keys_included():
    receipt = parse_receipt(b"id:5 stat:DELIVRD text:Code: 12 stat:x id:9")
    assert receipt is not None
    assert (receipt.id, receipt.stat, receipt.text) == ("5", "DELIVRD", "Code: 12 stat:x id:9")


def test_a_key_inside_a_word_is_not_a_key():
    assert parse_receipt(b"id:5 stat:DELIVRD myerr:7") == Receipt(id="5", stat="DELIVRD")


def test_the_first_of_a_repeated_key_counts():
    assert parse_receipt(b"id:5 stat:DELIVRD id:6") == Receipt(id="5", stat="DELIVRD")


def test_a_receipt_may_be_parsed_from_text_already_decoded():
    assert parse_receipt("id:5 stat:DELIVRD") == Receipt(id="5", stat="DELIVRD")


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"Hello, see you at 5",
        b"my id: 42",
        b"id:42 text:nothing else",
        b"id: sub:001 stat:DELIVRD",
        b"stat:DELIVRD err:000",
    ],
)
def test_a_message_without_an_id_and_another_receipt_field_is_not_a_receipt(message: bytes):
    assert parse_receipt(message) is None


RECEIPT_WORDS = st.lists(
    st.sampled_from(
        [
            *("id:", "ID :", "sub:", "dlvrd:", "submit date:", "done_date:", "stat:", "err:"),
            *("text:", " ", "  ", "\n", ":", "DELIVRD", "0", "001", "2401311455", "x", "é"),
        ]
    ),
    max_size=30,
).map("".join)


@given(st.one_of(st.binary(max_size=300), RECEIPT_WORDS.map(lambda s: s.encode("utf-8"))))
def test_parsing_any_octets_never_raises(data: bytes):
    result = parse_receipt(data)
    assert result is None or result.id


RECEIPTS = st.builds(
    Receipt,
    id=st.text(alphabet="0123456789abcdefABCDEF-", min_size=1, max_size=20),
    stat=st.sampled_from(["DELIVRD", "UNDELIV", "EXPIRED", "REJECTD", "ENROUTE"]),
    err=st.none() | st.from_regex(r"[0-9]{3}", fullmatch=True),
    sub=st.none() | st.integers(0, 999),
    dlvrd=st.none() | st.integers(0, 999),
    submit_date=st.none() | st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)),
    done_date=st.none() | st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)),
    text=st.none() | st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)),
)


@given(RECEIPTS)
def test_a_receipt_we_write_reads_back_to_the_minute(receipt: Receipt):
    def minute(when: datetime | None) -> datetime | None:
        return when and when.replace(second=0, microsecond=0)

    written = Receipt(
        **{
            field: getattr(receipt, field)
            for field in ("id", "stat", "err", "sub", "dlvrd", "text")
        },
        submit_date=minute(receipt.submit_date),
        done_date=minute(receipt.done_date),
    )
    assert parse_receipt(format_receipt(receipt)) == written


# --- meaning ---------------------------------------------------------------------------------

MEANINGS = [
    ("DELIVRD", MessageState.DELIVERED, Status.DELIVERED, None),
    ("UNDELIV", MessageState.UNDELIVERABLE, Status.UNDELIVERED, DeliveryError.UNKNOWN),
    ("EXPIRED", MessageState.EXPIRED, Status.EXPIRED, DeliveryError.EXPIRED),
    ("REJECTD", MessageState.REJECTED, Status.REJECTED, DeliveryError.REJECTED),
    ("DELETED", MessageState.DELETED, Status.UNDELIVERED, DeliveryError.REJECTED),
    ("UNKNOWN", MessageState.UNKNOWN, Status.UNDELIVERED, DeliveryError.UNKNOWN),
    ("ENROUTE", MessageState.ENROUTE, Status.SENT, None),
    ("ACCEPTD", MessageState.ACCEPTED, Status.SENT, None),
]


@pytest.mark.parametrize(("stat", "state", "status", "error"), MEANINGS)
def test_each_stat_means_a_status_and_a_default_error(
    stat: str, state: MessageState, status: Status, error: DeliveryError | None
):
    result = outcome(stat=stat, err="000")
    assert (result.status, result.error_code) == (status, error)


@pytest.mark.parametrize(("stat", "state", "status", "error"), MEANINGS)
def test_each_message_state_means_what_its_stat_means(
    stat: str, state: MessageState, status: Status, error: DeliveryError | None
):
    result = outcome(message_state=state)
    assert (result.status, result.error_code) == (status, error)


@pytest.mark.parametrize("stat", ["DELIVERED", "delivrd", " Delivrd "])
def test_a_stat_is_read_in_any_case_and_in_full(stat: str):
    assert outcome(stat=stat).status is Status.DELIVERED


def test_the_message_state_tlv_wins_over_the_stat_text():
    assert outcome(stat="ENROUTE", message_state=MessageState.DELIVERED).status is Status.DELIVERED


def test_a_message_state_out_of_range_leaves_the_stat_text_to_decide():
    assert outcome(stat="DELIVRD", message_state=0).status is Status.DELIVERED


def test_err_is_read_as_a_gsm_map_code():
    assert outcome(stat="UNDELIV", err="001").error_code is DeliveryError.INVALID_NUMBER


def test_a_gsm_network_error_code_wins_over_err():
    result = outcome(stat="UNDELIV", err="001", network_error=NetworkErrorCode(3, 13))
    assert result.error_code is DeliveryError.BLOCKED


def test_a_network_error_code_of_another_network_leaves_the_default_error():
    result = outcome(stat="REJECTD", network_error=NetworkErrorCode(7, 0x45))
    assert result == Outcome(Status.REJECTED, DeliveryError.REJECTED, "stat:REJECTD SMPP-069")


def test_an_err_code_outside_the_table_leaves_the_default_error():
    assert outcome(stat="EXPIRED", err="999").error_code is DeliveryError.EXPIRED


def test_a_failure_keeps_what_the_smsc_said():
    result = outcome(
        stat="UNDELIV", err="027", message_state=5, network_error=NetworkErrorCode(3, 27)
    )
    assert result.error_raw == "stat:UNDELIV err:027 message_state:5 GSM-027"


def test_a_delivery_has_no_error():
    assert outcome(stat="DELIVRD", err="000") == Outcome(Status.DELIVERED)


def test_a_stat_not_understood_has_no_status_and_keeps_what_the_smsc_said():
    assert outcome(stat="WEIRD", err="5") == Outcome(None, None, "stat:WEIRD err:5")


# --- receipts in deliver_sm ------------------------------------------------------------------


def test_a_deliver_sm_marked_as_receipt_gives_its_id_and_outcome():
    incoming = read_receipt(
        DeliverSm(esm_class=DELIVERY_RECEIPT, short_message=b"id:77 stat:UNDELIV err:001")
    )

    assert incoming is not None
    assert incoming.message_id == "77"
    assert incoming.outcome == Outcome(
        Status.UNDELIVERED, DeliveryError.INVALID_NUMBER, "stat:UNDELIV err:001"
    )


def test_receipted_message_id_wins_over_the_id_of_the_text():
    pdu = DeliverSm(
        esm_class=DELIVERY_RECEIPT,
        short_message=b"id:77 stat:DELIVRD",
        tlvs=Tlvs(receipted_message_id="4d"),
    )
    incoming = read_receipt(pdu)
    assert incoming is not None
    assert incoming.message_id == "4d"


def test_a_receipt_of_tlvs_alone_counts():
    pdu = DeliverSm(tlvs=Tlvs(receipted_message_id="4d", message_state=MessageState.EXPIRED))
    incoming = read_receipt(pdu)
    assert incoming is not None
    assert (incoming.message_id, incoming.outcome.status, incoming.receipt) == (
        "4d",
        Status.EXPIRED,
        None,
    )


def test_an_ordinary_deliver_sm_is_no_receipt():
    assert read_receipt(DeliverSm(short_message=b"See you at 5, id: 42")) is None


def test_a_receipt_text_counts_even_when_esm_class_does_not_say_so():
    incoming = read_receipt(DeliverSm(short_message=b"id:77 stat:DELIVRD"))
    assert incoming is not None
    assert incoming.outcome.status is Status.DELIVERED


def test_a_pdu_marked_as_receipt_without_an_id_is_a_receipt_error():
    with pytest.raises(ReceiptError):
        read_receipt(DeliverSm(esm_class=DELIVERY_RECEIPT, short_message=b"stat:DELIVRD"))


def test_a_receipt_may_come_in_message_payload():
    pdu = DeliverSm(esm_class=DELIVERY_RECEIPT, tlvs=Tlvs(message_payload=b"id:9 stat:DELIVRD"))
    incoming = read_receipt(pdu)
    assert incoming is not None
    assert incoming.message_id == "9"


def test_a_receipt_may_come_in_a_data_sm():
    pdu = DataSm(esm_class=DELIVERY_RECEIPT, tlvs=Tlvs(message_payload=b"id:9 stat:DELIVRD"))
    incoming = read_receipt(pdu)
    assert incoming is not None
    assert incoming.message_id == "9"


def test_a_receipt_text_in_ucs2_is_read():
    text = "id:9 stat:DELIVRD".encode("utf-16-be")
    incoming = read_receipt(
        DeliverSm(esm_class=DELIVERY_RECEIPT, data_coding=8, short_message=text)
    )
    assert incoming is not None
    assert incoming.message_id == "9"


@given(st.integers(0, 0xFF), st.integers(0, 0xFF), st.binary(max_size=254))
def test_reading_any_deliver_sm_raises_nothing_but_a_receipt_error(
    esm_class: int, data_coding: int, short_message: bytes
):
    pdu = DeliverSm(esm_class=esm_class, data_coding=data_coding, short_message=short_message)
    with contextlib.suppress(ReceiptError):
        read_receipt(pdu)


# --- message ids -----------------------------------------------------------------------------


def test_a_hex_id_is_its_value_whatever_the_case_and_leading_zeros():
    assert canonical_id("00a1B2", "hex") == canonical_id("A1b2", "hex") == str(0xA1B2)


def test_a_hex_id_may_have_a_0x_prefix():
    assert canonical_id("0x1F", "hex") == "31"


def test_a_decimal_id_loses_its_leading_zeros():
    assert canonical_id("000123", "decimal") == "123"


def test_a_hex_submit_id_matches_the_same_number_in_decimal_in_the_receipt():
    assert canonical_id("4d2", "hex") == canonical_id("0001234", "decimal")


def test_a_string_id_is_kept_as_written_but_for_surrounding_space():
    assert canonical_id(" Ab-01 ", "string") == "Ab-01"


@pytest.mark.parametrize(
    ("raw", "base"), [("12g", "hex"), ("12a", "decimal"), ("１２", "decimal"), ("1_0", "decimal")]
)
def test_an_id_that_is_no_number_in_its_base_is_kept_as_written(raw: str, base: str):
    assert canonical_id(raw, base) == raw  # type: ignore[arg-type]


def test_an_id_too_long_for_a_number_is_kept_as_written():
    assert canonical_id("9" * 100, "decimal") == "9" * 100


@given(st.integers(0, 2**128))
def test_any_number_in_hex_and_in_decimal_compare_equal(number: int):
    assert canonical_id(f"{number:X}", "hex") == canonical_id(f"{number:010d}", "decimal")
