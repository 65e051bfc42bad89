"""Idempotency-Key: a retried request sends once and answers the same."""

from __future__ import annotations

import asyncio

from tests.integration.conftest import Running

BODY = {"to": ["+48500600700", "+48500600701"], "text": "once"}


async def test_the_same_key_and_body_answer_the_same_and_send_once(gw: Running) -> None:
    headers = {"Idempotency-Key": "order-17"}
    first = await gw.client.post("/v1/messages", json=BODY, headers=headers)
    again = await gw.client.post("/v1/messages", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    listed = (await gw.client.get("/v1/messages")).json()["data"]
    assert len(listed) == 2


async def test_the_same_key_with_another_body_is_a_conflict(gw: Running) -> None:
    headers = {"Idempotency-Key": "order-18"}
    await gw.client.post("/v1/messages", json=BODY, headers=headers)
    other = await gw.client.post("/v1/messages", json={**BODY, "text": "changed"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"


async def test_concurrent_requests_with_one_key_send_once(gw: Running) -> None:
    headers = {"Idempotency-Key": "race"}
    answers = await asyncio.gather(
        *(gw.client.post("/v1/messages", json=BODY, headers=headers) for _ in range(8))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.text for a in answers}) == 1
    assert len((await gw.client.get("/v1/messages")).json()["data"]) == 2


async def test_keys_are_per_account(gw: Running) -> None:
    other = await gw.gateway.accounts.create_account("other", default_region="PL")
    key = await gw.gateway.accounts.create_key(other.name)
    headers = {"Idempotency-Key": "shared-name"}
    await gw.client.post("/v1/messages", json=BODY, headers=headers)
    async with gw.as_key(key.token) as client:
        response = await client.post("/v1/messages", json={**BODY, "text": "x"}, headers=headers)
    assert response.status_code == 201
