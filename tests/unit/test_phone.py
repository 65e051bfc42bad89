import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsgate.domain import phone
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.phone import (
    NormalizedBatch,
    Rejected,
    is_valid_region,
    normalize,
    normalize_many,
    region_of,
)


@pytest.mark.parametrize(
    "raw",
    ["500 600 700", "48500600700", "0048.500600700", "(500) 600-700", "+48 500 600 700"],
)
def test_usual_writings_of_a_polish_number_normalise_to_e164(raw: str) -> None:
    assert normalize(raw, "PL") == "+48500600700"


def test_foreign_number_missing_its_plus_is_read_as_international() -> None:
    assert normalize("4915123456789", "PL") == "+4915123456789"


def test_number_written_with_plus_is_never_corrected() -> None:
    with pytest.raises(DomainError):
        normalize("+500600700", "PL")


def test_number_written_with_international_prefix_is_never_corrected() -> None:
    with pytest.raises(DomainError):
        normalize("00500600700", "PL")


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [("030 1234567", "DE", "+49301234567"), ("07400 123456", "GB", "+447400123456")],
)
def test_national_prefix_is_dropped(raw: str, region: str, e164: str) -> None:
    assert normalize(raw, region) == e164


def test_italian_leading_zero_is_kept() -> None:
    assert normalize("06 1234 5678", "IT") == "+390612345678"


def test_without_default_region_digits_are_read_as_international() -> None:
    assert normalize("48500600700") == "+48500600700"


def test_without_default_region_a_national_number_is_invalid() -> None:
    with pytest.raises(DomainError):
        normalize("0500600700")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "not a number"),
        ("call me", "not a number"),
        ("+48 500 600 7OO", "not a number"),
        ("500600700 ext. 12", "not a number"),
        ("5", "too short"),
        ("+48 500", "too short"),
        ("+48 500 600 700 800", "too long"),
        ("+999 500 600 700", "invalid country code"),
        ("+48 100 600 700", "not a valid number for PL"),
        ("+1 999 555 0123", "not a valid number"),
    ],
)
def test_invalid_number_error_says_why(raw: str, reason: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalize(raw, "PL")
    assert caught.value.spec is ErrorCode.INVALID_NUMBER
    assert caught.value.detail == reason


def test_invalid_number_error_names_the_field() -> None:
    with pytest.raises(DomainError) as caught:
        normalize("nope", "PL", field="to")
    assert caught.value.field == "to"


@pytest.mark.parametrize("region", ["XX", "pl", "001"])
def test_unknown_default_region_is_a_programming_error(region: str) -> None:
    with pytest.raises(ValueError, match="unknown region"):
        normalize("500600700", region)


def test_batch_keeps_valid_numbers_with_their_input_index() -> None:
    batch = normalize_many(["500600700", "nope", "+49 151 23456789"], "PL")
    assert batch.valid == [(0, "+48500600700"), (2, "+4915123456789")]


def test_batch_rejects_bad_recipients_one_by_one() -> None:
    batch = normalize_many(["500600700", "nope", "+48 500"], "PL")
    assert batch.rejected == [
        Rejected(1, "nope", ErrorCode.INVALID_NUMBER.code, "not a number"),
        Rejected(2, "+48 500", ErrorCode.INVALID_NUMBER.code, "too short"),
    ]


def test_batch_rejects_repeated_number_written_differently() -> None:
    batch = normalize_many(["500600700", "+48 500 600 701", "+48 500-600-700"], "PL")
    assert batch == NormalizedBatch(
        valid=[(0, "+48500600700"), (1, "+48500600701")],
        rejected=[
            Rejected(
                2,
                "+48 500-600-700",
                ErrorCode.DUPLICATE_RECIPIENT.code,
                "duplicate of recipient #0",
            )
        ],
    )


def test_batch_without_dedupe_keeps_repeated_numbers() -> None:
    batch = normalize_many(["500600700", "+48500600700"], "PL", dedupe=False)
    assert batch.valid == [(0, "+48500600700"), (1, "+48500600700")]
    assert batch.rejected == []


@pytest.mark.parametrize(
    ("e164", "region"),
    [
        ("+48500600700", "PL"),
        ("+12125550123", "US"),
        ("+16135550123", "CA"),  # shares +1 with the US
        ("+441481256789", "GG"),  # shares +44 with GB
        ("+390612345678", "IT"),
    ],
)
def test_region_of_a_number(e164: str, region: str) -> None:
    assert region_of(e164) == region


@pytest.mark.parametrize("e164", ["+80012345678", "+48100600700", "48500600700", "+", ""])
def test_region_of_a_non_geographic_invalid_or_malformed_number_is_unknown(e164: str) -> None:
    assert region_of(e164) is None


def test_valid_regions_are_upper_case_iso_codes() -> None:
    assert is_valid_region("PL")
    assert not is_valid_region("pl")
    assert not is_valid_region("XX")
    assert not is_valid_region("001")


def test_common_shapes_are_read_without_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def parser_not_expected(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fast path handed a common shape to phonenumbers.parse")

    monkeypatch.setattr(phonenumbers, "parse", parser_not_expected)
    batch = normalize_many(
        ["+48500600700", "500 600 701", "48500600702", "+49 151 23456789", "+1 212 555 0123"],
        "PL",
    )
    assert [e164 for _, e164 in batch.valid] == [
        "+48500600700",
        "+48500600701",
        "+48500600702",
        "+4915123456789",
        "+12125550123",
    ]


# The fast path must answer exactly as phonenumbers' parser does (`phone._read_slowly`).

REGIONS = ["PL", "DE", "GB", "US", "RU", "IT", "AU", "FR"]


def example_numbers(regions: list[str]) -> list[tuple[int, str]]:
    """(country code, national significant number) of phonenumbers' example of every type."""
    examples = []
    for region in regions:
        for number_type in phonenumbers.supported_types_for_region(region):
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is not None:
                national = phonenumbers.national_significant_number(number)
                examples.append((number.country_code, national))
    return examples


REGION_EXAMPLES = example_numbers(REGIONS)


@st.composite
def real_looking_numbers(draw: st.DrawFn) -> str:
    code, national = draw(st.sampled_from(REGION_EXAMPLES))
    kept = draw(st.integers(min_value=1, max_value=len(national)))
    national = national[:kept] + draw(st.text("0123456789", max_size=len(national) - kept + 1))
    return draw(st.sampled_from([f"{code}{national}", national, f"0{national}", f"8{national}"]))


@st.composite
def written_numbers(draw: st.DrawFn) -> str:
    digits = draw(st.one_of(st.text("0123456789", min_size=6, max_size=17), real_looking_numbers()))
    text = draw(st.sampled_from(["", "+", "00", "+00", "011", "810"])) + digits
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + draw(st.sampled_from(" .-")) + text[at:]
    return text


@settings(max_examples=1000, deadline=None)
@given(written_numbers(), st.sampled_from([*REGIONS, None]))
def test_fast_path_agrees_with_phonenumbers(raw: str, region: str | None) -> None:
    assert phone._reader(region).read(raw) == phone._read_slowly(raw, region)


def every_example_number() -> list[tuple[int, str]]:
    non_geographic = [
        (code, phonenumbers.national_significant_number(number))
        for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
        if (number := phonenumbers.example_number_for_non_geo_entity(code)) is not None
    ]
    return example_numbers(sorted(phonenumbers.SUPPORTED_REGIONS)) + non_geographic


def test_fast_path_agrees_with_phonenumbers_on_every_region_example() -> None:
    disagreements = []
    for code, national in every_example_number():
        for variant in (national, national[:-1], national + "5", national[:-1] + "9"):
            for raw, region in ((f"+{code}{variant}", None), (f"{code}{variant}", "PL")):
                fast, slow = phone._reader(region).read(raw), phone._read_slowly(raw, region)
                if fast != slow:
                    disagreements.append((raw, region, fast, slow))
    assert disagreements == []


def test_region_of_agrees_with_phonenumbers_on_every_region_example() -> None:
    disagreements = []
    for code, national in every_example_number():
        number = phonenumbers.parse(f"+{code}{national}")
        expected = phonenumbers.region_code_for_number(number)
        if expected == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
            expected = None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if region_of(e164) != expected:
            disagreements.append((e164, region_of(e164), expected))
    assert disagreements == []
