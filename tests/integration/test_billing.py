"""Charging sends against a balance: prices in answers, refusals without funds, refunds by
policy, and a ledger that always adds up to the balance, on each engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from smsgate.domain.errors import DomainError
from smsgate.domain.pricing import ChargeOn
from smsgate.domain.status import Status
from smsgate.runtime import Gateway
from smsgate.services.sending import SendCommand
from smsgate.store import billing as repo
from smsgate.store.database import Tx
from tests.integration.conftest import FINAL, Running, settings_for, start_gateway
from tests.integration.connectors import RecordingConnector, RefusingConnector

POLAND = "+48500600700"
GERMANY = "+4915112345678"
Start = Callable[..., AsyncIterator[Running]]


async def priced(gw: Running, funds: str, **terms: object) -> None:
    """Put the test account on a PLN list (0.16 a part to Poland) with `funds` on it."""
    billing = gw.gateway.billing
    await billing.put_price_list("pl", "PLN", {"48": "0.16"})
    await billing.set_terms("acme", price_list="pl", **terms)  # type: ignore[arg-type]
    if Decimal(funds):
        await billing.top_up("acme", funds, "opening balance")


async def balance(gw: Running) -> dict[str, object]:
    body: dict[str, object] = (await gw.client.get("/v1/balance")).json()
    return body


async def ledger_matches_balance(gw: Running) -> bool:
    account = await gw.gateway.accounts.account("acme")
    held = await gw.gateway.db.read(lambda conn: repo.balance(conn, account.id))
    total = await gw.gateway.db.read(lambda conn: repo.ledger_sum(conn, account.id))
    return held.balance == total


async def latest_movement(gw: Running) -> tuple[str, str, str, str]:
    """(kind, amount, message id, reason) of the newest movement of the balance."""
    latest = (await gw.client.get("/v1/balance/movements")).json()["data"][0]
    return latest["kind"], latest["amount"], latest["message_id"], latest["reason"]


@pytest.fixture
def gateway_of(database_url: str, tmp_path: Path) -> Start:
    def start(**simulator: object) -> AsyncIterator[Running]:
        return start_gateway(settings_for(database_url, tmp_path, **simulator))

    return start


async def test_a_send_answers_with_each_price_and_the_cost(gw: Running) -> None:
    await priced(gw, "10")
    response = await gw.client.post(
        "/v1/messages", json={"to": [POLAND, "+48500600701"], "text": "x" * 200}
    )
    assert response.status_code == 201
    body = response.json()
    assert [m["price"] for m in body["messages"]] == ["0.32", "0.32"]
    assert (body["cost"], body["currency"]) == ("0.64", "PLN")


async def test_a_send_is_charged_to_the_balance_and_listed_as_a_movement(gw: Running) -> None:
    await priced(gw, "10")
    await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
    assert (await balance(gw))["balance"] == "9.84"
    movements = (await gw.client.get("/v1/balance/movements")).json()["data"]
    assert [(m["kind"], m["amount"]) for m in movements] == [("charge", "-0.16"), ("topup", "10")]
    assert movements[1]["reason"] == "opening balance"


async def test_the_stored_message_carries_its_price(gw: Running) -> None:
    await priced(gw, "10")
    response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
    message_id = response.json()["messages"][0]["id"]
    assert (await gw.client.get(f"/v1/messages/{message_id}")).json()["price"] == "0.16"


async def test_each_status_report_carries_the_messages_price(gw: Running) -> None:
    await priced(gw, "10")
    response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "x" * 200})
    message_id = response.json()["messages"][0]["id"]
    await gw.wait_for_status(message_id, FINAL)
    events = (await gw.client.get("/v1/events")).json()["data"]
    assert {e["data"]["status"]: e["data"]["price"] for e in events} == {
        "sent": "0.32",
        "delivered": "0.32",
    }


async def test_a_status_report_of_a_free_message_has_no_price(gw: Running) -> None:
    response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
    await gw.wait_for_status(response.json()["messages"][0]["id"], FINAL)
    events = (await gw.client.get("/v1/events")).json()["data"]
    assert events and all(e["data"]["price"] is None for e in events)


async def test_a_destination_the_list_does_not_price_is_rejected_alone(gw: Running) -> None:
    await priced(gw, "10")
    response = await gw.client.post("/v1/messages", json={"to": [GERMANY, POLAND], "text": "Hi"})
    assert response.status_code == 201
    first, second = response.json()["messages"]
    assert first["error"]["code"] == "no_price"
    assert second["price"] == "0.16"
    assert response.json()["cost"] == "0.16"


async def test_without_funds_the_send_is_refused_with_402_and_nothing_is_queued(
    gw: Running,
) -> None:
    await priced(gw, "0.20")
    response = await gw.client.post("/v1/messages", json={"to": [POLAND], "text": "x" * 200})
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert (await gw.client.get("/v1/messages")).json()["data"] == []
    assert (await balance(gw))["balance"] == "0.2"


async def test_a_credit_limit_lets_the_balance_go_below_zero_as_far_as_the_limit(
    gw: Running,
) -> None:
    await priced(gw, "0", credit_limit="0.40")
    first = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "x" * 200})
    second = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "y" * 200})
    assert (first.status_code, second.status_code) == (201, 402)
    held = await balance(gw)
    assert (held["balance"], held["available"]) == ("-0.32", "0.08")


async def test_an_estimate_returns_the_cost_without_charging(gw: Running) -> None:
    await priced(gw, "1")
    response = await gw.client.post(
        "/v1/messages", json={"to": [POLAND], "text": "Hi", "estimate": True}
    )
    assert response.status_code == 200
    assert response.json()["cost"] == "0.16"
    assert (await balance(gw))["balance"] == "1"


async def test_an_account_without_a_price_list_sends_free_and_sees_no_cost(gw: Running) -> None:
    response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
    body = response.json()
    assert body["cost"] is None
    assert "price" not in body["messages"][0]
    assert (await balance(gw))["price_list"] is None


async def test_a_canceled_message_gets_its_charge_back(gw: Running) -> None:
    await priced(gw, "1")
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    response = await gw.client.post(
        "/v1/messages", json={"to": POLAND, "text": "Hi", "send_at": later}
    )
    message_id = response.json()["messages"][0]["id"]
    assert (await gw.client.delete(f"/v1/messages/{message_id}")).status_code == 200
    assert (await balance(gw))["balance"] == "1"
    assert await latest_movement(gw) == ("refund", "0.16", message_id, "canceled")


async def test_a_message_the_upstream_rejects_gets_its_charge_back(gateway_of: Start) -> None:
    async for gw in gateway_of(delivered=0.0, rejected=1.0):
        await priced(gw, "1")
        response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
        await gw.wait_for_status(response.json()["messages"][0]["id"], FINAL)
        assert (await balance(gw))["balance"] == "1"
        assert await ledger_matches_balance(gw)


async def test_a_message_the_upstream_refuses_for_good_fails_and_gets_its_charge_back(
    gateway_with: Start,
) -> None:
    async for gw in gateway_with([RefusingConnector("invalid_destination", temporary=False)]):
        await priced(gw, "1", charge_on=ChargeOn.SUBMIT)
        response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
        message_id = response.json()["messages"][0]["id"]
        await gw.wait_for_status(message_id, {"failed"})
        assert (await balance(gw))["balance"] == "1"
        assert await latest_movement(gw) == ("refund", "0.16", message_id, "failed")
        assert await ledger_matches_balance(gw)


async def test_a_sent_message_the_upstream_reports_failed_gets_its_charge_back_on_submit_terms(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        await priced(gw, "1", charge_on=ChargeOn.SUBMIT)
        response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
        message_id = response.json()["messages"][0]["id"]
        sent = await gw.wait_for_status(message_id, {"sent"})
        assert (await balance(gw))["balance"] == "0.84"  # final once the upstream took it
        await upstream.report(str(sent["upstream_id"]), Status.FAILED, "system_error")
        await gw.wait_for_status(message_id, {"failed"})
        assert (await balance(gw))["balance"] == "1"
        assert await latest_movement(gw) == ("refund", "0.16", message_id, "failed")
        assert await ledger_matches_balance(gw)


@pytest.mark.parametrize(("policy", "kept"), [(ChargeOn.SUBMIT, "0.84"), (ChargeOn.DELIVERY, "1")])
async def test_an_undelivered_message_is_refunded_only_when_charges_wait_for_delivery(
    gateway_of: Start, policy: ChargeOn, kept: str
) -> None:
    async for gw in gateway_of(delivered=0.0, undelivered=1.0):
        await priced(gw, "1", charge_on=policy)
        response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
        await gw.wait_for_status(response.json()["messages"][0]["id"], {"undelivered"})
        assert (await balance(gw))["balance"] == kept
        assert await ledger_matches_balance(gw)


async def test_a_delivered_message_keeps_its_charge_under_either_policy(gw: Running) -> None:
    await priced(gw, "1", charge_on=ChargeOn.DELIVERY)
    response = await gw.client.post("/v1/messages", json={"to": POLAND, "text": "Hi"})
    await gw.wait_for_status(response.json()["messages"][0]["id"], {"delivered"})
    assert (await balance(gw))["balance"] == "0.84"


async def test_parallel_sends_never_overdraw_and_the_ledger_adds_up(gw: Running) -> None:
    await priced(gw, "1.60")  # ten messages' worth
    responses = await asyncio.gather(
        *(gw.client.post("/v1/messages", json={"to": POLAND, "text": f"Hi {n}"}) for n in range(40))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 10 + [402] * 30
    assert (await balance(gw))["balance"] == "0"
    assert await ledger_matches_balance(gw)


async def test_charges_and_a_top_up_in_one_transaction_are_all_counted(gw: Running) -> None:
    """A group commit decides its later charges of an account in memory; a movement of
    another kind in the same transaction must see them, and they must all be written."""
    await priced(gw, "1")
    account = await gw.gateway.accounts.account("acme")
    now = 1

    async def job(tx: Tx) -> tuple[repo.Charged, ...]:
        first = await repo.charge(tx, account.id, Decimal("0.3"), 1, 1, now)
        second = await repo.charge(tx, account.id, Decimal("0.3"), 1, 2, now)
        refused = await repo.charge(tx, account.id, Decimal("0.5"), 1, 3, now)
        topped = await repo.credit(tx, account.id, "topup", Decimal("2"), "more", now)
        third = await repo.charge(tx, account.id, Decimal("0.5"), 1, 4, now)
        return first, second, refused, repo.Charged(True, topped), third

    first, second, refused, topped, third = await gw.gateway.db.write(job)
    assert [c.taken for c in (first, second, refused, third)] == [True, True, False, True]
    assert refused.available == Decimal("0.4")
    assert topped.available == Decimal("2.4")  # the balance the top-up left
    held = await gw.gateway.db.read(lambda conn: repo.balance(conn, account.id))
    assert held.balance == Decimal("1.9")
    assert await ledger_matches_balance(gw)


async def test_a_top_up_by_the_operator_is_listed_with_its_reason(gw: Running) -> None:
    await priced(gw, "0")
    await gw.gateway.billing.top_up("acme", "25.5", "invoice 2026/12/1")
    (movement,) = (await gw.client.get("/v1/balance/movements")).json()["data"]
    assert (movement["kind"], movement["amount"], movement["reason"]) == (
        "topup",
        "25.5",
        "invoice 2026/12/1",
    )


async def test_movements_page_back_with_a_cursor(gw: Running) -> None:
    await priced(gw, "0")
    for n in range(1, 4):
        await gw.gateway.billing.top_up("acme", str(n), f"top-up {n}")
    first = (await gw.client.get("/v1/balance/movements", params={"limit": 2})).json()
    rest = (
        await gw.client.get(
            "/v1/balance/movements", params={"limit": 2, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [m["amount"] for m in first["data"] + rest["data"]] == ["3", "2", "1"]
    assert rest["next_cursor"] is None


async def test_the_account_reads_its_price_list(gw: Running) -> None:
    await priced(gw, "0")
    body = (await gw.client.get("/v1/prices")).json()
    assert body == {"name": "pl", "currency": "PLN", "prices": {"48": "0.16"}}


async def test_two_nodes_sending_at_once_never_overdraw(database_url: str, tmp_path: Path) -> None:
    nodes = [
        Gateway(settings_for(database_url, tmp_path).model_copy(update={"node_id": n}))
        for n in (1, 2)
    ]
    for node in nodes:
        await node.start()
    try:
        first = nodes[0]
        await first.accounts.create_account("acme", default_region="PL")
        await first.billing.put_price_list("pl", "PLN", {"48": "0.16"})
        await first.billing.set_terms("acme", price_list="pl")
        await first.billing.top_up("acme", "1.60", "ten messages")
        for node in nodes:
            await node.price_book.refresh()
        account = await nodes[1].accounts.account("acme")

        async def send(node: Gateway, n: int) -> bool:
            try:
                await node.sending.send(account, SendCommand(to=(POLAND,), text=f"Hi {n}"))
            except DomainError as refused:
                assert refused.code == "insufficient_funds"
                return False
            return True

        sent = await asyncio.gather(*(send(nodes[n % 2], n) for n in range(30)))
        assert sum(sent) == 10
        held = await first.db.read(lambda conn: repo.balance(conn, account.id))
        total = await first.db.read(lambda conn: repo.ledger_sum(conn, account.id))
        assert held.balance == total == 0
    finally:
        for node in nodes:
            await node.stop()
