"""How a message goes out to an SMSC: the submit_sm PDUs' message fields, one per part.

A connector sends long messages in one of three ways, as its SMSC wants them: a concatenation UDH
in front of each part's text (`udh`), each part's text with the sar_* TLVs (`sar`), or the whole
text in one message_payload TLV (`payload`, the SMSC cuts it). Parts are cut by
`domain.text.segment`, so a GSM escape or a surrogate pair is never split and the parts are the
ones the customer was charged for, unless the SMSC's charset for GSM-7 text cannot carry the text
(see `coding.wire_encoding`): then it goes out in UCS-2, in more parts.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from smsgate.domain.text import Encoding, concat_udh, segment
from smsgate.smpp.coding import DEFAULT_CODING, UDHI, CodingMap, encode_text, wire_encoding
from smsgate.smpp.tlv import NO_TLVS, Tlvs


class LongMode(StrEnum):
    UDH = "udh"
    SAR = "sar"
    PAYLOAD = "payload"


class Submission(msgspec.Struct, frozen=True):
    """The message fields of one submit_sm; the connector adds addresses and the rest."""

    esm_class: int
    data_coding: int
    short_message: bytes
    tlvs: Tlvs = NO_TLVS


def plan_submits(
    text: str,
    encoding: Encoding,
    mode: LongMode,
    reference: int,
    coding: CodingMap = DEFAULT_CODING,
) -> list[Submission]:
    """The submit_sm message fields for `text`, in order: one for a text that fits one SMS (in
    every mode), else one per part (`udh`, `sar`) or one with message_payload (`payload`).

    `reference` ties the parts together: 0..255 for `udh` (the 8-bit IE the part sizes assume),
    0..65535 for `sar`. GSM-7 asked for a text outside GSM 03.38 goes out in UCS-2. Raises
    ValueError for a reference out of range or a text of more than 255 parts in `udh` or `sar`.
    """
    limit = 0xFF if mode is LongMode.UDH else 0xFFFF
    if not 0 <= reference <= limit:
        raise ValueError(f"reference {reference} is outside 0..{limit} in {mode} mode")
    parts = segment(text, wire_encoding(text, encoding, coding))
    if parts.count == 1 or mode is LongMode.PAYLOAD:
        data_coding, data = encode_text(text, parts.encoding, coding)
        if parts.count == 1:
            return [Submission(0, data_coding, data)]
        return [Submission(0, data_coding, b"", Tlvs(message_payload=data))]
    if parts.count > 0xFF:
        raise ValueError(f"{parts.count} parts; {mode} mode numbers at most 255")
    submissions = []
    for sequence, part in enumerate(parts.parts, start=1):
        data_coding, data = encode_text(part, parts.encoding, coding)
        if mode is LongMode.UDH:
            udh = concat_udh(reference, parts.count, sequence)
            submissions.append(Submission(UDHI, data_coding, udh + data))
        else:
            sar = Tlvs(
                sar_msg_ref_num=reference,
                sar_total_segments=parts.count,
                sar_segment_seqnum=sequence,
            )
            submissions.append(Submission(0, data_coding, data, sar))
    return submissions
