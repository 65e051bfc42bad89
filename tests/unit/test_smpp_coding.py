"""data_coding both ways, per-peer readings of 0 and 1, the UDH and SAR TLVs of long messages."""

from __future__ import annotations

import contextlib

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.inbound import Concat
from smsgate.domain.text import GSM7_CHARACTERS, Encoding, concat_udh
from smsgate.smpp.coding import (
    UDHI,
    Alphabet,
    CodingError,
    CodingMap,
    UnsupportedCoding,
    decode_text,
    encode_text,
    read_text,
    sar_concat,
    split_udh,
    wire_encoding,
)
from smsgate.smpp.tlv import Tlvs

LATIN1_SMSC = CodingMap(default_alphabet=Alphabet.LATIN1)
NODE_SMPP = CodingMap(ia5_alphabet=Alphabet.GSM7)
GRINNING = "\U0001f600"

# --- reading -----------------------------------------------------------------------------------


def test_data_coding_0_is_read_as_unpacked_gsm_03_38_by_default():
    assert decode_text(0, b"\x00\x1b\x65\x1b\x3cA") == "@€[A"


def test_data_coding_0_is_read_as_latin1_when_the_peer_says_so():
    assert decode_text(0, "café".encode("latin-1"), LATIN1_SMSC) == "café"


def test_data_coding_0_is_read_as_ascii_when_the_peer_says_so():
    assert decode_text(0, b"@ home", CodingMap(default_alphabet=Alphabet.ASCII)) == "@ home"


def test_an_octet_above_0x7f_is_malformed_in_ascii():
    with pytest.raises(CodingError):
        decode_text(1, b"caf\xe9")


def test_data_coding_1_is_read_as_ascii_by_default():
    assert decode_text(1, b"@home_") == "@home_"


def test_data_coding_1_is_read_as_gsm_03_38_for_a_peer_like_node_smpp():
    assert decode_text(1, b"\x00home\x11", NODE_SMPP) == "@home_"


def test_data_coding_3_is_latin1_whatever_the_peer_setting():
    assert decode_text(3, b"\xe9t\xe9", CodingMap(default_alphabet=Alphabet.ASCII)) == "été"


def test_data_coding_6_is_iso_8859_5_cyrillic():
    assert decode_text(6, "Привет".encode("iso8859-5")) == "Привет"


def test_data_coding_8_reads_a_surrogate_pair_as_one_character():
    assert decode_text(8, "hi ".encode("utf-16-be") + bytes.fromhex("d83dde00")) == f"hi {GRINNING}"


def test_ucs2_of_odd_length_is_malformed():
    with pytest.raises(CodingError):
        decode_text(8, b"\x00A\x00")


def test_an_unpaired_surrogate_in_ucs2_is_malformed():
    with pytest.raises(CodingError):
        decode_text(8, bytes.fromhex("d83d0041"))


def test_an_octet_above_0x7f_is_malformed_in_gsm_03_38():
    with pytest.raises(CodingError):
        decode_text(0, b"A\x80")


@pytest.mark.parametrize("data_coding", [0x10, 0x11, 0x40, 0x50, 0xC0, 0xD0, 0xF0, 0xF1, 0xF3])
def test_gsm_03_38_coding_scheme_values_for_gsm_text_are_read_as_gsm(data_coding: int):
    assert decode_text(data_coding, b"\x00\x1b\x65", LATIN1_SMSC) == "@€"


@pytest.mark.parametrize("data_coding", [0x18, 0x19, 0x48, 0x58, 0xE0])
def test_gsm_03_38_coding_scheme_values_for_ucs2_are_read_as_ucs2(data_coding: int):
    assert decode_text(data_coding, "Ж".encode("utf-16-be")) == "Ж"


@pytest.mark.parametrize(
    "data_coding", [2, 4, 5, 9, 0x0A, 0x0E, 0x14, 0x1C, 0x24, 0x64, 0x80, 0xF4]
)
def test_binary_compressed_and_unsupported_sets_are_refused_with_their_data_coding(
    data_coding: int,
):
    with pytest.raises(UnsupportedCoding) as raised:
        decode_text(data_coding, b"\x01\x02")
    assert raised.value.data_coding == data_coding


@given(st.integers(0, 0xFF), st.binary(max_size=300), st.sampled_from(list(Alphabet)))
def test_reading_any_octets_in_any_coding_raises_nothing_but_coding_error(
    data_coding: int, data: bytes, alphabet: Alphabet
):
    coding = CodingMap(default_alphabet=alphabet, ia5_alphabet=alphabet)
    with contextlib.suppress(CodingError):
        assert isinstance(decode_text(data_coding, data, coding), str)


# --- writing -----------------------------------------------------------------------------------


def test_gsm7_text_goes_out_as_unpacked_gsm_03_38_in_data_coding_0_by_default():
    assert encode_text("@€", Encoding.GSM7) == (0, b"\x00\x1b\x65")


def test_ucs2_text_goes_out_in_data_coding_8_with_emoji_as_surrogate_pairs():
    assert encode_text(f"Ж{GRINNING}", Encoding.UCS2) == (8, bytes.fromhex("0416d83dde00"))


def test_a_peer_may_want_gsm7_text_as_latin1_in_data_coding_3():
    assert encode_text("café", Encoding.GSM7, CodingMap(gsm7_data_coding=3)) == (3, b"caf\xe9")


def test_a_peer_whose_default_alphabet_is_latin1_gets_latin1_in_data_coding_0():
    assert encode_text("café", Encoding.GSM7, LATIN1_SMSC) == (0, b"caf\xe9")


def test_a_peer_like_node_smpp_may_get_gsm_03_38_in_data_coding_1():
    coding = CodingMap(ia5_alphabet=Alphabet.GSM7, gsm7_data_coding=1)
    assert encode_text("@", Encoding.GSM7, coding) == (1, b"\x00")


def test_writing_a_character_the_peer_charset_lacks_is_a_value_error():
    with pytest.raises(ValueError):
        encode_text("5 €", Encoding.GSM7, LATIN1_SMSC)


def test_gsm7_text_the_peer_charset_carries_stays_gsm7():
    assert wire_encoding("café", Encoding.GSM7, LATIN1_SMSC) is Encoding.GSM7


def test_gsm7_text_the_peer_charset_lacks_goes_out_as_ucs2():
    assert wire_encoding("ΔΣ €", Encoding.GSM7, LATIN1_SMSC) is Encoding.UCS2


def test_text_outside_gsm_03_38_goes_out_as_ucs2_even_if_the_peer_charset_carries_it():
    assert wire_encoding("ÿ", Encoding.GSM7, LATIN1_SMSC) is Encoding.UCS2


def test_ucs2_text_stays_ucs2():
    assert wire_encoding("Ж", Encoding.UCS2) is Encoding.UCS2


@given(st.text(alphabet=sorted(GSM7_CHARACTERS), max_size=200))
def test_gsm7_text_reads_back_as_written_in_every_peer_charset_that_carries_it(text: str):
    for coding in (
        CodingMap(),
        LATIN1_SMSC,
        CodingMap(default_alphabet=Alphabet.ASCII),
        CodingMap(gsm7_data_coding=3),
        CodingMap(ia5_alphabet=Alphabet.GSM7, gsm7_data_coding=1),
    ):
        if wire_encoding(text, Encoding.GSM7, coding) is Encoding.GSM7:
            data_coding, data = encode_text(text, Encoding.GSM7, coding)
            assert decode_text(data_coding, data, coding) == text


def test_the_coding_map_comes_from_configuration_by_name():
    raw = {"default_alphabet": "latin1", "ia5_alphabet": "gsm7", "gsm7_data_coding": 3}
    assert msgspec.convert(raw, CodingMap) == CodingMap(
        default_alphabet=Alphabet.LATIN1, ia5_alphabet=Alphabet.GSM7, gsm7_data_coding=3
    )


def test_the_coding_map_refuses_a_data_coding_that_is_not_a_text_charset():
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"gsm7_data_coding": 4}, CodingMap)


# --- UDH -----------------------------------------------------------------------------------------


def test_a_udh_with_an_8_bit_reference_gives_the_part_and_the_text_after_it():
    assert split_udh(bytes.fromhex("050003cc0201") + b"Hi") == (Concat(0xCC, 2, 1), b"Hi")


def test_a_udh_with_a_16_bit_reference_gives_the_part_and_the_text_after_it():
    assert split_udh(bytes.fromhex("06080412340303") + b"Hi") == (Concat(0x1234, 3, 3), b"Hi")


def test_other_information_elements_are_skipped():
    port_ie = bytes.fromhex("0504") + bytes.fromhex("0b8423f0")
    udh = bytes((4 + 2 + 2 + 3,)) + port_ie + bytes.fromhex("0003070201")
    assert split_udh(udh + b"x") == (Concat(7, 2, 1), b"x")


def test_a_udh_without_concatenation_gives_no_part():
    assert split_udh(bytes.fromhex("0605040b8423f0") + b"x") == (None, b"x")


def test_an_empty_udh_gives_no_part_and_the_rest():
    assert split_udh(b"\x00abc") == (None, b"abc")


@pytest.mark.parametrize(
    "short_message",
    [
        pytest.param(b"", id="empty message"),
        pytest.param(bytes.fromhex("0500030102"), id="UDHL beyond the message"),
        pytest.param(bytes.fromhex("0300050102"), id="element beyond the UDH"),
        pytest.param(bytes.fromhex("0100"), id="element header cut by the UDH"),
        pytest.param(bytes.fromhex("0400020102"), id="8-bit concatenation of 2 octets"),
        pytest.param(bytes.fromhex("050003010203"), id="part 3 of 2"),
        pytest.param(bytes.fromhex("050003010100"), id="part 0"),
        pytest.param(bytes.fromhex("050003010000"), id="zero parts"),
    ],
)
def test_a_malformed_udh_is_a_coding_error(short_message: bytes):
    with pytest.raises(CodingError):
        split_udh(short_message)


@given(st.integers(0, 0xFFFF), st.integers(1, 255), st.data(), st.binary(max_size=140))
def test_the_udh_we_write_reads_back(reference: int, total: int, data: st.DataObject, body: bytes):
    sequence = data.draw(st.integers(1, total))
    udh = concat_udh(reference, total, sequence)
    assert split_udh(udh + body) == (Concat(reference, total, sequence), body)


@given(st.binary(max_size=300))
def test_splitting_any_octets_raises_nothing_but_coding_error(short_message: bytes):
    with contextlib.suppress(CodingError):
        split_udh(short_message)


# --- SAR ---------------------------------------------------------------------------------------


def test_the_three_sar_tlvs_give_the_part():
    tlvs = Tlvs(sar_msg_ref_num=0x1234, sar_total_segments=3, sar_segment_seqnum=2)
    assert sar_concat(tlvs) == Concat(0x1234, 3, 2)


def test_no_sar_tlvs_give_no_part():
    assert sar_concat(Tlvs()) is None


def test_some_sar_tlvs_without_the_others_are_a_coding_error():
    with pytest.raises(CodingError):
        sar_concat(Tlvs(sar_msg_ref_num=1, sar_total_segments=2))


def test_a_sar_segment_beyond_the_total_is_a_coding_error():
    with pytest.raises(CodingError):
        sar_concat(Tlvs(sar_msg_ref_num=1, sar_total_segments=2, sar_segment_seqnum=3))


# --- whole messages ----------------------------------------------------------------------------


def test_a_udh_part_in_ucs2_gives_its_text_and_place():
    short_message = concat_udh(9, 2, 2) + GRINNING.encode("utf-16-be")
    assert read_text(UDHI, 8, short_message, Tlvs()) == (GRINNING, Concat(9, 2, 2))


def test_without_udhi_the_leading_octets_are_text():
    assert read_text(0, 1, b"\x05\x00\x03abc", Tlvs()) == ("\x05\x00\x03abc", None)


def test_a_sar_part_gives_its_text_and_place():
    tlvs = Tlvs(sar_msg_ref_num=5, sar_total_segments=2, sar_segment_seqnum=1)
    assert read_text(0, 0, b"Hi", tlvs) == ("Hi", Concat(5, 2, 1))


def test_message_payload_is_read_when_present():
    assert read_text(0, 3, b"", Tlvs(message_payload=b"long \xe9")) == ("long é", None)


def test_message_payload_is_read_instead_of_a_short_message():
    assert read_text(0, 1, b"short", Tlvs(message_payload=b"payload")) == ("payload", None)


def test_the_reading_of_the_peer_applies_to_a_whole_message():
    assert read_text(0, 1, b"\x00", Tlvs(), NODE_SMPP) == ("@", None)
