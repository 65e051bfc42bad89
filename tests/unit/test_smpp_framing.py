"""The SMPP framer: cutting a byte stream into PDUs by command_length, whatever the chunking."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.unit.smpp_strategies import all_pdus

from smsgate.smpp.constants import CommandId, CommandStatus
from smsgate.smpp.framing import Event, FrameError, Framer
from smsgate.smpp.pdu import EnquireLink, Pdu, PduError, SubmitSm, encode_pdu

SUBMIT = SubmitSm(
    sequence_number=1, source_addr="ACME", destination_addr="4477", short_message=b"hi"
)
PING = EnquireLink(sequence_number=2)


def header(length: int, command_id: int = CommandId.ENQUIRE_LINK, sequence: int = 5) -> bytes:
    return b"".join(n.to_bytes(4, "big") for n in (length, command_id, 0, sequence))


def feed_in_chunks(framer: Framer, data: bytes, cuts: list[int]) -> list[Event]:
    events: list[Event] = []
    start = 0
    for cut in [*sorted(cuts), len(data)]:
        events += framer.feed(data[start:cut])
        start = max(start, cut)
    return events


def test_a_pdu_split_at_any_octet_comes_out_once_and_whole():
    wire = encode_pdu(SUBMIT)
    for cut in range(len(wire) + 1):
        framer = Framer()
        assert framer.feed(wire[:cut]) + framer.feed(wire[cut:]) == [SUBMIT]


def test_several_pdus_in_one_chunk_come_out_in_order():
    assert Framer().feed(encode_pdu(SUBMIT) + encode_pdu(PING)) == [SUBMIT, PING]


def test_an_incomplete_pdu_waits_in_the_buffer():
    framer = Framer()
    assert framer.feed(encode_pdu(SUBMIT)[:20]) == []
    assert framer.buffered == 20


def test_command_length_below_the_header_is_a_frame_error():
    events = Framer().feed(header(15))
    assert events == [FrameError(15, 5, "command_length 15 is below the header")]


def test_command_length_above_the_maximum_is_a_frame_error_before_the_body_arrives():
    framer = Framer(max_pdu_size=1024)
    [event] = framer.feed(header(1025))
    assert isinstance(event, FrameError)
    assert event.command_length == 1025
    assert event.sequence_number == 5


def test_a_frame_error_seen_on_the_length_alone_has_no_sequence_number():
    [event] = Framer().feed(b"\x00\x00\x00\x01")
    assert isinstance(event, FrameError)
    assert event.sequence_number is None


def test_after_a_frame_error_the_framer_ignores_further_input():
    framer = Framer()
    framer.feed(header(3))
    assert framer.broken
    assert framer.feed(encode_pdu(PING)) == []


def test_pdus_before_a_frame_error_are_still_delivered():
    events = Framer().feed(encode_pdu(PING) + header(2))
    assert events[0] == PING
    assert isinstance(events[1], FrameError)


def test_an_undecodable_body_is_a_pdu_error_and_the_stream_goes_on():
    bad = header(17, CommandId.ENQUIRE_LINK, sequence=9) + b"\0"
    events = Framer().feed(bad + encode_pdu(PING))
    assert events == [
        PduError(
            9, CommandId.ENQUIRE_LINK, CommandStatus.ESME_RINVCMDLEN, "1 octets after the body"
        ),
        PING,
    ]


def test_an_unknown_command_is_a_pdu_error_with_esme_rinvcmdid():
    [event] = Framer().feed(header(16, 0x00000777, sequence=4))
    assert isinstance(event, PduError)
    assert (event.sequence_number, event.command_status) == (4, CommandStatus.ESME_RINVCMDID)


@given(st.binary(max_size=300), st.lists(st.integers(0, 300), max_size=10))
def test_arbitrary_bytes_in_any_chunks_yield_only_documented_events(data: bytes, cuts: list[int]):
    events = feed_in_chunks(Framer(max_pdu_size=256), data, cuts)
    assert all(isinstance(event, Pdu | PduError | FrameError) for event in events)


@given(st.lists(all_pdus, max_size=5), st.lists(st.integers(0, 2000), max_size=10))
def test_valid_pdus_in_any_chunks_come_out_as_sent(pdus: list[Pdu], cuts: list[int]):
    wire = b"".join(encode_pdu(pdu) for pdu in pdus)
    assert feed_in_chunks(Framer(), wire, cuts) == pdus
