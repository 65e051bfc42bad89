"""The shared GSM-7/UCS-2 segmentation vectors, as pytest parameters.

tests/data/sms-text-vectors.json is a copy of the team's ../shared/reference file (computed by
an independent reference), kept in the repository so the cases run wherever it is cloned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "data" / "sms-text-vectors.json"


def reference_cases() -> list[Any]:
    """One parameter a case (text, encoding, units, parts, part_texts)."""
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    return [
        pytest.param(case, id=f"{n}-{case['encoding']}-{case['units']}units")
        for n, case in enumerate(cases)
    ]
