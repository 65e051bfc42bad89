"""/v1/admin/networks: the numbering plan, and prices by network on a send, on each engine."""

from __future__ import annotations

from tests.integration.conftest import Running
from tests.integration.test_billing_api import operated
from tests.integration.test_connectors_api import admin, admin_gateway, error_of

__all__ = ["admin_gateway", "operated"]  # the fixtures, shared with the billing API tests

PLUS, T_MOBILE, UNKNOWN = "+48500600700", "+48600700800", "+48700800900"
PLAN = {
    "networks": [
        {"prefix": "+48500", "mcc": "260", "mnc": "01", "name": "Plus"},
        {"prefix": "48600", "mcc": "260", "mnc": "02", "name": "T-Mobile"},
    ]
}


async def test_a_plan_put_is_read_back_sorted_with_each_network_code(operated: Running) -> None:
    async with admin(operated) as api:
        put = await api.put("/v1/admin/networks", json=PLAN)
        read = await api.get("/v1/admin/networks")
    assert put.status_code == 200
    assert read.json() == {
        "networks": [
            {"prefix": "48500", "mcc": "260", "mnc": "01", "name": "Plus", "code": "260-01"},
            {"prefix": "48600", "mcc": "260", "mnc": "02", "name": "T-Mobile", "code": "260-02"},
        ]
    }


async def test_putting_a_plan_again_replaces_every_range(operated: Running) -> None:
    async with admin(operated) as api:
        await api.put("/v1/admin/networks", json=PLAN)
        await api.put(
            "/v1/admin/networks", json={"networks": [{"prefix": "4915", "mcc": "262", "mnc": "01"}]}
        )
        ranges = (await api.get("/v1/admin/networks")).json()["networks"]
    assert [r["prefix"] for r in ranges] == ["4915"]


async def test_a_bad_range_is_refused_by_its_place_in_the_plan(operated: Running) -> None:
    bad = {"networks": [*PLAN["networks"], {"prefix": "49", "mcc": "2620", "mnc": "01"}]}
    async with admin(operated) as api:
        refused = await api.put("/v1/admin/networks", json=bad)
        kept = (await api.get("/v1/admin/networks")).json()["networks"]
    assert error_of(refused) == (400, "invalid_field", "networks[2].mcc")
    assert kept == []


async def test_a_send_is_priced_by_the_recipients_network_before_its_prefix(
    operated: Running,
) -> None:
    async with admin(operated) as api:
        await api.put("/v1/admin/networks", json=PLAN)
        await api.put(
            "/v1/admin/price-lists/retail",
            json={"currency": "PLN", "prices": {"260-01": "0.03", "48": "0.05"}},
        )
        await api.put("/v1/admin/accounts/acme/billing", json={"price_list": "retail"})
        await api.post("/v1/admin/accounts/acme/topups", json={"amount": "1", "reason": "test"})
    sent = await operated.client.post(
        "/v1/messages", json={"to": [PLUS, T_MOBILE, UNKNOWN], "text": "Hi"}
    )
    assert sent.status_code == 201, sent.text
    assert [m["price"] for m in sent.json()["messages"]] == ["0.03", "0.05", "0.05"]


async def test_the_dry_run_names_the_recipients_network(operated: Running) -> None:
    async with admin(operated) as api:
        await api.put("/v1/admin/networks", json=PLAN)
        dry = (await api.post("/v1/admin/routes/test", json={"account": "acme", "to": PLUS})).json()
    assert (dry["network"], dry["network_name"]) == ("260-01", "Plus")


async def test_the_plan_is_the_operators(operated: Running) -> None:
    response = await operated.client.get("/v1/admin/networks")
    assert response.status_code == 401
