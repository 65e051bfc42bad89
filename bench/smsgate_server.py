"""One `smsgate serve` process under test: a fresh data dir, a free port, a provisioned API key.

The simulator connector answers instantly (no submit latency, no report delay), so what is
measured is smsgate itself: HTTP door, durable store and dispatcher.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

SMSGATE = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "smsgate"
BENCH_ENV = {
    "SMSGATE_SIMULATOR_SUBMIT_LATENCY_MS": "0",
    "SMSGATE_SIMULATOR_REPORT_DELAY_MS": "0",
    "SMSGATE_LOG_LEVEL": "warning",
}
STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class RunningServer:
    pid: int
    base_url: str
    data_dir: Path
    token: str

    @property
    def auth_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def rss_bytes(self) -> int:
        """Resident memory of the server and any worker processes it forked."""
        process = psutil.Process(self.pid)
        tree = [process, *process.children(recursive=True)]
        total = 0
        for member in tree:
            # A worker that exits between listing and sampling holds no memory any more.
            with suppress(psutil.NoSuchProcess):
                total += member.memory_info().rss
        return total

    @contextmanager
    def database(self) -> Iterator[sqlite3.Connection]:
        """The server's SQLite file, read-only: the benchmark observes and never writes."""
        uri = f"file:{self.data_dir / 'smsgate.db'}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as connection:
            yield connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smsgate_server(
    log_dir: Path,
    *,
    config: Path | None = None,
    smpp_port: int | None = None,
    priced: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[RunningServer]:
    """Start a server on a fresh data dir, yield it ready with a key, stop it by its PID.

    `priced`: the account pays by a price list from a balance that never runs out, so every
    send is priced, charged and written to the ledger.
    `config` is a TOML file (connectors, the SMPP server); `smpp_port` the SMPP server's port,
    a free one when not given, so that it never collides with anything on its default 2775;
    `env` settings of the scenario's own.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="smsgate-bench-"))
    port = free_port()
    log_path = log_dir / f"smsgate-{port}.log"
    command = [
        str(SMSGATE), "serve", "--host", "127.0.0.1", "--port", str(port),
        "--smpp-port", str(smpp_port or free_port()), "--data-dir", str(data_dir),
    ]  # fmt: skip
    environment = {**os.environ, **BENCH_ENV, **(env or {})}
    if config is not None:
        environment["SMSGATE_CONFIG"] = str(config)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(process, base_url, log_path)
        token = _provision_key(data_dir, priced=priced)
        yield RunningServer(process.pid, base_url, data_dir, token)
        # A server that died mid-scenario leaves figures that look merely bad; make them an error.
        if process.poll() is not None:
            raise RuntimeError(
                f"smsgate serve exited with {process.returncode} during the scenario, "
                f"see {log_path}"
            )
    finally:
        _stop(process)
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"smsgate serve exited with {process.returncode}, see {log_path}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"smsgate serve not healthy after {STARTUP_TIMEOUT_S:.0f} s, see {log_path}")


def _provision_key(data_dir: Path, *, priced: bool) -> str:
    def cli(*args: str) -> str:
        command = [str(SMSGATE), *args, "--data-dir", str(data_dir)]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    cli("accounts", "create", "bench", "--region", "PL")
    if priced:
        cli("prices", "set", "bench", "48=0.02", "=0.05", "--currency", "EUR")
        cli("accounts", "billing", "bench", "--price-list", "bench")
        cli("balance", "topup", "bench", "100000000", "--reason", "benchmark")
    return str(json.loads(cli("keys", "create", "bench", "--json"))["token"])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
