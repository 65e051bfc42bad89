"""Two `smsgate serve` processes on one PostgreSQL database and one Redis hold an account to
its limits together: the rate, the duplicate window and the cap per subscriber count the
requests made through both.

One run: the account's requests go to the two servers in turn, and the tests below each check
one promise against the answers. Each server on its own would have let every request through,
so a refusal shows a count both share.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio

from tests.conftest import fresh_postgres_url, fresh_redis_space
from tests.crash.harness import PostgresView, Store, operator_cli, running_servers

pytestmark = pytest.mark.postgres

RATE = 10  # the account's requests a second
OVER = 5  # requests sent past it
SUBSCRIBER_MAX = 2
LIMITS = ("--rate", str(RATE), "--duplicate-window", "60", "--subscriber-max", str(SUBSCRIBER_MAX))
SUBSCRIBER = "+48500600700"
WINDOW_TRIES = 5


@dataclass(frozen=True)
class SharedRun:
    ports: set[int | None]  # of the two servers
    burst: list[httpx.Response]  # RATE + OVER reads, to each server in turn, within one second
    repeated: tuple[
        httpx.Response, httpx.Response
    ]  # a send to the first server, then to the second
    capped: list[httpx.Response]  # sends to SUBSCRIBER through the first, second, first server


def port_of(response: httpx.Response) -> int | None:
    return response.request.url.port


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def next_second() -> None:
    """Until a new one-second window of the rate begins."""
    now = time.time()
    await asyncio.sleep(math.floor(now) + 1 - now)


async def within_one_second(
    requests: Callable[[], Awaitable[list[httpx.Response]]],
) -> list[httpx.Response]:
    """The answers to `requests` made from the start of a second to its end (tried again in
    the next when they ran over)."""
    for _ in range(WINDOW_TRIES):
        await next_second()
        second = math.floor(time.time())
        answers = await requests()
        if math.floor(time.time()) == second:
            return answers
    raise AssertionError(f"{RATE + OVER} requests did not fit in one second")


async def play(clients: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> SharedRun:
    first, second = clients

    async def burst() -> list[httpx.Response]:
        return [await clients[n % 2].get("/v1/balance") for n in range(RATE + OVER)]

    for client in clients:  # a key's first use costs a slow check: not inside the second
        (await client.get("/v1/balance")).raise_for_status()
    answers = await within_one_second(burst)
    await next_second()  # the sends below start with the rate unused
    order = {"to": ["+48500600701"], "text": "Your order has shipped"}
    repeated = (
        await first.post("/v1/messages", json=order),
        await second.post("/v1/messages", json=order),
    )
    capped = [
        await node.post("/v1/messages", json={"to": [SUBSCRIBER], "text": f"Hi {n}"})
        for n, node in enumerate((first, second, first))
    ]
    return SharedRun({c.base_url.port for c in clients}, answers, repeated, capped)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_run(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SharedRun]:
    data_dir = tmp_path_factory.mktemp("shared-limits")
    async for url in fresh_postgres_url():
        async for redis in fresh_redis_space():
            env = {
                "SMSGATE_DATABASE_URL": url,
                "SMSGATE_REDIS_URL": redis.url,
                "SMSGATE_REDIS_PREFIX": redis.prefix,
                # The two start at once: neither races the other to make the demo account.
                "SMSGATE_DEMO_ACCOUNT": "false",
            }
            store = Store("postgres", data_dir, env, PostgresView(url))
            operator_cli(store, "accounts", "create", "acme", "--region", "PL")
            operator_cli(store, "accounts", "limits", "acme", *LIMITS)
            token = json.loads(operator_cli(store, "keys", "create", "acme", "--json"))["token"]
            nodes = [{"SMSGATE_NODE_ID": "1"}, {"SMSGATE_NODE_ID": "2"}]
            with running_servers(store, data_dir, nodes) as (one, two):
                headers = {"Authorization": f"Bearer {token}"}
                async with (
                    httpx.AsyncClient(base_url=one.base_url, headers=headers, timeout=10) as a,
                    httpx.AsyncClient(base_url=two.base_url, headers=headers, timeout=10) as b,
                ):
                    run = await play((a, b))
            yield run


def test_requests_spread_over_both_servers_are_admitted_up_to_the_shared_rate(
    shared_run: SharedRun,
) -> None:
    statuses = [r.status_code for r in shared_run.burst]
    assert statuses == [200] * RATE + [429] * OVER
    assert {port_of(r) for r in shared_run.burst[:RATE]} == shared_run.ports


def test_each_server_refuses_past_the_shared_rate_with_429_and_retry_after(
    shared_run: SharedRun,
) -> None:
    refused = shared_run.burst[RATE:]
    assert {port_of(r) for r in refused} == shared_run.ports
    assert {error_code(r) for r in refused} == {"rate_limited"}
    assert {r.headers["retry-after"] for r in refused} == {"1"}


def test_an_identical_send_repeated_on_the_other_server_is_refused_as_a_duplicate(
    shared_run: SharedRun,
) -> None:
    first, again = shared_run.repeated
    assert first.status_code == 201, first.text
    assert (again.status_code, error_code(again)) == (409, "duplicate_request")


def test_the_cap_per_subscriber_counts_the_sends_of_both_servers(shared_run: SharedRun) -> None:
    assert [r.status_code for r in shared_run.capped] == [201] * SUBSCRIBER_MAX + [400]
    (over_the_cap,) = shared_run.capped[-1].json()["messages"]
    assert over_the_cap["error"]["code"] == "subscriber_limit"
