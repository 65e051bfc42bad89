"""Sub-accounts over HTTP, on each engine: a parent makes them, funds them and takes funds
back without overdrawing either side, caps their limits, suspends them and reads their
traffic; nobody else can see them. Their sender names and price lists are their own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from smsgate.domain.errors import DomainError
from tests.integration.conftest import Running
from tests.integration.test_connectors_api import Start, admin, admin_gateway, error_of
from tests.integration.test_senders import operator

__all__ = ["admin_gateway"]

RECIPIENT = "+48500600700"


@pytest.fixture
async def reseller(admin_gateway: Start) -> AsyncIterator[Running]:
    """acme pays PLN 0.10 a part and holds PLN 10."""
    async for gw in admin_gateway():
        billing = gw.gateway.billing
        await billing.put_price_list("retail", "PLN", {"": "0.10"})
        await billing.set_terms("acme", price_list="retail")
        await billing.top_up("acme", "10", "opening balance")
        yield gw


async def make_sub(gw: Running, name: str = "shop", **body: Any) -> httpx.AsyncClient:
    """A client authenticated as the new sub-account `name` of acme."""
    response = await gw.client.post("/v1/subaccounts", json={"name": name, **body})
    assert response.status_code == 201, response.text
    return gw.as_key(response.json()["token"])


async def move(gw: Running, amount: str, name: str = "shop") -> httpx.Response:
    return await gw.client.post(f"/v1/subaccounts/{name}/transfers", json={"amount": amount})


async def balance_of(client: httpx.AsyncClient) -> str:
    body: dict[str, str] = (await client.get("/v1/balance")).json()
    return body["balance"]


async def test_a_sub_account_gets_a_working_key_and_its_parents_terms(reseller: Running) -> None:
    async with await make_sub(reseller) as shop:
        standing = (await shop.get("/v1/balance")).json()
    assert standing["account"] == "shop"
    assert (standing["price_list"], standing["currency"]) == ("retail", "PLN")
    assert standing["balance"] == "0"


async def test_the_parent_lists_its_sub_accounts_with_their_balances(reseller: Running) -> None:
    await make_sub(reseller, "shop")
    await make_sub(reseller, "depot", max_parts=2)
    listed = (await reseller.client.get("/v1/subaccounts")).json()["data"]
    assert [(s["name"], s["max_parts"], s["balance"]["balance"]) for s in listed] == [
        ("depot", 2, "0"),
        ("shop", 10, "0"),
    ]


async def test_a_sub_account_sends_no_longer_messages_than_its_parent(reseller: Running) -> None:
    await reseller.gateway.accounts.create_account("small", max_parts=3)
    with pytest.raises(DomainError) as refused:
        await reseller.gateway.accounts.create_account("big", max_parts=4, parent="small")
    assert refused.value.field == "max_parts"


async def test_funds_move_to_a_sub_account_and_back(reseller: Running) -> None:
    async with await make_sub(reseller) as shop:
        there = await move(reseller, "4")
        assert there.status_code == 201, there.text
        assert there.json()["parent"]["balance"] == "6"
        assert there.json()["sub_account"]["balance"] == "4"
        back = await move(reseller, "-1.5")
        assert back.json()["parent"]["balance"] == "7.5"
        assert await balance_of(shop) == "2.5"


async def test_each_side_of_a_transfer_is_in_its_own_ledger(reseller: Running) -> None:
    async with await make_sub(reseller) as shop:
        await reseller.client.post(
            "/v1/subaccounts/shop/transfers", json={"amount": "4", "reason": "march"}
        )
        ours = (await reseller.client.get("/v1/balance/movements")).json()["data"][0]
        theirs = (await shop.get("/v1/balance/movements")).json()["data"][0]
        seen = (await reseller.client.get("/v1/subaccounts/shop/movements")).json()["data"]
    assert (ours["kind"], ours["amount"], ours["reason"]) == ("transfer", "-4", "to shop: march")
    assert (theirs["kind"], theirs["amount"], theirs["reason"]) == (
        "transfer",
        "4",
        "from acme: march",
    )
    assert seen == [theirs]


async def test_a_transfer_beyond_the_payers_balance_moves_nothing(reseller: Running) -> None:
    await reseller.gateway.billing.set_terms("acme", credit_limit="100")
    await make_sub(reseller)
    refused = await move(reseller, "10.01")  # the credit limit is not the parent's to hand on
    assert error_of(refused)[:2] == (402, "insufficient_funds")
    taken_back = await move(reseller, "-1")  # the sub-account holds nothing
    assert error_of(taken_back)[:2] == (402, "insufficient_funds")
    assert await balance_of(reseller.client) == "10"


async def test_parallel_transfers_never_overdraw_the_parent(reseller: Running) -> None:
    await make_sub(reseller)
    answers = await asyncio.gather(*(move(reseller, "3") for _ in range(8)))
    assert sorted(a.status_code for a in answers) == [201] * 3 + [402] * 5
    assert await balance_of(reseller.client) == "1"


async def test_a_zero_transfer_is_refused(reseller: Running) -> None:
    await make_sub(reseller)
    assert error_of(await move(reseller, "0"))[:2] == (400, "invalid_field")


async def test_a_suspended_sub_account_is_refused_until_resumed(reseller: Running) -> None:
    async with await make_sub(reseller) as shop:
        off = await reseller.client.put("/v1/subaccounts/shop", json={"active": False})
        assert off.json()["active"] is False
        assert error_of(await shop.get("/v1/balance"))[:2] == (403, "account_disabled")
        await reseller.client.put("/v1/subaccounts/shop", json={"active": True})
        assert (await shop.get("/v1/balance")).status_code == 200


async def test_disabling_the_parent_disables_its_sub_accounts(reseller: Running) -> None:
    async with await make_sub(reseller) as shop:
        acme = await reseller.gateway.accounts.account("acme")
        await reseller.gateway.accounts.set_active(acme, False)
        assert error_of(await shop.get("/v1/balance"))[:2] == (403, "account_disabled")


async def test_a_revoked_key_of_a_sub_account_is_refused(reseller: Running) -> None:
    await make_sub(reseller)
    created = (await reseller.client.post("/v1/subaccounts/shop/keys", json={})).json()
    revoked = await reseller.client.delete(f"/v1/subaccounts/shop/keys/{created['key_id']}")
    assert revoked.status_code == 204
    async with reseller.as_key(created["token"]) as gone:
        assert error_of(await gone.get("/v1/balance"))[:2] == (401, "unauthorized")


async def test_a_parent_cannot_revoke_a_key_that_is_not_its_sub_accounts(
    reseller: Running,
) -> None:
    await make_sub(reseller)
    acme_key = reseller.token.partition(".")[0]
    refused = await reseller.client.delete(f"/v1/subaccounts/shop/keys/{acme_key}")
    assert error_of(refused)[:2] == (404, "not_found")
    assert (await reseller.client.get("/v1/balance")).status_code == 200


async def test_a_sub_accounts_limits_are_never_looser_than_its_parents(
    reseller: Running,
) -> None:
    async with admin(reseller) as api:
        await api.put("/v1/admin/accounts/acme/limits", json={"rate_per_s": 5})
    await make_sub(reseller)
    loose = await reseller.client.put("/v1/subaccounts/shop/limits", json={"rate_per_s": 100})
    tight = await reseller.client.put("/v1/subaccounts/shop/limits", json={"rate_per_s": 2})
    assert (loose.json()["own"]["rate_per_s"], loose.json()["effective"]["rate_per_s"]) == (100, 5)
    assert tight.json()["effective"]["rate_per_s"] == 2


async def test_a_sub_account_without_limits_of_its_own_sends_under_its_parents(
    reseller: Running,
) -> None:
    async with admin(reseller) as api:
        await api.put("/v1/admin/accounts/acme/limits", json={"subscriber_max": 7})
    async with await make_sub(reseller) as shop:
        mine = (await shop.get("/v1/limits")).json()
    assert mine["subscriber_max"] == 7


async def test_the_parent_reads_a_sub_accounts_traffic_and_messages(reseller: Running) -> None:
    async with await make_sub(reseller) as shop:
        await move(reseller, "5")
        sent = await shop.post("/v1/messages", json={"to": [RECIPIENT], "text": "Hi"})
        message_id = sent.json()["messages"][0]["id"]
        await reseller.wait_for_status(message_id, {"delivered"}, account="shop")
    detail = (await reseller.client.get("/v1/subaccounts/shop")).json()
    assert detail["traffic"] == [{"status": "delivered", "messages": 1, "parts": 1, "cost": "0.1"}]
    assert detail["balance"]["balance"] == "4.9"
    listed = (await reseller.client.get("/v1/messages", params={"account": "shop"})).json()
    assert [m["id"] for m in listed["data"]] == [message_id]
    own = (await reseller.client.get("/v1/messages")).json()
    assert own["data"] == []


async def test_another_accounts_sub_account_is_not_found(reseller: Running) -> None:
    await make_sub(reseller)
    other = await reseller.gateway.accounts.create_key(
        (await reseller.gateway.accounts.create_account("rival")).name
    )
    async with reseller.as_key(other.token) as rival:
        for answer in (
            await rival.get("/v1/subaccounts/shop"),
            await rival.post("/v1/subaccounts/shop/transfers", json={"amount": "1"}),
            await rival.get("/v1/messages", params={"account": "shop"}),
        ):
            assert error_of(answer)[:2] == (404, "not_found")


async def test_a_sub_account_cannot_own_sub_accounts(reseller: Running) -> None:
    async with await make_sub(reseller) as shop:
        refused = await shop.post("/v1/subaccounts", json={"name": "kiosk"})
    assert error_of(refused)[:2] == (403, "not_a_parent")


async def send_from(client: httpx.AsyncClient, sender: str) -> httpx.Response:
    return await client.post(
        "/v1/messages", json={"to": [RECIPIENT], "text": f"From {sender}", "sender": sender}
    )


async def registered_names_only(gw: Running) -> None:
    """acme, and the sub-accounts it makes from now on, send only under approved names."""
    await operator(gw, "PUT", "/v1/admin/accounts/acme/sender-policy", {"policy": "registered"})


async def test_a_sub_accounts_sender_name_waits_for_the_operator_like_any_accounts(
    reseller: Running,
) -> None:
    async with await make_sub(reseller) as shop:
        registered = await shop.post("/v1/senders", json={"name": "ShopName"})
        assert registered.json() == {"name": "ShopName", "state": "pending"}
        assert error_of(await send_from(shop, "ShopName"))[:2] == (403, "sender_pending")
    pending = await operator(reseller, "GET", "/v1/admin/senders?state=pending")
    assert pending["data"] == [{"name": "ShopName", "state": "pending", "account": "shop"}]


async def test_a_sub_account_sends_under_its_name_once_the_operator_approves_it(
    reseller: Running,
) -> None:
    async with await make_sub(reseller) as shop:
        await move(reseller, "1")
        await shop.post("/v1/senders", json={"name": "ShopName"})
        await operator(reseller, "POST", "/v1/admin/accounts/shop/senders/ShopName/approve")
        sent = await send_from(shop, "ShopName")
        assert sent.status_code == 201, sent.text
        message = (await shop.get(f"/v1/messages/{sent.json()['messages'][0]['id']}")).json()
    assert message["sender"] == "ShopName"


async def test_the_parent_cannot_send_under_its_sub_accounts_name(reseller: Running) -> None:
    await registered_names_only(reseller)
    await make_sub(reseller)
    await operator(reseller, "POST", "/v1/admin/accounts/shop/senders", {"name": "ShopName"})
    refused = await send_from(reseller.client, "ShopName")
    assert error_of(refused) == (403, "sender_not_registered", "sender")
    assert (await reseller.client.get("/v1/senders")).json()["senders"] == []


async def test_a_sub_account_cannot_send_under_its_parents_name(reseller: Running) -> None:
    await registered_names_only(reseller)
    await operator(reseller, "POST", "/v1/admin/accounts/acme/senders", {"name": "Acme"})
    async with await make_sub(reseller) as shop:
        await move(reseller, "1")
        refused = await send_from(shop, "Acme")
    assert error_of(refused) == (403, "sender_not_registered", "sender")
    assert (await send_from(reseller.client, "Acme")).status_code == 201


@pytest.fixture
async def wholesale_shop(reseller: Running) -> AsyncIterator[httpx.AsyncClient]:
    """shop, a sub-account of acme, holding PLN 1 and put by the operator on a list of PLN
    0.04 a part while acme pays 0.10."""
    await reseller.gateway.billing.put_price_list("wholesale", "PLN", {"": "0.04"})
    async with await make_sub(reseller) as shop:
        await operator(
            reseller, "PUT", "/v1/admin/accounts/shop/billing", {"price_list": "wholesale"}
        )
        await move(reseller, "1")
        yield shop


async def test_a_sub_account_on_another_price_list_is_charged_by_its_own(
    wholesale_shop: httpx.AsyncClient,
) -> None:
    sent = (await wholesale_shop.post("/v1/messages", json={"to": RECIPIENT, "text": "Hi"})).json()
    assert (sent["cost"], sent["messages"][0]["price"]) == ("0.04", "0.04")
    charge = (await wholesale_shop.get("/v1/balance/movements")).json()["data"][0]
    assert (charge["kind"], charge["amount"]) == ("charge", "-0.04")
    assert await balance_of(wholesale_shop) == "0.96"


async def test_the_parent_keeps_its_own_prices_beside_a_sub_account_on_another_list(
    reseller: Running, wholesale_shop: httpx.AsyncClient
) -> None:
    sent = (await reseller.client.post("/v1/messages", json={"to": RECIPIENT, "text": "Hi"})).json()
    assert sent["cost"] == "0.1"
    assert await balance_of(reseller.client) == "8.9"  # 10, less 1 moved to shop and 0.10
    assert (await reseller.client.get("/v1/prices")).json()["name"] == "retail"
