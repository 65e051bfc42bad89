"""When to try a webhook again, when to give up, and when to stop knocking on an endpoint.

Pure: callers pass the time and the random source, so tests can drive every path.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter: the n-th retry waits a uniform random time in
    [0, min(cap, base * 2**(n-1))], so endpoints that fail together do not retry in lockstep.
    A delivery is given up (dead) only once `retry_for_s` have passed since it was queued."""

    base_s: float = 1.0
    cap_s: float = 3600.0
    retry_for_s: float = 25 * 3600.0

    def delay_s(self, attempts: int, rng: random.Random) -> float:
        """The wait before the next try of a delivery that has failed `attempts` times."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(max(attempts - 1, 0), 62))
        return rng.uniform(0, ceiling)

    def gives_up(self, queued_at_ms: int, now_ms: int) -> bool:
        return now_ms - queued_at_ms >= self.retry_for_s * 1000


class CircuitState(StrEnum):
    CLOSED = "closed"  # requests flow
    OPEN = "open"  # none until the cooldown ends
    HALF_OPEN = "half_open"  # one probe in flight decides


@dataclass(slots=True)
class Breaker:
    """A per-endpoint circuit breaker.

    After `threshold` consecutive failures the circuit opens: nothing is sent for a cooldown.
    Then one probe goes (half-open); success closes the circuit, failure opens it again for twice
    the cooldown, up to `cooldown_cap_s`. An endpoint that is down for hours is then tried a few
    times an hour, not once per waiting delivery.
    """

    threshold: int = 5
    cooldown_s: float = 1.0
    cooldown_cap_s: float = 300.0
    state: CircuitState = CircuitState.CLOSED
    failures: int = 0
    open_until: float = 0.0
    _cooldown: float = 0.0

    def admits(self, now: float) -> bool:
        """May a request start now? Turns an expired open circuit half-open (the caller then
        sends exactly one probe)."""
        if self.state is CircuitState.CLOSED:
            return True
        if self.state is CircuitState.OPEN and now >= self.open_until:
            self.state = CircuitState.HALF_OPEN
            return True
        return False

    def succeeded(self) -> bool:
        """Record a success; True when this closed an open or half-open circuit."""
        reopened = self.state is not CircuitState.CLOSED
        self.state = CircuitState.CLOSED
        self.failures = 0
        self._cooldown = 0.0
        return reopened

    def failed(self, now: float) -> None:
        self.failures += 1
        if self.state is CircuitState.HALF_OPEN:
            self._open(now, min(self.cooldown_cap_s, max(self._cooldown, self.cooldown_s) * 2))
        elif self.state is CircuitState.CLOSED and self.failures >= self.threshold:
            self._open(now, self.cooldown_s)

    def abandon_probe(self) -> None:
        """The probe was not sent after all: let the next request be the probe."""
        if self.state is CircuitState.HALF_OPEN:
            self.state = CircuitState.OPEN
            self.open_until = 0.0

    def _open(self, now: float, cooldown: float) -> None:
        self.state = CircuitState.OPEN
        self._cooldown = cooldown
        self.open_until = now + cooldown
