"""A gateway killed with SIGKILL while its webhooks cannot be delivered still sends every one
of them after a restart, in order per message.

The receiver is down while messages are sent, so events pile up in the outbox and as pending
deliveries (some may not even be fanned out yet when the kill lands); the server is killed,
the receiver comes up, and a new server on the same store has to deliver them all.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests.crash.harness import Store, operator_cli, running_server
from tests.integration.receiver import Receiver

pytestmark = pytest.mark.slow

MESSAGES = 200
ENV = {
    "SMSGATE_SIMULATOR_SUBMIT_LATENCY_MS": "1",
    "SMSGATE_SIMULATOR_REPORT_DELAY_MS": "50",
    "SMSGATE_WEBHOOKS__RETRY_BASE_S": "0.05",
    "SMSGATE_WEBHOOKS__RETRY_CAP_S": "0.5",
    "SMSGATE_WEBHOOKS__BREAKER_COOLDOWN_S": "0.1",
    "SMSGATE_WEBHOOKS__BREAKER_COOLDOWN_CAP_S": "0.5",
    "SMSGATE_WEBHOOKS__QUEUE_PER_ENDPOINT": "50",
}
PILE_UP_TIMEOUT_S = 20.0
DELIVERY_TIMEOUT_S = 30.0


async def until(condition_met: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await condition_met():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s")
        await asyncio.sleep(0.1)


@pytest.mark.asyncio(loop_scope="module")
async def test_webhooks_pending_at_a_kill_are_all_sent_after_the_restart(
    store: Store, tmp_path: Path
) -> None:
    receiver = Receiver()
    await receiver.start()  # to own a port
    await receiver.stop()
    with running_server(store, tmp_path / "before-kill.log", ENV) as doomed:
        operator_cli(store, "accounts", "create", "hooks", "--region", "PL")
        token = json.loads(operator_cli(store, "keys", "create", "hooks", "--json"))["token"]
        async with httpx.AsyncClient(
            base_url=doomed.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            created = await client.post("/v1/webhooks", json={"url": receiver.url("/hooks")})
            assert created.status_code == 201, created.text
            recipients = [f"+48500{n:06d}" for n in range(MESSAGES)]
            sent = await client.post("/v1/messages", json={"to": recipients, "text": "x"})
            assert sent.status_code == 201, sent.text
            ids = {m["id"] for m in sent.json()["messages"]}

        async def piled_up() -> bool:
            return (await store.view.webhook_deliveries()).get("pending", 0) >= MESSAGES

        await until(piled_up, PILE_UP_TIMEOUT_S)
        doomed.kill()
    at_kill = await store.view.webhook_deliveries()
    assert at_kill.get("delivered", 0) == 0

    await receiver.start()
    try:
        with running_server(store, tmp_path / "after-restart.log", ENV):

            async def all_received() -> bool:
                return len(receiver.unique()) >= 2 * MESSAGES

            await until(all_received, DELIVERY_TIMEOUT_S)
    finally:
        await receiver.stop()

    statuses: dict[str, list[str]] = {}
    for r in receiver.unique():
        data = r.json()["data"]
        statuses.setdefault(data["message_id"], []).append(data["status"])
    assert statuses == {message_id: ["sent", "delivered"] for message_id in ids}
