"""Benchmark smsgate's send path, optionally beside Kannel and Jasmin, in one run.

    ./.venv/bin/python bench/run.py [--only single,...,contacts,campaign,webhooks]
                                    [--with-peers]

Each scenario gets its own freshly started server, so one scenario's backlog never slows the
next. Peers run after smsgate has stopped: on a small machine they would otherwise share CPUs.
Prints a summary table against the targets and writes bench/results/smsgate-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import report
import scenarios
import webhooks
from peers import PEERS, PeerResult, run_peer
from smsgate_server import RunningServer, smsgate_server

# The urgent scenario needs a connector slower than the bulk send it drains.
SCENARIO_ENV = {"urgent": {"SMSGATE_SIMULATOR__THROUGHPUT": str(scenarios.URGENT_THROUGHPUT)}}
SCENARIOS = (
    "single",
    "single_priced",
    "bulk",
    "e2e",
    "urgent",
    "contacts",
    "campaign",
    "webhooks",
)
LOG_DIR = Path(__file__).resolve().parent / ".work" / "smsgate"
BUSY_LOAD = 0.5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        type=lambda names: names.split(","),
        default=list(SCENARIOS),
        help="comma-separated scenarios to run (default: %(default)s)",
    )
    parser.add_argument(
        "--with-peers", action="store_true", help="also run peers/kannel.sh and peers/jasmin.sh"
    )
    parser.add_argument("--connections", type=int, default=64, help="single: wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="single: wrk threads")
    parser.add_argument("--duration", type=int, default=10, help="single: wrk seconds")
    args = parser.parse_args()
    unknown = set(args.only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(sorted(unknown))}; pick from {SCENARIOS}")
    wants_wrk = bool({"single", "single_priced"} & set(args.only)) or args.with_peers
    if wants_wrk and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    return args


def main() -> int:
    args = parse_args()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    # Figures from a machine that is busy with something else say little; record how busy it was.
    load_at_start = os.getloadavg()[0]
    if load_at_start > BUSY_LOAD:
        progress(f"warning: 1-minute load average is {load_at_start:.2f} before starting")
    runners: dict[str, Callable[[RunningServer], Any]] = {
        "single": lambda server: scenarios.single(
            server, connections=args.connections, threads=args.threads, seconds=args.duration
        ),
        "single_priced": lambda server: scenarios.single(
            server, connections=args.connections, threads=args.threads, seconds=args.duration
        ),
        "bulk": scenarios.bulk,
        "e2e": scenarios.end_to_end,
        "urgent": scenarios.urgent_under_bulk,
        "contacts": scenarios.contacts_import,
        "campaign": scenarios.campaign_expansion,
        "webhooks": webhooks.webhooks,
    }
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in SCENARIOS:
        if name not in args.only:
            continue
        progress(f"{name}: starting a fresh smsgate server")
        try:
            with smsgate_server(
                LOG_DIR, priced=name == "single_priced", env=SCENARIO_ENV.get(name)
            ) as server:
                results[name] = runners[name](server)
        except Exception:
            errors[name] = traceback.format_exc()
            progress(f"{name}: FAILED\n{errors[name]}")
            continue
        progress(f"{name}: {results[name]}")

    peer_results: list[PeerResult] = []
    if args.with_peers:
        for peer in PEERS:
            progress(f"{peer}: running peers/{peer}.sh")
            try:
                peer_results.append(run_peer(peer))
            except Exception:
                errors[peer] = traceback.format_exc()
                progress(f"{peer}: FAILED\n{errors[peer]}")

    rows = report.figures(
        results.get("single"),
        results.get("single_priced"),
        results.get("bulk"),
        results.get("e2e"),
        peer_results,
        results.get("webhooks"),
        results.get("urgent"),
        results.get("contacts"),
        results.get("campaign"),
    )
    if rows:
        report.print_table(rows)
    path = report.write_json(
        {
            "load_average_at_start": load_at_start,
            "settings": {
                "scenarios": args.only,
                "connections": args.connections,
                "threads": args.threads,
                "duration_s": args.duration,
            },
            **{name: asdict(result) for name, result in results.items()},
            "peers": [asdict(peer) for peer in peer_results],
            "errors": errors,
        },
        rows,
    )
    print(f"\nwrote {path}")
    return 1 if errors else 0


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
