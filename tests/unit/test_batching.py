"""The batcher: many small items, one handler call, and each caller told when its batch is done."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from smsgate.batching import Batcher

# Long enough that a test passing within it did not wait for the delay.
SLOW = 30.0


class Recorder:
    """A handler that records each batch it is given, and can be held or made to fail."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.failure: Exception | None = None

    async def __call__(self, items: list[int]) -> None:
        self.batches.append(items)
        await self.gate.wait()
        if self.failure is not None:
            raise self.failure


@pytest.fixture
def handler() -> Recorder:
    return Recorder()


Start = Callable[..., Batcher[int]]


@pytest.fixture
async def started() -> AsyncIterator[Start]:
    """Starts batchers for a test, and closes them after it."""
    batchers: list[Batcher[int]] = []

    def start(
        handler: Recorder, *, max_items: int = 1000, max_delay: float = 0.005
    ) -> Batcher[int]:
        batcher = Batcher(handler, max_items=max_items, max_delay=max_delay)
        batcher.start()
        batchers.append(batcher)
        return batcher

    yield start
    for batcher in batchers:
        await batcher.close()


async def test_add_returns_once_the_handler_has_handled_the_item(
    started: Start, handler: Recorder
) -> None:
    await started(handler).add(7)
    assert handler.batches == [[7]]


async def test_add_does_not_return_while_the_handler_is_still_running(
    started: Start, handler: Recorder
) -> None:
    handler.gate.clear()
    adding = asyncio.create_task(started(handler).add(7))
    await asyncio.sleep(0.05)
    assert handler.batches == [[7]]
    assert not adding.done()
    handler.gate.set()
    await asyncio.wait_for(adding, 1)


async def test_items_added_together_are_handled_in_one_call_in_order(
    started: Start, handler: Recorder
) -> None:
    batcher = started(handler, max_delay=0.05)
    await asyncio.gather(*(batcher.add(i) for i in range(10)))
    assert handler.batches == [list(range(10))]


async def test_a_full_batch_is_handled_without_waiting_for_the_delay(
    started: Start, handler: Recorder
) -> None:
    batcher = started(handler, max_items=3, max_delay=SLOW)
    await asyncio.wait_for(asyncio.gather(*(batcher.add(i) for i in range(3))), 1)
    assert handler.batches == [[0, 1, 2]]


async def test_a_lone_item_waits_no_longer_than_the_delay(
    started: Start, handler: Recorder
) -> None:
    batcher = started(handler, max_items=1000, max_delay=0.01)
    await asyncio.wait_for(batcher.add(1), 1)
    assert handler.batches == [[1]]


async def test_hurry_hands_on_what_is_collected_without_waiting_for_the_delay(
    started: Start, handler: Recorder
) -> None:
    batcher = started(handler, max_delay=SLOW)
    pending = [batcher.add_nowait(i) for i in range(3)]
    batcher.hurry()
    await asyncio.wait_for(asyncio.gather(*pending), 1)
    assert handler.batches == [[0, 1, 2]]


async def test_hurry_with_nothing_collected_does_not_cut_the_next_batch_short(
    started: Start, handler: Recorder
) -> None:
    batcher = started(handler, max_delay=0.05)
    batcher.hurry()
    first = batcher.add_nowait(1)
    await asyncio.sleep(0.01)
    second = batcher.add_nowait(2)
    await asyncio.wait_for(asyncio.gather(first, second), 1)
    assert handler.batches == [[1, 2]]


async def test_items_arriving_while_a_batch_is_handled_go_to_the_next_batch(
    started: Start, handler: Recorder
) -> None:
    batcher = started(handler, max_delay=0.01)
    handler.gate.clear()
    first = asyncio.create_task(batcher.add(1))
    await asyncio.sleep(0.05)
    second = [asyncio.create_task(batcher.add(i)) for i in (2, 3)]
    handler.gate.set()
    await asyncio.wait_for(asyncio.gather(first, *second), 1)
    assert handler.batches == [[1], [2, 3]]


async def test_a_handler_failure_reaches_every_caller_of_that_batch(
    started: Start, handler: Recorder
) -> None:
    handler.failure = RuntimeError("disk full")
    batcher = started(handler, max_delay=0.05)
    results = await asyncio.gather(*(batcher.add(i) for i in range(3)), return_exceptions=True)
    assert results == [handler.failure] * 3
    assert len(handler.batches) == 1


async def test_a_handler_failure_does_not_stop_later_batches(
    started: Start, handler: Recorder
) -> None:
    batcher = started(handler)
    handler.failure = RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        await batcher.add(1)
    handler.failure = None
    await asyncio.wait_for(batcher.add(2), 1)
    assert handler.batches == [[1], [2]]


async def test_close_handles_what_is_pending_before_stopping(handler: Recorder) -> None:
    batcher: Batcher[int] = Batcher(handler, max_delay=SLOW)
    batcher.start()
    pending = [batcher.add_nowait(i) for i in range(5)]
    await asyncio.wait_for(batcher.close(), 1)
    assert handler.batches == [[0, 1, 2, 3, 4]]
    assert all(future.done() and future.exception() is None for future in pending)


async def test_close_of_an_idle_batcher_returns_at_once(handler: Recorder) -> None:
    batcher: Batcher[int] = Batcher(handler, max_delay=SLOW)
    batcher.start()
    await asyncio.sleep(0)
    await asyncio.wait_for(batcher.close(), 1)
    assert handler.batches == []
