"""The SMPP client connector: smsgate as an ESME bound to a carrier's SMSC.

Several binds per connector, each reconnecting on its own (`binds.py`). A submit goes to the
least loaded bound bind; the connector's window is the sum of the windows of the binds that
can submit. A throttled upstream (ESME_RTHROTTLED, ESME_RMSGQFUL) pauses the connector and
then lets submits through one more at a time (`policy.Pace`), so what queued up meanwhile
does not hit the upstream at once. Receipts and inbound messages are acknowledged only after
the sink has committed them.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import Counter

import structlog

from smsgate.connectors.base import BindStatus, Connector, Link, LinkState, Sink, SubmitError
from smsgate.connectors.smpp.binds import Bind
from smsgate.connectors.smpp.options import SmppOptions
from smsgate.connectors.smpp.policy import (
    Pace,
    Verdict,
    address,
    classify,
    status_code,
    status_detail,
)
from smsgate.connectors.smpp.receiving import Unreadable, read_delivery
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report
from smsgate.smpp.connection import Connection, ConnectionClosed, ResponseTimeout
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.long_messages import LongMode, plan_submits
from smsgate.smpp.pdu import DataSm, DeliverSm, Pdu, SubmitSm, SubmitSmResp
from smsgate.smpp.receipts import canonical_id
from smsgate.smpp.session import SessionError, response_to

log = structlog.get_logger(__name__)

REGISTERED_DELIVERY_FINAL = 0x01  # a receipt on final delivery outcome, success or failure
UNBIND_TIMEOUT_S = 5.0
# How long a submit may wait for its turn while the connector is slowed down, inside the
# dispatcher's 60 s limit on a submit; then it is retried later like a throttled one.
PACE_WAIT_S = 30.0


class SmppCounters:
    """The SMPP side of the live state (the dispatcher counts submits, reports and inbound
    messages): plain ints bumped on the busy paths."""

    __slots__ = ("refused", "statuses", "throttles", "unreadable")

    def __init__(self) -> None:
        self.throttles = 0  # pauses started by ESME_RTHROTTLED / ESME_RMSGQFUL
        self.unreadable = 0  # deliver_sm refused for good (ESME_RX_P_APPN)
        self.refused = 0  # deliver_sm refused for now: not committed (ESME_RX_T_APPN)
        self.statuses: Counter[str] = Counter()  # refused submits by smpp status or cause

    def as_dict(self) -> dict[str, int]:
        return {
            "throttles": self.throttles,
            "deliver_unreadable": self.unreadable,
            "deliver_refused": self.refused,
            **{f"submit_errors.{code}": n for code, n in sorted(self.statuses.items())},
        }


class SmppConnector(Connector):
    def __init__(self, name: str, options: SmppOptions):
        modes = {
            "transceiver": ("transceiver",),
            "pair": ("transmitter", "receiver"),
            "transmitter": ("transmitter",),
        }[options.bind_mode]
        super().__init__(
            name,
            throughput=options.throughput,
            window=options.window_total,
            sender_throughput=options.sender_throughput,
        )
        self.options = options
        self.smpp = SmppCounters()
        self._coding = options.data_coding.to_map()
        tls = _tls_context(options) if options.tls else None
        self.binds = [
            Bind(
                options,
                mode,
                f"{name}#{n}{_SUFFIX[mode]}",
                self._on_request,
                self._bind_changed,
                self.counters.error,
                tls,
            )
            for n in range(1, options.binds + 1)
            for mode in modes
        ]
        self._pace = Pace(0, options.throttle_initial_s, options.throttle_max_s)
        self._active = 0  # submits in flight on all binds
        self._change: asyncio.Future[None] | None = None
        self._urgent_waiting = 0  # urgent submits waiting for their turn
        self._sink: Sink | None = None
        self._delivering: set[asyncio.Task[None]] = set()
        self._started = False

    # Lifecycle

    async def start(self, sink: Sink) -> None:
        self._sink = sink
        self._started = True
        for bind in self.binds:
            bind.start()

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        await asyncio.gather(*(bind.stop(UNBIND_TIMEOUT_S) for bind in self.binds))
        # A deliver_sm being committed when the connection went is finished (its answer is
        # dropped; the upstream sends it again): nothing is cut half-way.
        if self._delivering:
            await asyncio.gather(*self._delivering, return_exceptions=True)
        self._wake()

    # Live state

    def link(self) -> Link:
        states = [b.state for b in self.binds]
        state: LinkState
        if "bound" in states:
            state = "up"
        elif not self._started:
            state = "disabled"
        elif "connecting" in states:
            state = "connecting"
        else:
            state = "down"
        return Link(
            state=state,
            binds=[
                BindStatus(mode=b.mode, state=b.state, since=b.since, in_flight=b.pending)
                for b in self.binds
            ],
            counters=self.smpp.as_dict(),
        )

    def accepting(self) -> bool:
        return any(b.ready for b in self.binds)

    def _bind_changed(self, bind: Bind) -> None:
        self._pace.resize(self._bound_window())
        self._wake()

    def _bound_window(self) -> int:
        return sum(b.window for b in self.binds if b.ready)

    # Submitting

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        ids = []
        for pdu in self._pdus(message):
            ids.append(await self._submit_part(pdu, message.urgent))
        return tuple(ids)

    def _pdus(self, message: OutboundMessage) -> list[SubmitSm]:
        options = self.options
        if message.sender:
            source_ton, source_npi, source = address(
                message.sender, options.source_ton, options.source_npi
            )
        else:  # the upstream puts in its default sender
            source_ton, source_npi, source = options.source_ton or 0, options.source_npi or 0, ""
        dest_ton, dest_npi, destination = address(
            message.recipient, options.dest_ton, options.dest_npi
        )
        try:
            plan = plan_submits(
                message.text,
                message.encoding,
                options.long_messages,
                # The same reference on every attempt, so a phone that got some parts from an
                # earlier attempt still puts the message together.
                message.id % (0x100 if options.long_messages is LongMode.UDH else 0x10000),
                self._coding,
            )
        except ValueError as exc:
            raise SubmitError("smpp:unencodable", str(exc), temporary=False) from None
        registered = REGISTERED_DELIVERY_FINAL if options.registered_delivery else 0
        return [
            SubmitSm(
                service_type=options.service_type,
                source_addr_ton=source_ton,
                source_addr_npi=source_npi,
                source_addr=source,
                dest_addr_ton=dest_ton,
                dest_addr_npi=dest_npi,
                destination_addr=destination,
                esm_class=part.esm_class,
                registered_delivery=registered,
                data_coding=part.data_coding,
                short_message=part.short_message,
                tlvs=part.tlvs,
            )
            for part in plan
        ]

    async def _submit_part(self, pdu: SubmitSm, urgent: bool) -> str:
        bind = await self._turn(urgent)
        connection = bind.connection
        assert connection is not None
        epoch = self._pace.epoch
        bind.pending += 1
        self._active += 1
        try:
            answer = await connection.request(pdu)
        except ConnectionClosed as exc:
            raise self._refused("smpp:connection_lost", f"connection lost: {exc}") from None
        except ResponseTimeout:
            raise self._refused(
                "smpp:timeout", f"no submit_sm_resp in {self.options.response_timeout_s:g} s"
            ) from None
        except SessionError as exc:  # the bind started to unbind after it was chosen
            raise self._refused("smpp:not_bound", str(exc)) from None
        finally:
            bind.pending -= 1
            self._active -= 1
            self._wake()
        return self._judge(answer, epoch)

    def _judge(self, answer: Pdu, epoch: int) -> str:
        status = answer.command_status
        verdict = classify(status, self.options.temporary_statuses)
        if verdict is Verdict.ACCEPTED and isinstance(answer, SubmitSmResp):
            self._pace.accepted()
            return canonical_id(answer.message_id, self.options.submit_id_base)
        if verdict is Verdict.ACCEPTED:  # a generic_nack saying ESME_ROK: not an answer
            verdict = Verdict.TEMPORARY
        if verdict is Verdict.THROTTLED and self._pace.throttled(time.monotonic(), epoch):
            self.smpp.throttles += 1
            log.warning(
                "smpp upstream throttles us",
                connector=self.name,
                status=status_detail(status),
                pause_s=round(self._pace.paused_until - time.monotonic(), 2),
            )
        code = status_code(status)
        self.smpp.statuses[code] += 1
        raise SubmitError(code, status_detail(status), temporary=verdict is not Verdict.PERMANENT)

    def _refused(self, code: str, detail: str) -> SubmitError:
        self.smpp.statuses[code] += 1
        return SubmitError(code, detail, temporary=True)

    async def _turn(self, urgent: bool) -> Bind:
        """The bind for the next submit, once the pace allows one more in flight. Waits up
        to `bind_wait_s` for a bind to come up and `PACE_WAIT_S` for the pace; then raises a
        temporary SubmitError so the dispatcher retries the message later. While urgent
        submits wait (a throttled upstream, no bind up), the others wait behind them."""
        start = time.monotonic()
        if urgent:
            self._urgent_waiting += 1
        try:
            while True:
                now = time.monotonic()
                binds = [b for b in self.binds if b.ready]
                if not binds:
                    left = start + self.options.bind_wait_s - now
                    if left <= 0:
                        raise self._refused("smpp:not_bound", "no bind to the upstream is bound")
                    await self._changed(left)
                    continue
                pace = self._pace
                if (
                    now >= pace.paused_until
                    and self._active < pace.limit
                    and (urgent or not self._urgent_waiting)
                ):
                    return min(binds, key=_load)
                left = start + PACE_WAIT_S - now
                if left <= 0:
                    raise self._refused("smpp:throttled", "waited too long for the upstream")
                if now < pace.paused_until:
                    left = min(left, pace.paused_until - now)
                await self._changed(left)
        finally:
            if urgent:
                self._urgent_waiting -= 1
                if not self._urgent_waiting:
                    self._wake()  # the others waited behind it

    async def _changed(self, timeout: float) -> None:
        if self._change is None or self._change.done():
            self._change = asyncio.get_running_loop().create_future()
        await asyncio.wait((self._change,), timeout=timeout)

    def _wake(self) -> None:
        change = self._change
        if change is not None and not change.done():
            change.set_result(None)

    # Receiving

    def _on_request(self, connection: Connection, pdu: Pdu) -> None:
        # The session lets only deliver_sm, data_sm and alert_notification through; the last
        # (a subscriber is reachable again) wants no answer and nothing of us.
        if isinstance(pdu, DeliverSm | DataSm):
            task = asyncio.create_task(self._deliver(connection, pdu))
            self._delivering.add(task)
            task.add_done_callback(self._delivering.discard)

    async def _deliver(self, connection: Connection, pdu: DeliverSm | DataSm) -> None:
        status = CommandStatus.ESME_ROK
        try:
            item = read_delivery(self.name, pdu, self.options, self._coding)
        except Unreadable as exc:
            log.warning("smpp deliver refused", connector=self.name, reason=str(exc))
            self.smpp.unreadable += 1
            status = CommandStatus.ESME_RX_P_APPN
        else:
            sink = self._sink
            assert sink is not None
            try:
                if isinstance(item, Report):
                    await sink.report(item)
                else:
                    await sink.inbound(item)
            except Exception:
                # Not committed: the upstream must send it again, so it is not acknowledged.
                log.exception("smpp deliver not committed", connector=self.name)
                self.smpp.refused += 1
                status = CommandStatus.ESME_RX_T_APPN
        connection.respond(response_to(pdu.command_id, pdu.sequence_number, status))


# A bind's label in logs and errors: carrier#2, or carrier#2-tx and carrier#2-rx for a pair.
_SUFFIX = {"transmitter": "-tx", "receiver": "-rx", "transceiver": ""}


def _load(bind: Bind) -> int:
    return bind.pending


def _tls_context(options: SmppOptions) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(
            cafile=str(options.tls_ca_file) if options.tls_ca_file else None
        )
    except (OSError, ssl.SSLError) as exc:  # reported like a bad option
        raise ValueError(f"tls_ca_file: {exc}") from None
    if not options.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
