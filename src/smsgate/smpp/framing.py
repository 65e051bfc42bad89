"""Cutting a byte stream into PDUs by command_length, without doing any I/O.

The transport feeds whatever the socket returned; `Framer.feed` answers with the events the bytes
complete: decoded PDUs, `PduError` for a whole PDU whose body does not parse (the stream is still
in step, so the session answers it and carries on), and `FrameError` when command_length itself
is impossible. After a `FrameError` the stream cannot be resynchronised: the framer stops
consuming and the session sends generic_nack and closes.
"""

from __future__ import annotations

import struct

import msgspec

from smsgate.smpp.pdu import HEADER_SIZE, Pdu, PduError, decode_pdu

DEFAULT_MAX_PDU_SIZE = 64 * 1024

_LENGTH = struct.Struct(">I")
_SEQUENCE = struct.Struct(">I")


class FrameError(msgspec.Struct, frozen=True):
    """command_length below the 16-octet header or above the configured maximum."""

    command_length: int
    sequence_number: int | None  # None when the header was not complete
    reason: str


Event = Pdu | PduError | FrameError


class Framer:
    def __init__(self, max_pdu_size: int = DEFAULT_MAX_PDU_SIZE) -> None:
        if max_pdu_size < HEADER_SIZE:
            raise ValueError(f"max_pdu_size {max_pdu_size} is below the {HEADER_SIZE}-octet header")
        self.max_pdu_size = max_pdu_size
        self._buffer = bytearray()
        self._broken = False

    @property
    def broken(self) -> bool:
        """True once a FrameError was reported; later input is ignored."""
        return self._broken

    @property
    def buffered(self) -> int:
        """Octets received that do not yet make a whole PDU."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Event]:
        if self._broken:
            return []
        buffer = self._buffer
        buffer += data
        events: list[Event] = []
        pos = 0
        available = len(buffer)
        while available - pos >= 4:
            (length,) = _LENGTH.unpack_from(buffer, pos)
            if length < HEADER_SIZE or length > self.max_pdu_size:
                events.append(self._break(length, buffer, pos))
                return events
            if available - pos < length:
                break
            events.append(decode_pdu(bytes(buffer[pos : pos + length])))
            pos += length
        del buffer[:pos]
        return events

    def _break(self, length: int, buffer: bytearray, pos: int) -> FrameError:
        self._broken = True
        sequence = None
        if len(buffer) - pos >= HEADER_SIZE:
            (sequence,) = _SEQUENCE.unpack_from(buffer, pos + 12)
        buffer.clear()
        limit = "below the header" if length < HEADER_SIZE else f"above {self.max_pdu_size}"
        return FrameError(length, sequence, f"command_length {length} is {limit}")
