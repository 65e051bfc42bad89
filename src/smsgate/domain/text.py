"""What a message text costs on the air: GSM-7 or UCS-2, how many units, which parts.

A text goes out in GSM 03.38 (7-bit septets) when every character is in the default alphabet or
its extension table, otherwise in UCS-2 (UTF-16 code units). One SMS carries 160 septets or 70
units; a concatenated part loses six octets to its UDH and carries 153 septets or 67 units. Each
part is a slice of the original text, so a two-unit character (an extension character in GSM-7,
a character outside the BMP in UCS-2) is never split between parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.textfilters import smart_encode, transliterate


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


# GSM 03.38 default alphabet, indexed by septet value. 0x1B is not a character but the escape
# into the extension table.
_DEFAULT_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
_ESC = 0x1B
# GSM 03.38 extension table: character -> septet sent after ESC.
_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_FROM_SEPTETS = dict(enumerate(_DEFAULT_ALPHABET))
# 03.38 reserves ESC ESC for a further extension table and asks receivers to show a space.
_UNESCAPED = {septet: char for char, septet in _EXTENSION.items()} | {_ESC: " "}

GSM7_CHARACTERS = (frozenset(_DEFAULT_ALPHABET) | frozenset(_EXTENSION)) - {"\x1b"}

_NOT_GSM7 = re.compile(f"[^{re.escape(''.join(sorted(GSM7_CHARACTERS)))}]")
_GSM7_EXTENSION = re.compile(f"[{re.escape(''.join(_EXTENSION))}]")
_OUTSIDE_BMP = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_TO_SEPTETS = {
    ord(char): chr(septet) for septet, char in enumerate(_DEFAULT_ALPHABET) if septet != _ESC
} | {ord(char): f"\x1b{septet:c}" for char, septet in _EXTENSION.items()}


@dataclass(frozen=True, slots=True)
class _Limits:
    single: int  # units in a message sent alone
    concatenated: int  # units in each part of a concatenated message
    two_unit: re.Pattern[str]  # the characters that cost two units


_LIMITS = {
    Encoding.GSM7: _Limits(single=160, concatenated=153, two_unit=_GSM7_EXTENSION),
    Encoding.UCS2: _Limits(single=70, concatenated=67, two_unit=_OUTSIDE_BMP),
}


@dataclass(frozen=True, slots=True)
class Segments:
    encoding: Encoding
    units: int  # septets (gsm7) or UTF-16 code units (ucs2) of the whole text
    parts: tuple[str, ...]  # text of each part; an empty text is one empty part

    @property
    def count(self) -> int:
        return len(self.parts)


def detect_encoding(text: str) -> Encoding:
    return Encoding.UCS2 if _NOT_GSM7.search(text) else Encoding.GSM7


def segment(text: str, encoding: Encoding | None = None) -> Segments:
    """Split `text` into SMS parts, in `encoding` if given, else in the cheapest one that fits.

    Raises ValueError when GSM-7 is forced on a text with characters outside GSM 03.38.
    """
    if encoding is None:
        encoding = detect_encoding(text)
    elif encoding is Encoding.GSM7 and _NOT_GSM7.search(text):
        raise ValueError("the text has characters outside the GSM 03.38 alphabet")
    limits = _LIMITS[encoding]
    units = len(text) + len(limits.two_unit.findall(text))
    if units <= limits.single:
        return Segments(encoding, units, (text,))
    two_unit_at = [match.start() for match in limits.two_unit.finditer(text)]
    return Segments(encoding, units, _split(text, limits.concatenated, two_unit_at))


def _split(text: str, limit: int, two_unit_at: list[int]) -> tuple[str, ...]:
    """Cut `text` greedily into parts of at most `limit` units; every character costs one unit
    except those at the (ascending) indexes `two_unit_at`, which cost two and stay whole."""
    parts = []
    start = 0
    pending = iter(two_unit_at)
    position = next(pending, None)
    while start < len(text):
        end = start + limit
        while position is not None and position < end:
            if position == end - 1:  # one unit left: the character opens the next part
                end = position
                break
            end -= 1  # the character fits and leaves room for one character less
            position = next(pending, None)
        parts.append(text[start:end])
        start = end
    return tuple(parts)


def encode_gsm7(text: str) -> bytes:
    """Unpacked GSM 03.38: one septet per byte, ESC (0x1B) before each extension character."""
    if _NOT_GSM7.search(text):
        raise ValueError("the text has characters outside the GSM 03.38 alphabet")
    return text.translate(_TO_SEPTETS).encode("ascii")


def decode_gsm7(data: bytes) -> str:
    """Inverse of `encode_gsm7`. An escape to an undefined extension septet decodes as the
    default-alphabet character for that septet, as 03.38 asks of receivers."""
    if _ESC not in data and max(data, default=0) <= 0x7F:
        # No escapes: one table lookup per septet in C, four times faster than the loop below
        # (every SMPP submit in data_coding 0 is read here).
        return data.decode("latin-1").translate(_FROM_SEPTETS)
    chars = []
    escaped = False
    for septet in data:
        if septet > 0x7F:
            raise ValueError(f"{septet:#04x} is not a septet")
        if escaped:
            chars.append(_UNESCAPED.get(septet, _DEFAULT_ALPHABET[septet]))
            escaped = False
        elif septet == _ESC:
            escaped = True
        else:
            chars.append(_DEFAULT_ALPHABET[septet])
    if escaped:  # a dangling ESC: shown like the reserved ESC ESC
        chars.append(_UNESCAPED[_ESC])
    return "".join(chars)


def encode_ucs2(text: str) -> bytes:
    """UTF-16-BE; raises ValueError (UnicodeEncodeError) on an unpaired surrogate."""
    return text.encode("utf-16-be")


def concat_udh(reference: int, total: int, sequence: int) -> bytes:
    """User data header of one part of a concatenated message, UDHL included.

    A reference below 256 uses the 8-bit IE (6 octets, what `segment`'s part sizes assume);
    a larger one the 16-bit IE (7 octets), which leaves one septet or unit less per part.
    """
    if not 0 <= reference <= 0xFFFF:
        raise ValueError(f"reference {reference} is outside 0..65535")
    if not 1 <= sequence <= total <= 255:
        raise ValueError(f"part {sequence} of {total} is not a valid concatenation position")
    if reference < 256:
        return bytes((5, 0x00, 3, reference, total, sequence))
    return bytes((6, 0x08, 4, reference >> 8, reference & 0xFF, total, sequence))


@dataclass(frozen=True, slots=True)
class TextPolicy:
    max_parts: int = 10  # per-account maximum; 0 < max_parts <= 255
    single: bool = False  # refuse anything longer than one part
    smart: bool = False  # apply smart encoding before counting
    translit: bool = False  # transliterate Cyrillic/Polish etc. to Latin first

    def __post_init__(self) -> None:
        if not 0 < self.max_parts <= 255:
            raise ValueError(f"max_parts must be in 1..255, not {self.max_parts}")


def prepare(text: str, policy: TextPolicy) -> tuple[str, Segments]:
    """Rewrite `text` as `policy` asks and segment it, refusing what the policy does not allow.

    Returns the text to send (possibly rewritten) and its segments.
    """
    if policy.translit:
        text = transliterate(text)
    if policy.smart:
        text = smart_encode(text)
    if not text or text.isspace():
        raise DomainError(ErrorCode.EMPTY_TEXT, field="text")
    segments = segment(text)
    if segments.encoding is Encoding.UCS2 and _SURROGATE.search(text):
        raise DomainError(
            ErrorCode.INVALID_FIELD, "the text has an unpaired surrogate code point", field="text"
        )
    allowed = 1 if policy.single else policy.max_parts
    if segments.count > allowed:
        raise DomainError(
            ErrorCode.TOO_MANY_PARTS,
            f"the text needs {segments.count} parts, at most {allowed} allowed",
            field="text",
        )
    return text, segments
