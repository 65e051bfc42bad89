"""`smsgate serve` as real child processes, and read-only views of their store.

The crash tests kill the server with SIGKILL, so it must run in its own process; the store is
then read directly, never through a server, to see exactly what a crash left behind. Servers
that share a store and a Redis run as separate processes too, as separate nodes would.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.ports import free_port

SMSGATE = Path(sys.executable).with_name("smsgate")
STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Row:
    """What the crash tests look at in a message: its status, its lease, how often it was
    claimed for a submit."""

    status: str
    claimed_by: str | None
    attempts: int


class StoreView(ABC):
    """A read-only look at a server's store, taken whether a server runs or not."""

    async def rows(self) -> dict[int, Row]:
        found = await self._fetch("SELECT id, status, claimed_by, attempts FROM messages")
        return {
            mid: Row(status, claimed_by, attempts) for mid, status, claimed_by, attempts in found
        }

    async def leases(self) -> int:
        """How many messages a dispatcher holds right now."""
        found = await self._fetch("SELECT count(*) FROM messages WHERE claimed_by IS NOT NULL")
        return int(found[0][0])

    async def reused_upstream_ids(self) -> int:
        """How many upstream ids name more than one part (reports are matched by them)."""
        found = await self._fetch(
            "SELECT count(*) FROM (SELECT 1 FROM message_parts"
            " GROUP BY connector, upstream_id HAVING count(*) > 1) AS reused"
        )
        return int(found[0][0])

    async def webhook_deliveries(self) -> dict[str, int]:
        """Webhook deliveries by state."""
        found = await self._fetch("SELECT state, count(*) FROM webhook_deliveries GROUP BY state")
        return {state: int(count) for state, count in found}

    @abstractmethod
    async def _fetch(self, sql: str) -> list[tuple[Any, ...]]: ...


class SqliteView(StoreView):
    def __init__(self, path: Path):
        self._uri = f"file:{path}?mode=ro"

    async def _fetch(self, sql: str) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self._uri, uri=True, timeout=10)) as conn:
            return conn.execute(sql).fetchall()


class PostgresView(StoreView):
    def __init__(self, dsn: str):
        self._dsn = dsn

    async def _fetch(self, sql: str) -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(
            self._dsn, server_settings={"default_transaction_read_only": "on"}
        )
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()


@dataclass(frozen=True)
class Store:
    """Where a server keeps its data: the environment that points it there, and a view of it."""

    engine: str
    data_dir: Path
    env: dict[str, str]
    view: StoreView


class ServerProcess:
    """One `smsgate serve` child on 127.0.0.1, its stderr (structlog JSON lines) in a file."""

    def __init__(self, store: Store, log_path: Path, extra_env: dict[str, str]):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        command = [
            str(SMSGATE), "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--smpp-port", str(free_port()), "--data-dir", str(store.data_dir),
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            # cwd is the data dir so that no stray ./smsgate.toml is picked up.
            self._process = subprocess.Popen(
                command,
                env=_server_env(store, extra_env),
                cwd=store.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"smsgate serve exited with {self._process.returncode}: {self.log_text()}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"smsgate serve not healthy within {STARTUP_TIMEOUT_S:.0f} s")

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self._process.wait(timeout=10)

    def terminate(self, timeout: float) -> int | None:
        """SIGTERM; the exit code, or None if it did not exit in time (it is then killed)."""
        self._process.send_signal(signal.SIGTERM)
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def ensure_stopped(self) -> None:
        if self._process.poll() is None:
            self.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_events(self) -> list[dict[str, Any]]:
        """The structured log lines (JSON, as structlog writes them when stderr is no tty)."""
        events = []
        for line in self.log_text().splitlines():
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict):
                    events.append(event)
        return events


def _server_env(store: Store, extra_env: dict[str, str]) -> dict[str, str]:
    # The caller's own SMSGATE_* settings must not leak into the server under test.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SMSGATE_")}
    return {**inherited, **store.env, **extra_env}


def operator_cli(store: Store, *args: str) -> str:
    """Run an operator command of `smsgate` against the store; its stdout."""
    command = [str(SMSGATE), *args, "--data-dir", str(store.data_dir)]
    return subprocess.run(
        command,
        env=_server_env(store, {}),
        cwd=store.data_dir,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


@contextlib.contextmanager
def running_server(
    store: Store, log_path: Path, extra_env: dict[str, str]
) -> Iterator[ServerProcess]:
    server = ServerProcess(store, log_path, extra_env)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.ensure_stopped()


@contextlib.contextmanager
def running_servers(
    store: Store, log_dir: Path, node_envs: Sequence[dict[str, str]]
) -> Iterator[list[ServerProcess]]:
    """A server per environment on one store (a node each: give each its SMSGATE_NODE_ID),
    started together; logs node-1.log, node-2.log, ... in `log_dir`."""
    servers: list[ServerProcess] = []
    try:
        for n, env in enumerate(node_envs, 1):
            servers.append(ServerProcess(store, log_dir / f"node-{n}.log", env))
        for server in servers:
            server.wait_healthy()
        yield servers
    finally:
        for server in servers:
            server.ensure_stopped()
