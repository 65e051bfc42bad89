"""Message ids: 63-bit integers that sort by creation time and never collide across nodes.

Layout: milliseconds since 2024-01-01 (41 bits, ~69 years) | node id (6 bits) | sequence (16 bits).
Generated in-process so a 100,000-row insert needs no round trip for ids, and cursor pagination can
walk them in time order.
"""

from __future__ import annotations

import time

from sqlalchemy import ColumnElement

EPOCH_MS = 1_704_067_200_000
_SEQ_BITS = 16
_NODE_BITS = 6
_SHIFT = _SEQ_BITS + _NODE_BITS
_SEQ_SPACE = 1 << _SEQ_BITS


class IdGenerator:
    def __init__(self, node_id: int = 0):
        if not 0 <= node_id < (1 << _NODE_BITS):
            raise ValueError("node_id must be in 0..63")
        self._node = node_id << _SEQ_BITS
        self._ms = 0
        self._seq = 0

    def take(self, n: int) -> list[int]:
        """Reserve `n` increasing ids in one call (a whole batch at once)."""
        now = int(time.time() * 1000) - EPOCH_MS
        if now > self._ms:
            self._ms, self._seq = now, 0
        ids: list[int] = []
        while len(ids) < n:
            if self._seq == _SEQ_SPACE:
                # This millisecond's sequence space is spent: borrow the next one (ids stay unique
                # and ordered; the clock catches up within milliseconds).
                self._ms, self._seq = self._ms + 1, 0
            take = min(n - len(ids), _SEQ_SPACE - self._seq)
            base = (self._ms << _SHIFT) | self._node
            ids.extend(range(base + self._seq, base + self._seq + take))
            self._seq += take
        return ids

    def next(self) -> int:
        return self.take(1)[0]


def id_floor(epoch_ms: int) -> int:
    """Smallest id that can be created at `epoch_ms`: turns a time filter into an id range."""
    return max(epoch_ms - EPOCH_MS, 0) << _SHIFT


def id_range(
    column: ColumnElement[int],
    *,
    id_from: int | None,
    id_to: int | None,
    before_id: int | None,
) -> list[ColumnElement[bool]]:
    """Conditions for a newest-first listing: ids from `id_from` (inclusive) up to the lower
    of `id_to` (a time filter) and `before_id` (the cursor), both exclusive."""
    conditions = []
    if id_from is not None:
        conditions.append(column >= id_from)
    upper = [b for b in (id_to, before_id) if b is not None]
    if upper:
        conditions.append(column < min(upper))
    return conditions
