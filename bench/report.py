"""The figures of a run against smsgate's targets: the summary table and the JSON record."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from peers import PeerResult
from scenarios import (
    BulkResult,
    CampaignResult,
    ContactImportResult,
    EndToEndResult,
    SingleResult,
    UrgentResult,
)
from webhooks import WebhookResult

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Target:
    limit: float
    at_least: bool  # the figure must be >= limit; otherwise <= limit

    def met(self, value: float) -> bool:
        return value >= self.limit if self.at_least else value <= self.limit

    def __str__(self) -> str:
        return f"{'>=' if self.at_least else '<='} {self.limit:,.0f}"


SINGLE_ACCEPTED = Target(8_000, at_least=True)
PRICING_COST = Target(15, at_least=False)
BULK_SECONDS = Target(2, at_least=False)
BULK_PEAK_RSS_MB = Target(400, at_least=False)
E2E_RATE = Target(5_000, at_least=True)
WEBHOOK_RATE = Target(5_000, at_least=True)
WEBHOOK_P99_MS = Target(200, at_least=False)
URGENT_P99_MS = Target(100, at_least=False)
CONTACTS_SECONDS = Target(10, at_least=False)
CONTACTS_PEAK_RSS_MB = Target(400, at_least=False)
CAMPAIGN_QUEUED_SECONDS = Target(5, at_least=False)


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    unit: str
    target: Target | None = None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.target.met(self.value) else "MISSED"


def figures(
    single: SingleResult | None,
    single_priced: SingleResult | None,
    bulk: BulkResult | None,
    e2e: EndToEndResult | None,
    peers: list[PeerResult],
    hooks: WebhookResult | None = None,
    urgent: UrgentResult | None = None,
    contacts: ContactImportResult | None = None,
    campaign: CampaignResult | None = None,
) -> list[Figure]:
    rows: list[Figure] = []
    if single is not None:
        load = single.load
        rows += [
            Figure("single: accepted sends (201)", load.accepted_per_s, "/s", SINGLE_ACCEPTED),
            Figure("single: p99 latency", load.p99_ms, "ms"),
            Figure("single: non-201 responses", load.rejected, ""),
            Figure("single: socket errors + timeouts", _socket_errors(single), ""),
            Figure("single: rows stored", single.stored_messages, ""),
        ]
    if single_priced is not None:
        priced = single_priced.load
        rows += [
            Figure("single priced: accepted sends (201)", priced.accepted_per_s, "/s"),
            Figure("single priced: non-201 responses", priced.rejected, ""),
        ]
        if single is not None and single.load.accepted_per_s:
            slower = 100 * (1 - priced.accepted_per_s / single.load.accepted_per_s)
            cost = Figure("single priced: cost of pricing + ledger", slower, "%", PRICING_COST)
            rows.append(cost)
    if bulk is not None:
        rows += [
            Figure(f"bulk: HTTP status ({bulk.recipients:,} recipients)", bulk.status, ""),
            Figure("bulk: time to response", bulk.seconds, "s", BULK_SECONDS),
            Figure("bulk: server peak RSS", bulk.peak_rss_mb, "MB", BULK_PEAK_RSS_MB),
            Figure("bulk: rows stored", bulk.stored_messages, ""),
        ]
    if e2e is not None:
        rows += [
            Figure("e2e: first accept -> last delivered", e2e.messages_per_s, "msg/s", E2E_RATE),
            Figure(f"e2e: delivered of {e2e.messages:,}", e2e.delivered, ""),
            Figure("e2e: time to accept all", e2e.accept_seconds, "s"),
        ]
    if urgent is not None:
        rows += [
            Figure(
                "urgent under bulk: accept -> connector p99", urgent.p99_ms, "ms", URGENT_P99_MS
            ),
            Figure("urgent under bulk: p50", urgent.p50_ms, "ms"),
            Figure("urgent under bulk: max", urgent.max_ms, "ms"),
            Figure(f"urgent under bulk: sent of {urgent.urgent}", urgent.urgent_sent, ""),
            Figure("urgent under bulk: bulk still queued after", urgent.bulk_left_when_done, ""),
        ]
    if contacts is not None:
        rows += [
            Figure(f"contacts: import of {contacts.rows:,} (HTTP status)", contacts.status, ""),
            Figure("contacts: time to the answer", contacts.seconds, "s", CONTACTS_SECONDS),
            Figure("contacts: server peak RSS", contacts.peak_rss_mb, "MB", CONTACTS_PEAK_RSS_MB),
            Figure("contacts: created", contacts.created, ""),
            Figure("contacts: rejected", contacts.rejected, ""),
        ]
    if campaign is not None:
        rows += [
            Figure(f"campaign: {campaign.recipients:,} filled (HTTP status)", campaign.status, ""),
            Figure("campaign: time to the answer (all stored)", campaign.accepted_seconds, "s"),
            Figure(
                "campaign: time to all queued",
                campaign.queued_seconds,
                "s",
                CAMPAIGN_QUEUED_SECONDS,
            ),
            Figure("campaign: server peak RSS", campaign.peak_rss_mb, "MB", CONTACTS_PEAK_RSS_MB),
        ]
    if hooks is not None:
        rows += [
            Figure("webhooks: events delivered", hooks.events_per_s, "/s", WEBHOOK_RATE),
            Figure("webhooks: offered", hooks.offered_events_per_s, "/s"),
            Figure("webhooks: delay p50", hooks.delay_p50_ms, "ms"),
            Figure("webhooks: delay p99", hooks.delay_p99_ms, "ms", WEBHOOK_P99_MS),
            Figure(f"webhooks: received of {hooks.events_expected:,}", hooks.events_received, ""),
            Figure("webhooks: backlog drained (sender alone)", hooks.backlog_drained_per_s, "/s"),
        ]
    for peer in peers:
        rows += [
            Figure(f"{peer.peer}: accepted sends", peer.accepted_per_s, "/s"),
            Figure(f"{peer.peer}: p99 latency", peer.p99_ms, "ms"),
            Figure(f"{peer.peer}: reaching its SMPP sink", peer.reaching_sink_per_s, "/s"),
        ]
        if single is not None:
            ratio = single.load.accepted_per_s / peer.accepted_per_s
            rows.append(Figure(f"smsgate / {peer.peer}: single accepted", ratio, "x"))
        if e2e is not None:
            ratio = e2e.messages_per_s / peer.reaching_sink_per_s
            rows.append(Figure(f"smsgate e2e / {peer.peer} reaching sink", ratio, "x"))
    return rows


def _socket_errors(single: SingleResult) -> int:
    load = single.load
    return load.connect_errors + load.read_errors + load.write_errors + load.timeouts


def print_table(rows: list[Figure]) -> None:
    width = max(len(row.label) for row in rows)
    print(f"\n{'figure':<{width}}  {'value':>12}  {'unit':<5}  {'target':>9}  verdict")
    for row in rows:
        whole = row.unit == "" or row.value >= 100  # counts, and rates where decimals are noise
        value = f"{row.value:,.0f}" if whole else f"{row.value:,.2f}"
        target = str(row.target) if row.target else ""
        print(f"{row.label:<{width}}  {value:>12}  {row.unit:<5}  {target:>9}  {row.verdict}")


def write_json(run: dict[str, Any], rows: list[Figure]) -> Path:
    started = datetime.now(UTC)
    record = {
        "recorded_at": started.isoformat(timespec="seconds"),
        "host": {
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "python": platform.python_version(),
        },
        "git_commit": _git_commit(),
        **run,
        "figures": [
            {
                "label": row.label,
                "value": row.value,
                "unit": row.unit,
                "target": str(row.target) if row.target else None,
                "met": row.target.met(row.value) if row.target else None,
            }
            for row in rows
        ],
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"smsgate-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


def _git_commit() -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=RESULTS_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None if done.returncode == 0 else None
