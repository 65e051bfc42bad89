"""Planning a send request: per-recipient messages, and per-recipient rejections."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from smsgate.domain.errors import DomainError, ErrorCode, ErrorKind
from smsgate.domain.submission import (
    MAX_PERSONALISED,
    MAX_RECIPIENTS,
    Plan,
    Planned,
    RecipientRejected,
    plan_personalised,
    plan_shared,
)
from smsgate.domain.text import Encoding, TextPolicy

POLICY = TextPolicy()
ALICE = "+48500600700"
BOB = "+48500600701"
CAROL = "+48500600702"
LONG_TEXT = "x" * 200  # two GSM-7 parts


def refusal(plan: Callable[..., Plan], *args: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        plan(*args)
    return caught.value


# One text to many recipients


def test_a_shared_text_is_planned_for_every_recipient_in_request_order() -> None:
    plan = plan_shared([ALICE, BOB], "Hello", POLICY, None)
    assert plan.planned == [
        Planned(0, ALICE, "Hello", Encoding.GSM7, 1),
        Planned(1, BOB, "Hello", Encoding.GSM7, 1),
    ]
    assert plan.rejected == []


def test_national_numbers_are_read_in_the_default_region() -> None:
    plan = plan_shared(["500 600 700"], "Hello", POLICY, "PL")
    assert [p.recipient for p in plan.planned] == [ALICE]


def test_a_bad_number_is_rejected_on_its_own() -> None:
    plan = plan_shared([ALICE, "not-a-number", BOB], "Hello", POLICY, None)
    assert [p.index for p in plan.planned] == [0, 2]
    [rejected] = plan.rejected
    assert (rejected.index, rejected.to, rejected.code) == (
        1,
        "not-a-number",
        ErrorCode.INVALID_NUMBER.code,
    )
    assert rejected.reason


def test_a_rejected_recipient_is_reported_as_the_caller_wrote_it() -> None:
    plan = plan_shared(["+48 500 600"], "Hello", POLICY, None)
    assert [r.to for r in plan.rejected] == ["+48 500 600"]


def test_every_repeat_of_a_recipient_is_rejected_and_the_first_is_kept() -> None:
    plan = plan_shared([ALICE, BOB, "+48 500 600 700", ALICE], "Hello", POLICY, None)
    assert [p.index for p in plan.planned] == [0, 1]
    assert [(r.index, r.code) for r in plan.rejected] == [
        (2, ErrorCode.DUPLICATE_RECIPIENT.code),
        (3, ErrorCode.DUPLICATE_RECIPIENT.code),
    ]


def test_a_request_whose_every_recipient_is_bad_plans_nothing_but_is_not_refused() -> None:
    plan = plan_shared(["x", "y"], "Hello", POLICY, None)
    assert plan.planned == []
    assert [r.index for r in plan.rejected] == [0, 1]


def test_a_shared_text_is_segmented_once_for_all() -> None:
    plan = plan_shared([ALICE, BOB], LONG_TEXT, POLICY, None)
    assert [p.parts for p in plan.planned] == [2, 2]


def test_the_plan_counts_the_parts_of_all_its_messages() -> None:
    assert plan_shared([ALICE, BOB, "x"], LONG_TEXT, POLICY, None).parts == 4


def test_the_policy_rewrites_the_text_before_it_is_planned() -> None:
    plan = plan_shared([ALICE], "Zażółć", TextPolicy(translit=True), None)
    assert (plan.planned[0].text, plan.planned[0].encoding) == ("Zazolc", Encoding.GSM7)


def test_a_bad_shared_text_refuses_the_whole_request() -> None:
    error = refusal(plan_shared, [ALICE, BOB], "   ", POLICY, None)
    assert error.code == ErrorCode.EMPTY_TEXT.code


def test_a_shared_text_over_the_part_limit_refuses_the_whole_request() -> None:
    error = refusal(plan_shared, [ALICE], LONG_TEXT, TextPolicy(single=True), None)
    assert error.code == ErrorCode.TOO_MANY_PARTS.code


def test_a_request_without_recipients_is_refused() -> None:
    error = refusal(plan_shared, [], "Hello", POLICY, None)
    assert (error.code, error.field) == (ErrorCode.NO_RECIPIENTS.code, "to")


def test_a_request_may_name_one_hundred_thousand_recipients() -> None:
    # Numbers that fail at once keep this fast; what matters is that the request is not refused.
    plan = plan_shared(["x"] * MAX_RECIPIENTS, "Hello", POLICY, None)
    assert MAX_RECIPIENTS == 100_000
    assert len(plan.rejected) == MAX_RECIPIENTS


def test_a_request_over_one_hundred_thousand_recipients_is_refused() -> None:
    error = refusal(plan_shared, [ALICE] * (MAX_RECIPIENTS + 1), "Hello", POLICY, None)
    assert (error.code, error.kind, error.field) == (
        ErrorCode.TOO_MANY_RECIPIENTS.code,
        ErrorKind.TOO_LARGE,
        "to",
    )


# Each recipient with its own text


def test_each_personalised_message_keeps_its_own_text() -> None:
    plan = plan_personalised([(ALICE, "Hi Alice"), (BOB, LONG_TEXT)], POLICY, None)
    assert plan.planned == [
        Planned(0, ALICE, "Hi Alice", Encoding.GSM7, 1),
        Planned(1, BOB, LONG_TEXT, Encoding.GSM7, 2),
    ]


def test_each_personalised_text_gets_its_own_encoding() -> None:
    plan = plan_personalised([(ALICE, "Hi"), (BOB, "Привет")], POLICY, None)
    assert [p.encoding for p in plan.planned] == [Encoding.GSM7, Encoding.UCS2]


def test_a_bad_personalised_text_rejects_only_its_pair() -> None:
    plan = plan_personalised([(ALICE, "Hi"), (BOB, " "), (CAROL, "Hi")], POLICY, None)
    assert [p.index for p in plan.planned] == [0, 2]
    assert plan.rejected == [
        RecipientRejected(1, BOB, ErrorCode.EMPTY_TEXT.code, ErrorCode.EMPTY_TEXT.message)
    ]


def test_a_personalised_text_over_the_part_limit_says_how_many_parts_it_needs() -> None:
    plan = plan_personalised([(ALICE, LONG_TEXT)], TextPolicy(max_parts=1), None)
    [rejected] = plan.rejected
    assert rejected.code == ErrorCode.TOO_MANY_PARTS.code
    assert "2 parts" in rejected.reason


def test_a_bad_personalised_number_rejects_only_its_pair() -> None:
    plan = plan_personalised([("nope", "Hi"), (BOB, "Hi")], POLICY, None)
    assert [p.recipient for p in plan.planned] == [BOB]
    assert [(r.index, r.to, r.code) for r in plan.rejected] == [
        (0, "nope", ErrorCode.INVALID_NUMBER.code)
    ]


def test_personalised_rejections_come_in_request_order_whatever_their_cause() -> None:
    pairs = [(ALICE, ""), ("nope", "Hi"), (BOB, "Hi"), (BOB, "Hi again"), (CAROL, "")]
    plan = plan_personalised(pairs, POLICY, None)
    assert [(r.index, r.code) for r in plan.rejected] == [
        (0, ErrorCode.EMPTY_TEXT.code),
        (1, ErrorCode.INVALID_NUMBER.code),
        (3, ErrorCode.DUPLICATE_RECIPIENT.code),
        (4, ErrorCode.EMPTY_TEXT.code),
    ]
    assert [p.index for p in plan.planned] == [2]


def test_a_personalised_request_without_messages_is_refused() -> None:
    error = refusal(plan_personalised, [], POLICY, None)
    assert (error.code, error.field) == (ErrorCode.NO_RECIPIENTS.code, "messages")


def test_a_request_may_hold_ten_thousand_personalised_messages() -> None:
    plan = plan_personalised([("x", "Hi")] * MAX_PERSONALISED, POLICY, None)
    assert MAX_PERSONALISED == 10_000
    assert len(plan.rejected) == MAX_PERSONALISED


def test_a_request_over_ten_thousand_personalised_messages_is_refused() -> None:
    error = refusal(plan_personalised, [(ALICE, "Hi")] * (MAX_PERSONALISED + 1), POLICY, None)
    assert (error.code, error.field) == (ErrorCode.TOO_MANY_RECIPIENTS.code, "messages")


def test_refusing_numbers_turns_their_messages_into_rejections_in_request_order() -> None:
    plan = plan_shared(["+48500600701", "+48500600702", "bad"], "hi", TextPolicy(), None)
    refused = plan.refusing({"+48500600701"}, ErrorCode.OPTED_OUT)
    assert [p.recipient for p in refused.planned] == ["+48500600702"]
    assert [(r.index, r.code) for r in refused.rejected] == [
        (0, "opted_out"),
        (2, "invalid_number"),
    ]
