"""Send time and validity: a past time means now, the future is bounded, validity is checked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.schedule import (
    DAY_MS,
    DEFAULT_VALIDITY_S,
    MAX_SCHEDULE_AHEAD_MS,
    MAX_VALIDITY_S,
    MIN_VALIDITY_S,
    Timing,
    resolve_timing,
)

NOW = 1_750_000_000_000
HOUR_S = 3600


def test_without_a_send_time_the_message_is_due_now() -> None:
    assert resolve_timing(NOW, None, HOUR_S).send_at is None


def test_a_future_send_time_is_kept() -> None:
    assert resolve_timing(NOW, NOW + 60_000, HOUR_S).send_at == NOW + 60_000


def test_a_past_send_time_means_now() -> None:
    assert resolve_timing(NOW, NOW - 5_000, HOUR_S) == Timing(None, NOW + HOUR_S * 1000)


def test_a_send_time_equal_to_now_means_now() -> None:
    assert resolve_timing(NOW, NOW, HOUR_S).send_at is None


def test_validity_counts_from_now_for_an_immediate_message() -> None:
    assert resolve_timing(NOW, None, HOUR_S).expires_at == NOW + HOUR_S * 1000


def test_validity_counts_from_the_send_time_for_a_scheduled_message() -> None:
    send_at = NOW + DAY_MS
    assert resolve_timing(NOW, send_at, HOUR_S).expires_at == send_at + HOUR_S * 1000


def test_without_a_validity_a_message_is_worth_delivering_for_72_hours() -> None:
    assert DEFAULT_VALIDITY_S == 72 * HOUR_S
    assert resolve_timing(NOW, None, None).expires_at == NOW + DEFAULT_VALIDITY_S * 1000


def test_a_message_may_be_scheduled_exactly_366_days_ahead() -> None:
    send_at = NOW + 366 * DAY_MS
    assert resolve_timing(NOW, send_at, HOUR_S).send_at == send_at


def test_a_message_scheduled_beyond_366_days_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        resolve_timing(NOW, NOW + MAX_SCHEDULE_AHEAD_MS + 1, HOUR_S)
    assert caught.value.code == ErrorCode.INVALID_SCHEDULE.code
    assert caught.value.field == "send_at"


@pytest.mark.parametrize("validity_s", [MIN_VALIDITY_S, MAX_VALIDITY_S])
def test_the_validity_bounds_are_accepted(validity_s: int) -> None:
    assert resolve_timing(NOW, None, validity_s).expires_at == NOW + validity_s * 1000


@pytest.mark.parametrize("validity_s", [-1, 0, MIN_VALIDITY_S - 1, MAX_VALIDITY_S + 1])
def test_a_validity_outside_one_minute_to_seven_days_is_refused(validity_s: int) -> None:
    with pytest.raises(DomainError) as caught:
        resolve_timing(NOW, None, validity_s)
    assert caught.value.code == ErrorCode.INVALID_VALIDITY.code
    assert caught.value.field == "validity"


def test_a_bad_validity_is_refused_even_for_a_past_send_time() -> None:
    with pytest.raises(DomainError):
        resolve_timing(NOW, NOW - 1, MAX_VALIDITY_S + 1)


@given(
    send_at=st.none() | st.integers(NOW - 10 * DAY_MS, NOW + MAX_SCHEDULE_AHEAD_MS),
    validity_s=st.integers(MIN_VALIDITY_S, MAX_VALIDITY_S),
)
def test_a_message_expires_its_validity_after_it_becomes_due(
    send_at: int | None, validity_s: int
) -> None:
    timing = resolve_timing(NOW, send_at, validity_s)
    due = NOW if timing.send_at is None else timing.send_at
    assert timing.send_at is None or timing.send_at > NOW
    assert timing.expires_at == due + validity_s * 1000
