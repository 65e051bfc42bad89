"""Group commit: which writes share a transaction, and in what order the groups run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from smsgate.store.database import Database, Tx


class Gate:
    """Holds a job inside its transaction until the test has queued what it wants behind it."""

    def __init__(self) -> None:
        self.entered = False
        self.opened = False

    async def wait_entered(self) -> None:
        for _ in range(5000):
            if self.entered:
                return
            await asyncio.sleep(0.001)
        raise AssertionError("the gated job never ran")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.open()
    yield database
    await database.close()


def recorder(
    seen: dict[str, Tx], order: list[str]
) -> Callable[..., Callable[[Tx], Awaitable[None]]]:
    def job(name: str, gate: Gate | None = None) -> Callable[[Tx], Awaitable[None]]:
        async def run(tx: Tx) -> None:
            seen[name] = tx  # kept alive, so `is` tells groups apart
            order.append(name)
            if gate is not None:
                gate.entered = True
                for _ in range(5000):
                    if gate.opened:
                        break
                    await asyncio.sleep(0.001)

        return run

    return job


async def test_writes_queued_with_background_work_go_first_in_a_group_of_their_own(
    db: Database,
) -> None:
    seen: dict[str, Tx] = {}
    order: list[str] = []
    job = recorder(seen, order)
    gate = Gate()
    running = asyncio.ensure_future(db.write(job("running", gate), background=True))
    await gate.wait_entered()
    queued = [
        asyncio.ensure_future(db.write(job("outcomes"), background=True)),
        asyncio.ensure_future(db.write(job("submit-1"))),
        asyncio.ensure_future(db.write(job("submit-2"))),
        asyncio.ensure_future(db.write(job("fan-out"), background=True)),
    ]
    await asyncio.sleep(0.01)
    gate.opened = True
    await asyncio.gather(running, *queued)

    assert order[1:3] == ["submit-1", "submit-2"]
    assert seen["submit-1"] is seen["submit-2"]
    assert seen["submit-1"] is not seen["outcomes"]


async def test_each_background_job_is_committed_on_its_own(db: Database) -> None:
    seen: dict[str, Tx] = {}
    order: list[str] = []
    job = recorder(seen, order)
    gate = Gate()
    running = asyncio.ensure_future(db.write(job("running", gate), background=True))
    await gate.wait_entered()
    queued = [
        asyncio.ensure_future(db.write(job(name), background=True))
        for name in ("outcomes", "reports")
    ]
    await asyncio.sleep(0.01)
    gate.opened = True
    await asyncio.gather(running, *queued)

    assert order == ["running", "outcomes", "reports"]
    assert seen["outcomes"] is not seen["reports"]


async def test_background_work_gets_every_other_group_under_a_steady_stream_of_writes(
    db: Database,
) -> None:
    seen: dict[str, Tx] = {}
    order: list[str] = []
    job = recorder(seen, order)
    first, second = Gate(), Gate()
    running = asyncio.ensure_future(db.write(job("running", first), background=True))
    await first.wait_entered()
    outcomes = asyncio.ensure_future(db.write(job("outcomes"), background=True))
    submit = asyncio.ensure_future(db.write(job("submit-1", second)))
    first.opened = True
    await second.wait_entered()
    later = asyncio.ensure_future(db.write(job("submit-2")))
    await asyncio.sleep(0.01)
    second.opened = True
    await asyncio.gather(running, outcomes, submit, later)

    assert order == ["running", "submit-1", "outcomes", "submit-2"]
