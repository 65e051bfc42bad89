"""Our unbind (the server shutting down) and the answers the session still owes the peer."""

from __future__ import annotations

from smsgate.smpp.constants import CommandId
from smsgate.smpp.framing import Framer
from smsgate.smpp.pdu import (
    BindTransceiver,
    BindTransceiverResp,
    Pdu,
    SubmitSm,
    SubmitSmResp,
    UnbindResp,
    encode_pdu,
)
from smsgate.smpp.session import Closed, Request, Response, Role, Session, State, Timers


def sent(session: Session) -> list[Pdu]:
    return [e for e in Framer().feed(session.data_to_send()) if isinstance(e, Pdu)]


def bound_with_a_submit_owed() -> Session:
    session = Session(Role.SMSC, Timers(enquire_link=0, unbind_grace=5.0))
    session.started(0.0)
    [bind] = session.receive_data(encode_pdu(BindTransceiver(1, system_id="c")), 0.0)
    assert isinstance(bind, Request)
    session.respond(BindTransceiverResp(1, system_id="smsgate"))
    [submit] = session.receive_data(encode_pdu(SubmitSm(2, destination_addr="1")), 0.0)
    assert isinstance(submit, Request)
    session.data_to_send()
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
