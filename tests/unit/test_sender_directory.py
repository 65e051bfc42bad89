"""Which sender a send gets: the one asked for when the account may use it, its default, or a
number lent from a pool, the same one for the same recipient every time."""

from __future__ import annotations

import pytest

from smsgate.domain.errors import DomainError, ErrorCode, ErrorSpec
from smsgate.domain.sender import (
    NO_SENDER,
    Registered,
    SenderChoice,
    SenderDirectory,
    SenderPolicy,
    SenderState,
)

ACME, OTHER = 1, 2
OPEN, REGISTERED = SenderPolicy.OPEN, SenderPolicy.REGISTERED
ACME_NUMBER = "+48500000001"
OTHER_NUMBER = "+48500000002"
SHARED = ("+48600000001", "+48600000002", "+48600000003")
TWO_WAY = ("+48700000001", "+48700000002")

DIRECTORY = SenderDirectory(
    registered={
        ACME: {
            "Acme": Registered("Acme", SenderState.APPROVED),
            "AcmeNews": Registered("AcmeNews", SenderState.PENDING),
            "Bank": Registered("Bank", SenderState.REJECTED, "impersonates a bank"),
        }
    },
    owners={
        ACME_NUMBER: ACME,
        OTHER_NUMBER: OTHER,
        **dict.fromkeys(SHARED),
        **dict.fromkeys(TWO_WAY),
    },
    own_numbers={ACME: (ACME_NUMBER,), OTHER: (OTHER_NUMBER,)},
    shared_pool=SHARED,
    two_way_pool=TWO_WAY,
)


def refused(spec: ErrorSpec, *args: object, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        DIRECTORY.resolve(*args, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == spec.code
    assert caught.value.field == "sender"
    return caught.value


def test_an_approved_name_is_used_as_asked() -> None:
    assert DIRECTORY.resolve(ACME, REGISTERED, "Acme") == SenderChoice("Acme")


def test_an_unregistered_name_is_used_under_the_open_policy() -> None:
    assert DIRECTORY.resolve(ACME, OPEN, "Shop") == SenderChoice("Shop")


def test_an_unregistered_name_is_refused_under_the_registered_policy() -> None:
    refused(ErrorCode.SENDER_NOT_REGISTERED, ACME, REGISTERED, "Shop")


def test_a_pending_name_is_refused_as_awaiting_verification_under_either_policy() -> None:
    for policy in (OPEN, REGISTERED):
        error = refused(ErrorCode.SENDER_PENDING, ACME, policy, "AcmeNews")
        assert "awaiting verification" in error.detail


def test_a_rejected_name_is_refused_with_the_operators_reason() -> None:
    error = refused(ErrorCode.SENDER_REJECTED, ACME, OPEN, "Bank")
    assert "impersonates a bank" in error.detail


def test_a_name_registered_by_another_account_counts_for_nothing_here() -> None:
    refused(ErrorCode.SENDER_NOT_REGISTERED, OTHER, REGISTERED, "Acme")


def test_an_own_number_needs_no_registration_however_it_is_written() -> None:
    for written in (ACME_NUMBER, ACME_NUMBER.removeprefix("+")):
        assert DIRECTORY.resolve(ACME, REGISTERED, written) == SenderChoice(ACME_NUMBER)


def test_another_accounts_number_is_refused() -> None:
    refused(ErrorCode.SENDER_NOT_OWNED, ACME, OPEN, OTHER_NUMBER)


def test_a_pool_number_cannot_be_asked_for() -> None:
    refused(ErrorCode.SENDER_NOT_OWNED, ACME, OPEN, SHARED[0])


def test_an_invalid_sender_is_refused_before_any_registry_lookup() -> None:
    refused(ErrorCode.INVALID_SENDER, ACME, OPEN, "MuchTooLongName")


def test_without_a_sender_the_accounts_default_is_used() -> None:
    assert DIRECTORY.resolve(ACME, REGISTERED, None, default="Acme") == SenderChoice("Acme")


def test_a_default_that_is_no_longer_approved_is_refused_naming_the_default() -> None:
    error = refused(ErrorCode.SENDER_REJECTED, ACME, OPEN, None, default="Bank")
    assert "default sender" in error.detail


def test_without_sender_or_default_a_shared_pool_number_is_lent() -> None:
    choice = DIRECTORY.resolve(ACME, REGISTERED, None)
    assert choice.pool == SHARED
    assert choice.for_recipient(ACME, "+48511000000") in SHARED


def test_a_recipient_gets_the_same_pool_number_every_time() -> None:
    choice = DIRECTORY.resolve(ACME, OPEN, None)
    first = choice.for_recipient(ACME, "+48511000000")
    assert all(choice.for_recipient(ACME, "+48511000000") == first for _ in range(10))


def test_a_pool_spreads_recipients_over_its_numbers() -> None:
    choice = DIRECTORY.resolve(ACME, OPEN, None)
    lent = {choice.for_recipient(ACME, f"+4851100{n:04d}") for n in range(300)}
    assert lent == set(SHARED)


def test_without_a_pool_the_connector_chooses_the_sender() -> None:
    assert SenderDirectory().resolve(ACME, OPEN, None) == NO_SENDER
    assert NO_SENDER.for_recipient(ACME, "+48511000000") is None


def test_a_two_way_message_goes_from_the_accounts_own_number() -> None:
    choice = DIRECTORY.resolve(ACME, OPEN, None, default="Acme", two_way=True)
    assert choice.for_recipient(ACME, "+48511000000") == ACME_NUMBER


def test_a_two_way_message_of_an_account_without_numbers_takes_the_two_way_pool() -> None:
    choice = DIRECTORY.resolve(3, OPEN, None, two_way=True)
    assert choice.pool == TWO_WAY


def test_a_two_way_message_with_no_number_to_receive_on_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        SenderDirectory().resolve(ACME, OPEN, None, two_way=True)
    assert caught.value.code == ErrorCode.NO_TWO_WAY_NUMBER.code


def test_a_two_way_message_from_a_name_is_refused() -> None:
    refused(ErrorCode.INVALID_SENDER, ACME, OPEN, "Acme", two_way=True)


def test_a_two_way_message_may_name_the_accounts_own_number() -> None:
    choice = DIRECTORY.resolve(ACME, OPEN, ACME_NUMBER, two_way=True)
    assert choice == SenderChoice(ACME_NUMBER)
