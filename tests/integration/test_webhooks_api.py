"""The /v1/webhooks and /v1/callbacks API: managing endpoints, secrets and dead letters."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.conftest import Running


async def create(gw: Running, **body: Any) -> httpx.Response:
    return await gw.client.post("/v1/webhooks", json={"url": "https://example.com/h", **body})


def error_of(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    return response.status_code, error["code"], error.get("field")


async def test_a_new_endpoint_takes_every_event_and_shows_its_secret_once(gw: Running) -> None:
    response = await create(gw, description="orders")
    assert response.status_code == 201
    endpoint = response.json()
    assert endpoint["events"] == ["*"] and endpoint["active"] is True
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) > 30
    assert endpoint["description"] == "orders"
    shown = (await gw.client.get(f"/v1/webhooks/{endpoint['id']}")).json()
    listed = (await gw.client.get("/v1/webhooks")).json()["data"]
    assert "secret" not in shown and [e["id"] for e in listed] == [endpoint["id"]]
    assert all("secret" not in e for e in listed)


async def test_an_unknown_event_type_is_refused(gw: Running) -> None:
    response = await create(gw, events=["message.status", "message.sent"])
    assert error_of(response) == (400, "invalid_field", "events")
    assert "message.sent" in response.json()["error"]["message"]


async def test_an_empty_list_of_events_is_refused(gw: Running) -> None:
    assert error_of(await create(gw, events=[])) == (400, "invalid_field", "events")


async def test_a_url_that_is_not_http_is_refused(gw: Running) -> None:
    response = await gw.client.post("/v1/webhooks", json={"url": "ftp://example.com/h"})
    assert error_of(response) == (400, "invalid_url", "url")


async def test_an_unknown_field_is_refused(gw: Running) -> None:
    assert (await create(gw, colour="red")).status_code == 400


async def test_an_update_changes_only_what_it_names(gw: Running) -> None:
    endpoint = (await create(gw, description="orders")).json()
    response = await gw.client.patch(
        f"/v1/webhooks/{endpoint['id']}",
        json={"events": ["optout.changed", "inbound.received"], "url": "https://example.com/2"},
    )
    updated = response.json()
    assert updated["events"] == ["inbound.received", "optout.changed"]
    assert updated["url"] == "https://example.com/2"
    assert updated["description"] == "orders" and updated["active"] is True
    cleared = await gw.client.patch(f"/v1/webhooks/{endpoint['id']}", json={"description": ""})
    assert cleared.json()["description"] is None


async def test_an_update_with_an_unknown_event_type_is_refused(gw: Running) -> None:
    endpoint = (await create(gw)).json()
    response = await gw.client.patch(f"/v1/webhooks/{endpoint['id']}", json={"events": ["x"]})
    assert error_of(response) == (400, "invalid_field", "events")


async def test_rotating_gives_a_new_secret(gw: Running) -> None:
    endpoint = (await create(gw)).json()
    rotated = (await gw.client.post(f"/v1/webhooks/{endpoint['id']}/rotate-secret")).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]


async def test_a_deleted_endpoint_is_gone(gw: Running) -> None:
    endpoint = (await create(gw)).json()
    assert (await gw.client.delete(f"/v1/webhooks/{endpoint['id']}")).status_code == 204
    assert (await gw.client.get(f"/v1/webhooks/{endpoint['id']}")).status_code == 404
    assert (await gw.client.delete(f"/v1/webhooks/{endpoint['id']}")).status_code == 404


async def test_another_accounts_endpoint_is_not_found(gw: Running) -> None:
    endpoint = (await create(gw)).json()
    await gw.gateway.accounts.create_account("other")
    key = await gw.gateway.accounts.create_key("other")
    async with gw.as_key(key.token) as other:
        assert (await other.get(f"/v1/webhooks/{endpoint['id']}")).status_code == 404
        patched = await other.patch(f"/v1/webhooks/{endpoint['id']}", json={"active": False})
        assert patched.status_code == 404
        assert (await other.delete(f"/v1/webhooks/{endpoint['id']}")).status_code == 404
        assert (await other.get("/v1/webhooks")).json()["data"] == []


async def test_a_malformed_endpoint_id_is_not_found(gw: Running) -> None:
    assert (await gw.client.get("/v1/webhooks/abc")).status_code == 404
    assert (await gw.client.get(f"/v1/webhooks/{'9' * 30}")).status_code == 404


async def test_the_webhook_api_needs_credentials(gw: Running) -> None:
    async with gw.anonymous() as anonymous:
        for method, path in (
            ("GET", "/v1/webhooks"),
            ("POST", "/v1/webhooks"),
            ("GET", "/v1/webhooks/dead-letters"),
            ("GET", "/v1/callbacks/secret"),
        ):
            response = await anonymous.request(method, path, json={"url": "https://x.io"})
            assert response.status_code == 401, (method, path)


async def test_the_callback_secret_is_made_once_and_kept(gw: Running) -> None:
    first = (await gw.client.get("/v1/callbacks/secret")).json()["secret"]
    assert first.startswith("whsec_")
    assert (await gw.client.get("/v1/callbacks/secret")).json()["secret"] == first


async def test_no_dead_letters_is_an_empty_page(gw: Running) -> None:
    page = (await gw.client.get("/v1/webhooks/dead-letters")).json()
    assert page == {"data": [], "next_cursor": None}


async def test_dead_letter_filters_are_checked(gw: Running) -> None:
    bad_type = await gw.client.get("/v1/webhooks/dead-letters", params={"type": "nope"})
    assert error_of(bad_type) == (400, "invalid_field", "type")
    bad_endpoint = await gw.client.get("/v1/webhooks/dead-letters", params={"endpoint_id": "x"})
    assert error_of(bad_endpoint) == (400, "invalid_field", "endpoint_id")
    missing = await gw.client.get("/v1/webhooks/dead-letters", params={"endpoint_id": "999"})
    assert missing.status_code == 404


async def test_a_deliveries_state_filter_is_checked(gw: Running) -> None:
    endpoint = (await create(gw)).json()
    response = await gw.client.get(
        f"/v1/webhooks/{endpoint['id']}/deliveries", params={"state": "lost"}
    )
    assert error_of(response) == (400, "invalid_field", "state")


async def test_replaying_what_is_not_a_dead_letter_is_not_found(gw: Running) -> None:
    response = await gw.client.post("/v1/webhooks/dead-letters/12345/replay")
    assert response.status_code == 404


async def test_replaying_with_nothing_dead_replays_nothing(gw: Running) -> None:
    response = await gw.client.post("/v1/webhooks/dead-letters/replay")
    assert response.json() == {"replayed": 0}
