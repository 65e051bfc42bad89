"""SMPP throughput: smsgate's client connector to a sink SMSC, and customers binding to smsgate.

    ./.venv/bin/python bench/smpp.py [--only client,server] [--with-peers]

client: messages accepted through the HTTP API (bulk requests, so the API is not the limit) go
out through one SMPP bind to the shared peers' sink (`smpp_sink.py`), which answers each
submit_sm at once or after 20 ms; windows of 10 and 100. Figures: the sink's burst rate (first to
last submit_sm it saw) and smsgate's own accept-to-`sent` rate from its store, where `sent` is
recorded when submit_sm_resp came back.

server: the shared peers' `esme_bench.py` binds to smsgate's SMPP server as a transmitter and
submits with a window of 100; submit_sm_resp is sent only after the message is committed. Figure:
submit_sm_resp/s, and every acknowledged message is checked to be in the store.

With --with-peers the same loads run against Kannel (client side; it has no SMPP server) and
Jasmin (both), one after another, never at the same time as smsgate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from smsgate_server import (
    SMSGATE,
    RunningServer,
    free_port,
    smsgate_server,
)

BENCH_DIR = Path(__file__).resolve().parent
SHARED_PEERS = Path(os.environ.get("SHARED_PEERS", "/work/shared/peers"))
SINK = SHARED_PEERS / "jasmin" / "smpp_sink.py"
ESME = SHARED_PEERS / "jasmin" / "esme_bench.py"
LOG_DIR = BENCH_DIR / ".work" / "smpp"
RESULTS = BENCH_DIR / "results"

CASES = [(0, 10), (0, 100), (20, 10), (20, 100)]  # (sink delay ms, window)
BATCH = 1000
CLIENTS = 4
SERVER_COUNT = 50_000
SERVER_WINDOW = 100
DRAIN_TIMEOUT_S = 300


def messages_for(delay_ms: int, window: int) -> int:
    """Enough for ~10 s at the rate the window allows (a fast sink: about 40k)."""
    ceiling = window / (delay_ms / 1000) if delay_ms else 4_000.0
    return int(min(max(ceiling * 10, 5_000), 40_000)) // BATCH * BATCH


@dataclass(frozen=True)
class ClientResult:
    delay_ms: int
    window: int
    messages: int
    sent: int
    sink_burst_per_s: float  # first to last submit_sm at the sink
    accept_to_sent_per_s: float  # first accepted to last submit_sm_resp, smsgate's clock
    accept_seconds: float


@dataclass(frozen=True)
class ServerResult:
    window: int
    count: int
    acknowledged_per_s: float
    statuses: str
    stored: int


@contextmanager
def sink(delay_ms: int) -> Iterator[tuple[int, Path]]:
    port = free_port()
    log_path = LOG_DIR / f"sink-{port}.out"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(SINK), "--port", str(port), "--delay-ms", str(delay_ms)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_port(port)
        yield port, log_path
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def _last(log_path: Path, key: str) -> float:
    value = 0.0
    for match in re.finditer(rf"{key}=([0-9.]+)", log_path.read_text()):
        value = float(match.group(1))
    return value


def client_case(delay_ms: int, window: int) -> ClientResult:
    count = messages_for(delay_ms, window)
    with sink(delay_ms) as (port, sink_log):
        config = _config(
            f"""
            default_connector = "sink"
            [[connectors]]
            name = "sink"
            kind = "smpp"
            host = "127.0.0.1"
            port = {port}
            system_id = "bench"
            password = "bench"
            binds = 1
            window = {window}
            registered_delivery = false
            """
        )
        with smsgate_server(LOG_DIR, config=config) as server:
            started = time.perf_counter()
            asyncio.run(_send_bulk(server, count))
            accept_seconds = time.perf_counter() - started
            sent = _await_sent(server, count)
            with server.database() as db:
                first, last = db.execute(
                    "SELECT min(accepted_at), max(sent_at) FROM messages"
                ).fetchone()
        time.sleep(1.5)  # the sink prints its burst rate once a second
        return ClientResult(
            delay_ms=delay_ms,
            window=window,
            messages=count,
            sent=sent,
            sink_burst_per_s=_last(sink_log, "burst_rate"),
            accept_to_sent_per_s=sent / ((last - first) / 1000) if sent and last else 0.0,
            accept_seconds=accept_seconds,
        )


async def _send_bulk(server: RunningServer, count: int) -> None:
    batches = iter(range(count // BATCH))
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=server.auth_header, timeout=120
    ) as client:

        async def one_client() -> None:
            for batch in batches:
                to = [f"+4857{batch * BATCH + n:07d}" for n in range(BATCH)]
                body = {"to": to, "text": f"bench smpp {batch}", "sender": "Bench"}
                response = await client.post("/v1/messages", json=body)
                response.raise_for_status()

        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))


def _await_sent(server: RunningServer, expected: int) -> int:
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    with server.database() as db:
        while True:
            (sent,) = db.execute(
                "SELECT count(*) FROM messages WHERE sent_at IS NOT NULL"
            ).fetchone()
            if sent >= expected or time.monotonic() > deadline:
                return int(sent)
            time.sleep(0.2)


def server_case() -> ServerResult:
    smpp_port = free_port()
    config = _config(
        f"""
        [smpp_server]
        enabled = true
        port = {smpp_port}
        """
    )
    with smsgate_server(LOG_DIR, config=config, smpp_port=smpp_port) as server:
        subprocess.run(
            [str(SMSGATE), "accounts", "smpp", "bench", "--system-id", "bench",
             "--password", "bench", "--data-dir", str(server.data_dir)],
            check=True, capture_output=True,
        )  # fmt: skip
        done = subprocess.run(
            [sys.executable, str(ESME), "--port", str(smpp_port), "--user", "bench",
             "--password", "bench", "--window", str(SERVER_WINDOW), "--count", str(SERVER_COUNT)],
            capture_output=True, text=True, check=True, timeout=900,
        )  # fmt: skip
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
        with server.database() as db:
            (stored,) = db.execute("SELECT count(*) FROM messages").fetchone()
    return ServerResult(
        window=SERVER_WINDOW,
        count=SERVER_COUNT,
        acknowledged_per_s=float(re.search(r"ack_rate=([0-9.]+)", line).group(1)),
        statuses=re.search(r"status=(\{.*\})", line).group(1),
        stored=int(stored),
    )


def _config(text: str) -> Path:
    path = Path(tempfile.mkstemp(prefix="smsgate-bench-", suffix=".toml")[1])
    path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n")
    return path


def run_peer(script: str, **env: str) -> dict[str, str]:
    done = subprocess.run(
        ["bash", str(BENCH_DIR / "peers" / script)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="client,server")
    parser.add_argument("--with-peers", action="store_true")
    args = parser.parse_args()
    only = set(args.only.split(","))
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"load_at_start": os.getloadavg()[0], "cpus": os.cpu_count()}
    if "client" in only:
        client = [client_case(delay, window) for delay, window in CASES]
        results["client"] = [asdict(c) for c in client]
        for c in client:
            print(
                f"client delay={c.delay_ms}ms window={c.window}: {c.messages} msgs, "
                f"sink burst {c.sink_burst_per_s:,.0f}/s, "
                f"accept→sent {c.accept_to_sent_per_s:,.0f}/s (all sent: {c.sent == c.messages})"
            )
    if "server" in only:
        server = server_case()
        results["server"] = asdict(server)
        print(
            f"server window={server.window}: {server.acknowledged_per_s:,.0f} submit_sm_resp/s "
            f"after commit, {server.stored} of {server.count} stored, statuses {server.statuses}"
        )
    if args.with_peers:
        peers: dict[str, object] = {}
        if "client" in only:
            for delay, window in CASES:
                peers[f"kannel-d{delay}-w{window}"] = run_peer(
                    "kannel.sh", SINK_DELAY_MS=str(delay), KANNEL_MAX_PENDING_SUBMITS=str(window)
                )
            for delay in (0, 20):
                peers[f"jasmin-d{delay}"] = run_peer("jasmin.sh", SINK_DELAY_MS=str(delay))
        if "server" in only:
            peers["jasmin-smpp-server"] = run_peer(
                "jasmin.sh", JASMIN_LOAD="smpp", ESME_WINDOW=str(SERVER_WINDOW)
            )
        results["peers"] = peers
        for name, figures in peers.items():
            print(f"peer {name}: {figures}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"smpp-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
