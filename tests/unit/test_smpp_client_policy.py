"""The SMPP client connector's decisions that need no socket: what a submit_sm_resp status
means, backoff, the pace of a throttled connector, and TON/NPI of addresses."""

from __future__ import annotations

import pytest

from smsgate.connectors.smpp.policy import (
    Backoff,
    Pace,
    Verdict,
    address,
    classify,
    number_from,
    status_code,
    status_detail,
)
from smsgate.smpp.constants import CommandStatus as S


@pytest.mark.parametrize("status", [S.ESME_RTHROTTLED, S.ESME_RMSGQFUL])
def test_load_refusals_throttle(status: int) -> None:
    assert classify(status) is Verdict.THROTTLED


@pytest.mark.parametrize(
    "status", [S.ESME_RSYSERR, S.ESME_RX_T_APPN, S.ESME_RINVBNDSTS, S.ESME_RSUBMITFAIL]
)
def test_upstream_trouble_is_temporary(status: int) -> None:
    assert classify(status) is Verdict.TEMPORARY


@pytest.mark.parametrize(
    "status",
    [
        S.ESME_RINVDSTADR,
        S.ESME_RINVSRCADR,
        S.ESME_RX_P_APPN,
        S.ESME_RX_R_APPN,
        S.ESME_RINVMSGLEN,
        S.ESME_RINVESMCLASS,
        S.ESME_RINVOPTPARAMVAL,
        S.ESME_RUNKNOWNERR,
        0x401,
    ],
)
def test_refusals_of_the_message_itself_are_permanent(status: int) -> None:
    assert classify(status) is Verdict.PERMANENT


def test_an_upstreams_own_status_can_be_made_temporary() -> None:
    assert classify(0x401, temporary=[0x401]) is Verdict.TEMPORARY


def test_ok_is_accepted() -> None:
    assert classify(S.ESME_ROK) is Verdict.ACCEPTED


def test_the_code_keeps_the_raw_status_and_the_detail_names_it() -> None:
    assert status_code(0x0B) == "smpp:0x0000000b"
    assert status_detail(0x0B) == "ESME_RINVDSTADR: invalid destination address"
    assert status_detail(0x45) == "ESME_RSUBMITFAIL: submit failed"
    assert status_detail(0x400) == "status 0x00000400 (specific to the upstream)"


def test_backoff_doubles_up_to_the_maximum_within_its_jitter() -> None:
    top = Backoff(1.0, 8.0, rand=lambda: 1.0)
    assert [top.delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    bottom = Backoff(1.0, 8.0, rand=lambda: 0.0)
    assert [bottom.delay() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_backoff_starts_over_after_a_reset() -> None:
    backoff = Backoff(1.0, 8.0, rand=lambda: 1.0)
    backoff.delay()
    backoff.delay()
    backoff.reset()
    assert backoff.delay() == 1.0


def test_a_throttle_pauses_and_lets_one_submit_through_after() -> None:
    pace = Pace(10, initial=1.0, maximum=30.0)
    assert pace.throttled(now=100.0, epoch=pace.epoch)
    assert 100.5 <= pace.paused_until <= 101.0
    assert pace.limit == 1


def test_accepted_submits_open_the_pace_one_at_a_time_back_to_the_window() -> None:
    pace = Pace(3, initial=1.0, maximum=30.0)
    pace.throttled(0.0, pace.epoch)
    limits = []
    for _ in range(4):
        pace.accepted()
        limits.append(pace.limit)
    assert limits == [2, 3, 3, 3]
    assert pace.calm


def test_refusals_of_submits_sent_before_the_pause_do_not_lengthen_it() -> None:
    pace = Pace(10, initial=1.0, maximum=30.0)
    sent_in = pace.epoch
    assert pace.throttled(0.0, sent_in)
    until = pace.paused_until
    assert not pace.throttled(0.0, sent_in)
    assert pace.paused_until == until


def test_throttles_while_slowed_down_lengthen_the_pause_until_calm_again() -> None:
    pace = Pace(2, initial=1.0, maximum=30.0, rand=lambda: 1.0)
    pace.throttled(0.0, pace.epoch)
    pace.throttled(0.0, pace.epoch)
    assert pace.paused_until == 2.0
    pace.accepted()  # back to the full window of 2: calm, the backoff starts over
    pace.throttled(10.0, pace.epoch)
    assert pace.paused_until == 11.0


def test_the_pace_follows_the_window_of_the_binds_that_are_up() -> None:
    pace = Pace(0, initial=1.0, maximum=30.0)
    pace.resize(20)
    assert pace.limit == 20
    pace.throttled(0.0, pace.epoch)
    pace.resize(10)
    assert (pace.window, pace.limit) == (10, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Acme", (5, 0, "Acme")),
        ("+48600111222", (1, 1, "48600111222")),
        ("48600111222", (1, 1, "48600111222")),
        ("8080", (0, 1, "8080")),
    ],
)
def test_ton_and_npi_follow_the_address_unless_configured(
    value: str, expected: tuple[int, int, str]
) -> None:
    assert address(value, None, None) == expected


def test_configured_ton_and_npi_win() -> None:
    assert address("+48600111222", 0, 0) == (0, 0, "48600111222")
    assert address("Acme", 0, 1) == (0, 1, "Acme")


def test_an_international_number_from_the_upstream_gets_its_plus() -> None:
    assert number_from(1, "48600111222") == "+48600111222"
    assert number_from(0, "8080") == "8080"
    assert number_from(5, "Bank") == "Bank"
