"""Optional parameters (TLVs) of SMPP 3.4 (spec §5.3).

The TLVs smsgate acts on are decoded into typed fields of `Tlvs`; every other tag, vendor tags
included, is kept as raw `(tag, value)` in `Tlvs.other` and written back byte for byte, so a PDU
relayed through smsgate loses nothing. The spec lets TLVs come in any order; known ones are written
in the order of the fields of `Tlvs`, which is the order of the deliver_sm table (§4.6.1), then the
others as received.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from enum import IntEnum
from typing import Any

import msgspec

from smsgate.smpp.constants import CommandStatus


class Malformed(Exception):
    """A PDU body that does not parse; `status` is the command_status to answer with."""

    def __init__(self, status: CommandStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Tag(IntEnum):
    DEST_ADDR_SUBUNIT = 0x0005
    DEST_NETWORK_TYPE = 0x0006
    DEST_BEARER_TYPE = 0x0007
    DEST_TELEMATICS_ID = 0x0008
    SOURCE_ADDR_SUBUNIT = 0x000D
    SOURCE_NETWORK_TYPE = 0x000E
    SOURCE_BEARER_TYPE = 0x000F
    SOURCE_TELEMATICS_ID = 0x0010
    QOS_TIME_TO_LIVE = 0x0017
    PAYLOAD_TYPE = 0x0019
    ADDITIONAL_STATUS_INFO_TEXT = 0x001D
    RECEIPTED_MESSAGE_ID = 0x001E
    MS_MSG_WAIT_FACILITIES = 0x0030
    PRIVACY_INDICATOR = 0x0201
    SOURCE_SUBADDRESS = 0x0202
    DEST_SUBADDRESS = 0x0203
    USER_MESSAGE_REFERENCE = 0x0204
    USER_RESPONSE_CODE = 0x0205
    SOURCE_PORT = 0x020A
    DESTINATION_PORT = 0x020B
    SAR_MSG_REF_NUM = 0x020C
    LANGUAGE_INDICATOR = 0x020D
    SAR_TOTAL_SEGMENTS = 0x020E
    SAR_SEGMENT_SEQNUM = 0x020F
    SC_INTERFACE_VERSION = 0x0210
    CALLBACK_NUM_PRES_IND = 0x0302
    CALLBACK_NUM_ATAG = 0x0303
    NUMBER_OF_MESSAGES = 0x0304
    CALLBACK_NUM = 0x0381
    DPF_RESULT = 0x0420
    SET_DPF = 0x0421
    MS_AVAILABILITY_STATUS = 0x0422
    NETWORK_ERROR_CODE = 0x0423
    MESSAGE_PAYLOAD = 0x0424
    DELIVERY_FAILURE_REASON = 0x0425
    MORE_MESSAGES_TO_SEND = 0x0426
    MESSAGE_STATE = 0x0427
    USSD_SERVICE_OP = 0x0501
    DISPLAY_TIME = 0x1201
    SMS_SIGNAL = 0x1203
    MS_VALIDITY = 0x1204
    ALERT_ON_MESSAGE_DELIVERY = 0x130C
    ITS_REPLY_TYPE = 0x1380
    ITS_SESSION_INFO = 0x1383


class NetworkErrorCode(msgspec.Struct, frozen=True):
    network_type: int  # 1 ANSI-136, 2 IS-95, 3 GSM, ...
    error_code: int


class Tlvs(msgspec.Struct, frozen=True, kw_only=True):
    user_message_reference: int | None = None
    source_port: int | None = None
    destination_port: int | None = None
    sar_msg_ref_num: int | None = None
    sar_total_segments: int | None = None
    sar_segment_seqnum: int | None = None
    sc_interface_version: int | None = None
    message_payload: bytes | None = None
    network_error_code: NetworkErrorCode | None = None
    message_state: int | None = None
    receipted_message_id: str | None = None
    other: tuple[tuple[int, bytes], ...] = ()


NO_TLVS = Tlvs()

_TL = struct.Struct(">HH")
_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_NETWORK_ERROR = struct.Struct(">BH")


def _fixed(codec: struct.Struct) -> tuple[Callable[[bytes], Any], Callable[[Any], bytes]]:
    def decode(value: bytes) -> Any:
        if len(value) != codec.size:
            raise Malformed(CommandStatus.ESME_RINVPARLEN, f"TLV of {len(value)} octets")
        return codec.unpack(value)[0]

    return decode, codec.pack


def _decode_cstring(value: bytes) -> str:
    # Some SMSCs leave out the terminating NUL; the value is the same either way.
    return value.rstrip(b"\0").decode("latin-1")


def _encode_cstring(value: str) -> bytes:
    return value.encode("latin-1") + b"\0"


def _decode_network_error(value: bytes) -> NetworkErrorCode:
    if len(value) != _NETWORK_ERROR.size:
        raise Malformed(CommandStatus.ESME_RINVPARLEN, "network_error_code is not 3 octets")
    return NetworkErrorCode(*_NETWORK_ERROR.unpack(value))


def _encode_network_error(value: NetworkErrorCode) -> bytes:
    return _NETWORK_ERROR.pack(value.network_type, value.error_code)


def _identity(value: bytes) -> bytes:
    return value


_U8_CODEC = _fixed(_U8)
_U16_CODEC = _fixed(_U16)
_CODECS: dict[str, tuple[Tag, tuple[Callable[[bytes], Any], Callable[[Any], bytes]]]] = {
    "user_message_reference": (Tag.USER_MESSAGE_REFERENCE, _U16_CODEC),
    "source_port": (Tag.SOURCE_PORT, _U16_CODEC),
    "destination_port": (Tag.DESTINATION_PORT, _U16_CODEC),
    "sar_msg_ref_num": (Tag.SAR_MSG_REF_NUM, _U16_CODEC),
    "sar_total_segments": (Tag.SAR_TOTAL_SEGMENTS, _U8_CODEC),
    "sar_segment_seqnum": (Tag.SAR_SEGMENT_SEQNUM, _U8_CODEC),
    "sc_interface_version": (Tag.SC_INTERFACE_VERSION, _U8_CODEC),
    "message_payload": (Tag.MESSAGE_PAYLOAD, (_identity, _identity)),
    "network_error_code": (Tag.NETWORK_ERROR_CODE, (_decode_network_error, _encode_network_error)),
    "message_state": (Tag.MESSAGE_STATE, _U8_CODEC),
    "receipted_message_id": (Tag.RECEIPTED_MESSAGE_ID, (_decode_cstring, _encode_cstring)),
}
assert tuple(_CODECS) == Tlvs.__struct_fields__[:-1], "one codec per typed field, in field order"

_DECODERS = {tag: (name, decode) for name, (tag, (decode, _)) in _CODECS.items()}
_ENCODERS = tuple((int(tag), encode) for tag, (_, encode) in _CODECS.values())


def decode_tlvs(body: bytes, pos: int) -> Tlvs:
    """The TLVs from `pos` to the end of `body`."""
    end_of_body = len(body)
    if pos == end_of_body:
        return NO_TLVS
    typed: dict[str, Any] = {}
    other: list[tuple[int, bytes]] = []
    while pos < end_of_body:
        if end_of_body - pos < _TL.size:
            raise Malformed(CommandStatus.ESME_RINVOPTPARSTREAM, "truncated TLV header")
        tag, length = _TL.unpack_from(body, pos)
        pos += _TL.size
        end = pos + length
        if end > end_of_body:
            raise Malformed(CommandStatus.ESME_RINVOPTPARSTREAM, f"TLV 0x{tag:04x} overruns body")
        value = body[pos:end]
        pos = end
        known = _DECODERS.get(tag)
        if known is None:
            other.append((tag, value))
        else:
            typed[known[0]] = known[1](value)
    return Tlvs(**typed, other=tuple(other))


def encode_tlvs(tlvs: Tlvs) -> bytes:
    if tlvs is NO_TLVS:
        return b""
    parts: list[bytes] = []
    values = msgspec.structs.astuple(tlvs)
    for (tag, encode), value in zip(_ENCODERS, values, strict=False):
        if value is not None:
            encoded = encode(value)
            parts.append(_TL.pack(tag, len(encoded)))
            parts.append(encoded)
    for tag, raw in tlvs.other:
        parts.append(_TL.pack(tag, len(raw)))
        parts.append(raw)
    return b"".join(parts)
