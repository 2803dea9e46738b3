"""Lists at scale: Nango's `GET /connections` with 1k, 10k and 100k stored connections.

    python -m benchmarks --only scale --memory-count 0 --no-check      # this part alone (about 2 minutes)

One `connmock serve --vendor nango` per size (in memory, as shipped, or with `--scale-redis URL` on that
Redis, one namespace per size), all started at once, each filled with N connections by `wrk -s create.lua`
with `BENCH_CREATE_COUNT=N` (N creates over 16 connections), then measured with `wrk --latency`:

- `GET /connections?limit=100` (the newest hundred) and `GET /connections?connectionId=<one of them>`, each
  from one connection (the latency of one list, not of a queue of them), in rounds that visit every size in
  turn (a machine shared with other work weighs on every size alike); the median of each figure is reported;
- the p99 of `GET /connections/{id}` from one connection while two others list (`limit=100`) without pause;
- the server's resident memory (VmRSS) before the first list and after the last.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import wrk
from benchmarks.processes import AUTH, Server, pinned, request, started, tree_rss_kb
from benchmarks.wrk import Measure

__all__ = ["SIZES", "Row", "measure", "median", "report"]

SIZES = (1_000, 10_000, 100_000)
PREFIX = "scale"
LIMIT_PATH = "/connections?limit=100"
FILTER_PATH = "/connections?connectionId={id}"
GET_PATH = "/connections/{id}?provider_config_key=github"


@dataclass
class Row:
    count: int
    limit: Measure
    one: Measure
    get_during_lists: Measure
    rss_before_kb: int
    rss_after_kb: int
    fill_s: float


def fill(wrk_binary: str, base: str, count: int, cpu: int | None) -> float:
    """Create `PREFIX-1` … `PREFIX-count` (and a few more) with wrk; returns the seconds it took. wrk stops
    sending once `count` creates are answered but waits out its duration: it is interrupted once the last is in."""
    began = time.perf_counter()
    command = [wrk_binary, "-t", "1", "-c", "16", "-d", "900s", "-H", f"Authorization: {AUTH}",
               "-s", str(wrk.CREATE_SCRIPT), base + "/connections", "--", PREFIX]
    filling = subprocess.Popen(command, stdout=subprocess.DEVNULL, preexec_fn=pinned(cpu),
                               env={**os.environ, "BENCH_CREATE_COUNT": str(count)})
    try:
        while request(base, "GET", GET_PATH.format(id=f"{PREFIX}-{count}"))[0] != 200:
            if filling.poll() is not None:
                raise RuntimeError(f"wrk stopped before {count} connections were created")
            time.sleep(0.2)
    finally:
        filling.send_signal(signal.SIGINT)
        filling.wait()
    return time.perf_counter() - began


def measure(wrk_binary: str, args: argparse.Namespace, counts: list[int]) -> list[Row]:
    """Serve one fresh mock per size at once, fill each, and measure their lists in rounds that visit every
    size in turn (so a machine that gets busier or quieter meanwhile weighs on every size alike)."""
    connmock = str(Path(sys.executable).with_name("connmock"))
    server_cpu, client_cpu = (0, 1) if args.pin else (None, None)
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(started(Server("scale", f"connmock, {count:,} stored", [
            connmock, "serve", "--vendor", "nango", "--port", "{port}", *store_flags(args, count)]), server_cpu))
            for count in counts]
        pairs = list(zip(servers, counts, strict=True))
        for server in servers:  # a Redis namespace may hold an earlier run's connections
            request(server.base, "POST", "/__connmock/reset", {})
        filled = [fill(wrk_binary, server.base, count, client_cpu) for server, count in pairs]
        before = [tree_rss_kb(server.process.pid) for server in servers if server.process]
        limits: list[list[Measure]] = [[] for _ in counts]
        ones: list[list[Measure]] = [[] for _ in counts]
        for _ in range(args.scale_rounds):
            for number, (server, count) in enumerate(pairs):
                one_url = server.base + FILTER_PATH.format(id=f"{PREFIX}-{count // 2}")
                limits[number].append(timed(wrk_binary, server.base + LIMIT_PATH, client_cpu, args.scale_duration))
                ones[number].append(timed(wrk_binary, one_url, client_cpu, args.scale_duration))
        during = [get_during_lists(wrk_binary, server.base, count, client_cpu, args.scale_duration)
                  for server, count in pairs]
        after = [tree_rss_kb(server.process.pid) for server in servers if server.process]
    rows = [Row(count, median(limits[n]), median(ones[n]), during[n], before[n], after[n], filled[n])
            for n, count in enumerate(counts)]
    for row in rows:
        print(f"  scale {row.count:>7,} (filled in {row.fill_s:.0f} s): limit=100 p50 {row.limit.p50_ms:.2f} p99 "
              f"{row.limit.p99_ms:.2f} ms, one connection p50 {row.one.p50_ms:.2f} p99 {row.one.p99_ms:.2f} ms, "
              f"get during lists p99 {row.get_during_lists.p99_ms:.2f} ms, RSS {row.rss_before_kb / 1024:.0f} -> "
              f"{row.rss_after_kb / 1024:.0f} MB", file=sys.stderr, flush=True)
    return rows


def store_flags(args: argparse.Namespace, count: int) -> list[str]:
    """In memory, or on the Redis of `--scale-redis` in a namespace of its own (emptied by the mock's reset)."""
    if not args.scale_redis:
        return []
    return ["--store", args.scale_redis, "--store-namespace", f"scale-{count}"]


def timed(wrk_binary: str, url: str, cpu: int | None, seconds: float) -> Measure:
    """One wrk connection on `url`: a second of warm-up (wrk takes whole seconds), then `seconds` measured."""
    wrk.run(wrk_binary, url, cpu, 1, connections=1)
    return wrk.run(wrk_binary, url, cpu, seconds, connections=1)


def get_during_lists(wrk_binary: str, base: str, count: int, cpu: int | None, seconds: float) -> Measure:
    """A get's latency from one connection while two others list (`limit=100`) without pause."""
    listing = threading.Thread(target=wrk.run, args=(wrk_binary, base + LIMIT_PATH, cpu, seconds + 2),
                               kwargs={"connections": 2})
    listing.start()
    time.sleep(1)
    try:
        return timed(wrk_binary, base + GET_PATH.format(id=f"{PREFIX}-{count // 2}"), cpu, seconds)
    finally:
        listing.join()


def median(measures: list[Measure]) -> Measure:
    """The median of each figure over the rounds."""
    return Measure(statistics.median(m.rps for m in measures), statistics.median(m.p50_ms for m in measures),
                   statistics.median(m.p99_ms for m in measures), sum(m.bad for m in measures))


def report(rows: list[Row], seconds: float, rounds: int, redis: str | None) -> list[str]:
    """The scale table of the report."""
    store = f" --store {redis}" if redis else ""
    lines = [
        f"Lists at scale (`benchmarks/scale.py`): `connmock serve --vendor nango{store}` filled with N connections "
        f"(`wrk -s create.lua`), then Nango's `GET {LIMIT_PATH}` and `GET {FILTER_PATH.format(id='…')}` (one "
        f"match), each from 1 wrk connection for {seconds:g} s after 1 s of warm-up, in {rounds} round(s) that "
        "visit every size in turn (the median of each figure); a get's p99 from 1 connection while 2 others "
        "list (`limit=100`); the server's RSS before the first list and after the last. Latencies in ms.",
        "",
        "| stored | limit=100 req/s | p50 | p99 | one connection req/s | p50 | p99 | get p99 during lists "
        "| RSS before → after | bad answers |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for row in rows:
        growth = (row.rss_after_kb - row.rss_before_kb) / row.rss_before_kb
        bad = row.limit.bad + row.one.bad + row.get_during_lists.bad
        lines.append(f"| {row.count:,} | {row.limit.rps:,.0f} | {row.limit.p50_ms:.2f} | {row.limit.p99_ms:.2f} "
                     f"| {row.one.rps:,.0f} | {row.one.p50_ms:.2f} | {row.one.p99_ms:.2f} "
                     f"| {row.get_during_lists.p99_ms:.2f} | {row.rss_before_kb / 1024:.0f} → "
                     f"{row.rss_after_kb / 1024:.0f} MB ({growth:+.0%}) | {bad} |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        lines += ["", f"Ratio of the p50s, {last.count:,} / {first.count:,} stored: limit=100 "
                      f"{last.limit.p50_ms / first.limit.p50_ms:.2f}x, one connection "
                      f"{last.one.p50_ms / first.one.p50_ms:.2f}x (target ≤ 2x); p99 at {last.count:,}: "
                      f"{last.limit.p99_ms:.2f} and {last.one.p99_ms:.2f} ms (target ≤ 5 ms)."]
    return [*lines, ""]
