"""alert_notification: the one SMPP request that gets no answer (spec §4.12)."""

from __future__ import annotations

from smsgate.smpp.pdu import (
    AlertNotification,
    BindTransceiver,
    BindTransceiverResp,
    GenericNack,
    Unbind,
    UnbindResp,
    encode_pdu,
)
from smsgate.smpp.session import Closed, Request, Role, Session


def bound_esme() -> Session:
    session = Session(Role.ESME)
    session.started(0.0)
    sequence = session.send_request(BindTransceiver(system_id="us", password="pw"), 0.0)
    session.data_to_send()
    session.receive_data(encode_pdu(BindTransceiverResp(sequence, system_id="smsc")), 0.0)
    return session


def test_an_alert_notification_is_reported_but_owed_no_answer() -> None:
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
