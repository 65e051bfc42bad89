"""Which deliveries an event makes, and what their body looks like."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from smsgate.store.webhooks import Endpoint, OutboxRow, TargetKey
from smsgate.webhooks import events
from smsgate.webhooks.client import _target
from smsgate.webhooks.fanout import plan

PAYLOAD = '{"message_id": "7", "status": "delivered"}'


def endpoint(id: int, account: int, events: set[str] | None, active: bool = True) -> Endpoint:
    types = frozenset(events) if events is not None else None
    return Endpoint(id, account, f"http://x/{id}", "whsec_x", types, None, active, 0, 0)


def row(id: int, account: int, event: str = "message.status", url: str | None = None) -> OutboxRow:
    return OutboxRow(id, account, 7, event, PAYLOAD, url, 1_795_320_301_102)


def test_an_event_goes_to_each_endpoint_of_its_account_that_takes_its_type() -> None:
    subscriptions = {
        1: (
            endpoint(10, 1, None),
            endpoint(11, 1, {"message.status"}),
            endpoint(12, 1, {"inbound.received"}),
        ),
        2: (endpoint(20, 2, None),),
    }
    targets = [d.target.endpoint_id for d in plan([row(100, 1)], subscriptions)]
    assert targets == [10, 11]


def test_an_inactive_endpoint_gets_no_delivery() -> None:
    assert plan([row(100, 1)], {1: (endpoint(10, 1, None, active=False),)}) == []


def test_an_event_with_a_callback_url_also_goes_there() -> None:
    [first, second] = plan([row(100, 1, url="http://cb/x")], {1: (endpoint(10, 1, None),)})
    assert first.target == TargetKey(1, 10)
    assert second.target == TargetKey(1, None, "http://cb/x")
    assert (second.event_id, second.order_key) == (100, 7)


def test_an_account_with_no_endpoints_and_no_callback_makes_no_delivery() -> None:
    assert plan([row(100, 3)], {}) == []


def test_deliveries_come_in_event_order() -> None:
    planned = plan([row(100, 1), row(101, 1), row(102, 1)], {1: (endpoint(10, 1, None),)})
    assert [d.event_id for d in planned] == [100, 101, 102]


def test_the_body_is_the_event_as_json_with_its_stored_payload() -> None:
    body = events.body(41, "message.status", 1_795_320_301_102, PAYLOAD)
    assert json.loads(body) == {
        "id": "41",
        "type": "message.status",
        "created_at": "2026-11-22T04:05:01.102Z",
        "data": {"message_id": "7", "status": "delivered"},
    }


def test_the_body_time_is_the_event_time_in_utc_to_the_millisecond() -> None:
    for ms in (0, 1, 999, 1_000, 1_795_320_301_002):
        created = json.loads(events.body(1, "x", ms, "{}"))["created_at"]
        assert datetime.fromisoformat(created) == datetime.fromtimestamp(ms / 1000, UTC)


def test_the_same_event_always_gives_the_same_bytes() -> None:
    assert events.body(1, "a", 5, PAYLOAD) == events.body(1, "a", 5, PAYLOAD)


def test_the_request_line_and_host_come_from_the_url() -> None:
    head = _target("http://127.0.0.1:8080/hooks/a?x=1").head.decode()
    assert head.startswith("POST /hooks/a?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
    assert _target("https://example.com").origin == ("https", "example.com", 443)
    assert _target("https://example.com").head.startswith(b"POST / HTTP/1.1\r\n")


def test_credentials_in_the_url_become_basic_authentication() -> None:
    head = _target("https://us%40er:p%3Ass@example.com/h").head.decode()
    assert "Authorization: Basic dXNAZXI6cDpzcw==\r\n" in head  # us@er:p:ss
    assert "Host: example.com\r\n" in head
