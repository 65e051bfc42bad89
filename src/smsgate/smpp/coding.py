"""data_coding: how the octets of short_message (or message_payload) are text, both ways, and the
user data header (UDH) or SAR TLVs that place a part in a long message.

SMPP 3.4 (§5.2.19) leaves data_coding 0 to "the SMSC default alphabet", and peers disagree on what
that is: GSM 03.38 one septet per octet (the usual case), latin-1 or ASCII. data_coding 1 is IA5
(ASCII), but node-smpp puts GSM 03.38 text there. So each peer, an upstream SMSC or a customer
account, has a `CodingMap` saying how it uses 0 and 1. Values from 0x10 up follow the GSM 03.38
data coding scheme; those that carry GSM 03.38 or UCS-2 text (flash and message-class variants)
are read as such, the 8-bit data ones are not text.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Literal

import msgspec

from smsgate.domain.inbound import Concat
from smsgate.domain.text import (
    Encoding,
    decode_gsm7,
    detect_encoding,
    encode_gsm7,
    encode_ucs2,
)
from smsgate.smpp.tlv import Tlvs

UDHI = 0x40  # esm_class bit: short_message starts with a user data header
UCS2_DATA_CODING = 8

_IE_CONCAT_8BIT = 0x00
_IE_CONCAT_16BIT = 0x08


class CodingError(ValueError):
    """Octets that cannot be read as text: a malformed UDH or text invalid in its coding."""


class UnsupportedCoding(CodingError):
    """A data_coding that is not text smsgate reads (8-bit binary, a reserved or Asian set)."""

    def __init__(self, data_coding: int) -> None:
        super().__init__(f"data_coding {data_coding:#04x} is not a text coding smsgate reads")
        self.data_coding = data_coding


class Alphabet(StrEnum):
    GSM7 = "gsm7"  # GSM 03.38, one septet per octet, ESC before extension characters
    LATIN1 = "latin1"
    ASCII = "ascii"


class CodingMap(msgspec.Struct, frozen=True, kw_only=True):
    """How one peer uses data_coding: what 0 and 1 mean, and which value GSM-7 text goes out in.

    Text that needs UCS-2 always goes out in data_coding 8.
    """

    default_alphabet: Alphabet = Alphabet.GSM7  # data_coding 0
    ia5_alphabet: Alphabet = Alphabet.ASCII  # data_coding 1
    gsm7_data_coding: Literal[0, 1, 3] = 0


DEFAULT_CODING = CodingMap()


def _codec(name: str) -> tuple[Callable[[bytes], str], Callable[[str], bytes]]:
    return (lambda data: data.decode(name)), (lambda text: text.encode(name))


_GSM7 = (decode_gsm7, encode_gsm7)
_UCS2 = _codec("utf-16-be")  # reads surrogate pairs (UTF-16); refuses unpaired surrogates
_ALPHABETS = {
    Alphabet.GSM7: _GSM7,
    Alphabet.LATIN1: _codec("latin-1"),
    Alphabet.ASCII: _codec("ascii"),
}
# SMPP-defined values with a fixed charset.
_CHARSETS = {3: _codec("latin-1"), 6: _codec("iso8859-5"), 7: _codec("iso8859-8"), 8: _UCS2}


def _decoder(data_coding: int, coding: CodingMap) -> Callable[[bytes], str] | None:
    if data_coding == 0:
        return _ALPHABETS[coding.default_alphabet][0]
    if data_coding == 1:
        return _ALPHABETS[coding.ia5_alphabet][0]
    charset = _CHARSETS.get(data_coding)
    if charset is not None:
        return charset[0]
    group = data_coding >> 4
    # GSM 03.38 §4: groups 0001 and 0100/0101 (general coding, uncompressed) name the alphabet in
    # bits 3-2; 1100/1101 are message waiting indications in GSM 03.38, 1110 in UCS-2; 1111 has
    # one bit for GSM 03.38 or 8-bit data.
    if group in (0x1, 0x4, 0x5):
        return {0b00: decode_gsm7, 0b10: _UCS2[0]}.get((data_coding >> 2) & 0b11)
    if group in (0xC, 0xD) or (group == 0xF and not data_coding & 0b100):
        return decode_gsm7
    if group == 0xE:
        return _UCS2[0]
    return None


def decode_text(data_coding: int, data: bytes, coding: CodingMap = DEFAULT_CODING) -> str:
    """The text in `data`, read as `data_coding` means for the peer described by `coding`.

    UCS-2 is read as UTF-16, so surrogate pairs (emoji) come out as one character. Raises
    UnsupportedCoding for a coding that is not text, CodingError for octets invalid in it.
    """
    decode = _decoder(data_coding, coding)
    if decode is None:
        raise UnsupportedCoding(data_coding)
    try:
        return decode(data)
    except ValueError as error:
        raise CodingError(f"data_coding {data_coding:#04x}: {error}") from error


def _gsm_text_encoder(coding: CodingMap) -> Callable[[str], bytes]:
    if coding.gsm7_data_coding == 0:
        return _ALPHABETS[coding.default_alphabet][1]
    if coding.gsm7_data_coding == 1:
        return _ALPHABETS[coding.ia5_alphabet][1]
    return _CHARSETS[coding.gsm7_data_coding][1]


def encode_text(
    text: str, encoding: Encoding, coding: CodingMap = DEFAULT_CODING
) -> tuple[int, bytes]:
    """(data_coding, octets) of `text` in our `encoding`, as the peer of `coding` wants them.

    Raises ValueError when the peer's charset for GSM-7 text cannot carry `text` (a € to a
    latin-1 SMSC); `wire_encoding` tells beforehand.
    """
    if encoding is Encoding.UCS2:
        return UCS2_DATA_CODING, encode_ucs2(text)
    return coding.gsm7_data_coding, _gsm_text_encoder(coding)(text)


def wire_encoding(text: str, encoding: Encoding, coding: CodingMap = DEFAULT_CODING) -> Encoding:
    """`encoding`, or UCS-2 when it is GSM-7 and the peer's charset for GSM-7 text lacks one of
    the characters of `text` (Greek capitals and € are in GSM 03.38 but not in latin-1), or
    `text` is not GSM 03.38 at all."""
    if encoding is Encoding.GSM7:
        if detect_encoding(text) is Encoding.UCS2:
            return Encoding.UCS2
        try:
            _gsm_text_encoder(coding)(text)
        except ValueError:
            return Encoding.UCS2
    return encoding


def split_udh(short_message: bytes) -> tuple[Concat | None, bytes]:
    """The concatenation information element of the UDH in front of `short_message`, and what
    follows the UDH. Call it when esm_class has UDHI (0x40).

    Concatenation with an 8-bit (IE 0x00) or 16-bit (IE 0x08) reference is read; other IEs
    (application ports, ...) are skipped. Raises CodingError for a UDH that does not parse.
    """
    if not short_message:
        raise CodingError("UDHI is set but the message is empty")
    end = 1 + short_message[0]
    if end > len(short_message):
        raise CodingError(f"UDH of {end} octets in a message of {len(short_message)}")
    concat = None
    pos = 1
    while pos < end:
        if pos + 2 > end:
            raise CodingError("UDH ends inside an information element header")
        iei, length = short_message[pos], short_message[pos + 1]
        pos += 2
        value = short_message[pos : pos + length]
        pos += length
        if pos > end:
            raise CodingError(f"information element {iei:#04x} overruns the UDH")
        if concat is None and iei in (_IE_CONCAT_8BIT, _IE_CONCAT_16BIT):
            concat = _concat_ie(iei, value)
    return concat, short_message[end:]


def _concat_ie(iei: int, value: bytes) -> Concat:
    size = 3 if iei == _IE_CONCAT_8BIT else 4
    if len(value) != size:
        raise CodingError(f"concatenation element {iei:#04x} of {len(value)} octets")
    return _concat(int.from_bytes(value[:-2], "big"), value[-2], value[-1])


def _concat(ref: int, total: int, seq: int) -> Concat:
    try:
        return Concat(ref, total, seq)
    except ValueError as error:
        raise CodingError(str(error)) from error


def sar_concat(tlvs: Tlvs) -> Concat | None:
    """The part's place from the sar_* TLVs; None when none is present. Raises CodingError when
    only some are present or they are out of range."""
    values = (tlvs.sar_msg_ref_num, tlvs.sar_total_segments, tlvs.sar_segment_seqnum)
    if values == (None, None, None):
        return None
    ref, total, seq = values
    if ref is None or total is None or seq is None:
        raise CodingError("sar_msg_ref_num, sar_total_segments and sar_segment_seqnum go together")
    return _concat(ref, total, seq)


def read_text(
    esm_class: int,
    data_coding: int,
    short_message: bytes,
    tlvs: Tlvs,
    coding: CodingMap = DEFAULT_CODING,
) -> tuple[str, Concat | None]:
    """The text of a submit_sm, deliver_sm or data_sm and its place in a long message (UDH first,
    else SAR TLVs), if any.

    A non-empty message_payload is read instead of short_message, as Kannel does; the spec wants
    only one of them. Raises UnsupportedCoding or CodingError as `decode_text` and `split_udh`.
    """
    data = tlvs.message_payload or short_message
    concat = None
    if esm_class & UDHI:
        concat, data = split_udh(data)
    if concat is None:
        concat = sar_concat(tlvs)
    return decode_text(data_coding, data, coding), concat
