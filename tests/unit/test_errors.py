"""The error catalog: stable, unique codes, each with a kind and a message."""

from __future__ import annotations

import re

import pytest

from smsgate.domain.errors import DomainError, ErrorCode, ErrorKind, ErrorSpec

CATALOG = ErrorCode.all()

# Clients branch on these strings: once published, a code stays (new ones may be added).
PUBLISHED = {
    "invalid_request",
    "invalid_field",
    "missing_field",
    "invalid_number",
    "duplicate_recipient",
    "no_recipients",
    "too_many_recipients",
    "empty_text",
    "too_many_parts",
    "invalid_sender",
    "invalid_schedule",
    "invalid_validity",
    "body_too_large",
    "unauthorized",
    "account_disabled",
    "not_found",
    "idempotency_conflict",
    "not_cancelable",
    "no_route",
    "method_not_allowed",
    "internal",
}


def test_published_codes_are_never_withdrawn() -> None:
    assert {spec.code for spec in CATALOG} >= PUBLISHED


def test_codes_are_unique() -> None:
    codes = [spec.code for spec in CATALOG]
    assert len(codes) == len(set(codes))


def test_codes_are_lower_snake_case() -> None:
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", spec.code) for spec in CATALOG)


def test_attribute_name_is_the_code_upper_cased() -> None:
    for name, value in vars(ErrorCode).items():
        if isinstance(value, ErrorSpec):
            assert name == value.code.upper()


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.code)
def test_every_error_has_a_kind_and_a_message(spec: ErrorSpec) -> None:
    assert isinstance(spec.kind, ErrorKind)
    assert spec.message.strip()


def test_a_domain_error_without_detail_says_the_catalog_message() -> None:
    error = DomainError(ErrorCode.NO_RECIPIENTS)
    assert error.detail == ErrorCode.NO_RECIPIENTS.message
    assert error.field is None


def test_a_domain_error_carries_its_code_kind_detail_and_field() -> None:
    error = DomainError(ErrorCode.INVALID_SENDER, "sender is empty", field="sender")
    assert error.code == "invalid_sender"
    assert error.kind is ErrorKind.INVALID
    assert error.detail == "sender is empty"
    assert error.field == "sender"


def test_a_domain_error_reads_as_code_and_detail() -> None:
    error = DomainError(ErrorCode.NOT_FOUND, "no message 42")
    assert str(error) == "not_found: no message 42"
