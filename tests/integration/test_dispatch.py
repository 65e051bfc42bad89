"""The dispatcher: windows, pace, priority, retries, expiry and reports that race the submit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import update

from smsgate.dispatch import dispatcher as dispatcher_module
from smsgate.domain.status import Status
from smsgate.store.database import Tx
from smsgate.store.schema import messages
from tests.integration.conftest import Running
from tests.integration.connectors import (
    EarlyReportingConnector,
    HangingConnector,
    RecordingConnector,
    RefusingConnector,
)

Start = Callable[..., Any]


async def send(gw: Running, count: int, **extra: object) -> list[str]:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": [f"+4850060{i:04d}" for i in range(count)], "text": "x", **extra},
    )
    assert response.status_code == 201, response.text
    return [m["id"] for m in response.json()["messages"]]


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def test_submits_in_flight_never_exceed_the_window(gateway_with: Start) -> None:
    upstream = RecordingConnector(latency=0.02, window=5)
    async for gw in gateway_with([upstream]):
        await send(gw, 40)
        await wait_until(lambda: len(upstream.submitted) == 40)
    assert upstream.peak_in_flight == 5


async def test_the_connector_throughput_paces_submits(gateway_with: Start) -> None:
    upstream = RecordingConnector(throughput=100, window=50)
    async for gw in gateway_with([upstream]):
        await send(gw, 50)
        await wait_until(lambda: len(upstream.submitted) == 50)
    span = upstream.submit_times[-1] - upstream.submit_times[0]
    # 50 submits at 100/s, less the initial burst of 10: at least 0.4 s.
    assert span >= 0.35


async def test_a_senders_pace_spaces_its_own_messages_only(gateway_with: Start) -> None:
    upstream = RecordingConnector(sender_throughput=20, window=50)
    async for gw in gateway_with([upstream]):
        await send(gw, 40, sender="SHOP")
        await send(gw, 10, sender="BANK")
        await wait_until(lambda: len(upstream.submitted) == 50)
    times = upstream.submit_times
    shop = [t for t, m in zip(times, upstream.submitted, strict=True) if m.sender == "SHOP"]
    bank = [t for t, m in zip(times, upstream.submitted, strict=True) if m.sender == "BANK"]
    # 40 at 20/s: 39 intervals of 50 ms. Those due more than a second ahead went back to the
    # store and were claimed again, with no attempt counted for it.
    assert shop[-1] - shop[0] >= 39 * 0.05 * 0.9
    assert bank[-1] - shop[0] < 1.0
    assert all(m.attempt == 1 for m in upstream.submitted)


async def test_urgent_messages_overtake_queued_bulk(gateway_with: Start) -> None:
    upstream = RecordingConnector(throughput=200, window=1)
    async for gw in gateway_with([upstream]):
        bulk = await send(gw, 60)
        (urgent,) = (
            m["id"]
            for m in (
                await gw.client.post(
                    "/v1/messages", json={"to": ["+48500999999"], "text": "OTP", "urgent": True}
                )
            ).json()["messages"]
        )
        await wait_until(lambda: len(upstream.submitted) == 61)
    order = [str(m.id) for m in upstream.submitted]
    assert order.index(urgent) < order.index(bulk[-1])
    assert order.index(urgent) < 20


async def test_an_urgent_message_overtakes_a_large_bulk_send_already_draining(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector(throughput=1000, window=10)
    async for gw in gateway_with([upstream]):
        await send(gw, 5000)
        await wait_until(lambda: len(upstream.submitted) >= 200)
        response = await gw.client.post(
            "/v1/messages", json={"to": ["+48510999999"], "text": "OTP", "urgent": True}
        )
        accepted_behind = len(upstream.submitted)
        urgent = int(response.json()["messages"][0]["id"])
        await wait_until(lambda u=urgent: any(m.id == u for m in upstream.submitted))
    # A second of this connector is 1,000 messages; the urgent one waits for a few dozen.
    overtaken_at = next(i for i, m in enumerate(upstream.submitted) if m.id == urgent)
    assert overtaken_at - accepted_behind < 50
    assert len(upstream.submitted) < 2000  # most of the bulk send was still queued


async def test_a_temporary_refusal_is_retried_until_it_passes(
    gateway_with: Start, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "RETRY_BASE_MS", 10)
    upstream = RefusingConnector("throttled", temporary=True, times=2)
    async for gw in gateway_with([upstream]):
        (message_id,) = await send(gw, 1)
        body = await gw.wait_for_status(message_id, {"sent", "failed"})
    assert body["status"] == "sent"
    assert upstream.attempts[int(message_id)] == 3


async def test_a_permanent_refusal_fails_the_message_with_the_code_kept(
    gateway_with: Start,
) -> None:
    upstream = RefusingConnector("invalid_destination", temporary=False)
    async for gw in gateway_with([upstream]):
        (message_id,) = await send(gw, 1)
        body = await gw.wait_for_status(message_id, {"failed"})
    assert body["error"]["code"] == "invalid_destination"
    assert upstream.attempts[int(message_id)] == 1


async def test_a_message_past_its_validity_expires_instead_of_being_sent(
    gateway_with: Start, monkeypatch: Any
) -> None:
    upstream = RecordingConnector(latency=0.3, window=1)
    async for gw in gateway_with([upstream]):
        (busy,) = await send(gw, 1)
        await wait_until(lambda: upstream.in_flight == 1)
        # While the window is full, the second message waits; its validity runs out meanwhile.
        response = await gw.client.post(
            "/v1/messages", json={"to": ["+48500600799"], "text": "x", "validity": 60}
        )
        waiting = response.json()["messages"][0]["id"]
        later = dispatcher_module.now_ms() + 61_000
        monkeypatch.setattr(dispatcher_module, "now_ms", lambda later=later: later)
        body = await gw.wait_for_status(waiting, {"expired", "sent"})
    assert body["status"] == "expired"
    assert [m.id for m in upstream.submitted] == [int(busy)]


async def test_a_report_that_beats_the_submit_response_is_not_lost(gateway_with: Start) -> None:
    upstream = EarlyReportingConnector()
    async for gw in gateway_with([upstream]):
        ids = await send(gw, 20)
        for message_id in ids:
            body = await gw.wait_for_status(message_id, {"delivered"})
            assert [h["status"] for h in body["history"]][-1] == "delivered"


async def test_a_late_or_repeated_report_never_moves_a_message_back(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        (message_id,) = await send(gw, 1)
        await gw.wait_for_status(message_id, {"sent"})
        upstream_id = (await gw.client.get(f"/v1/messages/{message_id}")).json()["upstream_id"]
        await upstream.report(upstream_id, Status.DELIVERED)
        await upstream.report(upstream_id, Status.DELIVERED)
        await upstream.report(upstream_id, Status.SENT)
        await upstream.report(upstream_id, Status.UNDELIVERED, "absent")
        body = await gw.wait_for_status(message_id, {"delivered"})
    assert body["error"] is None
    assert [h["status"] for h in body["history"]] == ["accepted", "queued", "sent", "delivered"]


async def test_a_report_for_an_unknown_id_is_kept_without_harm(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await upstream.report("never-submitted", Status.DELIVERED)
        (message_id,) = await send(gw, 1)
        assert (await gw.wait_for_status(message_id, {"sent"}))["status"] == "sent"


async def test_a_long_message_is_delivered_only_when_every_part_is(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        response = await gw.client.post(
            "/v1/messages", json={"to": ["+48500600700"], "text": "a" * 400}
        )
        message_id = response.json()["messages"][0]["id"]
        await gw.wait_for_status(message_id, {"sent"})
        parts = [f"upstream-{i}" for i in (1, 2, 3)]
        await upstream.report(parts[0], Status.DELIVERED)
        await upstream.report(parts[1], Status.DELIVERED)
        body = (await gw.client.get(f"/v1/messages/{message_id}")).json()
        assert body["status"] == "sent"
        await upstream.report(parts[2], Status.DELIVERED)
        assert (await gw.wait_for_status(message_id, {"delivered"}))["parts"] == 3


async def test_the_first_failed_part_decides_a_long_message(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        response = await gw.client.post(
            "/v1/messages", json={"to": ["+48500600700"], "text": "a" * 200}
        )
        message_id = response.json()["messages"][0]["id"]
        await gw.wait_for_status(message_id, {"sent"})
        await upstream.report("upstream-1", Status.DELIVERED)
        await upstream.report("upstream-2", Status.UNDELIVERED, "absent_subscriber")
        body = await gw.wait_for_status(message_id, {"undelivered"})
    assert body["error"]["code"] == "absent_subscriber"


async def test_a_failure_keeps_the_upstream_code_beside_the_normalised_one(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        (message_id,) = await send(gw, 1)
        await gw.wait_for_status(message_id, {"sent"})
        await upstream.report("upstream-1", Status.UNDELIVERED, "absent_subscriber", "0x0001b")
        body = await gw.wait_for_status(message_id, {"undelivered"})
        events = (await gw.client.get("/v1/events")).json()["data"]
    assert body["error"]["code"] == "absent_subscriber"
    assert body["error"]["raw"] == "0x0001b"
    assert body["part_details"][0]["error_raw"] == "0x0001b"
    assert events[-1]["data"]["error_raw"] == "0x0001b"


async def test_a_submit_that_never_answers_is_retried_after_the_timeout(
    gateway_with: Start, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "SUBMIT_TIMEOUT_S", 0.2)
    monkeypatch.setattr(dispatcher_module, "RETRY_BASE_MS", 10)
    upstream = HangingConnector()
    async for gw in gateway_with([upstream]):
        (message_id,) = await send(gw, 1)
        body = await gw.wait_for_status(message_id, {"sent"}, timeout=5)
    assert upstream.calls[int(message_id)] == 2
    assert body["status"] == "sent"


async def age_out(gw: Running, message_id: str) -> None:
    async def run_out(tx: Tx) -> None:
        await tx.conn.execute(
            update(messages).where(messages.c.id == int(message_id)).values(expires_at=1)
        )

    await gw.gateway.db.write(run_out)


async def test_a_sent_message_with_no_report_expires_with_its_validity(
    gateway_with: Start, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "EXPIRY_SWEEP_S", 0.05)
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        (message_id,) = await send(gw, 1)
        await gw.wait_for_status(message_id, {"sent"})
        await age_out(gw, message_id)
        body = await gw.wait_for_status(message_id, {"expired"})
    assert body["error"]["code"] == "expired"


async def test_a_late_delivery_report_wins_over_our_own_expiry(
    gateway_with: Start, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "EXPIRY_SWEEP_S", 0.05)
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        (message_id,) = await send(gw, 1)
        await gw.wait_for_status(message_id, {"sent"})
        upstream_id = (await gw.client.get(f"/v1/messages/{message_id}")).json()["upstream_id"]
        await age_out(gw, message_id)
        await gw.wait_for_status(message_id, {"expired"})
        await upstream.report(upstream_id, Status.DELIVERED)
        body = await gw.wait_for_status(message_id, {"delivered"})
    assert [h["status"] for h in body["history"]][-2:] == ["expired", "delivered"]
    assert body["error"] is None


async def test_one_message_shows_each_part_as_the_upstream_knows_it(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        response = await gw.client.post(
            "/v1/messages", json={"to": ["+48500600700"], "text": "a" * 200}
        )
        message_id = response.json()["messages"][0]["id"]
        await gw.wait_for_status(message_id, {"sent"})
        await upstream.report("upstream-2", Status.UNDELIVERED, "absent_subscriber")
        body = await gw.wait_for_status(message_id, {"undelivered"})
        listed = (await gw.client.get("/v1/messages")).json()["data"][0]
    assert [(p["part"], p["upstream_id"], p["status"]) for p in body["part_details"]] == [
        (1, "upstream-1", "sent"),
        (2, "upstream-2", "undelivered"),
    ]
    assert body["part_details"][1]["error_code"] == "absent_subscriber"
    assert "part_details" not in listed
