"""Inbound messages: found by the number written to, linked to the message they answer,
reassembled, and listed through GET /v1/inbound."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from smsgate.domain.inbound import Concat, InboundSms
from smsgate.services.clock import now_ms
from smsgate.store.engine import Conn
from smsgate.store.schema import inbound_messages
from tests.integration.conftest import Running
from tests.integration.connectors import RecordingConnector

Start = Callable[..., Any]

SUBSCRIBER = "+48500600700"
OUR_NUMBER = "+48500000001"


async def send(gw: Running, **body: Any) -> str:
    response = await gw.client.post(
        "/v1/messages", json={"to": [SUBSCRIBER], "text": "Will you come?"} | body
    )
    assert response.status_code == 201, response.text
    message_id: str = response.json()["messages"][0]["id"]
    await gw.wait_for_status(message_id, {"sent"})
    return message_id


async def inbound(gw: Running, **params: str) -> list[dict[str, Any]]:
    response = await gw.client.get("/v1/inbound", params=params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_a_reply_is_linked_to_the_message_it_answers(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        message_id = await send(gw, sender=OUR_NUMBER)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "Yes, see you")
        (reply,) = await inbound(gw)
    assert reply["reply_to"] == message_id
    assert (reply["from"], reply["to"], reply["text"]) == (SUBSCRIBER, OUR_NUMBER, "Yes, see you")


async def test_a_reply_matches_our_number_written_without_a_plus(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        message_id = await send(gw, sender=OUR_NUMBER.removeprefix("+"))
        await upstream.mo(SUBSCRIBER.removeprefix("+"), OUR_NUMBER, "ok")
        (reply,) = await inbound(gw)
    assert reply["reply_to"] == message_id


async def test_a_reply_answers_the_latest_message_to_that_subscriber(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await send(gw, sender=OUR_NUMBER)
        latest = await send(gw, sender=OUR_NUMBER, text="Are you sure?")
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "ok")
        (reply,) = await inbound(gw)
    assert reply["reply_to"] == latest


async def test_a_message_outside_the_reply_window_is_not_linked(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        settings = (await gw.client.get("/v1/settings/inbound")).json()
        await gw.client.put("/v1/settings/inbound", json={**settings, "reply_window": 60})
        await gw.gateway.senders.assign_number("acme", OUR_NUMBER)
        await send(gw, sender=OUR_NUMBER)
        # The subscriber answers two minutes later: a minute after the window closed.
        late = InboundSms(upstream.name, SUBSCRIBER, OUR_NUMBER, "late", now_ms() + 120_000)
        await gw.gateway.inbound.receive(late)
        (reply,) = await inbound(gw)
    assert reply["reply_to"] is None


async def test_a_message_to_an_accounts_own_number_is_its_without_any_send(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await gw.gateway.senders.assign_number("acme", "+48500000009")
        await upstream.mo("+48600100200", "48500000009", "Hello shop")
        (message,) = await inbound(gw)
        events = (await gw.client.get("/v1/events")).json()["data"]
    assert (message["from"], message["to"], message["reply_to"]) == (
        "+48600100200",
        "+48500000009",
        None,
    )
    assert events[-1]["type"] == "inbound.received"
    assert events[-1]["data"]["text"] == "Hello shop"


async def test_a_message_nobody_can_claim_is_kept_but_shown_to_no_account(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await upstream.mo("+48600100200", "+48500000077", "who is this?")
        listed = await inbound(gw)
        stored = await gw.gateway.db.read(_count_inbound)
    assert listed == []
    assert stored == 1


async def _count_inbound(conn: Conn) -> int:
    return int((await conn.execute(select(func.count()).select_from(inbound_messages))).scalar())


async def test_a_long_message_is_reassembled_whatever_the_order_of_its_parts(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await gw.gateway.senders.assign_number("acme", OUR_NUMBER)
        for seq, text in ((3, "three"), (1, "one "), (1, "one "), (2, "two ")):
            await upstream.mo(SUBSCRIBER, OUR_NUMBER, text, Concat(ref=42, total=3, seq=seq))
        (message,) = await inbound(gw)
    assert message["text"] == "one two three"
    assert message["parts"] == 3


async def test_parts_of_different_long_messages_are_not_mixed(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await gw.gateway.senders.assign_number("acme", OUR_NUMBER)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "a1", Concat(ref=1, total=2, seq=1))
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "b2", Concat(ref=2, total=2, seq=2))
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "a2", Concat(ref=1, total=2, seq=2))
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "b1", Concat(ref=2, total=2, seq=1))
        texts = sorted(m["text"] for m in await inbound(gw))
    assert texts == ["a1a2", "b1b2"]


async def test_a_long_message_missing_a_part_is_stored_after_the_timeout(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await gw.gateway.senders.assign_number("acme", OUR_NUMBER)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "first ", Concat(ref=9, total=3, seq=1))
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "third", Concat(ref=9, total=3, seq=3))
        assert await inbound(gw) == []
        await gw.gateway.inbound.sweep(now_ms() + 2 * 3600 * 1000)
        (message,) = await inbound(gw)
    assert message["text"] == "first third"
    assert message["parts"] == 2


async def test_inbound_is_filtered_by_sender_and_by_message_answered(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        message_id = await send(gw, sender=OUR_NUMBER)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "reply")
        await gw.gateway.senders.assign_number("acme", "+48500000002")
        await upstream.mo("+48600100200", "+48500000002", "other")
        by_sender = await inbound(gw, **{"from": "600100200"})
        by_answer = await inbound(gw, reply_to=message_id)
    assert [m["text"] for m in by_sender] == ["other"]
    assert [m["text"] for m in by_answer] == ["reply"]


async def test_inbound_pages_follow_the_cursor(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await gw.gateway.senders.assign_number("acme", OUR_NUMBER)
        for i in range(5):
            await upstream.mo(SUBSCRIBER, OUR_NUMBER, f"m{i}")
        first = (await gw.client.get("/v1/inbound", params={"limit": 3})).json()
        second = (
            await gw.client.get("/v1/inbound", params={"limit": 3, "cursor": first["next_cursor"]})
        ).json()
        one = (await gw.client.get(f"/v1/inbound/{first['data'][0]['id']}")).json()
    assert [m["text"] for m in first["data"] + second["data"]] == ["m4", "m3", "m2", "m1", "m0"]
    assert second["next_cursor"] is None
    assert one["text"] == "m4"


async def test_another_accounts_inbound_message_is_not_found(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await gw.gateway.accounts.create_account("other")
        await gw.gateway.senders.assign_number("other", OUR_NUMBER)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "for other")
        stored = await gw.gateway.db.read(_first_inbound_id)
        response = await gw.client.get(f"/v1/inbound/{stored}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def _first_inbound_id(conn: Conn) -> int:
    return int((await conn.execute(select(inbound_messages.c.id))).scalar())


async def test_the_simulator_answers_a_share_of_delivered_messages(gateway_with: Start) -> None:
    async for gw in gateway_with(reply_rate=1.0, reply_texts=["Yes"], reply_delay_ms=10.0):
        response = await gw.client.post(
            "/v1/messages", json={"to": [SUBSCRIBER], "text": "Coming?", "sender": OUR_NUMBER}
        )
        message_id = response.json()["messages"][0]["id"]
        for _ in range(200):
            replies = await inbound(gw)
            if replies:
                break
            await asyncio.sleep(0.02)
    assert [(r["text"], r["reply_to"]) for r in replies] == [("Yes", message_id)]
