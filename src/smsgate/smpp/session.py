"""One SMPP session as a state machine that does no I/O (spec §2.2, §2.3).

The transport feeds received bytes to `receive_data` and the clock to `tick`; both answer with
the events the application must act on. Whatever the session wants to send piles up until the
transport takes it with `data_to_send`. The session answers on its own what needs no decision:
enquire_link, PDUs that do not parse, requests the bind state does not allow, and unbind (after
every request the peer is still owed an answer for has been answered).

It keeps the books of a window: the sequence numbers of our requests still unanswered, with the
time each was sent, so `tick` can report those that waited too long. Futures, semaphores and
sockets are the transport's business (`smpp/connection.py`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import msgspec

from smsgate.smpp.constants import RESPONSE_BIT, CommandId, CommandStatus
from smsgate.smpp.framing import DEFAULT_MAX_PDU_SIZE, FrameError, Framer
from smsgate.smpp.pdu import (
    PDU_TYPES,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    Pdu,
    PduError,
    Unbind,
    UnbindResp,
    encode_pdu,
)

MAX_SEQUENCE = 0x7FFFFFFF


class Role(enum.Enum):
    ESME = "esme"  # we bind to the peer (our client connector)
    SMSC = "smsc"  # the peer binds to us (our server)


class State(enum.Enum):
    OPEN = "open"  # connected, not bound
    BOUND_TX = "bound_tx"
    BOUND_RX = "bound_rx"
    BOUND_TRX = "bound_trx"
    UNBINDING = "unbinding"
    CLOSED = "closed"


_BOUND_BY_BIND = {
    CommandId.BIND_TRANSMITTER: State.BOUND_TX,
    CommandId.BIND_RECEIVER: State.BOUND_RX,
    CommandId.BIND_TRANSCEIVER: State.BOUND_TRX,
}
_BINDS = frozenset(_BOUND_BY_BIND)

# What the ESME side sends once bound, by the mode of its bind: a transmitter submits, a
# receiver is delivered to, a transceiver does both (spec §2.3).
_ESME_SENDS = frozenset(
    {
        CommandId.SUBMIT_SM,
        CommandId.SUBMIT_MULTI,
        CommandId.DATA_SM,
        CommandId.QUERY_SM,
        CommandId.CANCEL_SM,
        CommandId.REPLACE_SM,
    }
)
_SMSC_SENDS = frozenset({CommandId.DELIVER_SM, CommandId.DATA_SM, CommandId.ALERT_NOTIFICATION})
_ALWAYS = frozenset({CommandId.ENQUIRE_LINK, CommandId.UNBIND, CommandId.GENERIC_NACK})


def _allowed(sender: Role, state: State) -> frozenset[int]:
    """Requests a peer in `sender`'s role may send while the session is in `state`."""
    if state is State.OPEN:
        if sender is Role.ESME:
            return _BINDS | {CommandId.ENQUIRE_LINK, CommandId.GENERIC_NACK}
        return frozenset({CommandId.OUTBIND, CommandId.ENQUIRE_LINK, CommandId.GENERIC_NACK})
    if state in (State.UNBINDING, State.CLOSED):
        return frozenset({CommandId.ENQUIRE_LINK, CommandId.UNBIND, CommandId.GENERIC_NACK})
    if sender is Role.ESME:
        sends = _ESME_SENDS if state is not State.BOUND_RX else frozenset()
    else:
        sends = _SMSC_SENDS if state is not State.BOUND_TX else frozenset()
    return sends | _ALWAYS


_ALLOWED = {(role, state): _allowed(role, state) for role in Role for state in State}


class Request(msgspec.Struct, frozen=True):
    """The peer asks something the application must answer with `respond`."""

    pdu: Pdu


class Response(msgspec.Struct, frozen=True):
    """The answer to one of our requests (a generic_nack counts)."""

    pdu: Pdu


class TimedOut(msgspec.Struct, frozen=True):
    """Our request `sequence_number` had no answer within the response timeout."""

    sequence_number: int
    command_id: int


class Closed(msgspec.Struct, frozen=True):
    """The session is over; the transport closes once the pending output is written."""

    reason: str


Event = Request | Response | TimedOut | Closed


class SessionError(Exception):
    """The application asked for something the session's state does not allow."""


@dataclass(frozen=True, slots=True)
class Timers:
    """Seconds; 0 turns a timer off."""

    response_timeout: float = 30.0  # our request unanswered this long counts as lost
    enquire_link: float = 30.0  # quiet this long, we ask whether the peer is still there
    inactivity: float = 0.0  # quiet this long, we close (0: enquire_link alone watches)
    unbind_grace: float = 5.0  # owed answers we wait for after the peer unbinds


@dataclass(slots=True)
class _Unbinding:
    sequence_number: int | None  # the peer's unbind we still owe unbind_resp to, or None
    since: float
    answered: bool = False  # the peer answered our unbind: we close once we owe nothing


@dataclass(slots=True)
class Session:
    role: Role
    timers: Timers = field(default_factory=Timers)
    max_pdu_size: int = DEFAULT_MAX_PDU_SIZE
    state: State = State.OPEN
    # Our requests awaiting an answer: sequence number → (command_id, sent at).
    outstanding: dict[int, tuple[int, float]] = field(default_factory=dict)
    # The peer's requests awaiting our answer.
    owed: set[int] = field(default_factory=set)
    _framer: Framer = field(init=False)
    _out: list[bytes] = field(default_factory=list)
    _sequence: int = 0
    _last_received: float = 0.0
    _enquiring: bool = False
    _unbinding: _Unbinding | None = None

    def __post_init__(self) -> None:
        self._framer = Framer(self.max_pdu_size)

    @property
    def closed(self) -> bool:
        return self.state is State.CLOSED

    @property
    def bound(self) -> bool:
        return self.state in (State.BOUND_TX, State.BOUND_RX, State.BOUND_TRX)

    def data_to_send(self) -> bytes:
        out = b"".join(self._out)
        self._out.clear()
        return out

    def started(self, now: float) -> None:
        """The connection is up: the timers count from here."""
        self._last_received = now

    # Sending

    def next_sequence(self) -> int:
        self._sequence = self._sequence % MAX_SEQUENCE + 1
        return self._sequence

    def send_request(self, pdu: Pdu, now: float) -> int:
        """Queue one of our requests; returns its sequence number (the PDU's own when it has
        one, else a fresh one)."""
        command = pdu.command_id
        if self.state is State.CLOSED:
            raise SessionError("the session is closed")
        if command in _BINDS:
            if self.role is not Role.ESME or self.state is not State.OPEN:
                raise SessionError(f"cannot bind in state {self.state.value}")
        elif command not in _ALLOWED[(self.role, self.state)]:
            raise SessionError(f"cannot send {command.name} in state {self.state.value}")
        sequence = pdu.sequence_number
        if not sequence:
            sequence = self.next_sequence()
            pdu = msgspec.structs.replace(pdu, sequence_number=sequence)
        self._out.append(encode_pdu(pdu))
        self.outstanding[sequence] = (command, now)
        if command == CommandId.UNBIND:
            self.state = State.UNBINDING
            self._unbinding = _Unbinding(None, now)
        return sequence

    def respond(self, pdu: Pdu) -> list[Event]:
        """Queue the answer to a request the session reported. Answers to requests no longer
        owed (the session already closed, say) are dropped."""
        sequence = pdu.sequence_number
        if sequence not in self.owed or self.state is State.CLOSED:
            return []
        self.owed.discard(sequence)
        self._out.append(encode_pdu(pdu))
        if pdu.command_status == CommandStatus.ESME_ROK:
            bound = _BOUND_BY_BIND.get(CommandId(pdu.command_id & ~RESPONSE_BIT))
            if bound is not None and self.state is State.OPEN:
                self.state = bound
        return self._finish_unbind_if_settled()

    def unbind(self, now: float) -> int:
        """Start a graceful unbind: no more requests from us; the peer answers, we close."""
        return self.send_request(Unbind(), now)

    # Receiving

    def receive_data(self, data: bytes, now: float) -> list[Event]:
        if self.state is State.CLOSED:
            return []
        self._last_received = now
        self._enquiring = False
        events: list[Event] = []
        for item in self._framer.feed(data):
            if isinstance(item, FrameError):
                # The stream cannot be cut into PDUs any more: say why and hang up.
                self._out.append(
                    encode_pdu(
                        GenericNack(item.sequence_number or 0, CommandStatus.ESME_RINVCMDLEN)
                    )
                )
                events.append(self._close(item.reason))
                break
            if isinstance(item, PduError):
                events.extend(self._refuse(item))
                continue
            if item.command_id & RESPONSE_BIT:
                events.extend(self._response(item))
            else:
                events.extend(self._request(item))
            if self.closed:
                break
        return events

    def _response(self, pdu: Pdu) -> list[Event]:
        sent = self.outstanding.pop(pdu.sequence_number, None)
        if sent is None:
            return []  # late (after a timeout) or never asked: nothing waits for it
        command = sent[0]
        if command in _BINDS and pdu.command_status == CommandStatus.ESME_ROK:
            self.state = _BOUND_BY_BIND[CommandId(command)]
        if command == CommandId.UNBIND:
            if self.owed and self._unbinding is not None:
                # Answers still owed to the peer (submits being committed) go out first.
                self._unbinding.answered = True
                return [Response(pdu)]
            return [Response(pdu), self._close("unbound")]
        return [Response(pdu)]

    def _request(self, pdu: Pdu) -> list[Event]:
        command = pdu.command_id
        sequence = pdu.sequence_number
        if command == CommandId.ENQUIRE_LINK:
            self._out.append(encode_pdu(EnquireLinkResp(sequence)))
            return []
        if command == CommandId.GENERIC_NACK:
            return []
        if command not in _ALLOWED[(_peer(self.role), self.state)]:
            status = (
                CommandStatus.ESME_RALYBND
                if command in _BINDS and self.bound
                else CommandStatus.ESME_RINVBNDSTS
            )
            self._out.append(encode_pdu(response_to(command, sequence, status)))
            return []
        if sequence in self.owed:
            # The peer reused a sequence number we have not answered yet: answering both would
            # be ambiguous, so the second one is refused.
            self._out.append(encode_pdu(response_to(command, sequence, CommandStatus.ESME_RSYSERR)))
            return []
        if command == CommandId.UNBIND:
            self.state = State.UNBINDING
            self._unbinding = _Unbinding(sequence, self._last_received)
            return self._finish_unbind_if_settled()
        if command == CommandId.ALERT_NOTIFICATION:
            # The one request SMPP answers with nothing (§4.12): owing it an answer would hold
            # up an unbind until its grace ran out.
            return [Request(pdu)]
        self.owed.add(sequence)
        return [Request(pdu)]

    def _refuse(self, error: PduError) -> list[Event]:
        if error.command_id & RESPONSE_BIT:
            # An answer we cannot read refuses our request: whoever sent it decides on a retry.
            if self.outstanding.pop(error.sequence_number, None) is None:
                return []
            return [Response(GenericNack(error.sequence_number, error.command_status))]
        self._out.append(
            encode_pdu(response_to(error.command_id, error.sequence_number, error.command_status))
        )
        return []

    def _finish_unbind_if_settled(self) -> list[Event]:
        unbinding = self._unbinding
        if unbinding is None or self.owed:
            return []
        if unbinding.sequence_number is not None:
            self._out.append(encode_pdu(UnbindResp(unbinding.sequence_number)))
            return [self._close("the peer unbound")]
        return [self._close("unbound")] if unbinding.answered else []

    # Time

    def tick(self, now: float) -> list[Event]:
        """Timers: requests that waited too long, keepalive, inactivity, unbind grace."""
        if self.state is State.CLOSED:
            return []
        timers = self.timers
        events: list[Event] = []
        if timers.response_timeout and self.outstanding:
            limit = now - timers.response_timeout
            late = [seq for seq, (_, sent) in self.outstanding.items() if sent <= limit]
            for sequence in late:
                command, _ = self.outstanding.pop(sequence)
                if command in (CommandId.ENQUIRE_LINK, CommandId.UNBIND) or command in _BINDS:
                    return [*events, self._close(f"no answer to {CommandId(command).name}")]
                events.append(TimedOut(sequence, command))
        quiet = now - self._last_received
        if timers.inactivity and quiet >= timers.inactivity:
            events.append(self._close(f"nothing received for {quiet:.0f} s"))
            return events
        unbinding = self._unbinding
        if unbinding is not None and now - unbinding.since >= timers.unbind_grace:
            if unbinding.sequence_number is not None:
                self.owed.clear()  # what is still owed will not be answered now
                self._out.append(encode_pdu(UnbindResp(unbinding.sequence_number)))
            events.append(self._close("unbind did not settle in time"))
            return events
        if (
            timers.enquire_link
            and quiet >= timers.enquire_link
            and not self._enquiring
            and self.state is not State.UNBINDING
        ):
            self._enquiring = True
            self.send_request(EnquireLink(), now)
        return events

    def connection_lost(self, reason: str) -> list[Event]:
        if self.state is State.CLOSED:
            return []
        return [self._close(reason)]

    def _close(self, reason: str) -> Closed:
        self.state = State.CLOSED
        self.owed.clear()
        return Closed(reason)


def _peer(role: Role) -> Role:
    return Role.SMSC if role is Role.ESME else Role.ESME


def response_to(command: int, sequence: int, status: int) -> Pdu:
    """The (bodiless) answer to request `command` carrying an error `status`."""
    response = PDU_TYPES.get(command | RESPONSE_BIT)
    if response is None or command & RESPONSE_BIT:
        return GenericNack(sequence, status)
    return response(sequence, status)
