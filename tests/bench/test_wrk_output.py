"""Reading wrk's output (benchmarks/wrk.py)."""

from __future__ import annotations

import pytest

from benchmarks.wrk import Measure, duration_ms, parse_wrk

OUTPUT = """Running 4s test @ http://127.0.0.1:41234/connections
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.83ms  412.00us  12.07ms   91.20%
    Req/Sec     8.61k   301.22     9.02k    80.00%
  Latency Distribution
     50%    1.83ms
     75%    1.95ms
     90%    2.11ms
     99%    2.71ms
  34427 requests in 4.00s, 28.33MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   8571.25
Transfer/sec:      7.05MB
"""


@pytest.mark.parametrize(("text", "ms"),
                         [("412.00us", 0.412), ("1.83ms", 1.83), ("1.20s", 1200.0), ("2.00m", 120_000.0)],
                         ids=["us", "ms", "s", "m"])
def test_durations_in_every_unit_read_as_ms(text: str, ms: float) -> None:
    assert duration_ms(text) == pytest.approx(ms)


def test_an_unknown_unit_is_an_error() -> None:
    with pytest.raises(ValueError, match="unreadable"):
        duration_ms("3h")


def test_the_rate_percentiles_and_bad_answers_are_read() -> None:
    assert parse_wrk(OUTPUT) == Measure(rps=8571.25, p50_ms=1.83, p99_ms=2.71, bad=12)


def test_a_clean_run_has_no_bad_answers() -> None:
    clean = OUTPUT.replace("  Socket errors: connect 0, read 2, write 0, timeout 3\n", "").replace(
        "  Non-2xx or 3xx responses: 7\n", "")
    assert parse_wrk(clean).bad == 0


def test_output_without_a_rate_says_what_is_missing() -> None:
    with pytest.raises(ValueError, match="Requests/sec"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")
