"""Message ids: increasing, unique, apart per node, and comparable with points in time."""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgate.store.ids import EPOCH_MS, IdGenerator, id_floor

NOW_MS = EPOCH_MS + 50 * 86_400_000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Stops the generator's clock at a chosen epoch millisecond."""

    def set_ms(epoch_ms: int) -> None:
        monkeypatch.setattr(time, "time", lambda: epoch_ms / 1000)

    set_ms(NOW_MS)
    return set_ms


def is_increasing(values: list[int]) -> bool:
    return all(a < b for a, b in pairwise(values))


def test_a_batch_of_ids_is_strictly_increasing() -> None:
    assert is_increasing(IdGenerator().take(1000))


def test_taking_no_ids_gives_none() -> None:
    assert IdGenerator().take(0) == []


def test_ids_taken_in_blocks_are_unique_and_increasing_across_200_000() -> None:
    generator = IdGenerator()
    taken = [i for _ in range(200) for i in generator.take(1000)]
    assert is_increasing(taken)


def test_one_block_larger_than_a_millisecond_holds_is_still_unique_and_increasing() -> None:
    taken = IdGenerator().take(200_000)
    assert len(taken) == 200_000
    assert is_increasing(taken)


def test_ids_keep_increasing_within_one_millisecond(clock: Callable[[int], None]) -> None:
    generator = IdGenerator()
    assert is_increasing(generator.take(70_000) + generator.take(70_000) + [generator.next()])


def test_ids_keep_increasing_when_the_clock_steps_back(clock: Callable[[int], None]) -> None:
    generator = IdGenerator()
    before = generator.take(10)
    clock(NOW_MS - 5_000)
    assert is_increasing(before + generator.take(10))


def test_ids_fit_in_a_signed_64_bit_integer() -> None:
    assert 0 < IdGenerator(63).take(1)[0] < 2**63


def test_generators_on_different_nodes_never_share_an_id(clock: Callable[[int], None]) -> None:
    first, second = IdGenerator(node_id=1), IdGenerator(node_id=2)
    assert not set(first.take(100_000)) & set(second.take(100_000))


@pytest.mark.parametrize("node_id", [-1, 64])
def test_a_node_id_outside_six_bits_is_refused(node_id: int) -> None:
    with pytest.raises(ValueError):
        IdGenerator(node_id)


def test_later_ids_sort_after_earlier_ones_across_generators(
    clock: Callable[[int], None],
) -> None:
    early = IdGenerator(node_id=63).next()
    clock(NOW_MS + 1)
    assert IdGenerator(node_id=0).next() > early


def test_an_id_is_not_below_the_floor_of_its_creation_time(clock: Callable[[int], None]) -> None:
    assert min(IdGenerator(node_id=0).take(5)) >= id_floor(NOW_MS)


def test_an_id_is_below_the_floor_of_any_later_millisecond(clock: Callable[[int], None]) -> None:
    assert max(IdGenerator(node_id=63).take(5)) < id_floor(NOW_MS + 1)


def test_the_floor_of_a_time_before_the_epoch_is_zero() -> None:
    assert id_floor(0) == 0
    assert id_floor(EPOCH_MS) == 0


MOMENTS = st.integers(EPOCH_MS - 86_400_000, EPOCH_MS + 2**41 - 1)


@given(MOMENTS, MOMENTS)
def test_the_id_floor_never_decreases_with_time(a: int, b: int) -> None:
    earlier, later = sorted((a, b))
    assert id_floor(earlier) <= id_floor(later)


@given(st.lists(st.integers(0, 3000), min_size=1, max_size=20), st.integers(0, 63))
def test_any_sequence_of_takes_gives_increasing_ids(sizes: list[int], node_id: int) -> None:
    generator = IdGenerator(node_id)
    taken = [i for size in sizes for i in generator.take(size)]
    assert len(taken) == sum(sizes)
    assert is_increasing(taken)
