"""The shared GSM-7/UCS-2 segmentation vectors (../shared/reference), as pytest parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "sms-text-vectors.json"


def reference_cases() -> list[Any]:
    """One parameter a case (text, encoding, units, parts, part_texts); skipped without the file."""
    if not VECTORS.exists():
        reason = f"reference vectors not found at {VECTORS}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    return [
        pytest.param(case, id=f"{n}-{case['encoding']}-{case['units']}units")
        for n, case in enumerate(cases)
    ]
