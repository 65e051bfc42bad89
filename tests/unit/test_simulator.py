"""The simulator: reproducible outcomes, ids that never repeat, reports resumed after a restart."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

from smsgate.connectors.simulator import OutcomeMix, Replies, SimulatorConnector, upstream_id
from smsgate.domain.inbound import InboundSms
from smsgate.domain.message import OutboundMessage
from smsgate.domain.reports import Report
from smsgate.domain.status import Status
from smsgate.domain.text import Encoding


class Collector:
    def __init__(self, awaiting: Sequence[str] = ()):
        self.received: list[Report] = []
        self.inbound_received: list[InboundSms] = []
        self._awaiting = list(awaiting)

    async def report(self, report: Report) -> None:
        self.received.append(report)

    async def reports(self, reports: Sequence[Report]) -> None:
        self.received.extend(reports)

    async def awaiting_reports(self, connector: str) -> list[str]:
        return self._awaiting

    async def inbound(self, sms: InboundSms) -> None:
        self.inbound_received.append(sms)


def message(message_id: int, parts: int = 1, sender: str | None = None) -> OutboundMessage:
    return OutboundMessage(
        id=message_id,
        account_id=1,
        recipient="+48500600700",
        sender=sender,
        text="x",
        encoding=Encoding.GSM7,
        parts=parts,
        client_ref=None,
        lane=1,
        expires_at=None,
        attempt=1,
    )


MIX = OutcomeMix(delivered=0.7, undelivered=0.2, expired=0.05, rejected=0.05)


def test_the_same_seed_gives_the_same_outcome_for_each_message() -> None:
    first = SimulatorConnector(mix=MIX, seed=42)
    second = SimulatorConnector(mix=MIX, seed=42)
    assert [first.outcome(i) for i in range(500)] == [second.outcome(i) for i in range(500)]


def test_another_seed_gives_other_outcomes() -> None:
    first = SimulatorConnector(mix=MIX, seed=1)
    second = SimulatorConnector(mix=MIX, seed=2)
    assert [first.outcome(i) for i in range(200)] != [second.outcome(i) for i in range(200)]


def test_outcomes_follow_the_configured_mix() -> None:
    sim = SimulatorConnector(mix=MIX, seed=3)
    counts = Counter(sim.outcome(i) for i in range(10_000))
    assert 0.66 < counts[Status.DELIVERED] / 10_000 < 0.74
    assert 0.17 < counts[Status.UNDELIVERED] / 10_000 < 0.23


async def test_every_part_gets_its_own_upstream_id_and_a_report() -> None:
    sink = Collector()
    sim = SimulatorConnector(report_delay_ms=1, seed=1)
    await sim.start(sink)
    ids = await sim.submit(message(7, parts=3))
    for _ in range(100):
        if len(sink.received) == 3:
            break
        await asyncio.sleep(0.01)
    await sim.stop()
    assert ids == (upstream_id(7, 1), upstream_id(7, 2), upstream_id(7, 3))
    assert sorted(r.upstream_id for r in sink.received) == sorted(ids)
    assert {r.status for r in sink.received} == {Status.DELIVERED}


async def test_reports_still_owed_at_a_restart_are_sent_after_it() -> None:
    sink = Collector(awaiting=[upstream_id(9, 1)])
    sim = SimulatorConnector(seed=1)
    await sim.start(sink)
    for _ in range(100):
        if sink.received:
            break
        await asyncio.sleep(0.01)
    await sim.stop()
    assert [r.upstream_id for r in sink.received] == [upstream_id(9, 1)]


async def test_the_submit_latency_is_honoured() -> None:
    sim = SimulatorConnector(submit_latency_ms=50, seed=1)
    await sim.start(Collector())
    loop = asyncio.get_running_loop()
    started = loop.time()
    await sim.submit(message(1))
    await sim.stop()
    assert loop.time() - started >= 0.045


def test_replies_come_from_the_recipient_to_the_numeric_sender() -> None:
    sim = SimulatorConnector(seed=1, replies=Replies(rate=1.0, texts=("Yes",)))
    reply = sim.reply(message(5, sender="+48500000001"))
    assert reply is not None
    assert (reply.sender, reply.recipient, reply.text) == ("+48500600700", "+48500000001", "Yes")


def test_a_message_without_a_sender_is_answered_to_the_simulators_number() -> None:
    sim = SimulatorConnector(seed=1, replies=Replies(rate=1.0, number="+15550100000"))
    reply = sim.reply(message(5))
    assert reply is not None and reply.recipient == "+15550100000"


def test_an_alphanumeric_sender_cannot_be_answered() -> None:
    sim = SimulatorConnector(seed=1, replies=Replies(rate=1.0))
    assert sim.reply(message(5, sender="ACME")) is None


def test_the_reply_rate_is_the_share_of_messages_answered() -> None:
    sim = SimulatorConnector(seed=3, replies=Replies(rate=0.25, texts=("a", "b")))
    replies = [sim.reply(message(i)) for i in range(1, 4001)]
    answered = [r for r in replies if r is not None]
    assert 0.22 < len(answered) / len(replies) < 0.28
    assert {r.text for r in answered} == {"a", "b"}


async def test_a_delivered_message_is_answered_after_the_reply_delay() -> None:
    sink = Collector()
    sim = SimulatorConnector(
        report_delay_ms=0, seed=1, replies=Replies(rate=1.0, texts=("Yes",), delay_ms=10)
    )
    await sim.start(sink)
    await sim.submit(message(7))
    for _ in range(100):
        if sink.inbound_received:
            break
        await asyncio.sleep(0.01)
    await sim.stop()
    (reply,) = sink.inbound_received
    assert reply.text == "Yes" and reply.at_ms > 0
