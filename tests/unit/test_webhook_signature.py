"""Webhook signatures: what the sender makes, a receiver's check accepts, and nothing else."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from smsgate.webhooks.signature import headers, sign, signature_header, verify

SECRET = "whsec_test"
BODY = b'{"id":"1","type":"message.status"}'
NOW = 1_795_320_301


def stdlib_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The documented scheme written from scratch: HMAC-SHA256 of "<t>.<body>", hex."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    assert sign(SECRET, NOW, BODY) == stdlib_signature(SECRET, NOW, BODY)


@given(st.text(min_size=1, max_size=40), st.integers(0, 2**33), st.binary(max_size=500))
def test_an_independent_implementation_agrees_on_any_input(
    secret: str, timestamp: int, body: bytes
) -> None:
    header = signature_header(secret, timestamp, body)
    assert header == f"t={timestamp},v1={stdlib_signature(secret, timestamp, body)}"


def test_the_headers_name_the_event() -> None:
    sent = dict(headers(SECRET, NOW, BODY, "41", "message.status"))
    assert sent["Smsgate-Event-Id"] == "41"
    assert sent["Smsgate-Event-Type"] == "message.status"
    assert sent["Smsgate-Signature"] == signature_header(SECRET, NOW, BODY)


def test_a_fresh_signature_verifies() -> None:
    assert verify(SECRET, signature_header(SECRET, NOW, BODY), BODY, now=NOW + 10)


def test_a_changed_body_does_not_verify() -> None:
    assert not verify(SECRET, signature_header(SECRET, NOW, BODY), BODY + b" ", now=NOW)


def test_another_secret_does_not_verify() -> None:
    assert not verify("whsec_other", signature_header(SECRET, NOW, BODY), BODY, now=NOW)


def test_a_signature_older_than_the_window_does_not_verify() -> None:
    header = signature_header(SECRET, NOW, BODY)
    assert verify(SECRET, header, BODY, now=NOW + 300)
    assert not verify(SECRET, header, BODY, now=NOW + 301)


def test_a_signature_from_the_future_beyond_the_window_does_not_verify() -> None:
    assert not verify(SECRET, signature_header(SECRET, NOW + 301, BODY), BODY, now=NOW)


def test_a_changed_timestamp_does_not_verify() -> None:
    forged = signature_header(SECRET, NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}")
    assert not verify(SECRET, forged, BODY, now=NOW)


def test_any_of_several_v1_values_may_match_and_unknown_keys_are_ignored() -> None:
    good = sign(SECRET, NOW, BODY)
    assert verify(SECRET, f"t={NOW}, v1=00ff, v2=abc, v1={good}", BODY, now=NOW)


def test_malformed_headers_do_not_verify() -> None:
    for header in ("", "garbage", f"v1={sign(SECRET, NOW, BODY)}", "t=abc,v1=00", f"t={NOW}"):
        assert not verify(SECRET, header, BODY, now=NOW)
