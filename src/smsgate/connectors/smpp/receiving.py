"""What a deliver_sm (or data_sm) from the upstream is for us: a delivery receipt becomes a
`Report` on the part it names, anything else an inbound message."""

from __future__ import annotations

from smsgate.connectors.smpp.options import SmppOptions
from smsgate.connectors.smpp.policy import number_from
from smsgate.domain.inbound import InboundSms, canonical_address
from smsgate.domain.reports import Report
from smsgate.services.clock import now_ms
from smsgate.smpp.coding import CodingError, CodingMap, read_text
from smsgate.smpp.pdu import DataSm, DeliverSm
from smsgate.smpp.receipts import ReceiptError, canonical_id, read_receipt


class Unreadable(Exception):
    """A deliver_sm that can never be taken in, however often the upstream sends it."""


def read_delivery(
    connector: str, pdu: DeliverSm | DataSm, options: SmppOptions, coding: CodingMap
) -> Report | InboundSms:
    try:
        incoming = read_receipt(pdu)
    except ReceiptError as exc:
        raise Unreadable(str(exc)) from None
    at = now_ms()
    if incoming is not None:
        outcome = incoming.outcome
        if outcome.status is None:
            raise Unreadable(f"a receipt with a state we do not know: {outcome.error_raw}")
        # receipted_message_id is the id of submit_sm_resp (SMPP 3.4 §5.3.2.12); the text's
        # `id:` is written by older code in many SMSCs, often in another base.
        from_tlv = bool((pdu.tlvs.receipted_message_id or "").strip())
        base = options.tlv_id_base if from_tlv else options.text_id_base
        return Report(
            connector,
            canonical_id(incoming.message_id, base),
            outcome.status,
            at,
            error_code=outcome.error_code,
            error_raw=outcome.error_raw,
        )
    short_message = pdu.short_message if isinstance(pdu, DeliverSm) else b""
    try:
        text, concat = read_text(pdu.esm_class, pdu.data_coding, short_message, pdu.tlvs, coding)
    except CodingError as exc:
        raise Unreadable(str(exc)) from None
    return InboundSms(
        connector=connector,
        sender=canonical_address(number_from(pdu.source_addr_ton, pdu.source_addr)),
        recipient=canonical_address(number_from(pdu.dest_addr_ton, pdu.destination_addr)),
        text=text,
        at_ms=at,
        concat=concat,
    )
