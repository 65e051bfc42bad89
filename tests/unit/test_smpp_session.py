"""The SMPP session state machine, driven with bytes and a clock: no sockets."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.smpp_strategies import mutated_frames, random_body_frames

from smsgate.smpp.constants import RESPONSE_BIT, CommandId, CommandStatus
from smsgate.smpp.framing import Framer
from smsgate.smpp.pdu import (
    PDU_TYPES,
    AlertNotification,
    BindReceiver,
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    DeliverSm,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    Pdu,
    PduError,
    SubmitSm,
    SubmitSmResp,
    Unbind,
    UnbindResp,
    decode_pdu,
    encode_pdu,
)
from smsgate.smpp.session import (
    MAX_SEQUENCE,
    Closed,
    Request,
    Response,
    Role,
    Session,
    SessionError,
    State,
    TimedOut,
    Timers,
)


def sent(session: Session) -> list[Pdu]:
    """What the session queued for the peer, decoded."""
    events = Framer().feed(session.data_to_send())
    assert all(isinstance(e, Pdu) for e in events), events
    return [e for e in events if isinstance(e, Pdu)]


def bound_smsc(mode: Pdu | None = None) -> Session:
    """Our server's side of a session a customer has bound (as a transceiver by default)."""
    session = Session(Role.SMSC)
    session.started(0.0)
    [request] = session.receive_data(encode_pdu(mode or BindTransceiver(1, system_id="c")), 0.0)
    assert isinstance(request, Request)
    response_id = request.pdu.command_id | 0x80000000
    session.respond(_ok_response(response_id, 1))
    session.data_to_send()
    return session


def _ok_response(command_id: int, sequence: int) -> Pdu:
    return PDU_TYPES[command_id](sequence)


def bound_esme() -> Session:
    """Our client's side of a transceiver bind the SMSC accepted."""
    session = Session(Role.ESME)
    session.started(0.0)
    sequence = session.send_request(BindTransceiver(system_id="us", password="pw"), 0.0)
    session.data_to_send()
    session.receive_data(encode_pdu(BindTransceiverResp(sequence, system_id="smsc")), 0.0)
    return session


# Binding


def test_an_accepted_bind_moves_the_server_side_to_the_bound_state_of_its_mode() -> None:
    session = bound_smsc(BindTransmitter(1, system_id="c"))
    assert session.state is State.BOUND_TX


def test_a_refused_bind_leaves_the_session_open() -> None:
    session = Session(Role.SMSC)
    session.receive_data(encode_pdu(BindTransceiver(1, system_id="c")), 0.0)
    session.respond(BindTransceiverResp(1, CommandStatus.ESME_RINVPASWD))
    assert session.state is State.OPEN
    [answer] = sent(session)
    assert answer.command_status == CommandStatus.ESME_RINVPASWD


def test_the_client_side_is_bound_once_the_smsc_accepts_its_bind() -> None:
    assert bound_esme().state is State.BOUND_TRX


def test_a_second_bind_on_a_bound_session_is_refused_as_already_bound() -> None:
    session = bound_smsc()
    assert session.receive_data(encode_pdu(BindTransceiver(2, system_id="c")), 1.0) == []
    [answer] = sent(session)
    assert answer.command_id == CommandId.BIND_TRANSCEIVER_RESP
    assert answer.command_status == CommandStatus.ESME_RALYBND


def test_a_submit_before_binding_is_refused_with_invalid_bind_status() -> None:
    session = Session(Role.SMSC)
    assert session.receive_data(encode_pdu(SubmitSm(7, destination_addr="1")), 0.0) == []
    [answer] = sent(session)
    assert (answer.command_id, answer.sequence_number) == (CommandId.SUBMIT_SM_RESP, 7)
    assert answer.command_status == CommandStatus.ESME_RINVBNDSTS


def test_a_receiver_bind_may_not_submit() -> None:
    session = bound_smsc(BindReceiver(1, system_id="c"))
    session.receive_data(encode_pdu(SubmitSm(2, destination_addr="1")), 0.0)
    [answer] = sent(session)
    assert answer.command_status == CommandStatus.ESME_RINVBNDSTS


def test_the_server_may_not_deliver_to_a_transmitter_bind() -> None:
    session = bound_smsc(BindTransmitter(1, system_id="c"))
    with pytest.raises(SessionError):
        session.send_request(DeliverSm(destination_addr="1"), 0.0)


# Requests and responses


def test_a_peer_request_is_reported_and_owed_until_answered() -> None:
    session = bound_smsc()
    [event] = session.receive_data(encode_pdu(SubmitSm(5, destination_addr="1")), 0.0)
    assert isinstance(event, Request) and event.pdu.sequence_number == 5
    assert session.owed == {5}
    session.respond(SubmitSmResp(5, message_id="42"))
    assert session.owed == set()
    assert sent(session) == [SubmitSmResp(5, message_id="42")]


def test_answers_may_go_out_in_any_order() -> None:
    session = bound_smsc()
    session.receive_data(
        encode_pdu(SubmitSm(5, destination_addr="1"))
        + encode_pdu(SubmitSm(6, destination_addr="2")),
        0.0,
    )
    session.respond(SubmitSmResp(6, message_id="b"))
    session.respond(SubmitSmResp(5, message_id="a"))
    assert [p.sequence_number for p in sent(session)] == [6, 5]


def test_an_answer_to_a_request_not_owed_is_dropped() -> None:
    session = bound_smsc()
    session.respond(SubmitSmResp(99, message_id="x"))
    assert session.data_to_send() == b""


def test_a_reused_sequence_number_still_owed_is_refused() -> None:
    session = bound_smsc()
    first = encode_pdu(SubmitSm(5, destination_addr="1"))
    assert len(session.receive_data(first + first, 0.0)) == 1
    [answer] = sent(session)
    assert answer.command_status == CommandStatus.ESME_RSYSERR


def test_our_request_gets_the_next_sequence_number_and_its_answer_is_matched() -> None:
    session = bound_esme()
    sequence = session.send_request(SubmitSm(destination_addr="1"), 1.0)
    assert sent(session)[0].sequence_number == sequence
    assert sequence in session.outstanding
    [event] = session.receive_data(encode_pdu(SubmitSmResp(sequence, message_id="m")), 1.5)
    assert isinstance(event, Response) and event.pdu == SubmitSmResp(sequence, message_id="m")
    assert session.outstanding == {}


def test_an_answer_nobody_waits_for_is_ignored() -> None:
    session = bound_esme()
    assert session.receive_data(encode_pdu(SubmitSmResp(777, message_id="m")), 1.0) == []


def test_sequence_numbers_wrap_after_the_largest_allowed() -> None:
    session = Session(Role.ESME)
    session._sequence = MAX_SEQUENCE - 1
    assert [session.next_sequence() for _ in range(3)] == [MAX_SEQUENCE, 1, 2]


def test_enquire_link_is_answered_by_the_session_itself() -> None:
    session = bound_smsc()
    assert session.receive_data(encode_pdu(EnquireLink(9)), 1.0) == []
    [answer] = sent(session)
    assert (answer.command_id, answer.sequence_number) == (CommandId.ENQUIRE_LINK_RESP, 9)


def test_an_alert_notification_is_reported_but_owed_no_answer() -> None:
    # The one request SMPP answers with nothing (spec §4.12).
    session = bound_esme()
    alert = AlertNotification(7, source_addr="48500600700", esme_addr="smsgate")
    assert session.receive_data(encode_pdu(alert), 1.0) == [Request(alert)]
    assert session.owed == set()
    assert session.respond(GenericNack(7)) == []
    assert session.data_to_send() == b""


def test_an_alert_notification_does_not_hold_up_the_peers_unbind() -> None:
    session = bound_esme()
    session.receive_data(encode_pdu(AlertNotification(7, esme_addr="smsgate")), 1.0)
    events = session.receive_data(encode_pdu(Unbind(8)), 1.0)
    assert [type(e) for e in events] == [Closed]
    assert session.data_to_send() == encode_pdu(UnbindResp(8))


# Bad input


def test_a_pdu_whose_body_does_not_parse_gets_its_error_response_and_the_session_goes_on() -> None:
    session = bound_smsc()
    truncated = encode_pdu(SubmitSm(4, destination_addr="1"))[:20]
    frame = struct.pack(">I", len(truncated)) + truncated[4:]
    assert session.receive_data(frame, 0.0) == []
    [answer] = sent(session)
    assert (answer.command_id, answer.sequence_number) == (CommandId.SUBMIT_SM_RESP, 4)
    assert answer.command_status != CommandStatus.ESME_ROK
    assert session.state is State.BOUND_TRX


def test_an_unknown_command_gets_generic_nack_invalid_command_id() -> None:
    session = bound_smsc()
    session.receive_data(struct.pack(">IIII", 16, 0x00000777, 0, 3), 0.0)
    assert sent(session) == [GenericNack(3, CommandStatus.ESME_RINVCMDID)]
    assert session.state is State.BOUND_TRX


def test_an_impossible_command_length_gets_generic_nack_and_closes() -> None:
    session = bound_smsc()
    [event] = session.receive_data(struct.pack(">IIII", 8, 4, 0, 3), 0.0)
    assert isinstance(event, Closed)
    assert sent(session) == [GenericNack(3, CommandStatus.ESME_RINVCMDLEN)]
    assert session.state is State.CLOSED


def test_an_unreadable_answer_refuses_the_request_it_answers() -> None:
    session = bound_esme()
    sequence = session.send_request(SubmitSm(destination_addr="1"), 0.0)
    session.data_to_send()
    garbage = struct.pack(">IIII", 20, CommandId.SUBMIT_SM_RESP, 0, sequence) + b"abcd"
    [event] = session.receive_data(garbage, 0.0)
    assert isinstance(event, Response)
    assert event.pdu.command_id == CommandId.GENERIC_NACK
    assert sequence not in session.outstanding


def test_bytes_split_anywhere_make_the_same_events() -> None:
    data = encode_pdu(SubmitSm(5, destination_addr="1")) + encode_pdu(EnquireLink(6))
    whole = bound_smsc().receive_data(data, 0.0)
    session = bound_smsc()
    split = [e for i in range(len(data)) for e in session.receive_data(data[i : i + 1], 0.0)]
    assert split == whole


# Timers


def test_a_request_unanswered_within_the_response_timeout_is_reported() -> None:
    session = bound_esme()
    session.timers = Timers(response_timeout=5.0, enquire_link=0)
    sequence = session.send_request(SubmitSm(destination_addr="1"), 10.0)
    assert session.tick(14.9) == []
    assert session.tick(15.0) == [TimedOut(sequence, CommandId.SUBMIT_SM)]
    assert session.outstanding == {}


def test_a_quiet_link_is_probed_with_enquire_link_once() -> None:
    session = bound_esme()
    session.timers = Timers(enquire_link=30.0)
    session.data_to_send()
    session.tick(29.0)
    assert session.data_to_send() == b""
    session.tick(30.0)
    session.tick(31.0)
    assert [p.command_id for p in sent(session)] == [CommandId.ENQUIRE_LINK]


def test_an_unanswered_enquire_link_closes_the_session() -> None:
    session = bound_esme()
    session.timers = Timers(enquire_link=30.0, response_timeout=10.0)
    session.tick(30.0)
    [event] = session.tick(40.0)
    assert isinstance(event, Closed) and "ENQUIRE_LINK" in event.reason


def test_a_link_silent_past_the_inactivity_timeout_is_closed() -> None:
    session = bound_smsc()
    session.timers = Timers(enquire_link=0, inactivity=60.0)
    session.receive_data(encode_pdu(EnquireLink(2)), 10.0)
    assert session.tick(69.0) == []
    [event] = session.tick(70.0)
    assert isinstance(event, Closed)


# Unbinding


def test_the_peers_unbind_is_answered_at_once_when_nothing_is_owed() -> None:
    session = bound_smsc()
    [event] = session.receive_data(encode_pdu(Unbind(8)), 0.0)
    assert isinstance(event, Closed)
    assert sent(session) == [UnbindResp(8)]


def test_the_peers_unbind_waits_for_the_answers_still_owed() -> None:
    session = bound_smsc()
    session.receive_data(encode_pdu(SubmitSm(5, destination_addr="1")), 0.0)
    assert session.receive_data(encode_pdu(Unbind(6)), 0.0) == []
    assert session.state is State.UNBINDING
    [event] = session.respond(SubmitSmResp(5, message_id="m"))
    assert isinstance(event, Closed)
    assert [p.command_id for p in sent(session)] == [
        CommandId.SUBMIT_SM_RESP,
        CommandId.UNBIND_RESP,
    ]


def test_an_unbind_still_owed_answers_after_the_grace_period_is_answered_anyway() -> None:
    session = bound_smsc()
    session.timers = Timers(unbind_grace=5.0, enquire_link=0)
    session.receive_data(encode_pdu(SubmitSm(5, destination_addr="1")), 0.0)
    session.receive_data(encode_pdu(Unbind(6)), 1.0)
    [event] = session.tick(6.0)
    assert isinstance(event, Closed)
    assert sent(session) == [UnbindResp(6)]


def test_our_unbind_closes_when_answered() -> None:
    session = bound_esme()
    sequence = session.unbind(0.0)
    assert session.state is State.UNBINDING
    with pytest.raises(SessionError):
        session.send_request(SubmitSm(destination_addr="1"), 0.0)
    events = session.receive_data(encode_pdu(UnbindResp(sequence)), 0.0)
    assert isinstance(events[-1], Closed)
    assert session.state is State.CLOSED


def bound_with_a_submit_owed() -> Session:
    """Our server's side with a customer's submit still being committed."""
    session = bound_smsc()
    session.timers = Timers(enquire_link=0, unbind_grace=5.0)
    [submit] = session.receive_data(encode_pdu(SubmitSm(2, destination_addr="1")), 0.0)
    assert isinstance(submit, Request)
    return session


def test_our_unbind_answered_while_an_answer_is_owed_stays_open_for_that_answer() -> None:
    session = bound_with_a_submit_owed()
    sequence = session.unbind(1.0)
    events = session.receive_data(encode_pdu(UnbindResp(sequence)), 1.0)
    assert [type(e) for e in events] == [Response]
    assert session.state is State.UNBINDING
    [closed] = session.respond(SubmitSmResp(2, message_id="42"))
    assert isinstance(closed, Closed)
    assert [p.command_id for p in sent(session)] == [
        CommandId.UNBIND,
        CommandId.SUBMIT_SM_RESP,
    ]


def test_our_unbind_closes_after_the_grace_period_when_an_answer_never_comes() -> None:
    session = bound_with_a_submit_owed()
    sequence = session.unbind(1.0)
    session.receive_data(encode_pdu(UnbindResp(sequence)), 1.0)
    [closed] = session.tick(6.0)
    assert isinstance(closed, Closed)
    assert session.state is State.CLOSED


def test_a_closed_session_ignores_further_input() -> None:
    session = bound_smsc()
    session.connection_lost("gone")
    assert session.receive_data(encode_pdu(SubmitSm(5, destination_addr="1")), 0.0) == []
    assert session.data_to_send() == b""


def assert_answered_and_still_usable(bound: Callable[[], Session], frame: bytes) -> None:
    """A whole PDU whose body does not parse gets the response of its command (generic_nack for
    one that has none) with the decoder's status; unless it was a well-formed unbind, the session
    stays bound and answers the next enquire_link."""
    session = bound()
    decoded = decode_pdu(frame)
    session.receive_data(frame, 1.0)
    answers = sent(session)
    if isinstance(decoded, PduError):
        if decoded.command_id & RESPONSE_BIT:
            assert answers == []  # an answer to nothing we asked
        else:
            response_id = decoded.command_id | RESPONSE_BIT
            [answer] = answers
            assert answer.command_id == (
                response_id if response_id in PDU_TYPES else CommandId.GENERIC_NACK
            )
            assert answer.sequence_number == decoded.sequence_number
            assert answer.command_status == decoded.command_status
    if isinstance(decoded, Unbind):
        assert session.closed
        return
    assert session.state is State.BOUND_TRX
    session.receive_data(encode_pdu(EnquireLink(MAX_SEQUENCE)), 2.0)
    assert sent(session) == [EnquireLinkResp(MAX_SEQUENCE)]


bound_sides = st.sampled_from([bound_smsc, bound_esme])


@given(bound_sides, random_body_frames)
def test_any_body_under_a_valid_header_is_answered_and_the_session_goes_on(
    bound: Callable[[], Session], frame: bytes
) -> None:
    assert_answered_and_still_usable(bound, frame)


@given(bound_sides, mutated_frames)
def test_valid_pdus_with_octets_changed_are_answered_and_the_session_goes_on(
    bound: Callable[[], Session], frame: bytes
) -> None:
    assert_answered_and_still_usable(bound, frame)


@given(st.binary(max_size=400), st.integers(1, 50))
def test_any_bytes_in_any_chunks_never_raise(data: bytes, chunk: int) -> None:
    session = bound_smsc()
    for i in range(0, len(data), chunk):
        session.receive_data(data[i : i + chunk], 0.0)
    Framer().feed(session.data_to_send())  # whatever it answers is well-formed
