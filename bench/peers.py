"""Runs a peer gateway's script (peers/<name>.sh) and reads back its RESULT line."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from wrk import parse_fields

PEERS_DIR = Path(__file__).resolve().parent / "peers"
PEERS = ("kannel", "jasmin")


@dataclass(frozen=True)
class PeerResult:
    peer: str
    accepted_per_s: float
    p99_ms: float
    reaching_sink_per_s: float


def run_peer(name: str) -> PeerResult:
    # The script's progress goes to stderr, which we pass through; stdout carries the figures.
    done = subprocess.run(
        ["bash", str(PEERS_DIR / f"{name}.sh")], stdout=subprocess.PIPE, text=True, check=True
    )
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not results:
        raise RuntimeError(f"peers/{name}.sh printed no RESULT line:\n{done.stdout}")
    fields = parse_fields(results[-1])
    return PeerResult(
        peer=fields["peer"],
        accepted_per_s=float(fields["accepted_per_s"]),
        p99_ms=float(fields["p99_ms"]),
        reaching_sink_per_s=float(fields["reaching_sink_per_s"]),
    )
