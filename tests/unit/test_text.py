"""GSM-7 / UCS-2 detection, unit counting, segmentation, byte encodings, UDH and text policies."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
import smsutil  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.text_vectors import reference_cases

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.text import (
    GSM7_CHARACTERS,
    Encoding,
    Segments,
    TextPolicy,
    concat_udh,
    decode_gsm7,
    detect_encoding,
    encode_gsm7,
    encode_ucs2,
    prepare,
    segment,
)

GSM7_EXTENSION = "\f^{}\\[~]|€"
GSM7_TEXT = st.text(alphabet=st.sampled_from(sorted(GSM7_CHARACTERS)), max_size=500)
MIXED_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("\n\r" + GSM7_EXTENSION),
        st.sampled_from("àáâãäåçèéêëìíîïñòóôõöùúûüÇÉÄÖÑÜ"),
        st.characters(min_codepoint=0x410, max_codepoint=0x44F),
        st.sampled_from("😀🎉👍🇺🇦"),
    ),
    min_size=1,
    max_size=500,
)


def _units(part: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return len(encode_gsm7(part))
    return len(encode_ucs2(part)) // 2


def _limit(segments: Segments) -> int:
    single, concatenated = (160, 153) if segments.encoding is Encoding.GSM7 else (70, 67)
    return single if segments.count == 1 else concatenated


# Reference vectors and an independent implementation


@pytest.mark.parametrize("case", reference_cases())
def test_segmentation_matches_the_reference_vectors(case: dict[str, Any]) -> None:
    segments = segment(case["text"])

    assert segments.encoding == case["encoding"]
    assert segments.units == case["units"]
    assert segments.count == case["parts"]
    assert list(segments.parts) == case["part_texts"]


@given(MIXED_TEXT)
def test_encoding_and_parts_agree_with_smsutil(text: str) -> None:
    expected = smsutil.split(text)

    segments = segment(text)

    assert segments.encoding == {"gsm0338": "gsm7", "utf_16_be": "ucs2"}[expected.encoding]
    assert segments.count == len(expected.parts)
    assert list(segments.parts) == [part.content for part in expected.parts]


# Properties of every segmentation


@given(MIXED_TEXT)
def test_parts_join_back_into_the_text(text: str) -> None:
    assert "".join(segment(text).parts) == text


@given(MIXED_TEXT)
def test_every_part_fits_its_limit(text: str) -> None:
    segments = segment(text)

    assert all(_units(part, segments.encoding) <= _limit(segments) for part in segments.parts)


@given(MIXED_TEXT)
def test_every_part_but_the_last_is_full(text: str) -> None:
    segments = segment(text)

    for part, after in pairwise(segments.parts):
        assert _units(part + after[0], segments.encoding) > _limit(segments)


@given(MIXED_TEXT)
def test_units_are_what_the_encoded_text_takes(text: str) -> None:
    segments = segment(text)

    assert segments.units == _units(text, segments.encoding)


@given(MIXED_TEXT)
def test_no_part_ends_with_a_high_surrogate(text: str) -> None:
    for part in segment(text, Encoding.UCS2).parts:
        last_unit = int.from_bytes(encode_ucs2(part)[-2:], "big")
        assert not 0xD800 <= last_unit <= 0xDBFF


# Encoding detection and unit counts


def test_plain_ascii_is_gsm7() -> None:
    assert detect_encoding("Your code is 1234") is Encoding.GSM7


def test_every_gsm_character_is_gsm7() -> None:
    assert detect_encoding("".join(GSM7_CHARACTERS)) is Encoding.GSM7


@pytest.mark.parametrize("char", ["ç", "`", "\t", "\x1b", "Ж", "😀", "中"])
def test_a_character_outside_gsm_makes_the_text_ucs2(char: str) -> None:
    assert detect_encoding(f"Hello {char}") is Encoding.UCS2


def test_capital_c_cedilla_is_gsm7_but_the_small_one_is_not() -> None:
    assert (detect_encoding("Ç"), detect_encoding("ç")) == (Encoding.GSM7, Encoding.UCS2)


@pytest.mark.parametrize("char", list(GSM7_EXTENSION))
def test_an_extension_character_costs_two_septets(char: str) -> None:
    assert segment(f"a{char}").units == 3


def test_a_character_outside_the_bmp_costs_two_ucs2_units() -> None:
    assert segment("Ж😀").units == 3


def test_an_empty_text_is_one_empty_gsm7_part() -> None:
    assert segment("") == Segments(Encoding.GSM7, 0, ("",))


# Part sizes and split points


@pytest.mark.parametrize(
    ("text", "count"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3)],
)
def test_gsm7_sends_160_septets_alone_and_153_per_concatenated_part(text: str, count: int) -> None:
    assert segment(text).count == count


@pytest.mark.parametrize(
    ("text", "count"),
    [("Ж" * 70, 1), ("Ж" * 71, 2), ("Ж" * 134, 2), ("Ж" * 135, 3)],
)
def test_ucs2_sends_70_units_alone_and_67_per_concatenated_part(text: str, count: int) -> None:
    assert segment(text).count == count


def test_a_split_never_separates_esc_from_its_character() -> None:
    parts = segment("a" * 152 + "€" + "a" * 10).parts

    assert parts == ("a" * 152, "€" + "a" * 10)


def test_a_split_never_separates_a_surrogate_pair() -> None:
    parts = segment("Ж" * 66 + "😀" + "Ж" * 5).parts

    assert parts == ("Ж" * 66, "😀" + "Ж" * 5)


def test_count_is_the_number_of_parts() -> None:
    assert segment("a" * 400).count == len(segment("a" * 400).parts) == 3


# Forced encodings


def test_ucs2_can_be_forced_on_gsm_text() -> None:
    segments = segment("a€", Encoding.UCS2)

    assert (segments.encoding, segments.units) == (Encoding.UCS2, 2)


def test_gsm7_forced_on_gsm_text_is_gsm7() -> None:
    assert segment("a€", Encoding.GSM7).units == 3


def test_gsm7_cannot_be_forced_on_text_outside_gsm() -> None:
    with pytest.raises(ValueError, match=r"GSM 03\.38"):
        segment("Привет", Encoding.GSM7)


# Byte encodings


def test_gsm7_is_one_septet_per_byte() -> None:
    assert encode_gsm7("@£$ Hello") == b"\x00\x01\x02\x20Hello"


def test_gsm7_escapes_extension_characters() -> None:
    assert encode_gsm7("{€}") == b"\x1b\x28\x1b\x65\x1b\x29"


def test_gsm7_encoding_refuses_text_outside_gsm() -> None:
    with pytest.raises(ValueError, match=r"GSM 03\.38"):
        encode_gsm7("Жук")


@given(GSM7_TEXT)
def test_gsm7_decoding_inverts_encoding(text: str) -> None:
    assert decode_gsm7(encode_gsm7(text)) == text


def test_text_without_escapes_decodes_septet_by_septet_as_with_them() -> None:
    septets = bytes(s for s in range(0x80) if s != 0x1B)
    with_an_escape = septets + b"\x1b\x65"  # € after them takes the escape-aware path
    assert decode_gsm7(with_an_escape) == decode_gsm7(septets) + "€"
    assert decode_gsm7(b"\x00\x40\x11") == "@¡_"


def test_an_unknown_escape_decodes_as_the_default_character() -> None:
    assert decode_gsm7(b"\x1bA\x1b\x00") == "A@"


def test_a_double_escape_decodes_as_a_space() -> None:
    assert decode_gsm7(b"a\x1b\x1bb") == "a b"


def test_a_dangling_escape_decodes_as_a_space() -> None:
    assert decode_gsm7(b"a\x1b") == "a "


def test_gsm7_decoding_refuses_bytes_above_0x7f() -> None:
    with pytest.raises(ValueError, match="0x80"):
        decode_gsm7(b"a\x80")


def test_ucs2_is_utf16_big_endian_with_surrogate_pairs() -> None:
    assert encode_ucs2("Ж😀") == b"\x04\x16\xd8\x3d\xde\x00"


# Concatenation UDH


def test_a_small_reference_uses_the_8bit_concatenation_ie() -> None:
    assert concat_udh(0x42, 3, 1) == bytes.fromhex("050003420301")


def test_a_large_reference_uses_the_16bit_concatenation_ie() -> None:
    assert concat_udh(0x1234, 3, 2) == bytes.fromhex("06080412340302")


@pytest.mark.parametrize(
    ("reference", "total", "sequence"),
    [(-1, 2, 1), (0x10000, 2, 1), (1, 2, 0), (1, 2, 3), (1, 256, 1), (1, 0, 0)],
)
def test_udh_refuses_impossible_positions(reference: int, total: int, sequence: int) -> None:
    with pytest.raises(ValueError):
        concat_udh(reference, total, sequence)


# Text policies


@pytest.mark.parametrize("max_parts", [0, 256])
def test_a_policy_allows_1_to_255_parts(max_parts: int) -> None:
    with pytest.raises(ValueError, match="max_parts"):
        TextPolicy(max_parts=max_parts)


def test_prepare_returns_the_text_and_its_segments() -> None:
    assert prepare("Hello", TextPolicy()) == ("Hello", segment("Hello"))


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_prepare_refuses_an_empty_text(text: str) -> None:
    with pytest.raises(DomainError) as raised:
        prepare(text, TextPolicy())

    assert (raised.value.spec, raised.value.field) == (ErrorCode.EMPTY_TEXT, "text")


def test_prepare_refuses_a_text_that_is_empty_after_smart_encoding() -> None:
    with pytest.raises(DomainError) as raised:
        prepare("\u200b", TextPolicy(smart=True))

    assert raised.value.spec is ErrorCode.EMPTY_TEXT


def test_prepare_refuses_more_parts_than_the_policy_allows() -> None:
    with pytest.raises(DomainError) as raised:
        prepare("a" * 307, TextPolicy(max_parts=2))

    assert (raised.value.spec, raised.value.field) == (ErrorCode.TOO_MANY_PARTS, "text")
    assert raised.value.detail == "the text needs 3 parts, at most 2 allowed"


def test_prepare_accepts_exactly_max_parts() -> None:
    assert prepare("a" * 306, TextPolicy(max_parts=2))[1].count == 2


def test_a_single_part_policy_refuses_two_parts() -> None:
    with pytest.raises(DomainError) as raised:
        prepare("a" * 161, TextPolicy(single=True))

    assert raised.value.detail == "the text needs 2 parts, at most 1 allowed"


def test_a_single_part_policy_accepts_one_full_part() -> None:
    assert prepare("a" * 160, TextPolicy(single=True))[1].count == 1


def test_smart_encoding_is_applied_before_counting() -> None:
    text = "“Quoted” " + "a" * 100

    assert segment(text).count == 2
    sent, segments = prepare(text, TextPolicy(smart=True))

    assert sent == '"Quoted" ' + "a" * 100
    assert (segments.encoding, segments.count) == (Encoding.GSM7, 1)


def test_transliteration_is_applied_before_counting() -> None:
    sent, segments = prepare("Привет", TextPolicy(translit=True))

    assert (sent, segments.encoding) == ("Privet", Encoding.GSM7)


def test_transliteration_and_smart_encoding_combine() -> None:
    sent, _ = prepare("«Привет» — café", TextPolicy(smart=True, translit=True))

    assert sent == '"Privet" - cafe'


def test_text_is_left_alone_without_rewrites_asked() -> None:
    sent, segments = prepare("«Привет»", TextPolicy())

    assert (sent, segments.encoding) == ("«Привет»", Encoding.UCS2)


def test_prepare_refuses_an_unpaired_surrogate() -> None:
    with pytest.raises(DomainError) as raised:
        prepare("bad \ud83d text", TextPolicy())

    assert (raised.value.spec, raised.value.field) == (ErrorCode.INVALID_FIELD, "text")
