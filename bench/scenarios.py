"""The measurements of smsgate's send path, each against its own fresh server.

single: many small requests at once (HTTP door + group commit).
bulk:   one huge request (validation and storage of 100k recipients, memory).
e2e:    accept -> dispatch -> simulator -> delivery report, for 20k messages.
urgent: one-time codes sent while a 100k bulk send drains through the same connector: how
        long from accept until the connector has them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import httpx

from smsgate_server import RunningServer
from wrk import LoadSummary, run_wrk

MB = 1024 * 1024
BULK_RECIPIENTS = 100_000
RSS_SAMPLE_S = 0.02
E2E_REQUESTS = 200
E2E_BATCH = 100
E2E_CLIENTS = 16
E2E_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class SingleResult:
    load: LoadSummary
    # Rows in the store once the load is over: every 201 must be among them.
    stored_messages: int


@dataclass(frozen=True)
class BulkResult:
    recipients: int
    status: int
    seconds: float
    rss_before_mb: float
    peak_rss_mb: float
    stored_messages: int


@dataclass(frozen=True)
class EndToEndResult:
    messages: int
    rejected_requests: int
    accept_seconds: float
    delivered: int
    complete: bool
    seconds: float
    messages_per_s: float
    statuses: dict[str, int]


URGENT_THROUGHPUT = 2000  # msg/s of the connector: the bulk send takes 50 s to drain
URGENT_EVERY_S = 0.05
URGENT_COUNT = 200
URGENT_START_S = 2.0  # after the bulk send was accepted, so its messages are claimed and queued


@dataclass(frozen=True)
class UrgentResult:
    bulk_recipients: int
    bulk_left_when_done: int  # bulk messages still queued when the last urgent one was sent
    urgent: int
    urgent_sent: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def urgent_under_bulk(server: RunningServer) -> UrgentResult:
    with httpx.Client(base_url=server.base_url, headers=server.auth_header, timeout=120) as client:
        bulk = client.post(
            "/v1/messages",
            json={"to": [f"+48500{n:06d}" for n in range(BULK_RECIPIENTS)], "text": "bulk"},
        )
        bulk.raise_for_status()
        time.sleep(URGENT_START_S)
        for n in range(URGENT_COUNT):
            started = time.perf_counter()
            response = client.post(
                "/v1/messages",
                json={"to": [f"+48510{n:06d}"], "text": f"Your code is {n:04d}", "urgent": True},
            )
            response.raise_for_status()
            time.sleep(max(0.0, URGENT_EVERY_S - (time.perf_counter() - started)))
    deadline = time.monotonic() + 60
    with server.database() as db:
        while True:
            delays = sorted(
                row[0]
                for row in db.execute(
                    "SELECT sent_at - accepted_at FROM messages"
                    " WHERE lane = 0 AND sent_at IS NOT NULL"
                )
            )
            if len(delays) >= URGENT_COUNT or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        (left,) = db.execute(
            "SELECT count(*) FROM messages WHERE lane = 1 AND status = 'queued'"
        ).fetchone()
    return UrgentResult(
        bulk_recipients=BULK_RECIPIENTS,
        bulk_left_when_done=int(left),
        urgent=URGENT_COUNT,
        urgent_sent=len(delays),
        p50_ms=_percentile(delays, 0.50),
        p99_ms=_percentile(delays, 0.99),
        max_ms=float(delays[-1]) if delays else 0.0,
    )


def _percentile(sorted_values: list[int], share: float) -> float:
    if not sorted_values:
        return 0.0
    return float(sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))])


def single(server: RunningServer, *, connections: int, threads: int, seconds: int) -> SingleResult:
    load = run_wrk(
        "smsgate",
        server.base_url,
        connections=connections,
        threads=threads,
        seconds=seconds,
        token=server.token,
    )
    return SingleResult(load, _stored_messages(server))


def bulk(server: RunningServer) -> BulkResult:
    body = {
        "to": [f"+48500{n:06d}" for n in range(BULK_RECIPIENTS)],
        "text": "bench bulk",
        "sender": "Bench",
    }
    rss_before = server.rss_bytes()
    with httpx.Client(base_url=server.base_url, headers=server.auth_header, timeout=120) as client:
        request = client.build_request("POST", "/v1/messages", json=body)
        with _PeakRss(server) as peak:
            started = time.perf_counter()
            response = client.send(request)
            seconds = time.perf_counter() - started
    return BulkResult(
        recipients=BULK_RECIPIENTS,
        status=response.status_code,
        seconds=seconds,
        rss_before_mb=rss_before / MB,
        peak_rss_mb=peak.bytes / MB,
        stored_messages=_stored_messages(server),
    )


CONTACTS = 100_000


@dataclass(frozen=True)
class ContactImportResult:
    rows: int
    status: int
    created: int
    rejected: int
    seconds: float
    peak_rss_mb: float


def contacts_import(server: RunningServer) -> ContactImportResult:
    """A CRM export of 100,000 contacts (names, a custom field, a group column) posted to
    /v1/contacts/import: the time to the answer, every contact committed by then."""
    lines = ["Phone,First name,Last name,City,Tags"]
    lines += [
        f"+4851{n:07d},Name{n},Surname{n},City{n % 97},{'vip' if n % 10 == 0 else 'all'}"
        for n in range(CONTACTS)
    ]
    data = ("\n".join(lines) + "\n").encode()
    client = httpx.Client(base_url=server.base_url, headers=server.auth_header, timeout=300)
    with client, _PeakRss(server) as peak:
        started = time.perf_counter()
        response = client.post("/v1/contacts/import", content=data)
        seconds = time.perf_counter() - started
    body = response.json() if response.status_code == 200 else {}
    return ContactImportResult(
        rows=CONTACTS,
        status=response.status_code,
        created=int(body.get("created", 0)),
        rejected=int(body.get("rejected", 0)),
        seconds=seconds,
        peak_rss_mb=peak.bytes / MB,
    )


@dataclass(frozen=True)
class CampaignResult:
    recipients: int
    status: int
    accepted_seconds: float  # to the answer: every message stored, scheduled
    queued_seconds: float  # to the last one released to its connector's queue
    peak_rss_mb: float


def campaign_expansion(server: RunningServer) -> CampaignResult:
    """A campaign to a group of 100,000 contacts with a template filled per contact: the time
    to the answer, and to every message released to the queue."""
    lines = ["phone,first_name,city"] + [
        f"+4852{n:07d},Name{n},City{n % 97}" for n in range(CONTACTS)
    ]
    client = httpx.Client(base_url=server.base_url, headers=server.auth_header, timeout=300)
    with client:
        imported = client.post(
            "/v1/contacts/import", params={"group": "all"}, content="\n".join(lines).encode()
        )
        imported.raise_for_status()
        body = {"name": "bench", "text": "Hello {first_name}, news from {city}!", "groups": ["all"]}
        with _PeakRss(server) as peak:
            started = time.perf_counter()
            response = client.post("/v1/campaigns", json=body)
            accepted = time.perf_counter() - started
            campaign_id = response.json()["campaign"]["id"] if response.status_code == 201 else None
            while campaign_id is not None:
                progress = client.get(f"/v1/campaigns/{campaign_id}").json()["progress"]
                if progress["scheduled"] == 0 or time.perf_counter() - started > 120:
                    break
                time.sleep(0.05)
            queued = time.perf_counter() - started
    return CampaignResult(CONTACTS, response.status_code, accepted, queued, peak.bytes / MB)


def end_to_end(server: RunningServer) -> EndToEndResult:
    batches = [
        [f"+4857{request * E2E_BATCH + n:07d}" for n in range(E2E_BATCH)]
        for request in range(E2E_REQUESTS)
    ]
    started = time.perf_counter()
    statuses = asyncio.run(_send_batches(server, batches))
    accept_seconds = time.perf_counter() - started
    accepted = E2E_BATCH * statuses.count(201)
    delivered, complete = _await_delivered(server, accepted)
    with server.database() as db:
        first_accept, last_delivery = db.execute(
            "SELECT min(accepted_at), max(delivered_at) FROM messages"
        ).fetchone()
        by_status = dict(db.execute("SELECT status, count(*) FROM messages GROUP BY status"))
    # Both ends come from the server's own clock (epoch ms), not from our polling interval.
    seconds = (last_delivery - first_accept) / 1000 if delivered else 0.0
    return EndToEndResult(
        messages=accepted,
        rejected_requests=len(statuses) - statuses.count(201),
        accept_seconds=accept_seconds,
        delivered=delivered,
        complete=complete,
        seconds=seconds,
        messages_per_s=delivered / seconds if seconds else 0.0,
        statuses=by_status,
    )


async def _send_batches(server: RunningServer, batches: list[list[str]]) -> list[int]:
    pending = iter(enumerate(batches))
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=E2E_CLIENTS)
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=server.auth_header, limits=limits, timeout=60
    ) as client:

        async def client_loop() -> None:
            for number, recipients in pending:
                body = {"to": recipients, "text": f"bench e2e {number}", "sender": "Bench"}
                response = await client.post("/v1/messages", json=body)
                statuses.append(response.status_code)

        await asyncio.gather(*(client_loop() for _ in range(E2E_CLIENTS)))
    return statuses


def _await_delivered(server: RunningServer, expected: int) -> tuple[int, bool]:
    deadline = time.monotonic() + E2E_TIMEOUT_S
    with server.database() as db:
        while True:
            (delivered,) = db.execute(
                "SELECT count(*) FROM messages WHERE status = 'delivered'"
            ).fetchone()
            if delivered >= expected:
                return delivered, True
            if time.monotonic() > deadline:
                return delivered, False
            time.sleep(0.1)


def _stored_messages(server: RunningServer) -> int:
    with server.database() as db:
        return int(db.execute("SELECT count(*) FROM messages").fetchone()[0])


class _PeakRss:
    """Samples the server's RSS every 20 ms on a thread while the block runs; keeps the peak."""

    def __init__(self, server: RunningServer) -> None:
        self._server = server
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.bytes = 0

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.bytes = max(self.bytes, self._server.rss_bytes())
            if self._stop.wait(RSS_SAMPLE_S):
                return
