"""Rate and abuse limits over HTTP, on each engine: the account's request rate and requests in
progress (429 with Retry-After), repeated requests, messages per subscriber, quiet hours,
blocked addresses, and the same counters shared by two nodes through Redis."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from smsgate.config import LimitSettings
from smsgate.connectors.base import Connector
from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError
from smsgate.domain.limits import LimitOverrides
from smsgate.runtime import Gateway
from smsgate.services.counters import RedisCounters
from smsgate.services.sending import SendCommand
from tests.conftest import RedisSpace
from tests.integration.conftest import Running, settings_for
from tests.integration.connectors import RecordingConnector
from tests.integration.test_connectors_api import Start, admin, admin_gateway, error_of
from tests.integration.test_dispatch import wait_until

__all__ = ["admin_gateway"]

SUBSCRIBER = "+48500600700"


async def send(gw: Running, **body: Any) -> Any:
    return await gw.client.post("/v1/messages", json={"to": [SUBSCRIBER], "text": "Hi"} | body)


async def set_limits(gw: Running, **limits: Any) -> dict[str, Any]:
    async with admin(gw) as api:
        response = await api.put("/v1/admin/accounts/acme/limits", json=limits)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
async def operated(admin_gateway: Start) -> AsyncIterator[Running]:
    async for gw in admin_gateway():
        yield gw


async def test_requests_beyond_the_rate_are_refused_with_retry_after(operated: Running) -> None:
    await set_limits(operated, rate_per_s=3)
    answers = [await operated.client.get("/v1/balance") for _ in range(10)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused, [a.status_code for a in answers]
    assert error_of(refused[0])[1] == "rate_limited"
    assert refused[0].headers["retry-after"] == "1"


async def test_requests_beyond_the_cap_in_progress_are_refused(operated: Running) -> None:
    await set_limits(operated, concurrent=1, duplicate_window_s=0, subscriber_max=0)
    answers = await asyncio.gather(*(send(operated) for _ in range(20)))
    statuses = {a.status_code for a in answers}
    assert statuses == {201, 429}, statuses
    refused = next(a for a in answers if a.status_code == 429)
    assert error_of(refused)[1] == "too_many_concurrent"
    assert "retry-after" in refused.headers


async def test_an_identical_send_within_the_window_is_refused(operated: Running) -> None:
    assert (await send(operated)).status_code == 201
    again = await send(operated)
    assert error_of(again)[:2] == (409, "duplicate_request")
    assert (await send(operated, text="Something else")).status_code == 201


async def test_a_send_refused_for_another_reason_may_be_repeated(operated: Running) -> None:
    assert (await send(operated, to=["12"])).status_code == 400
    assert (await send(operated, to=["12"])).status_code == 400  # not 409


async def test_a_repeat_with_an_idempotency_key_gets_the_first_answer(operated: Running) -> None:
    headers = {"Idempotency-Key": "order-1"}
    first = await operated.client.post(
        "/v1/messages", json={"to": [SUBSCRIBER], "text": "Hi"}, headers=headers
    )
    again = await operated.client.post(
        "/v1/messages", json={"to": [SUBSCRIBER], "text": "Hi"}, headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()


async def test_the_duplicate_window_can_be_switched_off(operated: Running) -> None:
    await set_limits(operated, duplicate_window_s=0)
    assert [(await send(operated)).status_code for _ in range(2)] == [201, 201]


async def test_a_subscriber_gets_at_most_the_cap_within_the_window(operated: Running) -> None:
    await set_limits(operated, subscriber_max=2)
    assert (await send(operated, text="one")).status_code == 201
    assert (await send(operated, text="two")).status_code == 201
    third = await send(operated, to=[SUBSCRIBER, "+48500600701"], text="three")
    assert third.status_code == 201
    capped, fresh = third.json()["messages"]
    assert capped["error"]["code"] == "subscriber_limit"
    assert "id" in fresh


async def test_quiet_hours_hold_a_message_until_they_end(operated: Running) -> None:
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    await set_limits(operated, quiet_hours=f"{start:%H:%M}-{end:%H:%M}", quiet_timezone="UTC")
    held = await send(operated)
    assert held.json()["status"] == "scheduled"
    message = (await operated.client.get(f"/v1/messages/{held.json()['messages'][0]['id']}")).json()
    assert message["send_at"].startswith(f"{end:%Y-%m-%dT%H:%M}")
    urgent = await send(operated, urgent=True, text="code 1234")
    assert urgent.json()["status"] == "queued"


async def test_an_address_failing_to_authenticate_is_blocked_for_a_while(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway(limits=LimitSettings(auth_failures=3, auth_block_s=60)):
        async with gw.as_key("acme.wrong") as stranger:
            failures = [await stranger.get("/v1/balance") for _ in range(3)]
        assert {f.status_code for f in failures} == {401}
        blocked = await gw.client.get("/v1/balance")  # even with the right key, from there
    assert error_of(blocked)[:2] == (429, "auth_blocked")
    assert 55 <= int(blocked.headers["retry-after"]) <= 60


async def test_the_operator_reads_an_accounts_own_and_effective_limits(operated: Running) -> None:
    answer = await set_limits(
        operated, rate_per_s=10, quiet_hours="21:00-08:00", quiet_timezone="Europe/Warsaw"
    )
    assert answer["own"]["rate_per_s"] == 10
    assert answer["effective"] == {
        "rate_per_s": 10,
        "concurrent": 0,
        "duplicate_window_s": 60,
        "subscriber_max": 50,
        "subscriber_window_s": 60,
        "quiet_hours": "21:00-08:00",
        "quiet_timezone": "Europe/Warsaw",
    }
    assert (await operated.client.get("/v1/limits")).json() == answer["effective"]


async def set_timezone(gw: Running, zone: str) -> Any:
    async with admin(gw) as api:
        return await api.put("/v1/admin/accounts/acme/timezone", json={"timezone": zone})


async def test_quiet_hours_given_without_a_zone_follow_the_accounts_time_zone(
    operated: Running,
) -> None:
    await set_timezone(operated, "Europe/Warsaw")
    answer = await set_limits(operated, quiet_hours="21:00-08:00")
    assert answer["own"]["quiet_timezone"] is None
    assert answer["effective"]["quiet_timezone"] == "Europe/Warsaw"
    await set_timezone(operated, "America/New_York")
    assert (await operated.client.get("/v1/limits")).json()["quiet_timezone"] == (
        "America/New_York"
    )


async def test_quiet_hours_given_in_a_zone_keep_it_when_the_account_moves(
    operated: Running,
) -> None:
    await set_limits(operated, quiet_hours="21:00-08:00", quiet_timezone="Europe/Warsaw")
    await set_timezone(operated, "America/New_York")
    assert (await operated.client.get("/v1/limits")).json()["quiet_timezone"] == "Europe/Warsaw"


async def test_the_operator_sets_and_reads_an_accounts_time_zone(operated: Running) -> None:
    assert (await set_timezone(operated, "Europe/Warsaw")).json() == {
        "account": "acme",
        "timezone": "Europe/Warsaw",
    }
    async with admin(operated) as api:
        shown = await api.get("/v1/admin/accounts/acme/timezone")
        unknown = await api.get("/v1/admin/accounts/nobody/timezone")
    assert shown.json()["timezone"] == "Europe/Warsaw"
    assert unknown.status_code == 404


async def test_an_unknown_time_zone_is_refused(operated: Running) -> None:
    assert error_of(await set_timezone(operated, "Nowhere/City")) == (
        400,
        "invalid_field",
        "timezone",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rate_per_s": -1}, "rate_per_s"),
        ({"subscriber_window_s": 0}, "subscriber_window_s"),
        ({"quiet_hours": "late"}, "hours"),
        ({"quiet_hours": "21:00-08:00", "quiet_timezone": "Nowhere/City"}, "timezone"),
    ],
)
async def test_bad_limits_are_refused_naming_the_field(
    operated: Running, body: dict[str, Any], field: str
) -> None:
    async with admin(operated) as api:
        refused = await api.put("/v1/admin/accounts/acme/limits", json=body)
    assert (refused.status_code, error_of(refused)[2]) == (400, field)


# Two nodes sharing their counters through Redis


@contextlib.asynccontextmanager
async def nodes_sharing(
    database_url: str,
    tmp_path: Path,
    redis: RedisSpace,
    connectors: Callable[[], list[Connector]] | None = None,
) -> AsyncIterator[tuple[Gateway, Gateway, Account]]:
    """Two gateway nodes on one database and one Redis, each running `connectors()` (else the
    simulator), and the account both serve."""
    limits = LimitSettings(subscriber_max=1, auth_failures=2, auth_block_s=60)
    nodes = [
        Gateway(
            settings_for(database_url, tmp_path).model_copy(
                update={
                    "node_id": n,
                    "redis_url": redis.url,
                    "redis_prefix": redis.prefix,
                    "limits": limits,
                }
            ),
            connectors() if connectors else None,
        )
        for n in (1, 2)
    ]
    for node in nodes:
        await node.start()
    try:
        account = await nodes[0].accounts.create_account("acme", default_region="PL")
        yield nodes[0], nodes[1], account
    finally:
        for node in nodes:
            await node.stop()


@pytest.fixture
async def two_nodes(
    database_url: str, tmp_path: Path, redis_space: RedisSpace
) -> AsyncIterator[tuple[Gateway, Gateway, Account]]:
    async with nodes_sharing(database_url, tmp_path, redis_space) as nodes:
        yield nodes


async def refusal(node: Gateway, account: Account, cmd: SendCommand) -> str | None:
    try:
        result = await node.sending.send(account, cmd)
    except DomainError as refused:
        return refused.code
    return result.recipients[0].error_code


async def test_a_duplicate_sent_to_another_node_is_refused(
    two_nodes: tuple[Gateway, Gateway, Account],
) -> None:
    first, second, account = two_nodes
    cmd = SendCommand(to=(SUBSCRIBER,), text="Hi")
    assert await refusal(first, account, cmd) is None
    assert await refusal(second, account, cmd) == "duplicate_request"


async def test_the_subscriber_cap_counts_the_sends_of_every_node(
    two_nodes: tuple[Gateway, Gateway, Account],
) -> None:
    first, second, account = two_nodes
    assert await refusal(first, account, SendCommand(to=(SUBSCRIBER,), text="one")) is None
    capped = await refusal(second, account, SendCommand(to=(SUBSCRIBER,), text="two"))
    assert capped == "subscriber_limit"


async def test_an_address_blocked_on_one_node_is_blocked_on_the_other(
    two_nodes: tuple[Gateway, Gateway, Account],
) -> None:
    first, second, _ = two_nodes
    for _ in range(2):
        await first.auth_guard.failed("192.0.2.7")
    with pytest.raises(DomainError) as blocked:
        await second.auth_guard.check("192.0.2.7")
    assert blocked.value.code == "auth_blocked"
    await second.auth_guard.check("192.0.2.8")  # another address is not


async def test_the_rate_is_counted_across_nodes(
    two_nodes: tuple[Gateway, Gateway, Account],
) -> None:
    first, second, account = two_nodes
    await first.limits.set_overrides("acme", LimitOverrides(rate_per_s=4))
    await second.limit_book.refresh()
    # Within one second window (retried if the test straddles a boundary).
    for _ in range(3):
        admitted = 0
        for node in (first, second, first, second, first):
            try:
                await node.limits.admit(account)
                admitted += 1
            except DomainError as refused:
                assert refused.code == "rate_limited"
        if admitted == 4:
            return
        await asyncio.sleep(1.0)
    raise AssertionError("five requests over two nodes were not cut at four")


async def test_a_connectors_throughput_is_kept_by_every_node_together(
    database_url: str, tmp_path: Path, redis_space: RedisSpace
) -> None:
    upstreams: list[RecordingConnector] = []

    def connectors() -> list[Connector]:
        upstreams.append(RecordingConnector(throughput=20, window=50))
        return [upstreams[-1]]

    async with nodes_sharing(database_url, tmp_path, redis_space, connectors) as nodes:
        first, second, account = nodes
        for n, node in enumerate((first, second)):
            to = tuple(f"+4850060{n}{i:03d}" for i in range(20))
            await node.sending.send(account, SendCommand(to=to, text="Hi"))
        await wait_until(lambda: sum(len(u.submitted) for u in upstreams) == 40)
    assert all(upstream.submitted for upstream in upstreams)  # both nodes sent
    times = sorted(t for upstream in upstreams for t in upstream.submit_times)
    # 40 at 20/s after one burst of 10: 1.5 s. Each node pacing alone would take 0.5 s.
    assert times[-1] - times[0] >= 1.2


async def test_nodes_booking_one_schedule_in_redis_take_turns(redis_space: RedisSpace) -> None:
    nodes = [RedisCounters(redis_space.url, redis_space.prefix) for _ in range(2)]
    try:
        waits = [
            await nodes[n % 2].book("pace:x", interval=0.1, burst=0.1, hold=1.0) for n in range(4)
        ]
        beyond_hold = await nodes[0].book("pace:x", interval=1.0, burst=1.0, hold=0.1)
        after = await nodes[1].book("pace:x", interval=0.1, burst=0.1, hold=1.0)
    finally:
        for node in nodes:
            await node.close()
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3], abs=0.03)
    # Told its wait, but not booked: the next one asking gets the same turn.
    assert beyond_hold == pytest.approx(0.4, abs=0.03)
    assert after == pytest.approx(0.4, abs=0.03)


async def test_gateways_under_different_redis_prefixes_count_apart(
    redis_space: RedisSpace,
) -> None:
    ours, theirs = (RedisCounters(redis_space.url, f"{redis_space.prefix}{g}:") for g in "ab")
    try:
        assert (await ours.count("rate:1", 3600))[0] == 1
        assert (await theirs.count("rate:1", 3600))[0] == 1
        assert (await ours.count("rate:1", 3600))[0] == 2
    finally:
        await ours.close()
        await theirs.close()
