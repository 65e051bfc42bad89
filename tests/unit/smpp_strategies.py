"""Hypothesis strategies for valid SMPP 3.4 PDUs, derived from each PDU type's layout."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from smsgate.smpp import pdu as codec
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import (
    PDU_TYPES,
    DistributionList,
    Pdu,
    SmeAddress,
    UnsuccessSme,
)
from smsgate.smpp.tlv import NetworkErrorCode, Tlvs

octet = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
KNOWN_TAGS = {
    0x001E,
    0x0204,
    0x020A,
    0x020B,
    0x020C,
    0x020E,
    0x020F,
    0x0210,
    0x0423,
    0x0424,
    0x0427,
}


def c_string(max_size: int) -> st.SearchStrategy[str]:
    """Latin-1 text without NUL that fits a C-octet string of max_size octets (NUL included)."""
    return st.text(st.characters(min_codepoint=1, max_codepoint=0xFF), max_size=max_size - 1)


sme_address = st.builds(SmeAddress, c_string(21), octet, octet)
destinations = st.lists(
    st.one_of(sme_address, st.builds(DistributionList, c_string(21))), min_size=1, max_size=4
).map(tuple)
unsuccess_smes = st.lists(st.builds(UnsuccessSme, c_string(21), u32, octet, octet), max_size=4).map(
    tuple
)

tlvs = st.builds(
    Tlvs,
    receipted_message_id=st.none() | c_string(65),
    user_message_reference=st.none() | u16,
    source_port=st.none() | u16,
    destination_port=st.none() | u16,
    sar_msg_ref_num=st.none() | u16,
    sar_total_segments=st.none() | octet,
    sar_segment_seqnum=st.none() | octet,
    sc_interface_version=st.none() | octet,
    network_error_code=st.none() | st.builds(NetworkErrorCode, octet, u16),
    message_payload=st.none() | st.binary(max_size=300),
    message_state=st.none() | octet,
    other=st.lists(
        st.tuples(u16.filter(lambda tag: tag not in KNOWN_TAGS), st.binary(max_size=20)),
        max_size=3,
    ).map(tuple),
)


def _segment_strategies(segment: Any) -> list[st.SearchStrategy[Any]]:
    if isinstance(segment, codec._CString):
        return [c_string(segment.max_size)]
    if isinstance(segment, codec._Octets):
        return [octet] * segment.count
    if isinstance(segment, codec._ShortMessage):
        return [st.binary(max_size=codec.MAX_SHORT_MESSAGE)]
    if isinstance(segment, codec._Destinations):
        return [destinations]
    assert isinstance(segment, codec._Unsuccessful)
    return [unsuccess_smes]


def pdus_of(cls: type[Pdu]) -> st.SearchStrategy[Pdu]:
    body = [s for segment in cls.layout.segments for s in _segment_strategies(segment)]
    if cls.layout.has_tlvs:
        body.append(tlvs)
    status = st.sampled_from([0, *CommandStatus]) if cls.command_id & 0x80000000 else st.just(0)
    built = st.builds(cls, u32, status, *body)
    if cls.command_id in codec._NO_BODY_ON_ERROR:
        # Such responses lose their body on error, as the spec says.
        built = built.map(
            lambda pdu: (
                pdu
                if pdu.command_status == 0
                else type(pdu)(pdu.sequence_number, pdu.command_status)
            )
        )
    return built


all_pdus: st.SearchStrategy[Pdu] = st.one_of([pdus_of(cls) for cls in PDU_TYPES.values()])
