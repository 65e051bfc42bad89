"""Retry timing and the per-endpoint circuit breaker."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from smsgate.webhooks.policy import Breaker, CircuitState, RetryPolicy

HOUR_MS = 3_600_000


@given(st.integers(1, 200), st.integers(0, 2**32))
def test_a_retry_waits_between_zero_and_the_capped_exponential(attempts: int, seed: int) -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=3600.0)
    delay = policy.delay_s(attempts, random.Random(seed))
    assert 0 <= delay <= min(3600.0, 2.0 ** (attempts - 1))


def test_the_jitter_spreads_retries_over_the_whole_range() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=3600.0)
    rng = random.Random(1)
    delays = [policy.delay_s(6, rng) for _ in range(2000)]  # ceiling 32 s
    assert min(delays) < 2 and max(delays) > 30
    assert 14 < sum(delays) / len(delays) < 18


def test_by_default_a_delivery_is_retried_for_more_than_a_day() -> None:
    policy = RetryPolicy()
    assert not policy.gives_up(queued_at_ms=0, now_ms=24 * HOUR_MS)
    assert not policy.gives_up(queued_at_ms=0, now_ms=25 * HOUR_MS - 1)
    assert policy.gives_up(queued_at_ms=0, now_ms=25 * HOUR_MS)


def failing(breaker: Breaker, times: int, now: float = 0.0) -> Breaker:
    for _ in range(times):
        assert breaker.admits(now)
        breaker.failed(now)
    return breaker


def test_the_circuit_opens_after_the_threshold_of_failures_in_a_row() -> None:
    breaker = failing(Breaker(threshold=3, cooldown_s=1.0), 2)
    assert breaker.state is CircuitState.CLOSED
    failing(breaker, 1)
    assert breaker.state is CircuitState.OPEN
    assert not breaker.admits(0.5)


def test_a_success_resets_the_count_of_failures() -> None:
    breaker = failing(Breaker(threshold=3), 2)
    assert breaker.succeeded() is False
    failing(breaker, 2)
    assert breaker.state is CircuitState.CLOSED


def test_after_the_cooldown_exactly_one_probe_goes() -> None:
    breaker = failing(Breaker(threshold=1, cooldown_s=1.0), 1)
    assert breaker.admits(1.0)
    assert breaker.state is CircuitState.HALF_OPEN
    assert not breaker.admits(1.0)
    assert not breaker.admits(5.0)


def test_a_successful_probe_closes_the_circuit_and_says_so() -> None:
    breaker = failing(Breaker(threshold=1, cooldown_s=1.0), 1)
    assert breaker.admits(1.0)
    assert breaker.succeeded() is True
    assert breaker.state is CircuitState.CLOSED
    assert breaker.admits(1.0) and breaker.admits(1.0)


def test_a_failed_probe_reopens_for_twice_as_long_up_to_the_cap() -> None:
    breaker = failing(Breaker(threshold=1, cooldown_s=1.0, cooldown_cap_s=5.0), 1)
    now, cooldowns = 1.0, []
    for _ in range(5):
        assert breaker.admits(now)
        breaker.failed(now)
        cooldowns.append(breaker.open_until - now)
        now = breaker.open_until
    assert cooldowns == [2.0, 4.0, 5.0, 5.0, 5.0]


def test_after_closing_the_next_opening_starts_from_the_first_cooldown_again() -> None:
    breaker = failing(Breaker(threshold=1, cooldown_s=1.0), 1)
    assert breaker.admits(1.0)
    breaker.failed(1.0)  # reopened for 2 s
    assert breaker.admits(3.0)
    breaker.succeeded()
    failing(breaker, 1, now=10.0)
    assert breaker.open_until == 11.0


def test_an_abandoned_probe_lets_the_next_request_probe() -> None:
    breaker = failing(Breaker(threshold=1, cooldown_s=1.0), 1)
    assert breaker.admits(1.0)
    breaker.abandon_probe()
    assert breaker.admits(1.0)
    assert breaker.state is CircuitState.HALF_OPEN
