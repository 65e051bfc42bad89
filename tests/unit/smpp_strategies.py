"""Hypothesis strategies for valid SMPP 3.4 PDUs, derived from each PDU type's layout, and for
whole frames whose bodies are random or valid ones mutated."""

from __future__ import annotations

import struct
from typing import Any

from hypothesis import strategies as st

from smsgate.smpp import pdu as codec
from smsgate.smpp.constants import CommandId, CommandStatus
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


# Whole frames with a correct command_length, to reach body decoding: raw bytes almost never get
# past the framer's command_length check.


def frame(command_id: int, command_status: int, sequence_number: int, body: bytes) -> bytes:
    header = (codec.HEADER_SIZE + len(body), command_id, command_status, sequence_number)
    return codec.HEADER.pack(*header) + body


statuses = st.sampled_from([0, *CommandStatus])
random_body_frames: st.SearchStrategy[bytes] = st.builds(
    frame, st.sampled_from(list(CommandId)), statuses, u32, st.binary(max_size=300)
)


def _mutate(wire: bytes, changes: list[tuple[str, int, int]]) -> bytes:
    """`wire` with its body changed and its command_length set to the new size. `where` is taken
    modulo the body's size, so every change lands in it."""
    body = bytearray(wire[codec.HEADER_SIZE :])
    for kind, where, value in changes:
        if kind == "insert":
            body.insert(where % (len(body) + 1), value)
        elif body and kind == "flip":
            body[where % len(body)] ^= value or 0xFF
        elif body:
            del body[where % len(body)]
    return frame(*struct.unpack_from(">III", wire, 4), bytes(body))


_changes = st.lists(
    st.tuples(st.sampled_from(["flip", "insert", "delete"]), u16, octet), min_size=1, max_size=6
)
mutated_frames: st.SearchStrategy[bytes] = st.builds(
    _mutate, all_pdus.map(codec.encode_pdu), _changes
)
