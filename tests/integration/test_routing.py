"""Routing over HTTP, on each engine: rules managed through the admin API apply to the next
send without a restart, fail over past a connector that is down, re-route a message refused
for good, and the dry run tells the route with its price and cost."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from tests.integration.conftest import FINAL, Running
from tests.integration.connectors import OutageConnector, RecordingConnector, RefusingConnector
from tests.integration.test_connectors_api import Start, admin, admin_gateway, error_of

__all__ = ["admin_gateway"]

POLAND = "+48500600700"
GERMANY = "+4915112345678"


def carriers(*names: str) -> list[RecordingConnector]:
    return [RecordingConnector(name=name) for name in names]


async def operator(gw: Running, method: str, path: str, body: Any = None) -> Any:
    async with admin(gw) as api:
        response = await api.request(method, path, json=body)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


_texts = itertools.count()


async def connector_of(gw: Running, to: str, **body: Any) -> str:
    """Where a send of its own text went (the same request twice is refused as a duplicate)."""
    text = f"Hi {next(_texts)}"
    response = await gw.client.post("/v1/messages", json={"to": [to], "text": text, **body})
    assert response.status_code == 201, response.text
    message_id = response.json()["messages"][0]["id"]
    connector: str = (await gw.client.get(f"/v1/messages/{message_id}")).json()["connector"]
    return connector


async def test_a_rule_put_through_the_api_routes_the_next_send(admin_gateway: Start) -> None:
    async for gw in admin_gateway(carriers("main", "pl")):
        assert await connector_of(gw, POLAND) == "main"
        rule = await operator(
            gw,
            "PUT",
            "/v1/admin/routes/poland",
            {"priority": 10, "prefixes": ["+48"], "targets": [{"connector": "pl"}]},
        )
        assert rule == {
            "name": "poland",
            "priority": 10,
            "targets": [{"connector": "pl", "weight": 1}],
            "strategy": "failover",
            "reroute": False,
            "prefixes": ["48"],
        }
        assert await connector_of(gw, POLAND) == "pl"
        assert await connector_of(gw, GERMANY) == "main"
        await operator(gw, "DELETE", "/v1/admin/routes/poland")
        assert await connector_of(gw, POLAND) == "main"


async def test_rules_are_listed_in_the_order_they_are_tried(admin_gateway: Start) -> None:
    async for gw in admin_gateway(carriers("main", "a", "b")):
        await operator(
            gw, "PUT", "/v1/admin/routes/late", {"priority": 20, "targets": [{"connector": "a"}]}
        )
        await operator(
            gw, "PUT", "/v1/admin/routes/early", {"priority": 5, "targets": [{"connector": "b"}]}
        )
        listed = (await operator(gw, "GET", "/v1/admin/routes"))["data"]
    assert [r["name"] for r in listed] == ["early", "late"]


async def test_an_urgent_rule_takes_urgent_messages_only(admin_gateway: Start) -> None:
    async for gw in admin_gateway(carriers("main", "fast")):
        await operator(
            gw,
            "PUT",
            "/v1/admin/routes/otp",
            {"priority": 1, "urgent": True, "targets": [{"connector": "fast"}]},
        )
        assert await connector_of(gw, POLAND, urgent=True) == "fast"
        assert await connector_of(gw, POLAND) == "main"


async def test_a_rule_for_one_account_and_sender(admin_gateway: Start) -> None:
    async for gw in admin_gateway(carriers("main", "bank")):
        await operator(
            gw,
            "PUT",
            "/v1/admin/routes/bank",
            {
                "priority": 1,
                "account": "acme",
                "sender": "MyBank",
                "targets": [{"connector": "bank"}],
            },
        )
        assert await connector_of(gw, POLAND, sender="MyBank") == "bank"
        assert await connector_of(gw, POLAND, sender="Other") == "main"


async def test_failover_passes_a_disabled_connector(admin_gateway: Start) -> None:
    async for gw in admin_gateway(carriers("main", "first", "second")):
        await operator(
            gw,
            "PUT",
            "/v1/admin/routes/pl",
            {"priority": 1, "targets": [{"connector": "first"}, {"connector": "second"}]},
        )
        assert await connector_of(gw, POLAND) == "first"
        await operator(gw, "POST", "/v1/admin/connectors/first/disable")
        assert await connector_of(gw, POLAND) == "second"


async def test_a_message_queued_for_a_connector_down_for_a_while_leaves_by_one_up(
    admin_gateway: Start,
) -> None:
    first, second = OutageConnector(name="first"), OutageConnector(name="second")
    connectors = [RecordingConnector(name="main"), first, second]
    async for gw in admin_gateway(connectors, failover_after_s=0.5):
        await operator(
            gw,
            "PUT",
            "/v1/admin/routes/pl",
            {"priority": 1, "targets": [{"connector": "first"}, {"connector": "second"}]},
        )
        # Neither is up: the message waits for the first, then the second comes up.
        response = await gw.client.post("/v1/messages", json={"to": [POLAND], "text": "Hi"})
        message_id = response.json()["messages"][0]["id"]
        second.up = True
        sent = await gw.wait_for_status(message_id, {"sent", *FINAL}, timeout=15)
    assert (sent["status"], sent["connector"]) == ("sent", "second")
    assert first.submitted == []


async def test_a_permanent_refusal_is_rerouted_to_the_next_connector(admin_gateway: Start) -> None:
    refusing = RefusingConnector("88", temporary=False, name="bad")
    good = RecordingConnector(name="good")
    async for gw in admin_gateway([RecordingConnector(name="main"), refusing, good]):
        await operator(
            gw,
            "PUT",
            "/v1/admin/routes/pl",
            {
                "priority": 1,
                "reroute": True,
                "targets": [{"connector": "bad"}, {"connector": "good"}],
            },
        )
        response = await gw.client.post("/v1/messages", json={"to": [POLAND], "text": "Hi"})
        message_id = response.json()["messages"][0]["id"]
        sent = await gw.wait_for_status(message_id, {"sent", *FINAL})
    assert (sent["status"], sent["connector"]) == ("sent", "good")
    assert [m.recipient for m in good.submitted] == [POLAND]


async def test_without_reroute_a_permanent_refusal_fails_the_message(admin_gateway: Start) -> None:
    refusing = RefusingConnector("88", temporary=False, name="bad")
    async for gw in admin_gateway(
        [RecordingConnector(name="main"), refusing, RecordingConnector(name="good")]
    ):
        await operator(
            gw,
            "PUT",
            "/v1/admin/routes/pl",
            {"priority": 1, "targets": [{"connector": "bad"}, {"connector": "good"}]},
        )
        response = await gw.client.post("/v1/messages", json={"to": [POLAND], "text": "Hi"})
        message_id = response.json()["messages"][0]["id"]
        failed = await gw.wait_for_status(message_id, {"sent", *FINAL})
    assert (failed["status"], failed["connector"]) == ("failed", "bad")


async def test_least_cost_routes_by_connector_cost_and_the_dry_run_shows_it(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway(carriers("main", "dear", "cheap")):
        await gw.gateway.billing.put_price_list("dear-costs", "EUR", {"48": "0.05"})
        await gw.gateway.billing.put_price_list("cheap-costs", "EUR", {"48": "0.02"})
        await gw.gateway.billing.put_price_list("retail", "EUR", {"48": "0.10"})
        await gw.gateway.billing.set_terms("acme", price_list="retail")
        await gw.gateway.billing.top_up("acme", "10", "test")
        await operator(gw, "PUT", "/v1/admin/connectors/dear/cost", {"price_list": "dear-costs"})
        costs = await operator(
            gw, "PUT", "/v1/admin/connectors/cheap/cost", {"price_list": "cheap-costs"}
        )
        assert costs == {"data": {"cheap": "cheap-costs", "dear": "dear-costs"}}
        await operator(
            gw,
            "PUT",
            "/v1/admin/routes/lc",
            {
                "priority": 1,
                "strategy": "least_cost",
                "targets": [{"connector": "dear"}, {"connector": "cheap"}],
            },
        )
        dry = await operator(
            gw,
            "POST",
            "/v1/admin/routes/test",
            {"account": "acme", "to": POLAND, "text": "x" * 200},
        )
        assert dry == {
            "connector": "cheap",
            "rule": "lc",
            "candidates": ["cheap", "dear"],
            "parts": 2,
            "price": "0.2",
            "currency": "EUR",
            "cost": "0.04",
            "cost_currency": "EUR",
        }
        assert await connector_of(gw, POLAND) == "cheap"


async def test_the_dry_run_of_a_message_no_rule_takes_names_the_default(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway(carriers("main")):
        dry = await operator(gw, "POST", "/v1/admin/routes/test", {"account": "acme", "to": POLAND})
    assert dry == {"connector": "main", "rule": None, "candidates": [], "parts": 1}


async def test_a_price_list_kept_as_a_connectors_cost_cannot_be_removed(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway(carriers("main")):
        await gw.gateway.billing.put_price_list("costs", "EUR", {"48": "0.05"})
        await operator(gw, "PUT", "/v1/admin/connectors/main/cost", {"price_list": "costs"})
        async with admin(gw) as api:
            refused = await api.delete("/v1/admin/price-lists/costs")
    assert error_of(refused)[:2] == (409, "billing_conflict")


async def test_a_rule_change_made_on_another_node_applies_within_seconds(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway(carriers("main", "pl")):
        # As the CLI or another node would: straight to the store, not through this node.
        from smsgate.domain.routing import Rule, Target
        from smsgate.store import routes as repo

        async def job(tx: Any) -> None:
            await repo.put(tx.conn, Rule(name="pl", priority=1, targets=(Target("pl"),)), 1)

        await gw.gateway.db.write(job)
        for _ in range(80):
            if await connector_of(gw, POLAND) == "pl":
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the rule did not apply within 8 s")


async def test_bad_rules_are_refused_naming_the_field(admin_gateway: Start) -> None:
    cases = [
        ({"priority": 1, "targets": [{"connector": "nowhere"}]}, 400, "targets"),
        ({"priority": 1, "targets": []}, 400, "targets"),
        (
            {"priority": 1, "targets": [{"connector": "main"}, {"connector": "main"}]},
            400,
            "targets",
        ),
        ({"priority": 1, "targets": [{"connector": "main"}], "hours": "8-20"}, 400, "hours"),
        ({"priority": 1, "targets": [{"connector": "main"}], "pattern": "("}, 400, "pattern"),
        ({"priority": 1, "targets": [{"connector": "main"}], "prefixes": ["4a"]}, 400, "prefix"),
        ({"priority": 1, "targets": [{"connector": "main"}], "account": "nobody"}, 404, "account"),
        (
            {"priority": 1, "targets": [{"connector": "main"}], "strategy": "cheapest"},
            400,
            "strategy",
        ),
    ]
    async for gw in admin_gateway(carriers("main")):
        async with admin(gw) as api:
            for body, status, field in cases:
                refused = await api.put("/v1/admin/routes/bad", json=body)
                assert (refused.status_code, error_of(refused)[2]) == (status, field), body
            listed = (await api.get("/v1/admin/routes")).json()["data"]
    assert listed == []


async def test_removing_an_unknown_rule_is_not_found(admin_gateway: Start) -> None:
    async for gw in admin_gateway(carriers("main")):
        async with admin(gw) as api:
            missing = await api.delete("/v1/admin/routes/nope")
    assert error_of(missing)[:2] == (404, "not_found")


async def test_a_dry_run_for_a_bad_number_is_refused(admin_gateway: Start) -> None:
    async for gw in admin_gateway(carriers("main")):
        async with admin(gw) as api:
            refused = await api.post("/v1/admin/routes/test", json={"account": "acme", "to": "12"})
    assert error_of(refused) == (400, "invalid_number", "to")
