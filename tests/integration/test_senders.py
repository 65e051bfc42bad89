"""Sender names and numbers over HTTP, on each engine: registration and the operator's
decision, the sender policy, default senders, pool numbers for messages without a sender,
two-way numbers whose replies come back, and the numbers API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.integration.conftest import Running
from tests.integration.connectors import RecordingConnector
from tests.integration.test_connectors_api import Start, admin, admin_gateway, error_of

__all__ = ["admin_gateway"]

SUBSCRIBER = "+48500600700"
OWN_NUMBER = "+48500000001"
SHARED = ["+48600000001", "+48600000002"]
TWO_WAY = ["+48700000001", "+48700000002"]


@pytest.fixture
async def operated(admin_gateway: Start) -> AsyncIterator[Running]:
    async for gw in admin_gateway():
        yield gw


async def send(gw: Running, **body: Any) -> Any:
    return await gw.client.post("/v1/messages", json={"to": [SUBSCRIBER], "text": "Hi"} | body)


async def sender_of(gw: Running, response: Any) -> str | None:
    assert response.status_code == 201, response.text
    message_id = response.json()["messages"][0]["id"]
    sender: str | None = (await gw.client.get(f"/v1/messages/{message_id}")).json()["sender"]
    return sender


async def operator(gw: Running, method: str, path: str, body: Any = None) -> Any:
    async with admin(gw) as api:
        response = await api.request(method, path, json=body)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


async def test_a_registered_name_waits_for_approval_and_is_refused_until_then(
    operated: Running,
) -> None:
    registered = await operated.client.post("/v1/senders", json={"name": "AcmeShop"})
    assert registered.status_code == 201
    assert registered.json() == {"name": "AcmeShop", "state": "pending"}
    refused = await send(operated, sender="AcmeShop")
    assert error_of(refused) == (403, "sender_pending", "sender")
    assert "awaiting verification" in refused.json()["error"]["message"]


async def test_an_approved_name_is_sent_under(operated: Running) -> None:
    await operated.client.post("/v1/senders", json={"name": "AcmeShop"})
    pending = await operator(operated, "GET", "/v1/admin/senders?state=pending")
    assert pending["data"] == [{"name": "AcmeShop", "state": "pending", "account": "acme"}]
    await operator(operated, "POST", "/v1/admin/accounts/acme/senders/AcmeShop/approve")
    assert await sender_of(operated, await send(operated, sender="AcmeShop")) == "AcmeShop"


async def test_a_rejected_name_is_refused_with_the_reason_the_account_sees(
    operated: Running,
) -> None:
    await operated.client.post("/v1/senders", json={"name": "MyBank"})
    await operator(
        operated,
        "POST",
        "/v1/admin/accounts/acme/senders/MyBank/reject",
        {"reason": "looks like a bank"},
    )
    listed = (await operated.client.get("/v1/senders")).json()
    assert listed["senders"] == [
        {"name": "MyBank", "state": "rejected", "reason": "looks like a bank"}
    ]
    refused = await send(operated, sender="MyBank")
    assert error_of(refused)[:2] == (403, "sender_rejected")
    assert "looks like a bank" in refused.json()["error"]["message"]


async def test_under_the_registered_policy_only_approved_names_and_own_numbers_send(
    operated: Running,
) -> None:
    await operator(operated, "POST", "/v1/admin/numbers", {"number": OWN_NUMBER, "account": "acme"})
    policy = await operator(
        operated, "PUT", "/v1/admin/accounts/acme/sender-policy", {"policy": "registered"}
    )
    assert policy["policy"] == "registered"
    refused = await send(operated, sender="Anything")
    assert error_of(refused) == (403, "sender_not_registered", "sender")
    assert await sender_of(operated, await send(operated, sender=OWN_NUMBER)) == OWN_NUMBER


async def test_the_open_policy_sends_under_any_valid_unregistered_name(operated: Running) -> None:
    assert await sender_of(operated, await send(operated, sender="Anything")) == "Anything"


async def test_another_accounts_number_is_refused_as_a_sender(operated: Running) -> None:
    await operated.gateway.accounts.create_account("other")
    await operator(
        operated, "POST", "/v1/admin/numbers", {"number": OWN_NUMBER, "account": "other"}
    )
    assert error_of(await send(operated, sender=OWN_NUMBER))[:2] == (403, "sender_not_owned")


async def test_requests_without_a_sender_take_the_accounts_default(operated: Running) -> None:
    await operator(operated, "POST", "/v1/admin/accounts/acme/senders", {"name": "Acme"})
    chosen = await operated.client.put("/v1/senders/default", json={"sender": "Acme"})
    assert chosen.status_code == 200
    assert chosen.json()["default_sender"] == "Acme"
    assert await sender_of(operated, await send(operated)) == "Acme"
    assert await sender_of(operated, await send(operated, sender="Other")) == "Other"


async def test_a_pending_name_cannot_become_the_default(operated: Running) -> None:
    await operated.client.post("/v1/senders", json={"name": "Acme"})
    refused = await operated.client.put("/v1/senders/default", json={"sender": "Acme"})
    assert error_of(refused)[:2] == (403, "sender_pending")


async def test_withdrawing_the_default_sender_clears_the_default(operated: Running) -> None:
    await operator(operated, "POST", "/v1/admin/accounts/acme/senders", {"name": "Acme"})
    await operated.client.put("/v1/senders/default", json={"sender": "Acme"})
    assert (await operated.client.delete("/v1/senders/Acme")).status_code == 204
    listed = (await operated.client.get("/v1/senders")).json()
    assert (listed["default_sender"], listed["senders"]) == (None, [])
    assert await sender_of(operated, await send(operated)) is None


async def test_without_any_sender_a_shared_pool_number_is_lent_the_same_each_time(
    operated: Running,
) -> None:
    for number in SHARED:
        await operator(operated, "POST", "/v1/admin/numbers", {"number": number, "pool": "shared"})
    first = await sender_of(operated, await send(operated))
    assert first in SHARED
    assert await sender_of(operated, await send(operated, text="Again")) == first


async def test_a_two_way_message_is_refused_when_no_number_can_receive_the_reply(
    operated: Running,
) -> None:
    assert error_of(await send(operated, two_way=True)) == (403, "no_two_way_number", "sender")


async def test_the_reply_to_a_two_way_pool_number_comes_back_to_the_account(
    admin_gateway: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in admin_gateway([upstream]):
        for number in TWO_WAY:
            await operator(gw, "POST", "/v1/admin/numbers", {"number": number, "pool": "two_way"})
        response = await send(gw, two_way=True)
        lent = await sender_of(gw, response)
        assert lent in TWO_WAY
        message_id = response.json()["messages"][0]["id"]
        await gw.wait_for_status(message_id, {"sent"})
        await upstream.mo(SUBSCRIBER, lent, "Yes please")
        (reply,) = (await gw.client.get("/v1/inbound")).json()["data"]
    assert (reply["reply_to"], reply["to"], reply["text"]) == (message_id, lent, "Yes please")


async def test_a_two_way_message_of_an_account_with_a_number_goes_from_it(
    operated: Running,
) -> None:
    await operator(operated, "POST", "/v1/admin/numbers", {"number": TWO_WAY[0], "pool": "two_way"})
    await operator(operated, "POST", "/v1/admin/numbers", {"number": OWN_NUMBER, "account": "acme"})
    assert await sender_of(operated, await send(operated, two_way=True)) == OWN_NUMBER


async def test_the_numbers_api_lists_dedicated_and_pool_numbers(operated: Running) -> None:
    await operator(operated, "POST", "/v1/admin/numbers", {"number": OWN_NUMBER, "account": "acme"})
    await operator(operated, "POST", "/v1/admin/numbers", {"number": SHARED[0], "pool": "shared"})
    listed = (await operator(operated, "GET", "/v1/admin/numbers"))["data"]
    assert [(n["number"], n["kind"], n.get("account")) for n in listed] == [
        (OWN_NUMBER, "dedicated", "acme"),
        (SHARED[0], "shared", None),
    ]
    await operator(operated, "DELETE", f"/v1/admin/numbers/{SHARED[0]}")
    listed = (await operator(operated, "GET", "/v1/admin/numbers"))["data"]
    assert [n["number"] for n in listed] == [OWN_NUMBER]


async def test_a_number_held_elsewhere_is_refused_with_its_holder(operated: Running) -> None:
    await operator(operated, "POST", "/v1/admin/numbers", {"number": SHARED[0], "pool": "shared"})
    async with admin(operated) as api:
        taken = await api.post("/v1/admin/numbers", json={"number": SHARED[0], "account": "acme"})
    assert error_of(taken)[:2] == (409, "number_taken")
    assert "shared pool" in taken.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"number": OWN_NUMBER}, "invalid_request"),
        ({"number": OWN_NUMBER, "account": "acme", "pool": "shared"}, "invalid_request"),
        ({"number": OWN_NUMBER, "pool": "private"}, "invalid_field"),
        ({"number": "not-a-number", "account": "acme"}, "invalid_number"),
        ({"number": OWN_NUMBER, "account": "nobody"}, "not_found"),
    ],
)
async def test_a_bad_number_request_is_refused_clearly(
    operated: Running, body: dict[str, str], code: str
) -> None:
    async with admin(operated) as api:
        refused = await api.post("/v1/admin/numbers", json=body)
    assert refused.status_code in (400, 404)
    assert error_of(refused)[1] == code


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [("This name is too long", 400, "invalid_field"), ("Bad/Name", 400, "invalid_sender")],
)
async def test_an_invalid_name_cannot_be_registered(
    operated: Running, name: str, status: int, code: str
) -> None:
    refused = await operated.client.post("/v1/senders", json={"name": name})
    assert error_of(refused)[:2] == (status, code)


async def test_a_name_cannot_be_registered_twice(operated: Running) -> None:
    await operated.client.post("/v1/senders", json={"name": "Acme"})
    again = await operated.client.post("/v1/senders", json={"name": "Acme"})
    assert error_of(again)[:2] == (409, "sender_exists")


async def test_deciding_on_an_unknown_name_is_not_found(operated: Running) -> None:
    async with admin(operated) as api:
        missing = await api.post("/v1/admin/accounts/acme/senders/Nope/approve")
    assert error_of(missing)[:2] == (404, "not_found")


async def test_the_sender_routes_need_credentials(operated: Running) -> None:
    async with operated.anonymous() as client:
        assert (await client.get("/v1/senders")).status_code == 401
        assert (await client.get("/v1/admin/senders")).status_code == 401
