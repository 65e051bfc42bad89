"""Webhook delivery: events per second to a local receiver with 50 endpoints, and the delay from
a status change to its webhook arriving (p50/p99).

    ./.venv/bin/python bench/webhooks.py [--rate 3000] [--seconds 10]

50 accounts with one endpoint each (`/e0` ... `/e49` on one receiver process, subscribed to
message.status), so every status change is one delivery and the gateway has to make the
changes too: each account sends small batches at a steady pace through the real HTTP door, the
simulator submits and reports at once, and each message gives two events (sent, delivered).
The delay is the receiver's clock at arrival minus the event's `created_at` (the gateway's
clock at the change; same machine). Also a scenario of `bench/run.py` (`--only webhooks`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from smsgate.services.accounts import AccountService
from smsgate.store.database import Database
from smsgate.webhooks.client import HttpClient
from smsgate_server import RunningServer, free_port, smsgate_server

ACCOUNTS = 50
# Two events a message: 6,000 events/s offered, above the 5,000/s target, so the figure is what
# the gateway manages rather than what it was given.
RATE_MSG_S = 3_000
SECONDS = 10.0
TICK_S = 0.2
MAX_REQUESTS_IN_FLIGHT = 200
DRAIN_TIMEOUT_S = 60.0
BACKLOG_SECONDS = 4.0
BACKLOG_SETTLE_S = 2.0  # the last changes are made and queued (all well inside the 10 s timeout)
RECEIVER = Path(__file__).resolve().parent / "webhook_receiver.py"


@dataclass(frozen=True)
class WebhookResult:
    accounts: int
    endpoints_reached: int
    offered_events_per_s: float
    messages: int
    accept_seconds: float  # from the first request of the paced load to the last answer
    events_expected: int
    events_received: int
    complete: bool
    # The rate the gateway made the status changes at (their created_at), to compare with the
    # rate they reached the receiver at: equal rates and a flat delay mean delivery kept up.
    events_created_per_s: float
    events_per_s: float
    delay_p50_ms: float
    delay_p99_ms: float
    delay_max_ms: float
    unsigned: int
    # The sender draining a backlog with the gateway otherwise idle: its own capacity.
    backlog_events: int
    backlog_drained_per_s: float


@dataclass(frozen=True)
class Receiver:
    base_url: str
    pid: int

    def stats(self) -> dict[str, object]:
        result: dict[str, object] = httpx.get(f"{self.base_url}/stats", timeout=30).json()
        return result

    def wait_for(self, count: int) -> dict[str, object]:
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while (stats := self.stats())["count"] < count and time.monotonic() < deadline:  # type: ignore[operator]
            time.sleep(0.05)
        return stats


@contextlib.contextmanager
def receiver_process() -> Iterator[Receiver]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(RECEIVER), str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{base}/stats", timeout=1)
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the webhook receiver did not start")
            time.sleep(0.05)
        yield Receiver(base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _accounts(server: RunningServer, count: int) -> list[str]:
    """Create the accounts and keys straight in the server's store (the CLI would cost a
    process start per command); API tokens."""
    db = Database(f"sqlite:///{server.data_dir / 'smsgate.db'}")
    await db.open()
    try:
        service = AccountService(db)
        tokens = []
        for n in range(count):
            await service.create_account(f"hooks{n}", default_region="PL")
            tokens.append((await service.create_key(f"hooks{n}")).token)
        return tokens
    finally:
        await db.close()


def provision(server: RunningServer, receiver: str, count: int) -> list[str]:
    tokens = asyncio.run(_accounts(server, count))
    for n, token in enumerate(tokens):
        response = httpx.post(
            f"{server.base_url}/v1/webhooks",
            json={"url": f"{receiver}/e{n}", "events": ["message.status"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
    return tokens


async def paced_load(
    server: RunningServer, tokens: list[str], rate: float, seconds: float, reset: str | None
) -> tuple[int, float]:
    """Every tick, each account sends one request with its share of the rate; the messages
    accepted and how long that took. With `reset`, one request per account goes first and
    the receiver forgets its webhooks."""
    client = HttpClient()
    per_request = max(1, round(rate * TICK_S / len(tokens)))
    url = f"{server.base_url}/v1/messages"
    in_flight = asyncio.Semaphore(MAX_REQUESTS_IN_FLIGHT)
    accepted = 0
    tasks: set[asyncio.Task[None]] = set()

    async def send(account: int, tick: int) -> None:
        nonlocal accepted
        first = (tick + 1) * per_request  # tick -1 is the warm-up
        body = json.dumps(
            {
                "to": [f"+4857{account:02d}{first + i:05d}" for i in range(per_request)],
                "text": "webhook bench",
            }
        ).encode()
        headers = [("Authorization", f"Bearer {tokens[account]}")]
        async with in_flight:
            if await client.post(url, headers, body, 30) == 201:
                accepted += per_request

    # One request per account first, outside the figures: an API key's first use costs a
    # PBKDF2 check (tens of ms of CPU), later ones hit the authentication cache.
    if reset is not None:
        await asyncio.gather(*(send(account, -1) for account in range(len(tokens))))
        await asyncio.sleep(1.0)  # their webhooks arrive, then the receiver forgets them
        await client.post(reset, [], b"", 10)
    accepted = 0
    started = time.monotonic()
    ticks = int(seconds / TICK_S)
    for tick in range(ticks):
        for account in range(len(tokens)):
            task = asyncio.create_task(send(account, tick))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.sleep(max(0.0, started + (tick + 1) * TICK_S - time.monotonic()))
    await asyncio.gather(*tasks)
    await client.close()
    return accepted, time.monotonic() - started


def webhooks(
    server: RunningServer, *, rate: float = RATE_MSG_S, seconds: float = SECONDS
) -> WebhookResult:
    with receiver_process() as receiver:
        tokens = provision(server, receiver.base_url, ACCOUNTS)
        reset = f"{receiver.base_url}/reset"
        messages, accept_seconds = asyncio.run(paced_load(server, tokens, rate, seconds, reset))
        expected = 2 * messages
        stats = receiver.wait_for(expected)
        backlog, drain_s = _backlog(server, receiver, tokens, rate)
    delays = sorted(stats["delays_ms"])  # type: ignore[arg-type]
    count = len(delays)
    span = float(stats["last"]) - float(stats["first"])  # type: ignore[arg-type]
    made = float(stats["created_last"]) - float(stats["created_first"])  # type: ignore[arg-type]
    return WebhookResult(
        accounts=ACCOUNTS,
        endpoints_reached=int(stats["paths"]),  # type: ignore[call-overload]
        offered_events_per_s=2 * rate,
        messages=messages,
        accept_seconds=accept_seconds,
        events_expected=expected,
        events_received=count,
        complete=count >= expected,
        events_created_per_s=count / made if made > 0 else 0.0,
        events_per_s=count / span if span > 0 else 0.0,
        delay_p50_ms=statistics.median(delays) if delays else 0.0,
        delay_p99_ms=delays[int(0.99 * (count - 1))] if delays else 0.0,
        delay_max_ms=delays[-1] if delays else 0.0,
        unsigned=int(stats["unsigned"]),  # type: ignore[call-overload]
        backlog_events=backlog,
        backlog_drained_per_s=backlog / drain_s if drain_s > 0 else 0.0,
    )


def _backlog(
    server: RunningServer, receiver: Receiver, tokens: list[str], rate: float
) -> tuple[int, float]:
    """The sender alone: events pile up while the receiver is frozen (SIGSTOP; its
    connections hang, well inside the timeout), then it thaws with the gateway otherwise idle.
    The events received and the seconds from the thaw to the last one."""
    httpx.post(f"{receiver.base_url}/reset")
    os.kill(receiver.pid, signal.SIGSTOP)
    try:
        messages, _ = asyncio.run(paced_load(server, tokens, rate, BACKLOG_SECONDS, None))
        time.sleep(BACKLOG_SETTLE_S)
    finally:
        thawed = time.time()
        os.kill(receiver.pid, signal.SIGCONT)
    stats = receiver.wait_for(2 * messages)
    return int(stats["count"]), float(stats["last"]) - thawed  # type: ignore[call-overload, arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=RATE_MSG_S, help="messages per second")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    args = parser.parse_args()
    log_dir = Path(__file__).resolve().parent / ".work" / "smsgate"
    log_dir.mkdir(parents=True, exist_ok=True)
    with smsgate_server(log_dir) as server:
        result = webhooks(server, rate=args.rate, seconds=args.seconds)
    for name, value in asdict(result).items():
        print(f"{name:>22}: {value:,.1f}" if isinstance(value, float) else f"{name:>22}: {value}")
    return 0 if result.complete else 1


if __name__ == "__main__":
    sys.exit(main())
