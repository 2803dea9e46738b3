"""`connmock diff`: the mock against itself reports nothing; against an altered copy, exactly the alterations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connmock.fidelity import recordings
from connmock.fidelity.diff import diff
from speclib import VENDORS
from tests.fidelity.altered import alter
from tests.fidelity.commands import cli


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_mock_against_itself_differs_in_nothing(servers: tuple[str, str, str], vendor: str) -> None:
    a, b, _ = servers
    recording, report = diff(vendor, f"{a}/{vendor}", f"{b}/{vendor}")
    assert len(recording.exchanges) > 8
    assert [d.describe() for d in report.differences] == []
    statuses = {ex.response.status for ex in recording.exchanges}
    assert any(s is not None and s < 300 for s in statuses) and any(s is not None and s >= 400 for s in statuses)


def test_the_altered_mock_differs_in_exactly_its_alterations(servers: tuple[str, str, str]) -> None:
    a, _, altered = servers
    recording, report = diff("nango", f"{a}/nango", f"{altered}/nango")
    expected = set()
    for index, ex in enumerate(recording.exchanges):
        answer = ex.response
        status, body = alter(ex.request.method, "/nango" + ex.request.path.split("?")[0], answer.status or 0,
                             answer.body)
        if status != answer.status:
            expected.add((index, "status", "status"))
        elif body != answer.body:
            expected.add((index, "$.error.code", "value") if "error" in body else (index, "$.provider", "missing"))
    assert {kind for _, _, kind in expected} == {"status", "missing", "value"}  # each alteration exercised
    assert {(d.exchange, d.path, d.kind) for d in report.differences} == expected


def test_the_commands_exit_non_zero_on_differences(servers: tuple[str, str, str], tmp_path: Path) -> None:
    a, b, altered = servers
    saved = tmp_path / "a.json"
    code, text = cli(["diff", "--vendor", "nango", "--a", f"{a}/nango", "--b", f"{altered}/nango",
                      "--save", str(saved), "--json"])
    assert code == 1 and json.loads(text)["differences"]
    assert recordings.load(saved).vendor == "nango"
    assert cli(["diff", "--vendor", "openint", "--a", f"{a}/openint", "--b", f"{b}/openint"])[0] == 0
    code, text = cli(["replay", "openint/connections", "--base-url", f"{b}/openint", "--no-allowlist"])
    assert code == 1 and "#19 $.has_next_page: value" in text
    assert cli(["replay", "no/such", "--base-url", f"{b}/openint"])[0] == 2
