"""Bad input gets a clear 4xx in the native error format, never a 5xx."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration.conftest import Running


def assert_error(response: object, status: int, code: str) -> dict[str, str]:
    assert getattr(response, "status_code") == status, getattr(response, "text")  # noqa: B009
    error: dict[str, str] = getattr(response, "json")()["error"]  # noqa: B009
    assert error["code"] == code
    assert error["message"]
    return error


async def test_malformed_json_is_an_invalid_request(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        content=b'{"to": ["+48500600700"',
        headers={"content-type": "application/json"},
    )
    assert_error(response, 400, "invalid_request")


async def test_a_field_of_the_wrong_type_names_the_field(gw: Running) -> None:
    response = await gw.client.post("/v1/messages", json={"to": [5], "text": "x"})
    error = assert_error(response, 400, "invalid_field")
    assert error["field"].startswith("to")


async def test_an_unknown_field_is_refused(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "x", "colour": "red"}
    )
    error = assert_error(response, 400, "invalid_field")
    assert "colour" in error["message"] or error.get("field") == "colour"


async def test_a_missing_text_is_refused(gw: Running) -> None:
    response = await gw.client.post("/v1/messages", json={"to": ["+48500600700"]})
    assert assert_error(response, 400, "missing_field")["field"] == "text"


async def test_more_than_100000_recipients_is_too_large(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"] * 100_001, "text": "x"}
    )
    assert_error(response, 413, "too_many_recipients")


async def test_more_than_10000_personalised_messages_is_too_large(gw: Running) -> None:
    pairs = [{"to": "+48500600700", "text": "x"}] * 10_001
    response = await gw.client.post("/v1/messages", json={"messages": pairs})
    assert_error(response, 413, "too_many_recipients")


async def test_an_oversize_body_is_refused_before_parsing(gw: Running) -> None:
    big = b'{"to": ["+48500600700"], "text": "' + b"a" * (17 * 1024 * 1024) + b'"}'
    response = await gw.client.post(
        "/v1/messages", content=big, headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "body_too_large")


@pytest.mark.parametrize(
    "body",
    [b"", b"null", b"[]", b"\xff\xfe\x00garbage", b'{"to": {"a": 1}, "text": "x"}', b"1e999"],
)
async def test_garbage_bodies_never_cause_a_server_error(gw: Running, body: bytes) -> None:
    response = await gw.client.post(
        "/v1/messages", content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"]


async def test_a_request_without_credentials_is_unauthorized(gw: Running) -> None:
    async with gw.anonymous() as client:
        response = await client.post("/v1/messages", json={"to": ["+48500600700"], "text": "x"})
    assert_error(response, 401, "unauthorized")


async def test_a_wrong_secret_is_unauthorized(gw: Running) -> None:
    key_id = gw.token.split(".")[0]
    async with gw.as_key(f"{key_id}.wrong") as client:
        response = await client.get("/v1/messages")
    assert_error(response, 401, "unauthorized")


async def test_http_basic_credentials_are_accepted(gw: Running) -> None:
    key_id, secret = gw.token.split(".", 1)
    async with gw.anonymous() as client:
        response = await client.get("/v1/messages", auth=(key_id, secret))
    assert response.status_code == 200


async def test_a_revoked_key_no_longer_works(gw: Running) -> None:
    key = await gw.gateway.accounts.create_key("acme")
    await gw.gateway.accounts.revoke_key(key.key_id)
    async with gw.as_key(key.token) as client:
        assert (await client.get("/v1/messages")).status_code == 401


async def test_an_unknown_route_is_a_native_404(gw: Running) -> None:
    assert_error(await gw.client.get("/v1/nothing"), 404, "not_found")


async def test_a_wrong_method_is_a_native_405(gw: Running) -> None:
    assert_error(await gw.client.put("/v1/messages"), 405, "method_not_allowed")


async def test_an_idempotency_key_over_255_characters_is_refused(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": ["+48500600700"], "text": "x"},
        headers={"Idempotency-Key": "k" * 256},
    )
    assert response.status_code == 400


async def test_a_zero_validity_gets_the_same_code_as_any_out_of_range_validity(
    gw: Running,
) -> None:
    response = await gw.client.post(
        "/v1/messages", json={"to": ["+48500600700"], "text": "x", "validity": 0}
    )
    assert_error(response, 400, "invalid_validity")


async def test_a_bad_recipient_filter_names_the_field(gw: Running) -> None:
    response = await gw.client.get("/v1/messages", params={"to": "abc"})
    assert assert_error(response, 400, "invalid_number")["field"] == "to"


async def test_many_first_requests_with_one_key_are_all_answered(gw: Running) -> None:
    key = await gw.gateway.accounts.create_key("acme")
    async with gw.as_key(key.token) as client:
        answers = await asyncio.gather(*(client.get("/v1/messages") for _ in range(20)))
    assert {a.status_code for a in answers} == {200}


async def test_many_first_requests_with_a_wrong_secret_are_all_refused(gw: Running) -> None:
    key = await gw.gateway.accounts.create_key("acme")
    async with gw.as_key(f"{key.key_id}.wrong") as client:
        answers = await asyncio.gather(*(client.get("/v1/messages") for _ in range(20)))
    assert {a.status_code for a in answers} == {401}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v1/settings/inbound", b"{"),
        ("PUT", "/v1/settings/inbound", b'{"stop_words": "STOP"}'),
        ("PUT", "/v1/settings/inbound", b'{"stop_words": [], "start_words": [], "x": 1}'),
        ("PUT", "/v1/settings/inbound", b"\xff\xfe\x00garbage"),
        ("GET", "/v1/inbound?cursor=12345678901234567890123", b""),
        ("GET", "/v1/inbound?reply_to=abc", b""),
        ("GET", "/v1/inbound?from=xyz", b""),
        ("GET", "/v1/inbound?since=2026-01-01T00:00:00", b""),
        ("GET", "/v1/inbound/" + "9" * 30, b""),
        ("PUT", "/v1/opt-outs/" + "1" * 300, b""),
        ("GET", "/v1/opt-outs?limit=0", b""),
    ],
)
async def test_bad_input_to_the_inbound_and_opt_out_routes_is_a_4xx(
    gw: Running, method: str, path: str, body: bytes
) -> None:
    response = await gw.client.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"]
