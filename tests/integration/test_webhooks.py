"""Webhooks end to end: a real gateway posts to a real local receiver.

Backoffs, timeouts and the retry period are shrunk so that hours of retrying take a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from smsgate.config import Settings, SimulatorSettings, WebhookSettings
from smsgate.runtime import Gateway
from smsgate.store import outbox
from smsgate.store.database import Tx
from tests.integration.conftest import Running, start_gateway
from tests.integration.receiver import FAIL, HANG, OK, Received, Receiver

FAST = {
    "timeout_s": 0.3,
    "retry_base_s": 0.02,
    "retry_cap_s": 0.1,
    "breaker_threshold": 3,
    "breaker_cooldown_s": 0.05,
    "breaker_cooldown_cap_s": 0.2,
}


def fast_settings(database_url: str, tmp_path: Path, **webhooks: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        smpp_port=0,
        simulator=SimulatorSettings(submit_latency_ms=0.0, report_delay_ms=20.0, seed=7),
        webhooks=WebhookSettings(**{**FAST, **webhooks}),
    )


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


@pytest.fixture
async def gw(database_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async for running in start_gateway(fast_settings(database_url, tmp_path)):
        yield running


async def add_endpoint(gw: Running, url: str, events: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url} | ({"events": events} if events else {})
    response = await gw.client.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    endpoint: dict[str, Any] = response.json()
    return endpoint


async def send(gw: Running, count: int = 1, **extra: Any) -> list[str]:
    body = {"to": [f"+4850060{n:04d}" for n in range(count)], "text": "hi", **extra}
    response = await gw.client.post("/v1/messages", json=body)
    assert response.status_code == 201, response.text
    return [m["id"] for m in response.json()["messages"]]


def statuses_by_message(received: list[Received]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for r in received:
        event = r.json()
        if event["type"] == outbox.MESSAGE_STATUS:
            seen.setdefault(event["data"]["message_id"], []).append(event["data"]["status"])
    return seen


def independent_verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The docs' stdlib-only check, written here again so that it shares nothing with smsgate."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


async def test_status_changes_reach_an_endpoint_signed_with_its_secret(
    gw: Running, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(gw, receiver.url("/hooks"))
    [message_id] = await send(gw)
    await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    assert statuses_by_message(receiver.unique()) == {message_id: ["sent", "delivered"]}
    for r in receiver.received:
        assert independent_verify(endpoint["secret"], r.headers["smsgate-signature"], r.body)
        assert r.headers["smsgate-event-id"] == r.json()["id"]
        assert r.headers["smsgate-event-type"] == "message.status"
        assert r.headers["content-type"] == "application/json"


async def test_the_body_is_the_event_with_id_type_time_and_data(
    gw: Running, receiver: Receiver
) -> None:
    await add_endpoint(gw, receiver.url("/hooks"))
    [message_id] = await send(gw, client_ref="order-1")
    await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    event = receiver.received[-1].json()
    assert set(event) == {"id", "type", "created_at", "data"}
    assert event["created_at"].endswith("Z")
    assert event["data"]["message_id"] == message_id
    assert event["data"]["client_ref"] == "order-1"
    logged = (await gw.client.get("/v1/events")).json()["data"]
    assert event["id"] in {e["id"] for e in logged}


async def test_a_signature_made_with_another_secret_does_not_verify(
    gw: Running, receiver: Receiver
) -> None:
    await add_endpoint(gw, receiver.url("/hooks"))
    await send(gw)
    await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    r = receiver.received[0]
    assert not independent_verify("whsec_wrong", r.headers["smsgate-signature"], r.body)


async def test_an_endpoint_down_for_a_while_then_up_gets_every_event_in_order_per_message(
    gw: Running, receiver: Receiver
) -> None:
    await add_endpoint(gw, receiver.url("/hooks"))
    await receiver.stop()
    ids = await send(gw, 20)
    for message_id in ids:
        await gw.wait_for_status(message_id, {"delivered"})
    await asyncio.sleep(0.5)  # retries and circuit openings pile up meanwhile
    await receiver.start()
    await receiver.wait_until(lambda: len(receiver.unique()) >= 40)
    assert statuses_by_message(receiver.unique()) == {m: ["sent", "delivered"] for m in ids}


async def misbehaves_then_recovers(gw: Running, receiver: Receiver, mode: str, tries: int) -> str:
    """One message to an endpoint that fails (`mode`) until it has had `tries` requests, then
    answers; the message id, once both its events have arrived."""
    await add_endpoint(gw, receiver.url("/hooks"))
    receiver.modes["/hooks"] = mode
    [message_id] = await send(gw)
    misses = receiver.hung if mode == HANG else receiver.failed
    await receiver.wait_until(lambda: len(misses) >= tries)
    receiver.modes["/hooks"] = OK
    await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    return message_id


async def test_500_answers_are_retried_until_accepted(gw: Running, receiver: Receiver) -> None:
    message_id = await misbehaves_then_recovers(gw, receiver, FAIL, 4)
    assert statuses_by_message(receiver.unique()) == {message_id: ["sent", "delivered"]}


async def test_an_answer_slower_than_the_timeout_is_retried(
    gw: Running, receiver: Receiver
) -> None:
    message_id = await misbehaves_then_recovers(gw, receiver, HANG, 2)
    # The same event again each time: the first try timed out and was retried.
    assert len({r.json()["id"] for r in receiver.hung}) == 1
    assert statuses_by_message(receiver.unique()) == {message_id: ["sent", "delivered"]}


async def test_every_retry_carries_the_same_body(gw: Running, receiver: Receiver) -> None:
    await misbehaves_then_recovers(gw, receiver, FAIL, 3)
    first_event = receiver.received[0].json()["id"]
    tries = [r.body for r in receiver.failed + receiver.received if r.json()["id"] == first_event]
    assert len(tries) >= 2 and len(set(tries)) == 1


async def test_a_hanging_endpoint_does_not_delay_a_healthy_one(
    gw: Running, receiver: Receiver
) -> None:
    await add_endpoint(gw, receiver.url("/stuck"))
    await add_endpoint(gw, receiver.url("/healthy"))
    receiver.modes["/stuck"] = HANG
    started = time.monotonic()
    ids = await send(gw, 30)
    await receiver.wait_until(lambda: len(receiver.on("/healthy")) == 60, timeout=5)
    assert time.monotonic() - started < 3
    assert set(statuses_by_message(receiver.on("/healthy"))) == set(ids)
    assert receiver.on("/stuck") == []


async def test_an_endpoint_subscribed_to_one_type_gets_only_that_type(
    gw: Running, receiver: Receiver
) -> None:
    await add_endpoint(gw, receiver.url("/status"), ["message.status"])
    await add_endpoint(gw, receiver.url("/optouts"), ["optout.changed"])
    await send(gw, 3)
    await receiver.wait_until(lambda: len(receiver.on("/status")) == 6)
    await asyncio.sleep(0.2)
    assert receiver.on("/optouts") == []
    assert {r.json()["type"] for r in receiver.on("/status")} == {"message.status"}


async def test_a_per_send_callback_gets_the_status_events_of_its_messages_only(
    gw: Running, receiver: Receiver
) -> None:
    [tracked] = await send(gw, 1, status_callback=receiver.url("/cb"))
    untracked = await send(gw, 1)
    await gw.wait_for_status(untracked[0], {"delivered"})
    await receiver.wait_until(lambda: len(receiver.on("/cb")) >= 2)
    await asyncio.sleep(0.2)
    assert statuses_by_message(receiver.unique()) == {tracked: ["sent", "delivered"]}
    secret = (await gw.client.get("/v1/callbacks/secret")).json()["secret"]
    assert all(
        independent_verify(secret, r.headers["smsgate-signature"], r.body)
        for r in receiver.received
    )


async def test_a_rotated_callback_secret_signs_what_follows(
    gw: Running, receiver: Receiver
) -> None:
    old = (await gw.client.get("/v1/callbacks/secret")).json()["secret"]
    new = (await gw.client.post("/v1/callbacks/secret/rotate")).json()["secret"]
    assert new != old and new.startswith("whsec_")
    await send(gw, 1, status_callback=receiver.url("/cb"))
    await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    assert all(
        independent_verify(new, r.headers["smsgate-signature"], r.body) for r in receiver.received
    )


async def test_a_rotated_endpoint_secret_signs_what_follows(
    gw: Running, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(gw, receiver.url("/hooks"))
    rotated = (await gw.client.post(f"/v1/webhooks/{endpoint['id']}/rotate-secret")).json()
    assert rotated["secret"] != endpoint["secret"]
    await send(gw)
    await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    r = receiver.received[0]
    assert independent_verify(rotated["secret"], r.headers["smsgate-signature"], r.body)


async def test_an_inactive_endpoint_keeps_its_queue_until_reactivated(
    gw: Running, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(gw, receiver.url("/hooks"))
    receiver.modes["/hooks"] = FAIL
    [message_id] = await send(gw)
    await gw.wait_for_status(message_id, {"delivered"})
    await receiver.wait_until(lambda: len(receiver.failed) >= 2)  # both events queued by now
    await gw.client.patch(f"/v1/webhooks/{endpoint['id']}", json={"active": False})
    receiver.modes["/hooks"] = OK
    await asyncio.sleep(0.4)
    assert receiver.received == []
    await gw.client.patch(f"/v1/webhooks/{endpoint['id']}", json={"active": True})
    await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    assert statuses_by_message(receiver.unique()) == {message_id: ["sent", "delivered"]}


async def test_an_inactive_endpoint_is_not_sent_events_of_its_inactive_time(
    gw: Running, receiver: Receiver
) -> None:
    endpoint = await add_endpoint(gw, receiver.url("/hooks"))
    await gw.client.patch(f"/v1/webhooks/{endpoint['id']}", json={"active": False})
    [message_id] = await send(gw)
    await gw.wait_for_status(message_id, {"delivered"})
    await gw.client.patch(f"/v1/webhooks/{endpoint['id']}", json={"active": True})
    await asyncio.sleep(0.3)
    assert receiver.received == []


async def dead_letters(gw: Running, **params: Any) -> list[dict[str, Any]]:
    response = await gw.client.get("/v1/webhooks/dead-letters", params=params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def killed_by_failures(
    gw: Running, receiver: Receiver
) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    """An endpoint that answers 500 until both events of a message are dead letters: the
    endpoint, the message id and the dead letters."""
    endpoint = await add_endpoint(gw, receiver.url("/hooks"))
    receiver.modes["/hooks"] = FAIL
    [message_id] = await send(gw)
    deadline = time.monotonic() + 10
    while len(dead := await dead_letters(gw)) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return endpoint, message_id, dead


async def test_exhausted_retries_land_in_dead_letters_and_a_replay_delivers_them(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    settings = fast_settings(database_url, tmp_path, retry_for_s=0.3)
    async for gw in start_gateway(settings):
        endpoint, message_id, dead = await killed_by_failures(gw, receiver)
        assert {d["event"]["data"]["status"] for d in dead} == {"sent", "delivered"}
        assert all(d["state"] == "dead" and d["endpoint_id"] == endpoint["id"] for d in dead)
        # A chain's later event may die untried while the circuit is open.
        assert "HTTP 500" in {d["last_error"] for d in dead}
        receiver.modes["/hooks"] = OK
        replayed = await gw.client.post(
            "/v1/webhooks/dead-letters/replay", json={"endpoint_id": endpoint["id"]}
        )
        assert replayed.json() == {"replayed": 2}
        await receiver.wait_until(lambda: len(receiver.unique()) == 2)
        assert set(statuses_by_message(receiver.unique())[message_id]) == {"sent", "delivered"}
        assert await dead_letters(gw) == []


async def test_one_dead_letter_can_be_replayed_alone(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    settings = fast_settings(database_url, tmp_path, retry_for_s=0.3)
    async for gw in start_gateway(settings):
        _, _, dead = await killed_by_failures(gw, receiver)
        receiver.modes["/hooks"] = OK
        response = await gw.client.post(f"/v1/webhooks/dead-letters/{dead[0]['id']}/replay")
        assert response.json() == {"replayed": 1}
        await receiver.wait_until(lambda: len(receiver.unique()) == 1)
        assert receiver.received[0].json()["id"] == dead[0]["event"]["id"]
        assert [d["id"] for d in await dead_letters(gw)] == [dead[1]["id"]]
        again = await gw.client.post(f"/v1/webhooks/dead-letters/{dead[0]['id']}/replay")
        assert again.status_code == 404


@contextlib.asynccontextmanager
async def restarted(settings: Settings) -> AsyncIterator[Gateway]:
    """A new gateway on the same store (no HTTP door needed)."""
    gateway = Gateway(settings)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


async def write_event(gateway: Gateway, account_id: int, subject: int) -> None:
    async def job(tx: Tx) -> None:
        outbox.defer_events(
            tx,
            [
                outbox.NewEvent(
                    account_id=account_id,
                    event=outbox.OPTOUT_CHANGED,
                    payload={"number": "+48500600700", "opted_out": True},
                    at_ms=int(time.time() * 1000),
                    subject=subject,
                )
            ],
        )

    await gateway.db.write(job)


async def test_an_event_written_before_a_stop_goes_out_after_the_restart(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    """The change commits with its event, and the gateway stops before any fan-out or
    delivery: a new gateway on the same store still sends the webhook."""
    settings = fast_settings(database_url, tmp_path)
    async for gw in start_gateway(settings):
        await add_endpoint(gw, receiver.url("/hooks"))
        account = await gw.gateway.accounts.account("acme")
        await gw.gateway.fanout.stop()  # frozen between the change and its delivery
        await write_event(gw.gateway, account.id, 1)
    assert receiver.received == []
    async with restarted(settings):
        await receiver.wait_until(lambda: len(receiver.unique()) == 1)
    assert receiver.received[0].json()["data"] == {"number": "+48500600700", "opted_out": True}


async def test_a_delivery_pending_at_a_stop_goes_out_after_the_restart(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    settings = fast_settings(database_url, tmp_path)
    async for gw in start_gateway(settings):
        await add_endpoint(gw, receiver.url("/hooks"))
        receiver.modes["/hooks"] = HANG
        [message_id] = await send(gw)
        await receiver.wait_until(lambda: len(receiver.hung) >= 1)
    receiver.modes["/hooks"] = OK
    async with restarted(settings):
        await receiver.wait_until(lambda: len(receiver.unique()) == 2)
    assert statuses_by_message(receiver.unique()) == {message_id: ["sent", "delivered"]}


async def pile_up(gw: Running, receiver: Receiver, messages: int) -> list[str]:
    """Send `messages` to a failing endpoint and wait until both events of each are pending."""
    endpoint = await add_endpoint(gw, receiver.url("/hooks"))
    receiver.modes["/hooks"] = FAIL
    ids = await send(gw, messages)
    for message_id in ids:
        await gw.wait_for_status(message_id, {"delivered"})
    path = f"/v1/webhooks/{endpoint['id']}/deliveries"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        page = await gw.client.get(path, params={"state": "pending", "limit": 1000})
        if len(page.json()["data"]) >= 2 * messages:
            break
        await asyncio.sleep(0.05)
    return ids


async def test_a_backlog_larger_than_the_memory_queue_arrives_whole_and_in_order(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    settings = fast_settings(database_url, tmp_path, queue_per_endpoint=10)
    async for gw in start_gateway(settings):
        ids = await pile_up(gw, receiver, 30)
        assert gw.gateway.webhook_sender.queued() <= 10
        receiver.modes["/hooks"] = OK
        await receiver.wait_until(lambda: len(receiver.unique()) == 60)
        assert statuses_by_message(receiver.unique()) == {m: ["sent", "delivered"] for m in ids}


async def test_a_restart_resumes_a_backlog_larger_than_the_memory_queue(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    settings = fast_settings(database_url, tmp_path, queue_per_endpoint=10)
    async for gw in start_gateway(settings):
        ids = await pile_up(gw, receiver, 20)
    receiver.modes["/hooks"] = OK
    async with restarted(settings) as gateway:
        await asyncio.sleep(0.05)
        assert gateway.webhook_sender.queued() <= 10
        await receiver.wait_until(lambda: len(receiver.unique()) == 40)
    assert statuses_by_message(receiver.unique()) == {m: ["sent", "delivered"] for m in ids}


def answering_settings(database_url: str, tmp_path: Path) -> Settings:
    """Subscribers answer every delivered message with STOP."""
    return fast_settings(database_url, tmp_path).model_copy(
        update={
            "simulator": SimulatorSettings(
                submit_latency_ms=0.0,
                report_delay_ms=20.0,
                seed=7,
                reply_rate=1.0,
                reply_texts=["STOP"],
                reply_delay_ms=10.0,
            )
        }
    )


async def test_a_reply_goes_to_the_reply_callback_and_to_endpoints_taking_inbound(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    async for gw in start_gateway(answering_settings(database_url, tmp_path)):
        await add_endpoint(gw, receiver.url("/inbound"), ["inbound.received"])
        [message_id] = await send(
            gw, sender="+48500000001", reply_callback=receiver.url("/replies")
        )
        await receiver.wait_until(
            lambda: bool(receiver.on("/replies")) and bool(receiver.on("/inbound"))
        )
    reply = receiver.on("/replies")[0].json()
    assert reply["type"] == "inbound.received"
    assert reply["data"]["reply_to"] == message_id
    assert reply["data"]["text"] == "STOP"
    assert receiver.on("/inbound")[0].json()["data"] == reply["data"]


async def test_an_opt_out_by_keyword_reaches_endpoints_taking_opt_out_changes(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    async for gw in start_gateway(answering_settings(database_url, tmp_path)):
        await add_endpoint(gw, receiver.url("/optouts"), ["optout.changed"])
        await send(gw, sender="+48500000001")
        await receiver.wait_until(lambda: bool(receiver.on("/optouts")))
    event = receiver.on("/optouts")[0].json()
    assert event["type"] == "optout.changed"
    assert event["data"] == {"number": "+48500600000", "opted_out": True, "source": "keyword"}
