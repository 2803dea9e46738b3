"""One `wrk --latency` measurement and what its output says."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from benchmarks.processes import AUTH, pinned
from benchmarks.tools import HERE

__all__ = ["CREATE_SCRIPT", "Measure", "duration_ms", "parse_wrk", "run"]

CREATE_SCRIPT = HERE / "create.lua"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True, slots=True)
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # non-2xx/3xx answers and socket errors


def duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def found(pattern: str, output: str) -> str:
    match = re.search(pattern, output, re.M)
    if not match:
        raise ValueError(f"no {pattern!r} in wrk's output:\n{output[-1000:]}")
    return match.group(1)


def parse_wrk(output: str) -> Measure:
    rps = float(found(r"Requests/sec:\s+([\d.]+)", output))
    p50 = duration_ms(found(r"^\s+50%\s+(\S+)", output))
    p99 = duration_ms(found(r"^\s+99%\s+(\S+)", output))
    bad = 0
    if non_2xx := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        bad += int(non_2xx.group(1))
    if errors := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        bad += sum(int(g) for g in errors.groups())
    return Measure(rps, p50, p99, bad)


def run(binary: str, url: str, cpu: int | None, seconds: float, *, threads: int = 1, connections: int = 16,
        create_prefix: str | None = None) -> Measure:
    """GET `url`, or with `create_prefix` POST a new connection per request (`create.lua`), for `seconds`."""
    command = [binary, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--latency",
               "-H", f"Authorization: {AUTH}"]
    if create_prefix is not None:
        command += ["-s", str(CREATE_SCRIPT), url, "--", create_prefix]
    else:
        command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, check=True, preexec_fn=pinned(cpu))
    return parse_wrk(done.stdout)
