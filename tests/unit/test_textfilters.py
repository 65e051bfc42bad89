"""Smart encoding (typographic look-alikes to GSM) and transliteration (to plain Latin)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.text import GSM7_CHARACTERS, Encoding, detect_encoding
from smsgate.domain.textfilters import smart_encode, transliterate

TYPOGRAPHY = "‘’‚‛′´`‹›“”„‟″«»‐‑‒–—―−•…\t\u00a0\u2002\u2003\u2009\u202f\u3000\u200b\ufeff™©®"
# Latin-1 Supplement and Latin Extended-A: the letters of the European languages.
EUROPEAN_LETTERS = [
    chr(code) for code in range(0xC0, 0x180) if unicodedata.category(chr(code)) in ("Lu", "Ll")
]
RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
CYRILLIC = RUSSIAN + RUSSIAN.upper() + "іїєґўІЇЄҐЎ"


# smart_encode


@pytest.mark.parametrize(
    ("typographic", "plain"),
    [
        ("‘single’", "'single'"),
        ("“double” „low“", '"double" "low"'),
        ("5′ 10″", "5' 10\""),
        ("«guillemets» ‹single›", "\"guillemets\" 'single'"),
        ("en–em—minus−hyphen‐nb‑", "en-em-minus-hyphen-nb-"),
        ("wait…", "wait..."),
        ("• item", "- item"),
        ("a\u00a0b\u2009c\u202fd\u3000e", "a b c d e"),
        ("a\tb", "a b"),
        ("ze\u200bro\ufeff wid\u200dth", "zero width"),
        ("Acme™ © ®", "Acme(TM) (C) (R)"),
        ("`tick`", "'tick'"),
    ],
)
def test_smart_encoding_replaces_typography_with_gsm(typographic: str, plain: str) -> None:
    assert smart_encode(typographic) == plain


def test_smart_encoding_turns_fullwidth_forms_into_ascii() -> None:
    assert smart_encode("ＳＡＬＥ！ １０％ ｛ｏｆｆ｝") == "SALE! 10% {off}"


def test_smart_encoding_drops_accents_gsm_lacks() -> None:
    assert smart_encode("á â ã ç í ó ú ê ë ï ô õ û ÿ È Ł ő") == "a a a c i o u e e i o o u y E L o"


def test_smart_encoding_keeps_every_gsm_character() -> None:
    text = "".join(sorted(GSM7_CHARACTERS))

    assert smart_encode(text) == text


@pytest.mark.parametrize("text", ["Привет", "你好", "Hi 😀", "Ελλάδα"])
def test_smart_encoding_leaves_characters_without_a_gsm_equivalent(text: str) -> None:
    assert smart_encode(text) == text


@given(st.text(alphabet=st.sampled_from(sorted(GSM7_CHARACTERS) + list(TYPOGRAPHY))))
def test_smart_encoded_typography_is_gsm7(text: str) -> None:
    assert detect_encoding(smart_encode(text)) is Encoding.GSM7


@pytest.mark.parametrize("letter", EUROPEAN_LETTERS)
def test_smart_encoding_makes_every_european_letter_gsm7(letter: str) -> None:
    assert detect_encoding(smart_encode(letter)) is Encoding.GSM7


@given(st.text())
def test_smart_encoding_is_idempotent(text: str) -> None:
    assert smart_encode(smart_encode(text)) == smart_encode(text)


# transliterate


def test_russian_letters_transliterate_like_smsc() -> None:
    assert transliterate(RUSSIAN) == "abvgdeyozhzijklmnoprstufhcchshshh\"y'eyuya"


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [("Жук", "Zhuk"), ("Щука", "Shhuka"), ("Юля", "Yulya"), ("Ёж", "Yozh"), ("Ж.", "Zh.")],
)
def test_a_capital_starting_a_word_capitalises_only_the_first_letter(
    cyrillic: str, latin: str
) -> None:
    assert transliterate(cyrillic) == latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [("ЖУК", "ZHUK"), ("МЯЧ", "MYACH"), ("ОАО ЖКХ", "OAO ZHKH"), ("ЩИ", "SHHI")],
)
def test_a_word_in_capitals_stays_in_capitals(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic) == latin


def test_ukrainian_and_belarusian_letters_transliterate() -> None:
    assert transliterate("Їжак єнот ґанок Київ Беларусь ў") == "Yizhak yenot ganok Kiyiv Belarus' u"


def test_polish_letters_lose_their_diacritics() -> None:
    assert transliterate("Zażółć gęślą jaźń ŁÓDŹ") == "Zazolc gesla jazn LODZ"


def test_accented_latin_letters_lose_their_diacritics() -> None:
    assert transliterate("Café Müller Ørsted Việt Nam") == "Cafe Muller Orsted Viet Nam"


@pytest.mark.parametrize("text", ["plain ascii {ok}", "Hi 😀", "你好", "Ελλάδα"])
def test_transliteration_leaves_other_text_alone(text: str) -> None:
    assert transliterate(text) == text


@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from(CYRILLIC), st.characters(min_codepoint=0x20, max_codepoint=0x7E)
        )
    )
)
def test_transliterated_cyrillic_is_ascii(text: str) -> None:
    assert transliterate(text).isascii()


@given(st.text())
def test_transliteration_is_idempotent(text: str) -> None:
    assert transliterate(transliterate(text)) == transliterate(text)
