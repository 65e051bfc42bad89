"""A gateway killed with SIGKILL in the middle of a spread campaign releases the rest of it
after a restart: no message lost, none made or released twice."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests.crash.harness import Store, operator_cli, running_server

pytestmark = pytest.mark.slow

MESSAGES = 60
ENV = {"SMSGATE_SIMULATOR_SUBMIT_LATENCY_MS": "1", "SMSGATE_SIMULATOR_REPORT_DELAY_MS": "50"}
TIMEOUT_S = 30.0


async def until(condition_met: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await condition_met():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s")
        await asyncio.sleep(0.05)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_spread_campaign_killed_midway_finishes_after_a_restart_each_message_once(
    store: Store, tmp_path: Path
) -> None:
    with running_server(store, tmp_path / "before-kill.log", ENV) as doomed:
        operator_cli(store, "accounts", "create", "shop", "--region", "PL")
        token = json.loads(operator_cli(store, "keys", "create", "shop", "--json"))["token"]
        async with httpx.AsyncClient(
            base_url=doomed.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            made = await client.post(
                "/v1/campaigns",
                json={
                    "name": "spread",
                    "text": "x",
                    "to": [f"+48500{n:06d}" for n in range(MESSAGES)],
                    "period": 4,
                    "every": 1,
                },
            )
            assert made.status_code == 201, made.text

        async def part_released() -> bool:
            statuses = Counter(r.status for r in (await store.view.rows()).values())
            return statuses["scheduled"] < MESSAGES - 15 and statuses["scheduled"] > 0

        await until(part_released, TIMEOUT_S)
        doomed.kill()
    at_kill = Counter(r.status for r in (await store.view.rows()).values())
    assert 0 < at_kill["scheduled"] < MESSAGES

    with running_server(store, tmp_path / "after-restart.log", ENV):

        async def all_delivered() -> bool:
            rows = (await store.view.rows()).values()
            return sum(r.status == "delivered" for r in rows) == MESSAGES

        await until(all_delivered, TIMEOUT_S)
    rows = await store.view.rows()
    assert len(rows) == MESSAGES
    assert await store.view.reused_upstream_ids() == 0
