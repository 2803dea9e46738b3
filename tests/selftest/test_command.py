"""`connmock selftest` through its handler: the table, the Markdown file, the exit status, the registry."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from connmock.faults import faulty
from connmock.faults.command import register, selftest_command
from connmock.faults.selftest import Job, run_job
from connmock.faults.table import render_table
from mock_server import Settings, create_app


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="connmock")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["selftest", *argv])


def test_selftest_prints_and_writes_the_table(tmp_path: Path) -> None:
    # Given two faults of one vendor, When selftest runs in process, Then the table says caught, and exit is 0.
    out, markdown = io.StringIO(), tmp_path / "selftest.md"
    status = selftest_command(parse("--vendor", "xpander", "--fault", "leak-in-header", "--fault",
                                    "wrong-success-status", "--jobs", "1", "--max-examples", "2",
                                    "--markdown", str(markdown)), out)
    text = out.getvalue()
    assert status == 0, text
    assert "| `leak-in-header` |" in text and "caught" in text and "pass (" in text
    assert "Detection rate: **2/2 (100%)**" in text
    assert markdown.read_text(encoding="utf-8") == text.rstrip("\n") + "\n"


def test_list_names_every_fault_and_its_vendors() -> None:
    out = io.StringIO()
    assert selftest_command(parse("--list"), out) == 0
    lines = out.getvalue().splitlines()
    assert any(line.startswith("leak-in-get") and "openint, vercel, nango" in line for line in lines)
    assert len(lines) >= 20


def test_a_missed_fault_is_shown_and_counted() -> None:
    # The table marks what a checker missed and counts it against the detection rate.
    job = Job("connmock", "vercel", "delete-noop", 2, 1, sections=("valid-requests",))  # never deletes
    outcome = run_job(job)
    assert not outcome.caught and not outcome.error, outcome
    table = render_table([outcome], ["vercel"], ["delete-noop"])
    assert "**missed**" in table and "0/1 (0%)" in table


def test_schemathesis_column_runs_plain_schemathesis() -> None:
    # Plain `schemathesis run` against a target that answers the create with an undocumented status.
    outcome = run_job(Job("schemathesis", "xpander", "wrong-success-status", 2, 1))
    assert outcome.caught and "Undocumented status code" in outcome.rule, outcome


def test_faults_are_chosen_by_name_where_they_apply() -> None:
    app = create_app(Settings(vendors=("xpander",)))
    with pytest.raises(KeyError, match="unknown fault"):
        faulty(app, "xpander", "no-such-fault")
    with pytest.raises(ValueError, match="does not apply to xpander"):
        faulty(app, "xpander", "leak-in-get")  # xpander documents no single-object read
