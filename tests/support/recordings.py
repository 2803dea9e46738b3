"""What the real vendor servers answered, read from `fixtures/recordings`: the expected bodies of API tests.

An error body a recording holds is taken from it rather than rebuilt by the test (a rebuilt body would only copy
the mock's renderer, and agree with it when both are wrong).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import fixtures

__all__ = ["RECORDINGS", "recorded_answer"]

RECORDINGS = Path(fixtures.__file__).parent / "recordings"


@functools.cache
def exchanges(vendor: str, name: str) -> dict[str, dict[str, Any]]:
    recording = json.loads((RECORDINGS / vendor / f"{name}.json").read_text())
    return {exchange["label"]: exchange for exchange in recording["exchanges"]}


def recorded_answer(vendor: str, name: str, label: str) -> tuple[int, Any]:
    """The status and body of the exchange `label` of `fixtures/recordings/<vendor>/<name>.json`."""
    response = exchanges(vendor, name)[label]["response"]
    return int(response["status"]), response["body"]
