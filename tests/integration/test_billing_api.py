"""/v1/admin price lists, account terms, top-ups and ledgers, over HTTP, on each engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.conftest import Running
from tests.integration.test_connectors_api import Start, admin, admin_gateway, error_of

__all__ = ["admin_gateway"]  # the fixture, shared with the connector API tests

PL_LIST = {"currency": "PLN", "prices": {"+48": "0.16", "": 0.3}}


@pytest.fixture
async def operated(admin_gateway: Start) -> AsyncIterator[Running]:
    async for gw in admin_gateway():
        yield gw


async def test_a_price_list_is_created_read_and_listed(operated: Running) -> None:
    async with admin(operated) as api:
        put = await api.put("/v1/admin/price-lists/retail", json=PL_LIST)
        assert put.status_code == 200
        assert put.json() == {
            "name": "retail",
            "currency": "PLN",
            "prices": {"": "0.3", "48": "0.16"},
        }
        listed = (await api.get("/v1/admin/price-lists")).json()["data"]
        assert [pl["name"] for pl in listed] == ["retail"]


async def test_putting_a_list_again_replaces_every_price(operated: Running) -> None:
    async with admin(operated) as api:
        await api.put("/v1/admin/price-lists/retail", json=PL_LIST)
        await api.put(
            "/v1/admin/price-lists/retail", json={"currency": "PLN", "prices": {"4850": "0.1"}}
        )
        body = (await api.get("/v1/admin/price-lists/retail")).json()
        assert body["prices"] == {"4850": "0.1"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "zł", "prices": {}}, "currency"),
        ({"currency": "PLN", "prices": {"48-5": "1"}}, "prefix"),
        ({"currency": "PLN", "prices": {"48": "-1"}}, "prices.48"),
        ({"currency": "PLN", "prices": {"48": "cheap"}}, "prices[...]"),  # msgspec names no key
    ],
)
async def test_a_bad_price_list_is_refused_with_the_field_named(
    operated: Running, body: dict[str, object], field: str
) -> None:
    async with admin(operated) as api:
        response = await api.put("/v1/admin/price-lists/retail", json=body)
        status, code, named = error_of(response)
        assert (status, code) == (400, "invalid_field")
        assert named == field


async def test_a_list_an_account_uses_cannot_be_removed(operated: Running) -> None:
    async with admin(operated) as api:
        await api.put("/v1/admin/price-lists/retail", json=PL_LIST)
        await api.put("/v1/admin/accounts/acme/billing", json={"price_list": "retail"})
        refused = await api.delete("/v1/admin/price-lists/retail")
        assert error_of(refused)[:2] == (409, "billing_conflict")
        await api.put("/v1/admin/accounts/acme/billing", json={"price_list": None})
        assert (await api.delete("/v1/admin/price-lists/retail")).status_code == 204


async def test_terms_top_ups_and_the_ledger_are_the_operators(operated: Running) -> None:
    async with admin(operated) as api:
        await api.put("/v1/admin/price-lists/retail", json=PL_LIST)
        terms = await api.put(
            "/v1/admin/accounts/acme/billing",
            json={"price_list": "retail", "charge_on": "delivery", "credit_limit": "5"},
        )
        assert terms.json()["charge_on"] == "delivery"
        topped = await api.post(
            "/v1/admin/accounts/acme/topups", json={"amount": "20", "reason": "invoice 7"}
        )
        assert topped.status_code == 201
        assert (topped.json()["balance"], topped.json()["available"]) == ("20", "25")
        await api.post(
            "/v1/admin/accounts/acme/topups",
            json={"amount": "-2.5", "reason": "goodwill reversed", "kind": "adjustment"},
        )
        ledger = (await api.get("/v1/admin/accounts/acme/ledger")).json()["data"]
        assert [(m["kind"], m["amount"]) for m in ledger] == [
            ("adjustment", "-2.5"),
            ("topup", "20"),
        ]
        own = (await operated.client.get("/v1/balance")).json()
        assert (own["balance"], own["currency"], own["price_list"]) == ("17.5", "PLN", "retail")


async def test_a_top_up_below_zero_is_refused(operated: Running) -> None:
    async with admin(operated) as api:
        response = await api.post(
            "/v1/admin/accounts/acme/topups", json={"amount": "-1", "reason": "oops"}
        )
        assert error_of(response) == (400, "invalid_field", "amount")


async def test_billing_of_an_unknown_account_is_not_found(operated: Running) -> None:
    async with admin(operated) as api:
        response = await api.get("/v1/admin/accounts/nobody/balance")
        assert response.status_code == 404


async def test_the_billing_admin_routes_need_the_admin_token(operated: Running) -> None:
    response = await operated.client.get("/v1/admin/price-lists")
    assert response.status_code == 401
