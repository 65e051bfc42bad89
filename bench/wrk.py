"""The single-send HTTP load: wrk driven by load/send.lua, for smsgate and its peers alike."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import get_type_hints

SEND_SCRIPT = Path(__file__).resolve().parent / "load" / "send.lua"
TIMEOUT_S = 30


@dataclass(frozen=True)
class LoadSummary:
    """What send.lua reports; `accepted` counts only the target's success status (201 for us)."""

    requests: int
    accepted: int
    rejected: int
    duration_s: float
    accepted_per_s: float
    connect_errors: int
    read_errors: int
    write_errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float


def parse_fields(line: str) -> dict[str, str]:
    """`WORD key=value key=value ...` as printed by send.lua and the peer scripts."""
    return dict(field.split("=", 1) for field in line.split()[1:] if "=" in field)


def parse_summary(output: str) -> LoadSummary:
    lines = [line for line in output.splitlines() if line.startswith("SUMMARY ")]
    if not lines:
        raise RuntimeError(f"wrk printed no SUMMARY line:\n{output}")
    fields = parse_fields(lines[-1])
    kinds = get_type_hints(LoadSummary)
    return LoadSummary(**{name: kinds[name](fields[name]) for name in kinds})


def run_wrk(
    target: str,
    base_url: str,
    *,
    connections: int,
    threads: int,
    seconds: int,
    token: str | None = None,
) -> LoadSummary:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        # wrk leaves answers slower than its timeout out of the latency histogram; keep them in.
        f"--timeout={TIMEOUT_S}s",
        "-s",
        str(SEND_SCRIPT),
        base_url,
        "--",
        target,
    ]
    if token is not None:
        command.append(token)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_summary(done.stdout)
