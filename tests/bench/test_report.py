"""The report's tables (benchmarks/report.py): figures, ratios within each round, start-up and RSS."""

from __future__ import annotations

import argparse

from benchmarks.report import BASELINE, Result, render, spread
from benchmarks.wrk import Measure

STATIC = "static stubs"


def result(create_rps: float, get_rps: float, startup_s: float = 1.0, rss_mb: int = 100) -> Result:
    return Result(Measure(create_rps, 1.0, 2.0, 0), Measure(get_rps, 1.0, 4.0, 1), startup_s, rss_mb * 1024,
                  STATIC)


def args() -> argparse.Namespace:
    return argparse.Namespace(wall_s=300.0, load="1.00 1.00 1.00", threads=1, connections=16, duration=4,
                              warmup=2, jit_warmup=6, pin=True, get_path="/connections/x", scale_duration=2,
                              scale_rounds=2, scale_redis=None)


def row(text: str, first_cell: str, table: int = 0) -> list[str]:
    """The cells of the row starting with `first_cell` in the `table`-th table that has one."""
    found = [cells for line in text.splitlines()
             if (cells := [cell.strip() for cell in line.strip("|").split("|")])[0] == first_cell]
    assert len(found) > table, f"no row {first_cell!r} in:\n{text}"
    return found[table]


def test_spread_is_the_median_and_the_range() -> None:
    assert spread([3.0, 1.0, 2.0]) == "2 (1-3)"
    assert spread([8571.25]) == "8,571"
    assert spread([0.5, 0.25], 2) == "0.38 (0.25-0.50)"


def test_creates_vs_baseline_is_computed_within_each_round() -> None:
    # Given two rounds where the machine was twice as fast in the second
    rounds = [{BASELINE: result(10_000, 20_000), "connmock": result(2_000, 4_000)},
              {BASELINE: result(20_000, 40_000), "connmock": result(4_000, 8_000)}]
    text = render(args(), rounds, {"create": 649, "get": 578}, "software", None, None, [])
    # Then the ratio is the same in both rounds, though the figures doubled
    assert row(text, "connmock")[1:3] == ["3,000 (2,000-4,000)", "0.20 (0.20-0.20)"]
    assert row(text, BASELINE)[2] == "1.00 (1.00-1.00)"
    assert row(text, "connmock / baseline, req/s")[1:3] == ["0.20 (0.20-0.20)", "0.20 (0.20-0.20)"]


def test_without_a_baseline_there_is_no_comparison_with_it() -> None:
    text = render(args(), [{"connmock": result(2_000, 4_000)}], {"create": 1, "get": 1}, "software", None, None, [])
    assert row(text, "connmock")[2] == "—"
    assert "connmock / baseline" not in text


def test_start_up_rss_and_what_a_server_does_are_reported_per_server() -> None:
    rounds = [{"connmock": result(2_000, 4_000, 2.5, 94), "WireMock": result(2_500, 3_000, 5.0, 190)},
              {"connmock": result(2_000, 4_000, 2.7, 96), "WireMock": result(2_500, 3_000, 4.0, 200)}]
    text = render(args(), rounds, {"create": 1, "get": 1}, "software", None, None, [])
    assert row(text, "WireMock", table=1)[1:] == [STATIC, "4.50 (4.00-5.00) s", "195 (190-200) MB"]
    assert row(text, "connmock / WireMock, req/s")[1:3] == ["0.80 (0.80-0.80)", "1.33 (1.33-1.33)"]
    assert "connmock / Prism" not in text  # a ratio needs both of its servers
    assert "static stubs: no validation, no auth, no state" in text


def test_a_run_over_ten_minutes_says_so() -> None:
    quick, slow = args(), args()
    slow.wall_s = 601.0
    assert "budget" not in render(quick, [], {"create": 1, "get": 1}, "software", None, None, [])
    assert "10.0 min (over the 10-minute budget" in render(slow, [], {"create": 1, "get": 1}, "software", None,
                                                            None, [])


def test_a_run_without_servers_reports_no_server_tables() -> None:
    text = render(args(), [], {"create": 1, "get": 1}, "software", {"count": 10, "rss_before_kb": 1024,
                  "rss_after_kb": 2048, "kb_per_connection": 102.4, "failed": 0}, (12.5, 0), [])
    assert "| server |" not in text and "Per round" not in text and "- wrk:" not in text
    assert "| per stored connection | 102.40 KB" in text
    assert "12.5 s wall time, exit code 0" in text
