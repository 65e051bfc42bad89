"""Opt-out: keywords from subscribers and the list through the API, and what sends then do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.integration.conftest import Running
from tests.integration.connectors import RecordingConnector

Start = Callable[..., Any]
SUBSCRIBER = "+48500600700"
OTHER = "+48500600701"
OUR_NUMBER = "+48500000001"
DEFAULTS = {"stop_words": ["STOP"], "start_words": ["START"], "help_words": ["HELP"]}


async def send_to(gw: Running, *numbers: str) -> dict[str, Any]:
    response = await gw.client.post(
        "/v1/messages", json={"to": list(numbers), "text": "Sale!", "sender": OUR_NUMBER}
    )
    body: dict[str, Any] = response.json()
    body["http_status"] = response.status_code
    return body


async def owning_our_number(gw: Running) -> None:
    await gw.gateway.senders.assign_number("acme", OUR_NUMBER)


async def test_stop_opts_the_subscriber_out_and_further_sends_are_refused_for_them(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, " Stop. ")
        body = await send_to(gw, SUBSCRIBER, OTHER)
        listed = (await gw.client.get("/v1/opt-outs")).json()["data"]
    assert body["http_status"] == 201
    refused, accepted = body["messages"]
    assert refused["error"]["code"] == "opted_out"
    assert "opted out" in refused["error"]["message"]
    assert accepted["status"] == "queued"
    assert [(o["number"], o["source"]) for o in listed] == [(SUBSCRIBER, "keyword")]


async def test_start_opts_the_subscriber_back_in(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "STOP")
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "start")
        body = await send_to(gw, SUBSCRIBER)
        events = (await gw.client.get("/v1/events")).json()["data"]
    assert body["accepted"] == 1
    changes = [e["data"]["opted_out"] for e in events if e["type"] == "optout.changed"]
    assert changes == [True, False]


async def test_each_default_stop_word_opts_out(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    words = ["STOP", "stopall", "Unsubscribe", "END", "quit", "CANCEL"]
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        for i, word in enumerate(words):
            await upstream.mo(f"+4850060080{i}", OUR_NUMBER, word)
        listed = (await gw.client.get("/v1/opt-outs")).json()["data"]
    assert len(listed) == len(words)


async def test_a_sentence_containing_stop_is_not_an_opt_out(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "please don't stop")
        listed = (await gw.client.get("/v1/opt-outs")).json()["data"]
        (message,) = (await gw.client.get("/v1/inbound")).json()["data"]
    assert listed == []
    assert message["keyword"] is None


async def test_an_account_chooses_its_own_keywords(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        put = await gw.client.put(
            "/v1/settings/inbound",
            json={"stop_words": ["STOPP", "Koniec"], "start_words": ["START"], "help_words": []},
        )
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "KONIEC")
        await upstream.mo(OTHER, OUR_NUMBER, "STOP")
        listed = (await gw.client.get("/v1/opt-outs")).json()["data"]
    assert put.status_code == 200
    assert put.json()["stop_words"] == ["KONIEC", "STOPP"]
    assert [o["number"] for o in listed] == [SUBSCRIBER]


async def test_a_word_in_two_keyword_lists_is_refused(gw: Running) -> None:
    response = await gw.client.put(
        "/v1/settings/inbound",
        json={"stop_words": ["STOP"], "start_words": ["stop"], "help_words": []},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_field"


async def test_stop_sends_the_configured_confirmation_even_though_the_number_opted_out(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await gw.client.put(
            "/v1/settings/inbound", json={**DEFAULTS, "stop_reply": "You will hear no more."}
        )
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "STOP")
        confirmation = await wait_for_submit(upstream)
    assert (confirmation.recipient, confirmation.sender, confirmation.text) == (
        SUBSCRIBER,
        OUR_NUMBER,
        "You will hear no more.",
    )


async def test_help_gets_the_configured_answer(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await gw.client.put(
            "/v1/settings/inbound", json={**DEFAULTS, "help_reply": "Acme: call 800 100 200"}
        )
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "help")
        answer = await wait_for_submit(upstream)
        listed = (await gw.client.get("/v1/opt-outs")).json()["data"]
    assert answer.text == "Acme: call 800 100 200"
    assert listed == []


async def test_no_answer_goes_out_when_none_is_configured(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "STOP")
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "HELP")
        await asyncio.sleep(0.3)
    assert upstream.submitted == []


async def wait_for_submit(upstream: RecordingConnector) -> Any:
    for _ in range(250):
        if upstream.submitted:
            return upstream.submitted[-1]
        await asyncio.sleep(0.02)
    raise AssertionError("no message was submitted")


async def test_the_list_is_edited_through_the_api(gw: Running) -> None:
    added = await gw.client.put("/v1/opt-outs/500 600 700")
    again = await gw.client.put(f"/v1/opt-outs/{SUBSCRIBER}")
    one = await gw.client.get(f"/v1/opt-outs/{SUBSCRIBER}")
    refused = await send_to(gw, SUBSCRIBER)
    removed = await gw.client.delete(f"/v1/opt-outs/{SUBSCRIBER}")
    gone = await gw.client.get(f"/v1/opt-outs/{SUBSCRIBER}")
    accepted = await send_to(gw, SUBSCRIBER)
    assert (added.status_code, again.status_code) == (201, 200)
    assert added.json()["number"] == SUBSCRIBER and added.json()["source"] == "api"
    assert one.status_code == 200
    assert refused["http_status"] == 400
    assert refused["messages"][0]["error"]["code"] == "opted_out"
    assert removed.status_code == 204
    assert gone.status_code == 404
    assert accepted["accepted"] == 1


async def test_removing_a_number_not_on_the_list_is_not_found(gw: Running) -> None:
    response = await gw.client.delete(f"/v1/opt-outs/{SUBSCRIBER}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_a_bad_number_is_refused_in_the_native_format(gw: Running) -> None:
    response = await gw.client.put("/v1/opt-outs/not-a-number")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_number"


async def test_the_list_pages_in_number_order(gw: Running) -> None:
    for i in (3, 1, 2):
        await gw.client.put(f"/v1/opt-outs/+4850060070{i}")
    first = (await gw.client.get("/v1/opt-outs", params={"limit": 2})).json()
    rest = (
        await gw.client.get("/v1/opt-outs", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert [o["number"] for o in first["data"] + rest["data"]] == [
        "+48500600701",
        "+48500600702",
        "+48500600703",
    ]
    assert rest["next_cursor"] is None


async def test_opt_outs_belong_to_one_account(gw: Running) -> None:
    await gw.gateway.accounts.create_account("other")
    key = await gw.gateway.accounts.create_key("other")
    await gw.client.put(f"/v1/opt-outs/{SUBSCRIBER}")
    async with gw.as_key(key.token) as other:
        response = await other.post(
            "/v1/messages", json={"to": [SUBSCRIBER], "text": "hi", "sender": OUR_NUMBER}
        )
    assert response.json()["accepted"] == 1


async def test_test_mode_reports_opted_out_recipients_too(gw: Running) -> None:
    await gw.client.put(f"/v1/opt-outs/{SUBSCRIBER}")
    response = await gw.client.post(
        "/v1/messages", json={"to": [SUBSCRIBER, OTHER], "text": "hi", "test": True}
    )
    assert [m.get("error", {}).get("code") for m in response.json()["messages"]] == [
        "opted_out",
        None,
    ]


async def test_an_opt_out_made_by_api_is_an_event(gw: Running) -> None:
    await gw.client.put(f"/v1/opt-outs/{SUBSCRIBER}")
    events = (await gw.client.get("/v1/events")).json()["data"]
    assert events[-1]["type"] == "optout.changed"
    assert events[-1]["data"] == {"number": SUBSCRIBER, "opted_out": True, "source": "api"}


async def test_a_repeated_stop_is_not_confirmed_twice(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await gw.client.put("/v1/settings/inbound", json={**DEFAULTS, "stop_reply": "Bye"})
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "STOP")
        await wait_for_submit(upstream)
        await upstream.mo(SUBSCRIBER, OUR_NUMBER, "STOP")
        await asyncio.sleep(0.3)
    assert [m.text for m in upstream.submitted] == ["Bye"]


async def test_help_is_answered_once_within_the_quiet_period(gateway_with: Start) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await owning_our_number(gw)
        await gw.client.put("/v1/settings/inbound", json={**DEFAULTS, "help_reply": "Call us"})
        for _ in range(3):
            await upstream.mo(SUBSCRIBER, OUR_NUMBER, "HELP")
        await wait_for_submit(upstream)
        await asyncio.sleep(0.3)
    assert [m.text for m in upstream.submitted] == ["Call us"]


async def test_a_simulated_subscriber_answering_everything_with_stop_gets_one_confirmation(
    gateway_with: Start,
) -> None:
    async for gw in gateway_with(reply_rate=1.0, reply_texts=["STOP"], reply_delay_ms=10.0):
        await owning_our_number(gw)
        await gw.client.put("/v1/settings/inbound", json={**DEFAULTS, "stop_reply": "Bye"})
        await send_to(gw, SUBSCRIBER)
        await asyncio.sleep(1.0)
        sent = (await gw.client.get("/v1/messages")).json()["data"]
        stops = (await gw.client.get("/v1/inbound")).json()["data"]
    assert sorted(m["text"] for m in sent) == ["Bye", "Sale!"]
    assert len(stops) == 2  # the answer to the promotion, then the answer to the confirmation
