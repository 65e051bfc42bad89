"""API credentials in the Authorization header: Bearer key.secret or HTTP Basic key:secret."""

from __future__ import annotations

import base64

import pytest

from smsgate.domain.errors import DomainError, ErrorCode, ErrorKind
from smsgate.http.credentials import parse_authorization


def basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


def refusal(header: str | None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_authorization(header)
    assert caught.value.code == ErrorCode.UNAUTHORIZED.code
    assert caught.value.kind is ErrorKind.UNAUTHORIZED
    return caught.value


def test_a_bearer_token_is_the_key_id_and_secret_joined_by_a_dot() -> None:
    assert parse_authorization("Bearer key1.s3cret") == ("key1", "s3cret")


def test_a_bearer_secret_may_itself_hold_dots() -> None:
    assert parse_authorization("Bearer key1.a.b.c") == ("key1", "a.b.c")


def test_basic_credentials_are_the_key_id_as_user_and_the_secret_as_password() -> None:
    assert parse_authorization(basic(b"key1:s3cret")) == ("key1", "s3cret")


def test_a_basic_password_may_itself_hold_colons() -> None:
    assert parse_authorization(basic(b"key1:a:b")) == ("key1", "a:b")


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
def test_the_scheme_is_case_insensitive(scheme: str) -> None:
    assert parse_authorization(f"{scheme} key1.s3cret") == ("key1", "s3cret")


def test_extra_spaces_around_the_credentials_are_ignored() -> None:
    assert parse_authorization("Bearer   key1.s3cret  ") == ("key1", "s3cret")


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_header_is_unauthorized(header: str | None) -> None:
    assert "Authorization" in refusal(header).detail


@pytest.mark.parametrize("header", ["Digest key1.s3cret", "key1.s3cret", "Token key1.s3cret"])
def test_an_unknown_scheme_is_unauthorized(header: str) -> None:
    assert "scheme" in refusal(header).detail


@pytest.mark.parametrize("token", ["", "key1", "key1.", ".s3cret", "."])
def test_a_bearer_token_without_both_halves_is_unauthorized(token: str) -> None:
    refusal(f"Bearer {token}")


@pytest.mark.parametrize("credentials", [b"key1", b"key1:", b":s3cret", b""])
def test_basic_credentials_without_both_halves_are_unauthorized(credentials: bytes) -> None:
    refusal(basic(credentials))


@pytest.mark.parametrize("value", ["not base64!", "a2V5MTpzM2NyZXQ", "a2V5 MTpzM2NyZXQ="])
def test_basic_credentials_that_are_not_base64_are_unauthorized(value: str) -> None:
    assert "Basic" in refusal(f"Basic {value}").detail


def test_basic_credentials_with_non_ascii_characters_are_unauthorized() -> None:
    # Servers decode header bytes as Latin-1, so any byte can arrive here.
    refusal("Basic a2V5MTpz\u00e9M2NyZXQ=")


def test_basic_credentials_that_are_not_utf8_are_unauthorized() -> None:
    refusal(basic(b"key1:\xff\xfe"))
