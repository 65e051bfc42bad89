"""How a text goes out as submit_sm message fields: one plain submit, UDH parts, SAR parts or one
message_payload."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.text_vectors import reference_cases

from smsgate.domain.inbound import Concat
from smsgate.domain.text import Encoding, concat_udh, detect_encoding
from smsgate.smpp.coding import UDHI, Alphabet, CodingMap, read_text
from smsgate.smpp.long_messages import LongMode, Submission, plan_submits
from smsgate.smpp.tlv import Tlvs

LONG_GSM = "a" * 153 + "b" * 10
LONG_UCS2 = "Ж" * 67 + "ж" * 5
MIXED_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("\n\f^{}\\[~]|€ΔΣ"),
        st.sampled_from("àéñÇÄ"),
        st.characters(min_codepoint=0x410, max_codepoint=0x44F),
        st.sampled_from("😀🎉👍"),
    ),
    max_size=700,
)


def _read_back(submissions: list[Submission]) -> list[tuple[str, Concat | None]]:
    return [read_text(s.esm_class, s.data_coding, s.short_message, s.tlvs) for s in submissions]


@pytest.mark.parametrize("mode", list(LongMode))
def test_a_text_that_fits_one_sms_is_one_plain_submit_in_every_mode(mode: LongMode):
    assert plan_submits("Hello €", Encoding.GSM7, mode, 7) == [Submission(0, 0, b"Hello \x1b\x65")]


def test_udh_mode_puts_a_concatenation_udh_before_each_part():
    submissions = plan_submits(LONG_GSM, Encoding.GSM7, LongMode.UDH, 0x2A)

    assert submissions == [
        Submission(UDHI, 0, concat_udh(0x2A, 2, 1) + b"a" * 153),
        Submission(UDHI, 0, concat_udh(0x2A, 2, 2) + b"b" * 10),
    ]


def test_sar_mode_puts_each_part_in_short_message_with_the_sar_tlvs():
    submissions = plan_submits(LONG_UCS2, Encoding.UCS2, LongMode.SAR, 0x1234)

    assert submissions == [
        Submission(
            0,
            8,
            ("Ж" * 67).encode("utf-16-be"),
            Tlvs(sar_msg_ref_num=0x1234, sar_total_segments=2, sar_segment_seqnum=1),
        ),
        Submission(
            0,
            8,
            ("ж" * 5).encode("utf-16-be"),
            Tlvs(sar_msg_ref_num=0x1234, sar_total_segments=2, sar_segment_seqnum=2),
        ),
    ]


def test_payload_mode_sends_the_whole_text_in_message_payload_with_an_empty_short_message():
    assert plan_submits(LONG_GSM, Encoding.GSM7, LongMode.PAYLOAD, 0) == [
        Submission(0, 0, b"", Tlvs(message_payload=LONG_GSM.encode("ascii")))
    ]


def test_parts_go_out_in_the_data_coding_the_smsc_wants():
    submissions = plan_submits(
        LONG_GSM, Encoding.GSM7, LongMode.SAR, 1, CodingMap(gsm7_data_coding=3)
    )
    assert [s.data_coding for s in submissions] == [3, 3]


def test_gsm7_text_the_smsc_charset_cannot_carry_goes_out_in_ucs2_parts():
    latin1_smsc = CodingMap(default_alphabet=Alphabet.LATIN1)
    text = "€" * 100  # one GSM-7 part of 200 septets is two; in UCS-2, 100 units are two parts

    submissions = plan_submits(text, Encoding.GSM7, LongMode.UDH, 1, latin1_smsc)

    assert [s.data_coding for s in submissions] == [8, 8]
    assert "".join(text for text, _ in _read_back(submissions)) == text


def test_udh_mode_refuses_a_reference_above_255():
    with pytest.raises(ValueError):
        plan_submits(LONG_GSM, Encoding.GSM7, LongMode.UDH, 256)


def test_sar_mode_takes_a_16_bit_reference():
    submissions = plan_submits(LONG_GSM, Encoding.GSM7, LongMode.SAR, 0xFFFF)
    assert {s.tlvs.sar_msg_ref_num for s in submissions} == {0xFFFF}


def test_a_text_of_more_than_255_parts_is_refused_in_udh_mode():
    with pytest.raises(ValueError):
        plan_submits("a" * (153 * 255 + 1), Encoding.GSM7, LongMode.UDH, 1)


@pytest.mark.parametrize("mode", [LongMode.UDH, LongMode.SAR])
@pytest.mark.parametrize("case", reference_cases())
def test_parts_match_the_reference_vectors(case: dict[str, Any], mode: LongMode):
    submissions = plan_submits(case["text"], Encoding(case["encoding"]), mode, 200)

    assert [text for text, _ in _read_back(submissions)] == case["part_texts"]


@given(MIXED_TEXT, st.sampled_from([LongMode.UDH, LongMode.SAR]), st.integers(0, 255))
def test_the_parts_read_back_in_order_as_the_whole_text(text: str, mode: LongMode, ref: int):
    submissions = plan_submits(text, detect_encoding(text), mode, ref)

    read = _read_back(submissions)
    assert "".join(part for part, _ in read) == text
    if len(submissions) > 1:
        total = len(submissions)
        assert [concat for _, concat in read] == [
            Concat(ref, total, n) for n in range(1, total + 1)
        ]


@given(MIXED_TEXT)
def test_every_udh_part_fits_one_sms_on_the_air(text: str):
    for submission in plan_submits(text, detect_encoding(text), LongMode.UDH, 1):
        if submission.data_coding == 8:
            assert len(submission.short_message) <= 140
        else:  # one septet per octet here; the 6-octet UDH takes 7 septets on the air
            udh = 6 if submission.esm_class & UDHI else 0
            assert len(submission.short_message) - udh + (7 if udh else 0) <= 160
