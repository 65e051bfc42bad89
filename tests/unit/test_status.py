from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.status import FINAL, Status, advance, can_transition, is_final

# The spec's forward order: a stored status never moves to a lower rank.
RANK = {
    Status.ACCEPTED: 0,
    Status.SCHEDULED: 1,
    Status.QUEUED: 2,
    Status.SENT: 3,
    **{status: 4 for status in FINAL},
}

TERMINAL = FINAL - {Status.EXPIRED}


def test_final_statuses_are_the_outcomes_and_received() -> None:
    assert {
        Status.DELIVERED,
        Status.UNDELIVERED,
        Status.EXPIRED,
        Status.REJECTED,
        Status.FAILED,
        Status.CANCELED,
        Status.RECEIVED,
    } == FINAL


def test_is_final_only_for_final_statuses() -> None:
    assert is_final(Status.DELIVERED)
    assert is_final(Status.EXPIRED)
    assert not is_final(Status.SENT)
    assert not is_final(Status.ACCEPTED)


def test_status_values_are_the_wire_strings() -> None:
    assert Status("queued") is Status.QUEUED
    assert f"{Status.DELIVERED}" == "delivered"


def test_accepted_message_may_be_scheduled_or_queued() -> None:
    assert can_transition(Status.ACCEPTED, Status.SCHEDULED)
    assert can_transition(Status.ACCEPTED, Status.QUEUED)


def test_accepted_message_cannot_be_delivered_without_being_queued() -> None:
    assert not can_transition(Status.ACCEPTED, Status.DELIVERED)


def test_scheduled_message_may_expire_before_sending() -> None:
    assert can_transition(Status.SCHEDULED, Status.EXPIRED)


def test_report_may_overtake_submit_response() -> None:
    assert can_transition(Status.QUEUED, Status.DELIVERED)
    assert can_transition(Status.QUEUED, Status.UNDELIVERED)


def test_sent_message_can_no_longer_be_canceled() -> None:
    assert not can_transition(Status.SENT, Status.CANCELED)


def test_carrier_verdict_replaces_local_expiry() -> None:
    assert advance(Status.EXPIRED, Status.DELIVERED) is Status.DELIVERED
    assert advance(Status.EXPIRED, Status.UNDELIVERED) is Status.UNDELIVERED


def test_local_expiry_cannot_become_a_failure() -> None:
    assert advance(Status.EXPIRED, Status.FAILED) is None


def test_delivery_report_advances_sent_message() -> None:
    assert advance(Status.SENT, Status.DELIVERED) is Status.DELIVERED


def test_late_sent_after_delivered_is_ignored() -> None:
    assert advance(Status.DELIVERED, Status.SENT) is None


def test_queued_after_sent_is_ignored() -> None:
    assert advance(Status.SENT, Status.QUEUED) is None


def test_repeated_report_is_ignored() -> None:
    assert advance(Status.DELIVERED, Status.DELIVERED) is None
    assert advance(Status.SENT, Status.SENT) is None


def test_outbound_message_never_becomes_received() -> None:
    assert all(not can_transition(status, Status.RECEIVED) for status in Status)


def test_terminal_statuses_have_no_successor() -> None:
    assert all(not can_transition(final, new) for final in TERMINAL for new in Status)


@given(st.sampled_from(Status), st.lists(st.sampled_from(Status), max_size=30))
def test_stored_status_never_moves_back(start: Status, reports: list[Status]) -> None:
    stored = start
    for reported in reports:
        new = advance(stored, reported)
        if new is not None:
            assert RANK[new] >= RANK[stored]
            stored = new


@given(st.sampled_from(Status), st.lists(st.sampled_from(Status), max_size=30))
def test_terminal_status_never_changes(start: Status, reports: list[Status]) -> None:
    stored = start
    for reported in reports:
        new = advance(stored, reported)
        if stored in TERMINAL:
            assert new is None
        if new is not None:
            stored = new
