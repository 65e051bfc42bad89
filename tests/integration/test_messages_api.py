"""Reading, listing and canceling messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.conftest import Running


async def send(gw: Running, to: list[str], **extra: object) -> list[str]:
    response = await gw.client.post("/v1/messages", json={"to": to, "text": "x", **extra})
    assert response.status_code == 201, response.text
    return [m["id"] for m in response.json()["messages"]]


async def test_an_unknown_message_is_not_found(gw: Running) -> None:
    response = await gw.client.get("/v1/messages/123")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


async def test_a_non_numeric_id_is_not_found(gw: Running) -> None:
    assert (await gw.client.get("/v1/messages/abc")).status_code == 404


async def test_another_accounts_message_is_not_found(gw: Running) -> None:
    (message_id,) = await send(gw, ["+48500600700"])
    await gw.gateway.accounts.create_account("intruder")
    key = await gw.gateway.accounts.create_key("intruder")
    async with gw.as_key(key.token) as client:
        assert (await client.get(f"/v1/messages/{message_id}")).status_code == 404


async def test_the_list_walks_every_message_once_with_the_cursor(gw: Running) -> None:
    ids = await send(gw, [f"+4850060{i:04d}" for i in range(25)])
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, object] = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        page = (await gw.client.get("/v1/messages", params=params)).json()
        seen += [m["id"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, key=int, reverse=True)


async def test_the_list_filters_by_recipient_in_any_notation(gw: Running) -> None:
    await send(gw, ["+48500600700", "+48500600701"])
    page = (await gw.client.get("/v1/messages", params={"to": "500 600 701"})).json()
    assert [m["to"] for m in page["data"]] == ["+48500600701"]


async def test_the_list_filters_by_client_reference(gw: Running) -> None:
    await send(gw, ["+48500600700"], client_ref="campaign-1")
    await send(gw, ["+48500600701"], client_ref="campaign-2")
    page = (await gw.client.get("/v1/messages", params={"client_ref": "campaign-2"})).json()
    assert [m["client_ref"] for m in page["data"]] == ["campaign-2"]


async def test_the_list_filters_by_status(gw: Running) -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    (scheduled,) = await send(gw, ["+48500600700"], send_at=later)
    await send(gw, ["+48500600701"])
    page = (await gw.client.get("/v1/messages", params={"status": "scheduled"})).json()
    assert [m["id"] for m in page["data"]] == [scheduled]


async def test_the_list_filters_by_time_range(gw: Running) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    await send(gw, ["+48500600700"])
    after = datetime.now(UTC) + timedelta(seconds=1)
    inside = await gw.client.get(
        "/v1/messages", params={"since": before.isoformat(), "until": after.isoformat()}
    )
    assert len(inside.json()["data"]) == 1
    outside = await gw.client.get("/v1/messages", params={"since": after.isoformat()})
    assert outside.json()["data"] == []


async def test_an_unknown_status_filter_is_a_client_error(gw: Running) -> None:
    response = await gw.client.get("/v1/messages", params={"status": "lost"})
    assert response.status_code == 400


async def test_a_scheduled_message_can_be_canceled(gw: Running) -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    (message_id,) = await send(gw, ["+48500600700"], send_at=later)
    response = await gw.client.delete(f"/v1/messages/{message_id}")
    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    assert [h["status"] for h in response.json()["history"]][-1] == "canceled"


async def test_a_delivered_message_can_no_longer_be_canceled(gw: Running) -> None:
    (message_id,) = await send(gw, ["+48500600700"])
    await gw.wait_for_status(message_id, {"delivered"})
    response = await gw.client.delete(f"/v1/messages/{message_id}")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "not_cancelable")


async def test_the_openapi_document_describes_the_send_route(gw: Running) -> None:
    async with gw.anonymous() as client:
        schema = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")
    assert "/v1/messages" in schema["paths"]
    assert "post" in schema["paths"]["/v1/messages"]
    assert docs.status_code == 200


async def test_a_cursor_too_long_for_an_id_is_a_client_error(gw: Running) -> None:
    response = await gw.client.get("/v1/messages", params={"cursor": "9" * 25})
    assert (response.status_code, response.json()["error"]["field"]) == (400, "cursor")


async def test_the_openapi_document_describes_inbound_opt_outs_and_webhooks(gw: Running) -> None:
    async with gw.anonymous() as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/v1/inbound",
        "/v1/inbound/{inbound_id}",
        "/v1/opt-outs/{number}",
        "/v1/settings/inbound",
        "/v1/webhooks",
        "/v1/webhooks/dead-letters",
        "/v1/events/stream",
    ):
        assert path in paths, path
    inbound_params = {p["name"] for p in paths["/v1/inbound"]["get"]["parameters"]}
    assert {"from", "to", "reply_to", "cursor"} <= inbound_params
