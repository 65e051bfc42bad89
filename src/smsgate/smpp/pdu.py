"""SMPP 3.4 PDUs as frozen msgspec Structs, and their binary encoding (spec §4).

Each PDU class lists its mandatory body fields, in wire order, as a `_Layout` of segments: a
C-octet string, a run of one-octet integers packed by one precompiled `struct.Struct`, the
short_message with its sm_length, the destination lists of submit_multi. Encoding reads the
Struct's values as one tuple (`msgspec.structs.astuple`) and decoding builds the Struct
positionally, so neither builds a dict per PDU.

C-octet strings are `str`, decoded as latin-1: they are ASCII in practice and latin-1 maps every
octet, so whatever a peer sends comes back out unchanged. Their maximum lengths (NUL included) are
enforced both ways. Decoding never raises: `decode_pdu` returns a `PduError` carrying the
sequence number and the command_status the peer should get back.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, ClassVar

import msgspec

from smsgate.smpp.constants import RESPONSE_BIT, CommandId, CommandStatus, DestFlag
from smsgate.smpp.tlv import NO_TLVS, Malformed, Tlvs, decode_tlvs, encode_tlvs

HEADER = struct.Struct(">IIII")
HEADER_SIZE = HEADER.size
MAX_SHORT_MESSAGE = 254

_UNSUCCESS_TAIL = struct.Struct(">I")
_NUL = b"\0"
_OCTET = struct.Struct(">B")

# Each layout is compiled into one encode and one decode function (see `_Layout`). A segment
# contributes source to them. Encoding: statements that check the field `f{n}` (a local), and the
# expressions of its octets, which the function joins. Decoding: statements that read `body` at
# `pos`, bind `f{n}` and advance `pos`. Segments too intricate to inline (the submit_multi lists)
# are called as objects.


class _CString:
    __slots__ = ("max_size", "name", "status")

    def __init__(self, name: str, max_size: int, status: CommandStatus) -> None:
        self.name = name
        self.max_size = max_size  # NUL included, as the spec counts
        self.status = status

    def encode_lines(self, me: str, field: str) -> tuple[list[str], list[str]]:
        raw = f"raw_{field}"
        return [
            f"{raw} = {field}.encode('latin-1')",
            # `0 in` rather than `b"\0" in`: CPython searches for an int ten times faster.
            f"if len({raw}) >= {self.max_size} or 0 in {raw}: {me}.refuse({field})",
        ], [raw, "NUL"]

    def decode_lines(self, me: str, field: str) -> list[str]:
        return [
            f"end = body.find(0, pos, pos + {self.max_size})",
            f"if end < 0: {me}.overrun()",
            f"{field} = body[pos:end].decode('latin-1')",
            "pos = end + 1",
        ]

    def refuse(self, value: str) -> None:
        raise ValueError(f"{self.name} {value!r}: at most {self.max_size - 1} octets, no NUL")

    def overrun(self) -> None:
        raise Malformed(self.status, f"{self.name}: no NUL within {self.max_size} octets")

    def pack(self, value: str) -> bytes:
        raw = value.encode("latin-1")
        if len(raw) >= self.max_size or _NUL in raw:
            self.refuse(value)
        return raw + _NUL

    def read(self, body: bytes, pos: int) -> tuple[str, int]:
        end = body.find(_NUL, pos, pos + self.max_size)
        if end < 0:
            self.overrun()
        return body[pos:end].decode("latin-1"), end + 1


class _Octets:
    """Consecutive one-octet integer fields. Every fixed field of the 3.4 bodies is one octet."""

    __slots__ = ("count", "pack")

    def __init__(self, count: int) -> None:
        self.count = count
        self.pack = struct.Struct(">" + "B" * count).pack

    def encode_lines(self, me: str, fields: list[str]) -> tuple[list[str], list[str]]:
        return [], [f"{me}_pack({', '.join(fields)})"]

    def decode_lines(self, me: str, fields: list[str]) -> list[str]:
        # A body that ends early unpacks too few values: ValueError, read as ESME_RINVCMDLEN.
        return [f"{', '.join(fields)}, = body[pos:pos + {self.count}]", f"pos += {self.count}"]


class _ShortMessage:
    __slots__ = ()

    def encode_lines(self, me: str, field: str) -> tuple[list[str], list[str]]:
        return [
            f"if len({field}) > {MAX_SHORT_MESSAGE}: {me}.refuse({field})",
        ], [f"pack_octet(len({field}))", field]

    def decode_lines(self, me: str, field: str) -> list[str]:
        return [
            "end = pos + 1 + body[pos]",
            f"if body[pos] > {MAX_SHORT_MESSAGE} or end > len(body): {me}.overrun(body[pos])",
            f"{field} = body[pos + 1:end]",
            "pos = end",
        ]

    def refuse(self, message: bytes) -> None:
        raise ValueError(f"short_message of {len(message)} octets; use message_payload")

    def overrun(self, sm_length: int) -> None:
        raise Malformed(CommandStatus.ESME_RINVMSGLEN, f"sm_length {sm_length}")


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


class _Called:
    """A segment the compiled functions call rather than inline."""

    __slots__ = ()

    def encode_lines(self, me: str, field: str) -> tuple[list[str], list[str]]:
        return [], [f"{me}.encode({field})"]

    def decode_lines(self, me: str, field: str) -> list[str]:
        return [f"{field}, pos = {me}.decode(body, pos)"]


class _Destinations(_Called):
    """number_of_dests and the dest_address list of submit_multi (spec §4.5.1.1)."""

    __slots__ = ()

    def decode(
        self, body: bytes, pos: int
    ) -> tuple[tuple[SmeAddress | DistributionList, ...], int]:
        count = body[pos]
        if not 0 < count <= MAX_SHORT_MESSAGE:
            raise Malformed(CommandStatus.ESME_RINVNUMDESTS, f"number_of_dests {count}")
        pos += 1
        dests: list[SmeAddress | DistributionList] = []
        for _ in range(count):
            flag = body[pos]
            if flag == DestFlag.SME_ADDRESS:
                ton, npi = body[pos + 1], body[pos + 2]
                address, pos = _SME_ADDR.read(body, pos + 3)
                dests.append(SmeAddress(address, ton, npi))
            elif flag == DestFlag.DISTRIBUTION_LIST:
                name, pos = _DL_NAME.read(body, pos + 1)
                dests.append(DistributionList(name))
            else:
                raise Malformed(CommandStatus.ESME_RINVDESTFLAG, f"dest_flag {flag}")
        return tuple(dests), pos

    def encode(self, dests: tuple[SmeAddress | DistributionList, ...]) -> bytes:
        if not 0 < len(dests) <= MAX_SHORT_MESSAGE:
            raise ValueError(f"submit_multi needs 1 to 254 destinations, not {len(dests)}")
        parts = [bytes((len(dests),))]
        for dest in dests:
            if isinstance(dest, SmeAddress):
                parts.append(bytes((DestFlag.SME_ADDRESS, dest.ton, dest.npi)))
                parts.append(_SME_ADDR.pack(dest.address))
            else:
                parts.append(bytes((DestFlag.DISTRIBUTION_LIST,)))
                parts.append(_DL_NAME.pack(dest.name))
        return b"".join(parts)


class _Unsuccessful(_Called):
    """no_unsuccess and the unsuccess_sme list of submit_multi_resp (spec §4.5.2)."""

    __slots__ = ()

    def decode(self, body: bytes, pos: int) -> tuple[tuple[UnsuccessSme, ...], int]:
        count = body[pos]
        pos += 1
        smes: list[UnsuccessSme] = []
        for _ in range(count):
            ton, npi = body[pos], body[pos + 1]
            address, pos = _SME_ADDR.read(body, pos + 2)
            (error,) = _UNSUCCESS_TAIL.unpack_from(body, pos)
            pos += _UNSUCCESS_TAIL.size
            smes.append(UnsuccessSme(address, error, ton, npi))
        return tuple(smes), pos

    def encode(self, smes: tuple[UnsuccessSme, ...]) -> bytes:
        parts = [bytes((len(smes),))]
        for sme in smes:
            parts.append(bytes((sme.ton, sme.npi)))
            parts.append(_SME_ADDR.pack(sme.address))
            parts.append(_UNSUCCESS_TAIL.pack(sme.error_status_code))
        return b"".join(parts)


_Segment = _CString | _Octets | _ShortMessage | _Destinations | _Unsuccessful


class _Layout:
    """The mandatory body of one PDU type, and whether TLVs may follow it.

    `encode(values)` is the body of a PDU whose Struct values (`msgspec.structs.astuple`, header
    fields first) are given; `decode(cls, sequence, status, frame)` is the PDU `cls` read from a
    whole frame. Both are compiled from the segments once, at import: a loop over segment objects
    costs a method call per field, and this is the hottest path of the gateway.
    """

    __slots__ = ("decode", "encode", "has_tlvs", "segments")

    def __init__(self, *segments: _Segment, tlvs: bool = False) -> None:
        self.segments = segments
        self.has_tlvs = tlvs
        self.encode: Callable[[tuple[Any, ...]], bytes]
        self.decode: Callable[[type[Pdu], int, int, bytes], Pdu]
        self.encode, self.decode = self._compile()

    def _compile(self) -> tuple[Any, Any]:
        namespace: dict[str, Any] = {
            "NUL": _NUL,
            "pack_octet": _OCTET.pack,
            "decode_tlvs": decode_tlvs,
            "encode_tlvs": encode_tlvs,
            "end_of_body": _end_of_body,
        }
        checks: list[str] = []
        pieces: list[str] = []
        reads = [f"pos = {HEADER_SIZE}"]
        fields: list[str] = []
        for number, segment in enumerate(self.segments):
            me = f"segment{number}"
            namespace[me] = segment
            first = len(fields) + 2  # after sequence_number and command_status
            if isinstance(segment, _Octets):
                namespace[f"{me}_pack"] = segment.pack
                names = [f"f{first + i}" for i in range(segment.count)]
                more_checks, more_pieces = segment.encode_lines(me, names)
                reads += segment.decode_lines(me, names)
            else:
                names = [f"f{first}"]
                more_checks, more_pieces = segment.encode_lines(me, names[0])
                reads += segment.decode_lines(me, names[0])
            checks += more_checks
            pieces += more_pieces
            fields += names
        if self.has_tlvs:
            tlvs = f"f{len(fields) + 2}"
            pieces.append(f"encode_tlvs({tlvs})")
            reads.append(f"{tlvs} = decode_tlvs(body, pos)")
            fields.append(tlvs)
        else:
            reads.append("end_of_body(body, pos)")
        unpack = f"_, _, {''.join(f + ', ' for f in fields)}= values" if fields else "pass"
        source = (
            "\n    ".join(
                [
                    "def encode(values):",
                    unpack,
                    *checks,
                    f"return b''.join(({''.join(p + ', ' for p in pieces)}))",
                ]
            )
            + "\n"
            + "\n    ".join(
                [
                    "def decode(cls, sequence, status, body):",
                    *reads,
                    f"return cls(sequence, status, {', '.join(fields)})",
                ]
            )
        )
        exec(source, namespace)
        return namespace["encode"], namespace["decode"]


def _end_of_body(body: bytes, pos: int) -> None:
    if pos != len(body):
        raise Malformed(CommandStatus.ESME_RINVCMDLEN, f"{len(body) - pos} octets after the body")


def _c(name: str, max_size: int, status: CommandStatus = CommandStatus.ESME_RINVCMDLEN) -> _CString:
    return _CString(name, max_size, status)


_SERVICE_TYPE = _c("service_type", 6, CommandStatus.ESME_RINVSERTYP)
_SOURCE_ADDR = _c("source_addr", 21, CommandStatus.ESME_RINVSRCADR)
_DEST_ADDR = _c("destination_addr", 21, CommandStatus.ESME_RINVDSTADR)
_MESSAGE_ID = _c("message_id", 65, CommandStatus.ESME_RINVMSGID)
_SCHEDULE = _c("schedule_delivery_time", 17, CommandStatus.ESME_RINVSCHED)
_VALIDITY = _c("validity_period", 17, CommandStatus.ESME_RINVEXPIRY)
_SYSTEM_ID = _c("system_id", 16, CommandStatus.ESME_RINVSYSID)
_PASSWORD = _c("password", 9, CommandStatus.ESME_RINVPASWD)
_TON_NPI = _Octets(2)

_BIND = _Layout(
    _SYSTEM_ID,
    _PASSWORD,
    _c("system_type", 13, CommandStatus.ESME_RINVSYSTYP),
    _Octets(3),
    _c("address_range", 41),
)
_BIND_RESP = _Layout(_SYSTEM_ID, tlvs=True)
_EMPTY = _Layout()
_MESSAGE_TAIL = (
    _Octets(3),  # esm_class, protocol_id, priority_flag
    _SCHEDULE,
    _VALIDITY,
    # registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
    _Octets(4),
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
        _c("source_addr", 65, CommandStatus.ESME_RINVSRCADR),
        _TON_NPI,
        _c("destination_addr", 65, CommandStatus.ESME_RINVDSTADR),
        _Octets(3),
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
    layout = _Layout(_MESSAGE_ID, _c("final_date", 17), _Octets(2))


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
        _Octets(2),
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
        _c("source_addr", 65, CommandStatus.ESME_RINVSRCADR),
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
    try:
        if pdu.command_status == CommandStatus.ESME_ROK or pdu.command_id not in _NO_BODY_ON_ERROR:
            body = pdu.layout.encode(msgspec.structs.astuple(pdu))
        else:
            body = b""
    except struct.error as error:  # an integer field out of its range
        raise ValueError(f"{type(pdu).__name__}: {error}") from error
    command_length = HEADER_SIZE + len(body)
    return (
        HEADER.pack(command_length, pdu.command_id, pdu.command_status, pdu.sequence_number) + body
    )


def decode_pdu(frame: bytes) -> Pdu | PduError:
    """The PDU in `frame`: one whole PDU, header included, as cut by the `Framer`."""
    _, command_id, status, sequence = HEADER.unpack_from(frame)
    cls = PDU_TYPES.get(command_id)
    if cls is None:
        return PduError(
            sequence,
            command_id,
            CommandStatus.ESME_RINVCMDID,
            f"unknown command_id 0x{command_id:08x}",
        )
    if (
        len(frame) == HEADER_SIZE
        and status != CommandStatus.ESME_ROK
        and command_id in _NO_BODY_ON_ERROR
    ):
        return cls(sequence, status)
    try:
        return cls.layout.decode(cls, sequence, status, frame)
    except Malformed as error:
        return PduError(sequence, command_id, error.status, error.reason)
    except (IndexError, ValueError, struct.error) as error:  # the body ends inside a field
        return PduError(
            sequence, command_id, CommandStatus.ESME_RINVCMDLEN, f"body too short: {error}"
        )
    except Exception as error:  # a codec bug must cost one PDU, not the session
        return PduError(sequence, command_id, CommandStatus.ESME_RSYSERR, repr(error))
