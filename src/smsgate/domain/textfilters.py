"""Rewrites that make a text cheaper to send.

`smart_encode` replaces typographic look-alikes (curly quotes, dashes, odd spaces, accents GSM
lacks) so that a message written in a word processor still fits GSM-7. `transliterate` turns
Cyrillic and accented Latin into plain Latin, as SMSC.ru's `translit=1` does.
"""

from __future__ import annotations

import re
import unicodedata

# The accented letters GSM 03.38 has. text.py holds the whole alphabet; it cannot be imported
# here (text.py imports this module), so the tests check that smart encoding keeps every GSM
# character and turns every foldable Latin letter into one.
_GSM_LETTERS = "ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùü"

_TYPOGRAPHY = {
    **dict.fromkeys("‘’‚‛′ʹʻʼ´`‹›", "'"),
    **dict.fromkeys("“”„‟″«»〝〞", '"'),
    **dict.fromkeys("‐‑‒–—―−⁃•∙◦‣", "-"),
    **dict.fromkeys("\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006", " "),
    **dict.fromkeys("\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),  # invisible
    "…": "...",
    "™": "(TM)",
    "©": "(C)",
    "®": "(R)",
    "ˆ": "^",
    "˜": "~",
    "⁄": "/",
}
# Fullwidth forms U+FF01..U+FF5E are ASCII shifted by 0xFEE0.
_FULLWIDTH = {chr(code + 0xFEE0): chr(code) for code in range(0x21, 0x7F)}

# Letters whose base letters neither their decomposition nor their name gives.
_BASE_BY_HAND = {
    "Ð": "D",
    "ð": "d",
    "ı": "i",
    "ĸ": "k",
    "ŉ": "n",
    "Ŋ": "N",
    "ŋ": "n",
    "Œ": "OE",
    "œ": "oe",
    "Þ": "Th",
    "þ": "th",
}
# "LATIN CAPITAL LETTER L WITH STROKE": the letters decomposition leaves alone (stroke, hook,
# middle dot) still name their base letter.
_NAMED_BASE = re.compile(r"LATIN (CAPITAL|SMALL) LETTER ([A-Z]) WITH ")
# Latin-1 Supplement, Latin Extended-A and -B, Latin Extended Additional (Vietnamese etc.).
_LATIN_RANGES = (range(0xC0, 0x250), range(0x1E00, 0x1F00))


def _base_letters(char: str) -> str | None:
    """The plain ASCII letters `char` is an accented form of, or None."""
    if char in _BASE_BY_HAND:
        return _BASE_BY_HAND[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base != char and base.isascii() and base.isalpha():
        return base
    named = _NAMED_BASE.match(unicodedata.name(char, ""))
    if named is None:
        return None
    return named[2] if named[1] == "CAPITAL" else named[2].lower()


_LATIN_BASE = {
    char: base
    for char in (chr(code) for codes in _LATIN_RANGES for code in codes)
    if (base := _base_letters(char)) is not None
}


def _translation(rewrites: dict[str, str]) -> tuple[re.Pattern[str], dict[int, str | int]]:
    """A pattern finding the characters `rewrites` changes, and a `str.translate` table for it.

    The table also maps Latin, Greek and Cyrillic (U+0000..U+04FF) to themselves: `str.translate`
    raises and swallows a KeyError for every character missing from its table, which costs more
    than the lookup itself.
    """
    changed = re.compile(f"[{re.escape(''.join(rewrites))}]")
    table: dict[int, str | int] = {code: code for code in range(0x500)}
    table.update({ord(char): rewrite for char, rewrite in rewrites.items()})
    return changed, table


_SMART_CHANGES, _SMART = _translation(
    _TYPOGRAPHY
    | {wide: _TYPOGRAPHY.get(narrow, narrow) for wide, narrow in _FULLWIDTH.items()}
    | {char: base for char, base in _LATIN_BASE.items() if char not in _GSM_LETTERS}
)

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "ch",
    "ш": "sh",
    "щ": "shh",
    "ъ": '"',
    "ы": "y",
    "ь": "'",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",  # Ukrainian, Belarusian
    "ї": "yi",  # Ukrainian
    "є": "ye",  # Ukrainian
    "ґ": "g",  # Ukrainian
    "ў": "u",  # Belarusian
}
_CYRILLIC_UPPER = {lower.upper(): latin.capitalize() for lower, latin in _CYRILLIC.items()}
_TRANSLIT_CHANGES, _TRANSLIT = _translation(_CYRILLIC | _CYRILLIC_UPPER | _LATIN_BASE)

# A capital that becomes two or more Latin letters is written all in capitals inside a word in
# capitals: "ЖУК" -> "ZHUK", "МЯЧ" -> "MYACH", but "Жук" -> "Zhuk".
_ALL_CAPS = {upper: latin.upper() for upper, latin in _CYRILLIC_UPPER.items() if len(latin) > 1}
_UPPER = "A-Z" + "".join(_CYRILLIC_UPPER)
_LOWER = "a-z" + "".join(_CYRILLIC)
_MULTI = "".join(_ALL_CAPS)
_CAPITAL_IN_CAPITALS = re.compile(
    f"[{_MULTI}](?=[{_UPPER}])|(?<=[{_UPPER}])[{_MULTI}](?![{_LOWER}])"
)


def smart_encode(text: str) -> str:
    """Replace typographic characters and accents GSM-7 lacks with their GSM look-alikes.

    Characters without a GSM equivalent (emoji, CJK, Cyrillic) are kept; the text then stays
    UCS-2.
    """
    if not _SMART_CHANGES.search(text):
        return text
    return text.translate(_SMART)


def transliterate(text: str) -> str:
    """Write Russian, Ukrainian and Belarusian Cyrillic and accented Latin in plain Latin."""
    if not _TRANSLIT_CHANGES.search(text):
        return text
    text = _CAPITAL_IN_CAPITALS.sub(lambda match: _ALL_CAPS[match[0]], text)
    return text.translate(_TRANSLIT)
