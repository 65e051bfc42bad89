"""POST /v1/messages over real HTTP against the real store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smsgate.runtime import Gateway
from tests.integration.conftest import FINAL, Running, settings_for

EMOJI = "\N{GRINNING FACE}"


async def test_a_send_answers_with_an_id_that_is_already_stored(gw: Running) -> None:
    response = await gw.client.post("/v1/messages", json={"to": ["+48500600700"], "text": "Hi"})
    assert response.status_code == 201
    (message,) = response.json()["messages"]
    assert message["status"] == "queued"
    stored = await gw.client.get(f"/v1/messages/{message['id']}")
    assert stored.status_code == 200
    assert stored.json()["to"] == "+48500600700"


async def test_a_message_goes_queued_sent_delivered_with_a_time_for_each(gw: Running) -> None:
    response = await gw.client.post("/v1/messages", json={"to": "+48500600700", "text": "Hi"})
    message_id = response.json()["messages"][0]["id"]
    body = await gw.wait_for_status(message_id, {"delivered"})
    history = body["history"]
    assert isinstance(history, list)
    assert [h["status"] for h in history] == ["accepted", "queued", "sent", "delivered"]
    times = [h["at"] for h in history]
    assert times == sorted(times)
    assert body["upstream_id"]


async def test_national_numbers_take_the_account_region(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": ["500 600 700", "48500600701", "0048.500600702"], "text": "Hi"},
    )
    assert [m["to"] for m in response.json()["messages"]] == [
        "+48500600700",
        "+48500600701",
        "+48500600702",
    ]


async def test_bad_recipients_are_rejected_one_by_one_and_the_rest_sent(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": ["+48500600700", "hello", "+48500600700", "+999"], "text": "Hi"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 3)
    codes = [m.get("error", {}).get("code") for m in body["messages"]]
    assert codes == [None, "invalid_number", "duplicate_recipient", "invalid_number"]
    assert [m["index"] for m in body["messages"]] == [0, 1, 2, 3]


async def test_a_batch_with_no_valid_recipient_is_refused_with_each_reason(gw: Running) -> None:
    response = await gw.client.post("/v1/messages", json={"to": ["nope", "123"], "text": "Hi"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "no_recipients"
    assert [m["error"]["code"] for m in body["messages"]] == ["invalid_number"] * 2


async def test_personalised_messages_each_keep_their_own_text(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={
            "messages": [
                {"to": "+48500600700", "text": "Hello Ann"},
                {"to": "+48500600701", "text": "Witaj Bob " + EMOJI},
            ]
        },
    )
    assert response.status_code == 201
    ids = [m["id"] for m in response.json()["messages"]]
    first, second = [(await gw.client.get(f"/v1/messages/{i}")).json() for i in ids]
    assert (first["text"], first["encoding"]) == ("Hello Ann", "gsm7")
    assert (second["text"], second["encoding"]) == ("Witaj Bob " + EMOJI, "ucs2")


async def test_a_personalised_pair_with_a_bad_text_is_rejected_alone(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={
            "messages": [{"to": "+48500600700", "text": "ok"}, {"to": "+48500600701", "text": ""}],
        },
    )
    body = response.json()
    assert body["accepted"] == 1
    assert body["messages"][1]["error"]["code"] == "empty_text"


async def test_long_text_is_counted_in_parts_with_its_encoding(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "€" * 100}
    )
    body = response.json()
    assert (body["encoding"], body["parts"]) == ("gsm7", 2)


async def test_single_refuses_a_text_longer_than_one_part(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "a" * 161, "single": True}
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "too_many_parts",
        "message": response.json()["error"]["message"],
        "field": "text",
    }


async def test_smart_encoding_keeps_typographic_text_in_gsm7(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": ["+48500600700"], "text": "“Hi” – it’s…", "smart_encoding": True},
    )
    assert response.json()["encoding"] == "gsm7"


async def test_transliteration_turns_cyrillic_into_latin(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": ["+48500600700"], "text": "Привет", "transliterate": True},
    )
    message_id = response.json()["messages"][0]["id"]
    stored = (await gw.client.get(f"/v1/messages/{message_id}")).json()
    assert (stored["text"], stored["encoding"]) == ("Privet", "gsm7")


async def test_an_estimate_reports_parts_and_stores_nothing(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": ["+48500600700", "+48500600701"], "text": EMOJI * 40, "estimate": True},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["estimate"], body["encoding"], body["parts"]) == (True, "ucs2", 4)
    assert all("id" not in m for m in body["messages"])
    assert (await gw.client.get("/v1/messages")).json()["data"] == []


async def test_test_mode_validates_and_answers_but_sends_nothing(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700", "bad"], "text": "Hi", "test": True}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["test"] is True
    assert body["messages"][0]["id"]
    assert body["messages"][1]["error"]["code"] == "invalid_number"
    assert (await gw.client.get("/v1/messages")).json()["data"] == []


async def test_the_demo_account_always_runs_in_test_mode(gw: Running) -> None:
    async with gw.anonymous() as client:
        response = await client.post(
            "/v1/messages", json={"to": ["500600700"], "text": "Hi"}, auth=("demo", "demo")
        )
    assert response.status_code == 201
    assert response.json()["test"] is True


async def test_nodes_starting_at_once_on_a_new_store_share_one_demo_account(
    database_url: str, tmp_path: Path
) -> None:
    nodes = [
        Gateway(settings_for(database_url, tmp_path).model_copy(update={"node_id": n}))
        for n in range(3)
    ]
    started = await asyncio.gather(*(node.start() for node in nodes), return_exceptions=True)
    try:
        assert started == [None] * 3
        demo = await nodes[0].accounts.authenticate("demo", "demo")
    finally:
        await asyncio.gather(*(node.stop() for node in nodes), return_exceptions=True)
    assert (demo.name, demo.test_mode) == ("demo", True)


async def test_a_scheduled_message_waits_for_its_time(gw: Running) -> None:
    send_at = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "Later", "send_at": send_at}
    )
    assert response.json()["status"] == "scheduled"
    message_id = response.json()["messages"][0]["id"]
    await asyncio.sleep(0.5)
    assert (await gw.client.get(f"/v1/messages/{message_id}")).json()["status"] == "scheduled"
    body = await gw.wait_for_status(message_id, {"delivered"}, timeout=10)
    history = body["history"]
    assert isinstance(history, list)
    assert [h["status"] for h in history][:3] == ["accepted", "scheduled", "queued"]


async def test_send_at_without_a_utc_offset_is_refused(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": ["+48500600700"], "text": "x", "send_at": "2030-01-01T10:00:00"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "send_at"


async def test_a_validity_outside_the_allowed_range_is_refused(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "x", "validity": 30}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_validity"


async def test_the_client_reference_is_stored_and_limited_to_42_characters(gw: Running) -> None:
    ok = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "x", "client_ref": "r" * 42}
    )
    message_id = ok.json()["messages"][0]["id"]
    assert (await gw.client.get(f"/v1/messages/{message_id}")).json()["client_ref"] == "r" * 42
    too_long = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "x", "client_ref": "r" * 43}
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["field"] == "client_ref"


async def test_an_invalid_sender_is_refused_with_the_reason(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "x", "sender": "WayTooLongName"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_sender"


async def test_all_messages_of_a_large_batch_reach_a_final_state(gw: Running) -> None:
    recipients = [f"+48500{i:06d}" for i in range(2000)]
    response = await gw.client.post("/v1/messages", json={"to": recipients, "text": "bulk"})
    assert response.json()["accepted"] == 2000
    for _ in range(300):
        page = await gw.client.get("/v1/messages", params={"status": "delivered", "limit": 1000})
        if len(page.json()["data"]) == 1000:
            break
        await asyncio.sleep(0.05)
    last = response.json()["messages"][-1]["id"]
    assert (await gw.wait_for_status(last, FINAL))["status"] == "delivered"


async def test_callback_urls_are_kept_with_each_message(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={
            "to": ["+48500600700"],
            "text": "hi",
            "status_callback": "https://client.example/dlr",
            "reply_callback": "http://127.0.0.1:9000/replies?x=1",
        },
    )
    message_id = response.json()["messages"][0]["id"]
    body = (await gw.client.get(f"/v1/messages/{message_id}")).json()
    assert body["status_callback"] == "https://client.example/dlr"
    assert body["reply_callback"] == "http://127.0.0.1:9000/replies?x=1"


@pytest.mark.parametrize(
    "url", ["ftp://client.example/dlr", "/relative", "http://", "https://a b.example/", "x" * 3000]
)
async def test_a_callback_that_is_not_an_http_url_is_refused(gw: Running, url: str) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "hi", "status_callback": url}
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_url",
        "message": response.json()["error"]["message"],
        "field": "status_callback",
    }
