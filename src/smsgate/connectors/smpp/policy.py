"""Decisions of the SMPP client connector that need no socket: what a submit_sm_resp status
means for the message, how long to wait before binding again, how to back off when the
upstream says it is overwhelmed, and which TON/NPI an address goes out with.
"""

from __future__ import annotations

import enum
import random
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from smsgate.smpp.constants import CommandStatus as S


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    THROTTLED = "throttled"  # the upstream wants us slower: pause, then retry the message
    TEMPORARY = "temporary"  # retry the message later
    PERMANENT = "permanent"  # the message fails with the status kept


_THROTTLING = frozenset({S.ESME_RTHROTTLED, S.ESME_RMSGQFUL})
# Statuses that say nothing is wrong with the message itself: the upstream had a problem, or
# our bind was not in a state to submit. Every other status (invalid addresses, coding, TLVs,
# RX_P_APPN, RX_R_APPN, vendor codes unless configured) fails the message: resubmitting the
# same PDU would meet the same refusal.
_TEMPORARY = frozenset(
    {
        S.ESME_RSYSERR,
        S.ESME_RINVBNDSTS,
        S.ESME_RX_T_APPN,
        S.ESME_RSUBMITFAIL,
        S.ESME_RDELIVERYFAILURE,
    }
)


def classify(status: int, temporary: Collection[int] = ()) -> Verdict:
    """What a submit_sm_resp (or generic_nack) status means; `temporary` adds an upstream's
    own (vendor) statuses to those worth a retry."""
    if status == S.ESME_ROK:
        return Verdict.ACCEPTED
    if status in _THROTTLING:
        return Verdict.THROTTLED
    if status in _TEMPORARY or status in temporary:
        return Verdict.TEMPORARY
    return Verdict.PERMANENT


_MEANING = {
    S.ESME_RINVMSGLEN: "message length is invalid",
    S.ESME_RINVCMDID: "the upstream does not support this command",
    S.ESME_RINVBNDSTS: "the bind cannot submit",
    S.ESME_RSYSERR: "system error at the upstream",
    S.ESME_RINVSRCADR: "invalid source address",
    S.ESME_RINVDSTADR: "invalid destination address",
    S.ESME_RMSGQFUL: "the upstream's message queue is full",
    S.ESME_RINVESMCLASS: "invalid esm_class",
    S.ESME_RSUBMITFAIL: "submit failed",
    S.ESME_RINVSRCTON: "invalid source address TON",
    S.ESME_RINVSRCNPI: "invalid source address NPI",
    S.ESME_RINVDSTTON: "invalid destination address TON",
    S.ESME_RINVDSTNPI: "invalid destination address NPI",
    S.ESME_RTHROTTLED: "throttling error: too many messages",
    S.ESME_RINVEXPIRY: "invalid validity period",
    S.ESME_RX_T_APPN: "temporary error at the upstream",
    S.ESME_RX_P_APPN: "permanent error at the upstream",
    S.ESME_RX_R_APPN: "rejected by the upstream",
    S.ESME_RINVOPTPARSTREAM: "error in the optional parameters",
    S.ESME_ROPTPARNOTALLWD: "an optional parameter is not allowed",
    S.ESME_RINVPARLEN: "invalid parameter length",
    S.ESME_RMISSINGOPTPARAM: "an expected optional parameter is missing",
    S.ESME_RINVOPTPARAMVAL: "invalid optional parameter value",
    S.ESME_RUNKNOWNERR: "unknown error",
}


def status_code(status: int) -> str:
    """The raw status as operators see it on a failed message: `smpp:0x0000000b`."""
    return f"smpp:0x{status:08x}"


def status_detail(status: int) -> str:
    """`ESME_RINVDSTADR: invalid destination address`; vendor statuses by number."""
    try:
        name = S(status).name
    except ValueError:
        return f"status 0x{status:08x} (specific to the upstream)"
    meaning = _MEANING.get(S(status))
    return f"{name}: {meaning}" if meaning else name


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with jitter: delays double from `initial` up to `maximum`, each
    drawn from the upper half of its span, so binds that fell together do not come back in
    step and a delay never collapses to nothing."""

    initial: float
    maximum: float
    rand: Callable[[], float] = random.random
    _next: float = 0.0

    def delay(self) -> float:
        base = self._next or self.initial
        self._next = min(base * 2, self.maximum)
        base = min(base, self.maximum)
        return base / 2 + base / 2 * self.rand()

    def reset(self) -> None:
        self._next = 0.0


class Pace:
    """How far a throttled connector may go: nothing until `paused_until`, then `limit`
    submits in flight, growing by one with each accepted submit back to `window` (slow
    start), so what waited through the pause does not go out in one burst.

    The pause doubles with each throttle that meets the connector still slowed down and the
    backoff resets once the pace is back to the full window. Refusals of submits sent before
    the latest throttle (a full window answered "throttled" at once) are one throttle, not
    a window's worth: each submit carries the `epoch` it was sent in.
    """

    __slots__ = ("_backoff", "epoch", "limit", "paused_until", "window")

    def __init__(
        self,
        window: int,
        initial: float,
        maximum: float,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.window = window
        self.limit = window
        self.paused_until = 0.0
        self.epoch = 0
        self._backoff = Backoff(initial, maximum, rand)

    @property
    def calm(self) -> bool:
        return self.limit >= self.window

    def throttled(self, now: float, epoch: int) -> bool:
        """A submit sent in `epoch` was refused for load. Returns whether this starts a new
        pause (False when an earlier refusal already paused for it)."""
        if epoch != self.epoch:
            return False
        self.epoch += 1
        self.paused_until = max(self.paused_until, now + self._backoff.delay())
        self.limit = 1
        return True

    def accepted(self) -> None:
        if self.limit < self.window:
            self.limit += 1
            if self.limit >= self.window:
                self._backoff.reset()

    def resize(self, window: int) -> None:
        """The window changed (a bind came or went)."""
        calm = self.calm
        self.window = max(window, 1)
        self.limit = self.window if calm else min(self.limit, self.window)


# TON / NPI (SMPP 3.4 §5.2.5, §5.2.6)
TON_UNKNOWN, TON_INTERNATIONAL, TON_ALPHANUMERIC = 0, 1, 5
NPI_UNKNOWN, NPI_ISDN = 0, 1
_DIGITS = re.compile(r"\+?[0-9]+")


def address(value: str, ton: int | None, npi: int | None) -> tuple[int, int, str]:
    """(ton, npi, address) of a number or a sender name; numbers go out without +. With
    ton/npi None they follow the address: a name is alphanumeric (5/0), a number with + or
    of more than eight digits international (1/1), a short code unknown/ISDN (0/1)."""
    if not _DIGITS.fullmatch(value):
        return (
            TON_ALPHANUMERIC if ton is None else ton,
            NPI_UNKNOWN if npi is None else npi,
            value,
        )
    digits = value.removeprefix("+")
    short = not value.startswith("+") and len(digits) <= 8
    auto_ton = TON_UNKNOWN if short else TON_INTERNATIONAL
    return auto_ton if ton is None else ton, NPI_ISDN if npi is None else npi, digits


def number_from(ton: int, value: str) -> str:
    """How an address from the upstream reads as one of our numbers: an international
    number gets its +."""
    if ton == TON_INTERNATIONAL and value.isdigit():
        return "+" + value
    return value
