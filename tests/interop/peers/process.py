"""A peer process driven over JSON lines: events on its stdout, commands on its stdin.

Every peer runs in its own session (process group) so that stopping it also ends whatever it
forked; the group is ended by its own id, never by name."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

REQUIRE_SERVICES = os.environ.get("SMSGATE_REQUIRE_SERVICES") == "1"
HOST = "127.0.0.1"

Event = dict[str, Any]


def unavailable(reason: str) -> NoReturn:
    """Skip: the peer is not installed here; in CI (SMSGATE_REQUIRE_SERVICES=1) fail instead."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (SMSGATE_REQUIRE_SERVICES=1; .ci/run installs the peers)")
    pytest.skip(reason)


async def end_group(process: asyncio.subprocess.Process, grace: float) -> None:
    """Wait up to `grace` s for the process to end, then TERM its group, then KILL it."""
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), grace)
            return
    raise AssertionError(f"process {process.pid} survived SIGKILL")


def matches(event: Event, name: str, where: Callable[[Event], bool] | None, fields: Event) -> bool:
    return (
        event.get("event") == name
        and all(event.get(k) == v for k, v in fields.items())
        and (where is None or where(event))
    )


class JsonLinesPeer:
    """The process and what it reported; `events` keeps every event in arrival order."""

    name = "peer"

    def __init__(self, argv: Sequence[str], cwd: Path | None = None) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.events: list[Event] = []
        self.stderr: deque[str] = deque(maxlen=50)
        self.process: asyncio.subprocess.Process | None = None
        self._changed = asyncio.Condition()
        self._refs = itertools.count(1)
        self._readers: list[asyncio.Task[None]] = []

    async def start(self, ready: str, timeout: float = 10.0) -> Event:
        """Start the process and wait for its first `ready` event (or `error`)."""
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=self.cwd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            limit=4 * 1024 * 1024,  # a line carries a whole PDU in hex, twice
        )
        self._readers = [
            asyncio.create_task(self._read_events()),
            asyncio.create_task(self._read_stderr()),
        ]
        return await self.wait_for(ready, timeout=timeout)

    async def stop(self, grace: float = 3.0) -> None:
        """Close stdin (the peers end by themselves then), then end the group if it lingers."""
        if self.process is None:
            return
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        await end_group(self.process, grace)
        for reader in self._readers:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(reader, grace)

    def decorate(self, event: Event) -> Event:
        """A subclass may add derived fields to an event as it arrives."""
        return event

    async def _read_events(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            try:
                event = self.decorate(json.loads(line))
            except ValueError:
                self.stderr.append(f"(stdout, not JSON) {line!r}")
                continue
            async with self._changed:
                self.events.append(event)
                self._changed.notify_all()
        async with self._changed:
            self.events.append({"event": "exit"})
            self._changed.notify_all()

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for line in self.process.stderr:
            self.stderr.append(line.decode(errors="replace").rstrip())

    def seen(
        self, name: str, /, where: Callable[[Event], bool] | None = None, **fields: Any
    ) -> list[Event]:
        """The `name` events so far whose fields equal `fields` (and that pass `where`)."""
        return [e for e in self.events if matches(e, name, where, fields)]

    async def wait_many(
        self,
        name: str,
        count: int,
        /,
        timeout: float = 5.0,
        where: Callable[[Event], bool] | None = None,
        **fields: Any,
    ) -> list[Event]:
        """The first `count` matching events, waiting up to `timeout` s for them to arrive."""

        def enough() -> bool:
            return len(self.seen(name, where, **fields)) >= count or self._exited()

        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(enough), timeout)
        found = self.seen(name, where, **fields)
        if len(found) < count:
            self._fail(f"{len(found)} of {count} {name!r} events {fields or ''} in {timeout} s")
        return found[:count]

    async def wait_for(
        self,
        name: str,
        /,
        timeout: float = 5.0,
        where: Callable[[Event], bool] | None = None,
        **fields: Any,
    ) -> Event:
        """The first matching event, waiting up to `timeout` s for it."""
        return (await self.wait_many(name, 1, timeout, where, **fields))[0]

    async def command(self, cmd: str, /, timeout: float = 5.0, **fields: Any) -> Event:
        """Send a command and wait until the peer says it is done; its answer is returned."""
        assert self.process is not None and self.process.stdin is not None
        ref = next(self._refs)
        line = json.dumps({"cmd": cmd, "ref": ref, **fields}) + "\n"
        self.process.stdin.write(line.encode())
        await self.process.stdin.drain()
        done = await self.wait_for("done", timeout, ref=ref)
        if "error" in done:
            self._fail(f"command {cmd} failed: {done['error']}")
        return done

    def _exited(self) -> bool:
        return any(e.get("event") == "exit" for e in self.events[-1:])

    def _fail(self, what: str) -> NoReturn:
        recent = "\n  ".join(json.dumps(e)[:300] for e in self.events[-15:])
        errors = "\n  ".join(self.stderr)
        raise AssertionError(
            f"{self.name}: {what}\n recent events:\n  {recent}\n stderr:\n  {errors}"
        )


class Carrier(JsonLinesPeer):
    """A peer that listens for our client connector; `port` is known once it is listening."""

    host = HOST
    port = 0

    def submits(self, **fields: Any) -> list[Event]:
        return self.seen("submit_sm", **fields)

    async def wait_submits(self, count: int, timeout: float = 5.0, **fields: Any) -> list[Event]:
        return await self.wait_many("submit_sm", count, timeout, **fields)


@asynccontextmanager
async def running(peer: JsonLinesPeer, ready: str, timeout: float = 10.0) -> AsyncIterator[Event]:
    """The peer started (its `ready` event is yielded) and stopped again on the way out."""
    try:
        yield await peer.start(ready, timeout)
    finally:
        await peer.stop()
