"""GET /v1/events: every status change, as a log with a cursor and as a live SSE stream."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.integration.conftest import Running


async def delivered_message(gw: Running, to: str = "+48500600700") -> str:
    response = await gw.client.post("/v1/messages", json={"to": [to], "text": "x"})
    message_id: str = response.json()["messages"][0]["id"]
    await gw.wait_for_status(message_id, {"delivered"})
    return message_id


async def test_the_log_lists_each_status_change_in_order(gw: Running) -> None:
    message_id = await delivered_message(gw)
    page = (await gw.client.get("/v1/events")).json()
    mine = [e for e in page["data"] if e["data"]["message_id"] == message_id]
    assert [e["data"]["status"] for e in mine] == ["sent", "delivered"]
    assert {e["type"] for e in mine} == {"message.status"}
    assert [int(e["id"]) for e in page["data"]] == sorted(int(e["id"]) for e in page["data"])


async def test_the_cursor_walks_the_log_once_and_stays_at_its_end(gw: Running) -> None:
    await delivered_message(gw, "+48500600700")
    await delivered_message(gw, "+48500600701")
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = (await gw.client.get("/v1/events", params=params)).json()
        if not page["data"]:
            break
        seen += [e["id"] for e in page["data"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 4
    assert cursor == seen[-1]


async def test_another_accounts_events_are_not_shown(gw: Running) -> None:
    await delivered_message(gw)
    await gw.gateway.accounts.create_account("other")
    key = await gw.gateway.accounts.create_key("other")
    async with gw.as_key(key.token) as client:
        assert (await client.get("/v1/events")).json()["data"] == []


async def test_a_malformed_cursor_is_refused(gw: Running) -> None:
    response = await gw.client.get("/v1/events", params={"cursor": "x1"})
    assert (response.status_code, response.json()["error"]["field"]) == (400, "cursor")


async def read_stream(
    client: httpx.AsyncClient, count: int, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The first `count` events of the stream (bounded in time)."""
    events: list[dict[str, Any]] = []

    async def read() -> None:
        async with client.stream("GET", "/v1/events/stream", headers=headers) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    events.append(json.loads(line[len("data:") :]))
                    if len(events) == count:
                        return

    await asyncio.wait_for(read(), 10)
    return events


async def test_the_stream_delivers_changes_as_they_happen(gw: Running) -> None:
    reader = asyncio.create_task(read_stream(gw.client, 2))
    await asyncio.sleep(0.3)
    message_id = await delivered_message(gw)
    events = await reader
    assert [(e["data"]["message_id"], e["data"]["status"]) for e in events] == [
        (message_id, "sent"),
        (message_id, "delivered"),
    ]


async def test_the_stream_resumes_after_the_last_event_id(gw: Running) -> None:
    await delivered_message(gw, "+48500600700")
    first, _ = await read_stream(gw.client, 2)
    second_id = await delivered_message(gw, "+48500600701")
    resumed = await read_stream(gw.client, 3, headers={"Last-Event-ID": first["id"]})
    assert [e["data"]["status"] for e in resumed] == ["delivered", "sent", "delivered"]
    assert resumed[-1]["data"]["message_id"] == second_id


async def test_closing_the_log_ends_a_live_stream(gw: Running) -> None:
    reader = asyncio.create_task(read_stream(gw.client, 1))
    await asyncio.sleep(0.3)
    gw.gateway.events.close()
    await asyncio.wait_for(asyncio.gather(reader, return_exceptions=True), 5)
    assert reader.done()


async def test_an_event_cursor_too_long_for_an_id_is_refused(gw: Running) -> None:
    response = await gw.client.get("/v1/events", params={"cursor": "9" * 25})
    assert (response.status_code, response.json()["error"]["field"]) == (400, "cursor")
