"""SMPP 3.4 PDUs as frozen msgspec Structs, and their binary encoding (spec §4).

Each PDU class lists its mandatory body fields, in wire order, as a `_Layout` of segments: a
C-octet string, a run of integers packed by one precompiled `struct.Struct`, the short_message
with its sm_length, the destination lists of submit_multi. Encoding reads the Struct's values as
one tuple (`msgspec.structs.astuple`) and decoding builds the Struct positionally, so neither
builds a dict per PDU.

C-octet strings are `str`, decoded as latin-1: they are ASCII in practice and latin-1 maps every
octet, so whatever a peer sends comes back out unchanged. Their maximum lengths (NUL included) are
enforced both ways. Decoding never raises: `decode_pdu` returns a `PduError` carrying the
sequence number and the command_status the peer should get back.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

import msgspec

from smsgate.smpp.constants import RESPONSE_BIT, CommandId, CommandStatus, DestFlag
from smsgate.smpp.tlv import NO_TLVS, Malformed, Tlvs, decode_tlvs, encode_tlvs

HEADER = struct.Struct(">IIII")
HEADER_SIZE = HEADER.size
MAX_SHORT_MESSAGE = 254

_B = struct.Struct(">B")
_BB = struct.Struct(">BB")
_BBB = struct.Struct(">BBB")
_BBBB = struct.Struct(">BBBB")
_UNSUCCESS_TAIL = struct.Struct(">I")


class _CString:
    __slots__ = ("max_size", "name", "status")

    def __init__(self, name: str, max_size: int, status: CommandStatus) -> None:
        self.name = name
        self.max_size = max_size  # NUL included, as the spec counts
        self.status = status

    def decode(self, body: bytes, pos: int, out: list[Any]) -> int:
        end = body.find(b"\0", pos, pos + self.max_size)
        if end < 0:
            raise Malformed(self.status, f"{self.name}: no NUL within {self.max_size} octets")
        out.append(body[pos:end].decode("latin-1"))
        return end + 1

    def encode(self, values: tuple[Any, ...], index: int, parts: list[bytes]) -> int:
        parts.append(self.pack(values[index]))
        return index + 1

    def pack(self, value: str) -> bytes:
        raw = value.encode("latin-1")
        if len(raw) >= self.max_size or b"\0" in raw:
            raise ValueError(f"{self.name} {value!r}: at most {self.max_size - 1} octets, no NUL")
        return raw + b"\0"


class _Integers:
    """Consecutive one-octet (or wider) integer fields, packed in one call."""

    __slots__ = ("codec", "count")

    def __init__(self, codec: struct.Struct) -> None:
        self.codec = codec
        self.count = len(codec.unpack(bytes(codec.size)))

    def decode(self, body: bytes, pos: int, out: list[Any]) -> int:
        end = pos + self.codec.size
        if end > len(body):
            raise Malformed(CommandStatus.ESME_RINVCMDLEN, "body ends inside a fixed field")
        out.extend(self.codec.unpack_from(body, pos))
        return end

    def encode(self, values: tuple[Any, ...], index: int, parts: list[bytes]) -> int:
        end = index + self.count
        parts.append(self.codec.pack(*values[index:end]))
        return end


class _ShortMessage:
    __slots__ = ()

    def decode(self, body: bytes, pos: int, out: list[Any]) -> int:
        if pos >= len(body):
            raise Malformed(CommandStatus.ESME_RINVCMDLEN, "body ends before sm_length")
        end = pos + 1 + body[pos]
        if body[pos] > MAX_SHORT_MESSAGE or end > len(body):
            raise Malformed(CommandStatus.ESME_RINVMSGLEN, f"sm_length {body[pos]}")
        out.append(body[pos + 1 : end])
        return end

    def encode(self, values: tuple[Any, ...], index: int, parts: list[bytes]) -> int:
        message: bytes = values[index]
        if len(message) > MAX_SHORT_MESSAGE:
            raise ValueError(f"short_message of {len(message)} octets; use message_payload")
        parts.append(_B.pack(len(message)))
        parts.append(message)
        return index + 1


class SmeAddress(msgspec.Struct, frozen=True):
    address: str
    ton: int = 0
    npi: int = 0


class DistributionList(msgspec.Struct, frozen=True):
    name: str


class UnsuccessSme(msgspec.Struct, frozen=True):
    address: str
    error_status_code: int
    ton: int = 0
    npi: int = 0


_SME_ADDR = _CString("destination_addr", 21, CommandStatus.ESME_RINVDSTADR)
_DL_NAME = _CString("dl_name", 21, CommandStatus.ESME_RINVDLNAME)


def _need(body: bytes, pos: int, size: int) -> None:
    if pos + size > len(body):
        raise Malformed(CommandStatus.ESME_RINVCMDLEN, "body ends inside a destination list")


class _Destinations:
    """number_of_dests and the dest_address list of submit_multi (spec §4.5.1.1)."""

    __slots__ = ()

    def decode(self, body: bytes, pos: int, out: list[Any]) -> int:
        _need(body, pos, 1)
        count = body[pos]
        if not 0 < count <= MAX_SHORT_MESSAGE:
            raise Malformed(CommandStatus.ESME_RINVNUMDESTS, f"number_of_dests {count}")
        pos += 1
        dests: list[SmeAddress | DistributionList] = []
        scratch: list[Any] = []
        for _ in range(count):
            _need(body, pos, 1)
            flag = body[pos]
            if flag == DestFlag.SME_ADDRESS:
                _need(body, pos + 1, 2)
                ton, npi = body[pos + 1], body[pos + 2]
                pos = _SME_ADDR.decode(body, pos + 3, scratch)
                dests.append(SmeAddress(scratch.pop(), ton, npi))
            elif flag == DestFlag.DISTRIBUTION_LIST:
                pos = _DL_NAME.decode(body, pos + 1, scratch)
                dests.append(DistributionList(scratch.pop()))
            else:
                raise Malformed(CommandStatus.ESME_RINVDESTFLAG, f"dest_flag {flag}")
        out.append(tuple(dests))
        return pos

    def encode(self, values: tuple[Any, ...], index: int, parts: list[bytes]) -> int:
        dests: tuple[SmeAddress | DistributionList, ...] = values[index]
        if not 0 < len(dests) <= MAX_SHORT_MESSAGE:
            raise ValueError(f"submit_multi needs 1 to 254 destinations, not {len(dests)}")
        parts.append(_B.pack(len(dests)))
        for dest in dests:
            if isinstance(dest, SmeAddress):
                parts.append(_BBB.pack(DestFlag.SME_ADDRESS, dest.ton, dest.npi))
                parts.append(_SME_ADDR.pack(dest.address))
            else:
                parts.append(_B.pack(DestFlag.DISTRIBUTION_LIST))
                parts.append(_DL_NAME.pack(dest.name))
        return index + 1


class _Unsuccessful:
    """no_unsuccess and the unsuccess_sme list of submit_multi_resp (spec §4.5.2)."""

    __slots__ = ()

    def decode(self, body: bytes, pos: int, out: list[Any]) -> int:
        _need(body, pos, 1)
        count = body[pos]
        pos += 1
        smes: list[UnsuccessSme] = []
        scratch: list[Any] = []
        for _ in range(count):
            _need(body, pos, 2)
            ton, npi = body[pos], body[pos + 1]
            pos = _SME_ADDR.decode(body, pos + 2, scratch)
            _need(body, pos, 4)
            (error,) = _UNSUCCESS_TAIL.unpack_from(body, pos)
            pos += 4
            smes.append(UnsuccessSme(scratch.pop(), error, ton, npi))
        out.append(tuple(smes))
        return pos

    def encode(self, values: tuple[Any, ...], index: int, parts: list[bytes]) -> int:
        smes: tuple[UnsuccessSme, ...] = values[index]
        parts.append(_B.pack(len(smes)))
        for sme in smes:
            parts.append(_BB.pack(sme.ton, sme.npi))
            parts.append(_SME_ADDR.pack(sme.address))
            parts.append(_UNSUCCESS_TAIL.pack(sme.error_status_code))
        return index + 1


_Segment = _CString | _Integers | _ShortMessage | _Destinations | _Unsuccessful


class _Layout:
    """The mandatory body of one PDU type, and whether TLVs may follow it."""

    __slots__ = ("decoders", "encoders", "has_tlvs", "segments")

    def __init__(self, *segments: _Segment, tlvs: bool = False) -> None:
        self.segments = segments
        self.decoders = tuple(segment.decode for segment in segments)
        self.encoders = tuple(segment.encode for segment in segments)
        self.has_tlvs = tlvs


def _c(name: str, max_size: int, status: CommandStatus = CommandStatus.ESME_RINVCMDLEN) -> _CString:
    return _CString(name, max_size, status)


S = CommandStatus
_SERVICE_TYPE = _c("service_type", 6, S.ESME_RINVSERTYP)
_SOURCE_ADDR = _c("source_addr", 21, S.ESME_RINVSRCADR)
_DEST_ADDR = _c("destination_addr", 21, S.ESME_RINVDSTADR)
_MESSAGE_ID = _c("message_id", 65, S.ESME_RINVMSGID)
_SCHEDULE = _c("schedule_delivery_time", 17, S.ESME_RINVSCHED)
_VALIDITY = _c("validity_period", 17, S.ESME_RINVEXPIRY)
_SYSTEM_ID = _c("system_id", 16, S.ESME_RINVSYSID)
_PASSWORD = _c("password", 9, S.ESME_RINVPASWD)
_TON_NPI = _Integers(_BB)

_BIND = _Layout(
    _SYSTEM_ID,
    _PASSWORD,
    _c("system_type", 13, S.ESME_RINVSYSTYP),
    _Integers(_BBB),
    _c("address_range", 41),
)
_BIND_RESP = _Layout(_SYSTEM_ID, tlvs=True)
_EMPTY = _Layout()
_MESSAGE_TAIL = (
    _Integers(_BBB),  # esm_class, protocol_id, priority_flag
    _SCHEDULE,
    _VALIDITY,
    # registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
    _Integers(_BBBB),
    _ShortMessage(),
)
_SHORT_MESSAGE = _Layout(
    _SERVICE_TYPE, _TON_NPI, _SOURCE_ADDR, _TON_NPI, _DEST_ADDR, *_MESSAGE_TAIL, tlvs=True
)
_MESSAGE_ID_ONLY = _Layout(_MESSAGE_ID)


class Pdu(msgspec.Struct, frozen=True):
    """Header fields every PDU has; command_length is computed when encoding."""

    sequence_number: int = 0
    command_status: int = CommandStatus.ESME_ROK
    command_id: ClassVar[CommandId]
    layout: ClassVar[_Layout]

    @property
    def is_response(self) -> bool:
        return bool(self.command_id & RESPONSE_BIT)


class _Bind(Pdu, frozen=True):
    system_id: str = ""
    password: str = ""
    system_type: str = ""
    interface_version: int = 0x34
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""
    layout = _BIND


class _BindResp(Pdu, frozen=True):
    system_id: str = ""
    tlvs: Tlvs = NO_TLVS
    layout = _BIND_RESP


class BindTransmitter(_Bind, frozen=True):
    command_id = CommandId.BIND_TRANSMITTER


class BindTransmitterResp(_BindResp, frozen=True):
    command_id = CommandId.BIND_TRANSMITTER_RESP


class BindReceiver(_Bind, frozen=True):
    command_id = CommandId.BIND_RECEIVER


class BindReceiverResp(_BindResp, frozen=True):
    command_id = CommandId.BIND_RECEIVER_RESP


class BindTransceiver(_Bind, frozen=True):
    command_id = CommandId.BIND_TRANSCEIVER


class BindTransceiverResp(_BindResp, frozen=True):
    command_id = CommandId.BIND_TRANSCEIVER_RESP


class Outbind(Pdu, frozen=True):
    system_id: str = ""
    password: str = ""
    command_id = CommandId.OUTBIND
    layout = _Layout(_SYSTEM_ID, _PASSWORD)


class Unbind(Pdu, frozen=True):
    command_id = CommandId.UNBIND
    layout = _EMPTY


class UnbindResp(Pdu, frozen=True):
    command_id = CommandId.UNBIND_RESP
    layout = _EMPTY


class EnquireLink(Pdu, frozen=True):
    command_id = CommandId.ENQUIRE_LINK
    layout = _EMPTY


class EnquireLinkResp(Pdu, frozen=True):
    command_id = CommandId.ENQUIRE_LINK_RESP
    layout = _EMPTY


class GenericNack(Pdu, frozen=True):
    command_id = CommandId.GENERIC_NACK
    layout = _EMPTY


class _ShortMessagePdu(Pdu, frozen=True):
    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    tlvs: Tlvs = NO_TLVS
    layout = _SHORT_MESSAGE


class SubmitSm(_ShortMessagePdu, frozen=True):
    command_id = CommandId.SUBMIT_SM


class DeliverSm(_ShortMessagePdu, frozen=True):
    command_id = CommandId.DELIVER_SM


class _MessageIdResp(Pdu, frozen=True):
    message_id: str = ""
    layout = _MESSAGE_ID_ONLY


class SubmitSmResp(_MessageIdResp, frozen=True):
    command_id = CommandId.SUBMIT_SM_RESP


class DeliverSmResp(_MessageIdResp, frozen=True):
    command_id = CommandId.DELIVER_SM_RESP


class SubmitMulti(Pdu, frozen=True):
    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addresses: tuple[SmeAddress | DistributionList, ...] = ()
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    tlvs: Tlvs = NO_TLVS
    command_id = CommandId.SUBMIT_MULTI
    layout = _Layout(
        _SERVICE_TYPE, _TON_NPI, _SOURCE_ADDR, _Destinations(), *_MESSAGE_TAIL, tlvs=True
    )


class SubmitMultiResp(Pdu, frozen=True):
    message_id: str = ""
    unsuccess_smes: tuple[UnsuccessSme, ...] = ()
    command_id = CommandId.SUBMIT_MULTI_RESP
    layout = _Layout(_MESSAGE_ID, _Unsuccessful())


class DataSm(Pdu, frozen=True):
    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    registered_delivery: int = 0
    data_coding: int = 0
    tlvs: Tlvs = NO_TLVS
    command_id = CommandId.DATA_SM
    layout = _Layout(
        _SERVICE_TYPE,
        _TON_NPI,
        _c("source_addr", 65, S.ESME_RINVSRCADR),
        _TON_NPI,
        _c("destination_addr", 65, S.ESME_RINVDSTADR),
        _Integers(_BBB),
        tlvs=True,
    )


class DataSmResp(Pdu, frozen=True):
    message_id: str = ""
    tlvs: Tlvs = NO_TLVS
    command_id = CommandId.DATA_SM_RESP
    layout = _Layout(_MESSAGE_ID, tlvs=True)


class QuerySm(Pdu, frozen=True):
    message_id: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    command_id = CommandId.QUERY_SM
    layout = _Layout(_MESSAGE_ID, _TON_NPI, _SOURCE_ADDR)


class QuerySmResp(Pdu, frozen=True):
    message_id: str = ""
    final_date: str = ""
    message_state: int = 0
    error_code: int = 0
    command_id = CommandId.QUERY_SM_RESP
    layout = _Layout(_MESSAGE_ID, _c("final_date", 17), _Integers(_BB))


class CancelSm(Pdu, frozen=True):
    service_type: str = ""
    message_id: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    command_id = CommandId.CANCEL_SM
    layout = _Layout(_SERVICE_TYPE, _MESSAGE_ID, _TON_NPI, _SOURCE_ADDR, _TON_NPI, _DEST_ADDR)


class CancelSmResp(Pdu, frozen=True):
    command_id = CommandId.CANCEL_SM_RESP
    layout = _EMPTY


class ReplaceSm(Pdu, frozen=True):
    message_id: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    command_id = CommandId.REPLACE_SM
    layout = _Layout(
        _MESSAGE_ID,
        _TON_NPI,
        _SOURCE_ADDR,
        _SCHEDULE,
        _VALIDITY,
        _Integers(_BB),
        _ShortMessage(),
    )


class ReplaceSmResp(Pdu, frozen=True):
    command_id = CommandId.REPLACE_SM_RESP
    layout = _EMPTY


class AlertNotification(Pdu, frozen=True):
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    esme_addr_ton: int = 0
    esme_addr_npi: int = 0
    esme_addr: str = ""
    tlvs: Tlvs = NO_TLVS
    command_id = CommandId.ALERT_NOTIFICATION
    layout = _Layout(
        _TON_NPI,
        _c("source_addr", 65, S.ESME_RINVSRCADR),
        _TON_NPI,
        _c("esme_addr", 65),
        tlvs=True,
    )


PDU_TYPES: dict[int, type[Pdu]] = {
    cls.command_id: cls
    for cls in (
        BindTransmitter,
        BindTransmitterResp,
        BindReceiver,
        BindReceiverResp,
        BindTransceiver,
        BindTransceiverResp,
        Outbind,
        Unbind,
        UnbindResp,
        SubmitSm,
        SubmitSmResp,
        SubmitMulti,
        SubmitMultiResp,
        DataSm,
        DataSmResp,
        DeliverSm,
        DeliverSmResp,
        QuerySm,
        QuerySmResp,
        CancelSm,
        CancelSmResp,
        ReplaceSm,
        ReplaceSmResp,
        EnquireLink,
        EnquireLinkResp,
        AlertNotification,
        GenericNack,
    )
}

# Spec §4.1.2, §4.1.4, §4.1.6, §4.4.2: these responses carry no body when command_status is not
# ESME_ROK. Peers differ, so a body is accepted when decoding but never sent.
_NO_BODY_ON_ERROR = frozenset(
    {
        CommandId.BIND_TRANSMITTER_RESP,
        CommandId.BIND_RECEIVER_RESP,
        CommandId.BIND_TRANSCEIVER_RESP,
        CommandId.SUBMIT_SM_RESP,
    }
)


class PduError(msgspec.Struct, frozen=True):
    """A whole PDU whose body does not parse.

    The session answers it with the response of `command_id` (or generic_nack when the command
    is unknown or itself a response) carrying `command_status`.
    """

    sequence_number: int
    command_id: int
    command_status: CommandStatus
    reason: str


def encode_pdu(pdu: Pdu) -> bytes:
    """The PDU on the wire. Raises ValueError for a field that does not fit the spec."""
    parts = [b""]  # the header's place, filled once the length is known
    layout = pdu.layout
    if pdu.command_status == CommandStatus.ESME_ROK or pdu.command_id not in _NO_BODY_ON_ERROR:
        values = msgspec.structs.astuple(pdu)
        index = 2  # after sequence_number and command_status
        for encode in layout.encoders:
            index = encode(values, index, parts)
        if layout.has_tlvs:
            encode_tlvs(values[index], parts)
    parts[0] = HEADER.pack(
        HEADER_SIZE + sum(map(len, parts)), pdu.command_id, pdu.command_status, pdu.sequence_number
    )
    return b"".join(parts)


def decode_pdu(frame: bytes) -> Pdu | PduError:
    """The PDU in `frame`: one whole PDU, header included, as cut by the `Framer`."""
    _, command_id, status, sequence = HEADER.unpack_from(frame)
    cls = PDU_TYPES.get(command_id)
    if cls is None:
        return PduError(
            sequence, command_id, S.ESME_RINVCMDID, f"unknown command_id 0x{command_id:08x}"
        )
    layout = cls.layout
    fields: list[Any] = [sequence, status]
    if len(frame) == HEADER_SIZE and status != S.ESME_ROK and command_id in _NO_BODY_ON_ERROR:
        return cls(sequence, status)
    try:
        pos = HEADER_SIZE
        for decode in layout.decoders:
            pos = decode(frame, pos, fields)
        if layout.has_tlvs:
            fields.append(decode_tlvs(frame, pos))
        elif pos != len(frame):
            raise Malformed(S.ESME_RINVCMDLEN, f"{len(frame) - pos} octets after the body")
    except Malformed as error:
        return PduError(sequence, command_id, error.status, error.reason)
    except Exception as error:  # a codec bug must cost one PDU, not the session
        return PduError(sequence, command_id, S.ESME_RSYSERR, repr(error))
    return cls(*fields)
