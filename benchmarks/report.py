"""The benchmark's report (Markdown): every server's figures, its start-up and memory, and the ratios within
each round (on a shared machine the absolute figures move with the load, the ratios much less)."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import scale
from benchmarks.wrk import Measure

__all__ = ["BASELINE", "RATIOS", "Result", "render", "spread"]

BASELINE = "baseline (bare ASGI)"
BUDGET_S = 600  # a default run must fit in ten minutes
OPS = ("create", "get")


@dataclass(frozen=True, slots=True)
class Result:
    """One server in one round."""

    create: Measure
    get: Measure
    startup_s: float  # from the process start to its first 2xx
    rss_kb: int  # the process tree's VmRSS after both measurements
    serves: str  # what it does per request


Round = dict[str, Result]  # server name -> its result

RATIOS = [  # label, numerator, denominator, measure, target or reading
    ("connmock / Prism, req/s", "connmock", "Prism", "rps", "≥ 2"),
    ("connmock / Prism, p99", "connmock", "Prism", "p99_ms", "≤ 0.5"),
    ("connmock / baseline, req/s", "connmock", BASELINE, "rps", "≥ 0.5 on create"),
    ("connmock --state-file / connmock, req/s", "connmock --state-file", "connmock", "rps",
     "the cost of durable writes (a create logs two writes, a Nango get one: `last_fetched_at`)"),
    ("connmock --state-file / connmock, p99", "connmock --state-file", "connmock", "p99_ms", "—"),
    ("connmock on Redis, 1 worker / connmock, req/s", "connmock, Redis, 1 worker", "connmock", "rps",
     "the cost of Redis round trips (every store call is one)"),
    ("connmock on Redis, 2 workers / 1 worker, req/s", "connmock, Redis, 2 workers", "connmock, Redis, 1 worker",
     "rps", "what a second worker adds with the cores the server side has"),
    ("connmock / WireMock, req/s", "connmock", "WireMock", "rps", "WireMock serves static stubs"),
    ("connmock / Mockoon, req/s", "connmock", "Mockoon", "rps", "Mockoon serves static stubs"),
]


def spread(values: list[float], digits: int = 0) -> str:
    """The median, and the range when there are several values: `8,571 (8,253-9,062)`."""
    middle = statistics.median(values)
    if len(values) == 1:
        return f"{middle:,.{digits}f}"
    return f"{middle:,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"


def figure(result: Result, op: str, attr: str) -> float:
    return float(getattr(getattr(result, op), attr))


def ratio(rounds: list[Round], top: str, bottom: str, op: str, attr: str) -> str:
    """`top`'s figure over `bottom`'s, computed within each round, then spread."""
    return spread([figure(r[top], op, attr) / figure(r[bottom], op, attr) for r in rounds], 2)


def servers_table(rounds: list[Round]) -> list[str]:
    names = list(rounds[0])
    lines = ["Each cell: median over the rounds (min-max). Latencies in ms. *vs baseline*: the server's creates/s "
             "over the bare baseline's in the same round.", "",
             "| server | create req/s | vs baseline | create p50 | create p99 | get req/s | get p50 | get p99 "
             "| bad answers |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in names:
        def of(op: str, attr: str, digits: int = 0, server: str = name) -> str:
            return spread([figure(r[server], op, attr) for r in rounds], digits)

        versus = ratio(rounds, name, BASELINE, "create", "rps") if BASELINE in names else "—"
        bad = sum(getattr(r[name], op).bad for r in rounds for op in OPS)
        lines.append(f"| {name} | {of('create', 'rps')} | {versus} | {of('create', 'p50_ms', 2)} "
                     f"| {of('create', 'p99_ms', 2)} | {of('get', 'rps')} | {of('get', 'p50_ms', 2)} "
                     f"| {of('get', 'p99_ms', 2)} | {bad} |")
    lines += ["", "| server | what it does per request | start-up to the first 2xx | RSS after the run |",
              "|---|---|---:|---:|"]
    for name in names:
        startup = spread([r[name].startup_s for r in rounds], 2)
        rss = spread([r[name].rss_kb / 1024 for r in rounds], 0)
        lines.append(f"| {name} | {rounds[0][name].serves} | {startup} s | {rss} MB |")
    return [*lines, ""]


def ratios_table(rounds: list[Round]) -> list[str]:
    names = set(rounds[0])
    lines = ["Ratios, computed within each round (median (min-max)):", "",
             "| ratio | create | get | target or reading |", "|---|---:|---:|---|"]
    for label, top, bottom, attr, target in RATIOS:
        if top in names and bottom in names:
            lines.append(f"| {label} | {ratio(rounds, top, bottom, 'create', attr)} "
                         f"| {ratio(rounds, top, bottom, 'get', attr)} | {target} |")
    return [*lines, ""]


def rounds_table(rounds: list[Round]) -> list[str]:
    lines = ["Per round:", "",
             "| round | server | create req/s | create p50 | create p99 | get req/s | get p50 | get p99 | start-up "
             "| RSS |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for number, results in enumerate(rounds, 1):
        for name, r in results.items():
            c, g = r.create, r.get
            lines.append(f"| {number} | {name} | {c.rps:,.0f} | {c.p50_ms:.2f} | {c.p99_ms:.2f} | {g.rps:,.0f} "
                         f"| {g.p50_ms:.2f} | {g.p99_ms:.2f} | {r.startup_s:.2f} s | {r.rss_kb / 1024:,.0f} MB |")
    return [*lines, ""]


def memory_table(memory: dict[str, Any]) -> list[str]:
    return [
        "| memory (connmock, in-process, `benchmarks/memory.py`) | value |",
        "|---|---:|",
        f"| RSS before | {memory['rss_before_kb'] / 1024:,.1f} MB |",
        f"| RSS after {memory['count']:,} stored connections | {memory['rss_after_kb'] / 1024:,.1f} MB |",
        f"| per stored connection | {memory['kb_per_connection']:.2f} KB (target ≤ 2 KB) |",
        f"| creates that failed | {memory['failed']} |",
        "",
    ]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def header(args: argparse.Namespace, rounds: list[Round], sizes: dict[str, int], software: str) -> list[str]:
    pinning = ("the server side (with its Redis) pinned to CPU 0, wrk to CPU 1" if args.pin else "no CPU pinning")
    lines = [
        "# connmock benchmark",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; the run took {args.wall_s / 60:.1f} min"
        + (" (over the 10-minute budget of a default run: a busy machine, or longer settings)"
           if args.wall_s > BUDGET_S else ""),
        f"- machine: `nproc` {os.cpu_count()}, {cpu_model()}, {platform.system()} {platform.release()}; "
        f"load average at start {args.load}",
        f"- software: {software}",
    ]
    if not rounds:
        return [*lines, ""]
    return [
        *lines,
        f"- wrk: {args.threads} thread, {args.connections} connections, {args.duration:g} s per measurement after "
        f"{args.warmup:g} s of warm-up ({args.jit_warmup:g} s before the creates of Prism, WireMock and Mockoon: "
        f"Node and Java compile as they run); {len(rounds)} round(s), server order rotated; {pinning}",
        f"- create: `POST /connections` (valid OAUTH2 body for the seeded `github` integration, a new "
        f"`connection_id` per request); get: `GET {args.get_path}`; connmock's answers are {sizes['create']} and "
        f"{sizes['get']} bytes, the baseline, WireMock and Mockoon answer the same JSON",
        "- servers: baseline = `benchmarks/baseline.py` on uvicorn; connmock = `connmock serve --vendor nango` "
        "(one worker, full validation, stateful, INFO log per request); --state-file = the same with `--state-file` "
        "on a new file (every write durable before it is answered); Redis = `--store redis://…` on a `redis-server` "
        "started for the run, 1 or 2 workers (`--workers 2`); Prism = `prism mock openapi/nango.yaml` (defaults); "
        "WireMock = the standalone jar with two stub mappings (request journal of 500 as connmock's); Mockoon = "
        "`mockoon-cli start` with two routes. **WireMock and Mockoon serve static stubs: no validation, no auth, "
        "no state**; their rows show what answering fixed bytes costs them, not a mock doing connmock's work",
        "- start-up: from the process start to the first 2xx (connmock: `GET /__connmock/health`, the others: "
        "the get); RSS: the summed VmRSS of the server's process tree after both measurements (on Redis: "
        "connmock's processes, not redis-server's)",
        "",
    ]


def render(args: argparse.Namespace, rounds: list[Round], sizes: dict[str, int], software: str,
           memory: dict[str, Any] | None, check: tuple[float, int] | None, scaled: list[scale.Row]) -> str:
    """The whole report."""
    lines = header(args, rounds, sizes, software)
    if rounds:
        lines += servers_table(rounds) + ratios_table(rounds)
    if scaled:
        lines += scale.report(scaled, args.scale_duration, args.scale_rounds, args.scale_redis)
    if memory is not None:
        lines += memory_table(memory)
    if check is not None:
        seconds, code = check
        lines += [f"`connmock check` (all four vendors, against its own mock): {seconds:.1f} s wall time, "
                  f"exit code {code}.", ""]
    if rounds:
        lines += rounds_table(rounds)
    return "\n".join(lines).rstrip("\n") + "\n"
