"""How the reports of a message's parts add up to the status of the message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.domain.reports import PartState, rollup
from smsgate.domain.status import Status

FAILURES = [Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED, Status.FAILED]
OPEN = [Status.QUEUED, Status.SENT]


def delivered(part_no: int, at_ms: int) -> PartState:
    return PartState(part_no, Status.DELIVERED, at_ms)


def test_a_message_without_reports_is_still_open() -> None:
    assert rollup([], 2) is None


def test_a_message_with_only_sent_parts_is_still_open() -> None:
    assert rollup([PartState(1, Status.SENT, 10), PartState(2, Status.SENT, 11)], 2) is None


def test_a_message_is_not_delivered_while_a_part_is_unreported() -> None:
    assert rollup([delivered(1, 10)], 2) is None


def test_a_message_is_not_delivered_while_a_part_is_only_sent() -> None:
    assert rollup([delivered(1, 10), PartState(2, Status.SENT, 11)], 2) is None


def test_a_message_is_delivered_when_every_part_is_delivered() -> None:
    outcome = rollup([delivered(1, 10), delivered(2, 30), delivered(3, 20)], 3)
    assert outcome is not None
    assert outcome.status is Status.DELIVERED


def test_a_delivered_message_was_delivered_when_its_last_part_arrived() -> None:
    outcome = rollup([delivered(1, 10), delivered(2, 30), delivered(3, 20)], 3)
    assert outcome == delivered(2, 30)


def test_parts_delivered_at_the_same_time_give_the_same_outcome_in_any_order() -> None:
    first, second = delivered(1, 30), delivered(2, 30)
    assert rollup([first, second], 2) == rollup([second, first], 2)


def test_a_single_part_message_is_delivered_with_its_part() -> None:
    assert rollup([delivered(1, 10)], 1) == delivered(1, 10)


@pytest.mark.parametrize("failure", FAILURES)
def test_one_failed_part_fails_the_message(failure: Status) -> None:
    failed = PartState(2, failure, 20, "err-1")
    assert rollup([delivered(1, 10), failed], 2) == failed


def test_a_failed_part_fails_the_message_while_other_parts_are_open() -> None:
    failed = PartState(1, Status.UNDELIVERED, 20, "err-1")
    assert rollup([failed, PartState(2, Status.SENT, 10)], 3) == failed


def test_the_earliest_failure_decides_the_status_and_reason() -> None:
    later = PartState(1, Status.REJECTED, 50, "late")
    earliest = PartState(2, Status.UNDELIVERED, 40, "early")
    assert rollup([later, earliest], 2) == earliest


def test_failures_reported_at_the_same_time_are_decided_by_the_first_part() -> None:
    second = PartState(2, Status.EXPIRED, 40, "second")
    first = PartState(1, Status.UNDELIVERED, 40, "first")
    assert rollup([second, first], 2) == first


PART_STATES = st.lists(
    st.builds(
        PartState,
        part_no=st.integers(1, 10),
        status=st.sampled_from([Status.DELIVERED, *FAILURES, *OPEN]),
        at_ms=st.integers(0, 1_000),
        error_code=st.none() | st.sampled_from(["a", "b"]),
    ),
    max_size=10,
    unique_by=lambda part: part.part_no,
)


@given(PART_STATES)
def test_a_message_is_delivered_only_when_all_its_parts_are(parts: list[PartState]) -> None:
    total = max((p.part_no for p in parts), default=1)
    outcome = rollup(parts, total)
    all_delivered = len(parts) == total and all(p.status is Status.DELIVERED for p in parts)
    assert (outcome is not None and outcome.status is Status.DELIVERED) == all_delivered


@given(PART_STATES)
def test_any_failed_part_fails_the_message_with_the_earliest_failure(
    parts: list[PartState],
) -> None:
    failures = [p for p in parts if p.status in FAILURES]
    outcome = rollup(parts, 10)
    if failures:
        assert outcome in failures
        assert outcome is not None
        assert outcome.at_ms == min(p.at_ms for p in failures)


@given(PART_STATES)
def test_the_order_of_the_reports_does_not_change_the_outcome(parts: list[PartState]) -> None:
    total = len(parts)
    assert rollup(parts, total) == rollup(list(reversed(parts)), total)
