"""A gateway killed with SIGKILL in the middle of a burst keeps every message it acknowledged.

One run per engine: thousands of messages are sent by concurrent clients; once 40 % have been
acknowledged the server is killed and the store is looked at as the crash left it; a new
server on the same store then has to finish the work, resubmitting at most two connector
windows of leased messages (one being submitted, one being recorded), and stop cleanly. The
tests below each check one promise against that run.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.crash.harness import Row, ServerProcess, Store, StoreView, operator_cli, running_server

pytestmark = pytest.mark.slow

TOTAL = 5_000
BATCH = 50
CLIENTS = 4
KILL_AFTER = 2_000  # acknowledged messages
WINDOW = 100  # the simulator connector's default window
SIMULATOR = {
    "SMSGATE_SIMULATOR_SUBMIT_LATENCY_MS": "2",
    "SMSGATE_SIMULATOR_REPORT_DELAY_MS": "200",
}
SEND_TIMEOUT_S = 30.0
LEASE_WAIT_S = 0.5
SETTLE_TIMEOUT_S = 20.0
SHUTDOWN_TIMEOUT_S = 15.0
FINAL = {"delivered", "undelivered", "expired", "rejected", "failed", "canceled"}
RESUBMITTING = "resubmitting messages claimed before a restart"


@dataclass(frozen=True)
class CrashRun:
    engine: str
    acknowledged: frozenset[int]  # ids the killed server answered 201 for
    at_kill: dict[int, Row]  # the store as the kill left it
    after_restart: dict[int, Row]  # the store once the restarted server has finished the queue
    reused_upstream_ids: int
    restart_log: list[dict[str, Any]]
    exit_code: int | None  # of the restarted server after SIGTERM

    def queued_at_kill(self) -> set[int]:
        """Acknowledged messages not yet handed to the upstream when the server was killed."""
        return with_status(self.at_kill, self.acknowledged, {"queued"})

    def leased_at_kill(self) -> set[int]:
        return {
            mid
            for mid, row in self.at_kill.items()
            if row.status == "queued" and row.claimed_by is not None
        }

    def statuses_after_restart(self, ids: Iterable[int]) -> Counter[str | None]:
        return Counter(
            self.after_restart[mid].status if mid in self.after_restart else None for mid in ids
        )

    def resubmission_counts(self) -> list[int]:
        return [int(e["count"]) for e in self.restart_log if e.get("event") == RESUBMITTING]


def with_status(rows: dict[int, Row], ids: Iterable[int], statuses: set[str]) -> set[int]:
    return {mid for mid in ids if mid in rows and rows[mid].status in statuses}


def recipient(n: int) -> str:
    return f"+485{n:08d}"


async def send_until_killed(server: ServerProcess, token: str, view: StoreView) -> frozenset[int]:
    """Send TOTAL messages in batches from CLIENTS clients; SIGKILL the server once KILL_AFTER
    are acknowledged. Requests cut off by the kill were never acknowledged: they don't count."""
    batches = iter(range(0, TOTAL, BATCH))  # shared: each batch goes out once
    acknowledged: set[int] = set()
    enough = asyncio.Event()

    async def client() -> None:
        async with httpx.AsyncClient(
            base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            for start in batches:
                body = {
                    "to": [recipient(n) for n in range(start, start + BATCH)],
                    "text": f"crash test batch {start // BATCH}",
                }
                try:
                    response = await http.post("/v1/messages", json=body)
                except httpx.TransportError:
                    return  # killed
                assert response.status_code == 201, response.text
                acknowledged.update(int(m["id"]) for m in response.json()["messages"])
                if len(acknowledged) >= KILL_AFTER:
                    enough.set()

    async def killer() -> None:
        await asyncio.wait_for(enough.wait(), SEND_TIMEOUT_S)
        await until_leased(view)
        server.kill()

    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(killer())
        for _ in range(CLIENTS):
            tasks.create_task(client())
    return frozenset(acknowledged)


async def until_leased(view: StoreView) -> None:
    """Wait, briefly, for the dispatcher to hold leases: a window of submits comes and goes in
    a few milliseconds, and a kill in between would leave nothing to resubmit."""
    deadline = time.monotonic() + LEASE_WAIT_S
    while await view.leases() == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.001)


async def settle(view: StoreView, ids: set[int]) -> dict[int, Row]:
    """Poll the store until every id is final, or SETTLE_TIMEOUT_S passes; the last look."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        rows = await view.rows()
        if with_status(rows, ids, FINAL) == ids or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.25)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def crash_run(
    store: Store, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[CrashRun]:
    logs = tmp_path_factory.mktemp(f"logs-{store.engine}")
    with running_server(store, logs / "before-kill.log", SIMULATOR) as doomed:
        operator_cli(store, "accounts", "create", "crash", "--region", "PL")
        token = json.loads(operator_cli(store, "keys", "create", "crash", "--json"))["token"]
        acknowledged = await send_until_killed(doomed, token, store.view)
    at_kill = await store.view.rows()
    with running_server(store, logs / "after-restart.log", SIMULATOR) as restarted:
        after_restart = await settle(store.view, set(acknowledged))
        exit_code = restarted.terminate(SHUTDOWN_TIMEOUT_S)
        yield CrashRun(
            store.engine,
            acknowledged,
            at_kill,
            after_restart,
            await store.view.reused_upstream_ids(),
            restarted.log_events(),
            exit_code,
        )


def test_the_kill_lands_mid_run(crash_run: CrashRun) -> None:
    assert KILL_AFTER <= len(crash_run.acknowledged) < TOTAL


def test_no_acknowledged_message_is_missing_from_the_store_after_the_kill(
    crash_run: CrashRun,
) -> None:
    assert sorted(crash_run.acknowledged - crash_run.at_kill.keys()) == []


def test_every_message_queued_at_the_kill_is_delivered_after_the_restart(
    crash_run: CrashRun,
) -> None:
    queued = crash_run.queued_at_kill()
    assert queued
    assert crash_run.statuses_after_restart(queued) == Counter({"delivered": len(queued)})


def test_every_acknowledged_message_is_delivered_after_the_restart(crash_run: CrashRun) -> None:
    statuses = crash_run.statuses_after_restart(crash_run.acknowledged)
    assert statuses == Counter({"delivered": len(crash_run.acknowledged)})


def test_only_the_messages_leased_at_the_kill_are_submitted_twice(crash_run: CrashRun) -> None:
    twice = {mid for mid, row in crash_run.after_restart.items() if row.attempts > 1}
    assert twice == crash_run.leased_at_kill()


def test_the_restart_logs_how_many_leased_messages_it_resubmits(crash_run: CrashRun) -> None:
    leased = len(crash_run.leased_at_kill())
    assert crash_run.resubmission_counts() == ([leased] if leased else [])


def test_resubmissions_after_a_kill_stay_within_two_connector_windows(
    crash_run: CrashRun,
) -> None:
    assert all(0 < count <= 2 * WINDOW for count in crash_run.resubmission_counts())


def test_upstream_ids_are_not_reused_after_a_restart(crash_run: CrashRun) -> None:
    assert crash_run.reused_upstream_ids == 0


def test_the_restarted_server_shuts_down_within_the_deadline_on_sigterm(
    crash_run: CrashRun,
) -> None:
    assert crash_run.exit_code is not None
    assert "gateway stopped" in [e.get("event") for e in crash_run.restart_log]


def test_the_restarted_server_exits_with_0_on_sigterm(crash_run: CrashRun) -> None:
    assert crash_run.exit_code == 0
