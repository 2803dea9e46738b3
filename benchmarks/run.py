"""The benchmark: a bare ASGI baseline, `connmock serve` (in memory, with `--state-file`, on Redis with 1 and 2
workers) and the mocks a user would pick instead (Stoplight Prism, WireMock, Mockoon), side by side, one run.

    python -m benchmarks                 # every part, 7-9 minutes on 2 cores; writes benchmarks/RESULTS.md
    python -m benchmarks --rounds 1 --duration 2 --memory-count 0 --no-check --output /tmp/quick.md
    python -m benchmarks --only connmock,redis-1,redis-2 --memory-count 0 --no-check --output /tmp/redis.md

Every server serves Nango's `POST /connections` (create, a new connection per request) and
`GET /connections/{id}?provider_config_key=github` (get, of a connection created first), on 127.0.0.1, one
after the other with the same `wrk` settings; the rounds rotate the order. Each start is timed to its first
2xx, and the server's RSS is read after its measurements. The machine may be busy with other work, so the
figures that count are the ratios within a round. Then: lists at 1k, 10k and 100k stored connections
(`benchmarks/scale.py`), resident memory per stored connection (`benchmarks/memory.py`) and the wall time of
a full `connmock check`. The programs it needs are found or installed by `benchmarks/tools.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import peers, scale, tools, wrk
from benchmarks.processes import ROOT, Server, request, started, tree_rss_kb
from benchmarks.redis_server import redis_url
from benchmarks.report import BASELINE, Result, Round, render

GET_ID = "bench-get"
GET_PATH = f"/connections/{GET_ID}?provider_config_key=github"
HEALTH = "/__connmock/health"
CREATE_BODY = {
    "provider_config_key": "github", "connection_id": GET_ID,
    "credentials": {"type": "OAUTH2", "access_token": "gho_benchAccessToken123",
                    "refresh_token": "ghr_benchRefreshToken456", "expires_at": "2030-01-01T00:00:00.000Z"},
    "metadata": {"team": "alpha"}, "tags": {"origin": "bench"},
}
MOCK = "validates every request, keeps state"
SERVERS = ("baseline", "connmock", "state-file", "redis-1", "redis-2", "prism", "wiremock", "mockoon")
NPM_PEERS = (("prism", "Prism", "@stoplight/prism-cli"), ("wiremock", "WireMock", "wiremock"),
             ("mockoon", "Mockoon CLI", "@mockoon/cli"))  # `--only` key, name, npm package
PARTS = (*SERVERS, "scale")  # what `--only` names: the servers, and the lists at scale (`benchmarks/scale.py`)


def connmock_serve(*flags: str) -> list[str]:
    return [str(Path(sys.executable).with_name("connmock")), "serve", "--vendor", "nango", "--port", "{port}",
            *flags]


def servers(replies: Path, scratch: Path, only: tuple[str, ...], redis: str | None) -> list[Server]:
    """The servers to measure, in `SERVERS` order. `{port}` is new at every start, so each start of
    `state-file` has a new file and each start on Redis a namespace of its own."""
    python = sys.executable
    answers = json.loads(replies.read_text())
    made: dict[str, Callable[[], Server]] = {
        "baseline": lambda: Server(
            "baseline", BASELINE, [python, "-m", "uvicorn", "benchmarks.baseline:app", "--host", "127.0.0.1",
                                   "--port", "{port}", "--no-access-log", "--log-level", "warning"],
            serves="parses the body, answers fixed JSON; no routing, validation or state",
            env={"BENCH_REPLIES": str(replies)}),
        "connmock": lambda: Server("connmock", "connmock", connmock_serve(), serves=MOCK, ready_path=HEALTH),
        "state-file": lambda: Server("state-file", "connmock --state-file", connmock_serve(
            "--state-file", str(scratch / "state-{port}.json")), serves=f"{MOCK}, durable", ready_path=HEALTH),
        "redis-1": lambda: Server("redis-1", "connmock, Redis, 1 worker", connmock_serve(
            "--store", str(redis), "--store-namespace", "bench-{port}"), serves=f"{MOCK} in Redis",
            ready_path=HEALTH),
        "redis-2": lambda: Server("redis-2", "connmock, Redis, 2 workers", connmock_serve(
            "--store", str(redis), "--store-namespace", "bench-{port}", "--workers", "2"),
            serves=f"{MOCK} in Redis", ready_path=HEALTH),
        "prism": lambda: peers.prism(GET_PATH),
        "wiremock": lambda: peers.wiremock(answers, scratch, GET_PATH),
        "mockoon": lambda: peers.mockoon(answers, scratch, GET_PATH),
    }
    return [made[key]() for key in SERVERS if key in only]


def record_replies(target: Path) -> dict[str, int]:
    """The mock's own create and get answers, for the baseline and the static stubs to answer with."""
    with started(Server("connmock", "connmock", connmock_serve(), ready_path=HEALTH), None) as connmock:
        status, created = request(connmock.base, "POST", "/connections", CREATE_BODY)
        if status != 201:
            raise RuntimeError(f"connmock create answered {status}: {created[:200]!r}")
        status, got = request(connmock.base, "GET", GET_PATH)
        if status != 200:
            raise RuntimeError(f"connmock get answered {status}: {got[:200]!r}")
    target.write_text(json.dumps({"create": json.loads(created), "get": json.loads(got)}))
    return {"create": len(created), "get": len(got)}


def measure_server(wrk_binary: str, args: argparse.Namespace, server: Server, round_no: int) -> Result:
    server_cpu, client_cpu = (0, 1) if args.pin else (None, None)
    load = {"threads": args.threads, "connections": args.connections}
    with started(server, server_cpu):
        for method, path, body in (("POST", "/connections", CREATE_BODY), ("GET", GET_PATH, None)):
            status, answer = request(server.base, method, path, body)  # the create makes the connection get reads
            if status >= 300:
                raise RuntimeError(f"{server.name}: {method} {path} answered {status}: {answer[:300]!r}")
        create_url, get_url = server.base + "/connections", server.base + GET_PATH
        warmup = max(args.warmup, args.jit_warmup) if server.jit else args.warmup
        wrk.run(wrk_binary, create_url, client_cpu, warmup, create_prefix=f"warm{round_no}", **load)
        create = wrk.run(wrk_binary, create_url, client_cpu, args.duration, create_prefix=f"r{round_no}", **load)
        wrk.run(wrk_binary, get_url, client_cpu, args.warmup, **load)
        get = wrk.run(wrk_binary, get_url, client_cpu, args.duration, **load)
        assert server.process is not None
        rss = tree_rss_kb(server.process.pid)
        if server.key.startswith("redis"):  # leave the shared Redis empty for the next row
            request(server.base, "POST", "/__connmock/reset", {})
    print(f"  round {round_no} {server.name:27} create {create.rps:8.0f}/s p99 {create.p99_ms:6.2f} ms   "
          f"get {get.rps:8.0f}/s p99 {get.p99_ms:6.2f} ms   start-up {server.startup_s:5.2f} s   "
          f"RSS {rss / 1024:5.0f} MB", file=sys.stderr, flush=True)
    return Result(create, get, server.startup_s, rss, server.serves)


def measure_rounds(wrk_binary: str, args: argparse.Namespace, measured: list[Server]) -> list[Round]:
    rounds = []
    for number in range(1, args.rounds + 1 if measured else 1):
        shift = (number - 1) % len(measured)
        done = {s.name: measure_server(wrk_binary, args, s, number) for s in measured[shift:] + measured[:shift]}
        rounds.append({s.name: done[s.name] for s in measured})
    return rounds


def run_memory(count: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory", str(count)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_check() -> tuple[float, int]:
    connmock = str(Path(sys.executable).with_name("connmock"))
    started_at = time.perf_counter()
    done = subprocess.run([connmock, "check"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started_at, done.returncode


def first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except OSError:
        return "?"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def software(wrk_binary: str, only: tuple[str, ...]) -> str:
    import uvicorn

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    parts = [f"Python {platform.python_version()}", f"uvicorn {uvicorn.__version__} ({loop}, {http})",
             first_line([wrk_binary, "-v"]).split(" [")[0]]
    if {"redis-1", "redis-2"} & set(only):
        parts.append(first_line([tools.redis_server(), "--version"]).split(" sha=")[0])
    if {"prism", "wiremock", "mockoon"} & set(only):
        parts.append(f"Node {first_line(['node', '--version'])}")
    parts += [f"{name} {tools.npm_version(package)}" for key, name, package in NPM_PEERS if key in only]
    if "wiremock" in only:
        parts.append(f"Java {first_line([tools.java(), '-version'])}")
    return ", ".join(parts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="measure every server this many times (default 3)")
    parser.add_argument("--duration", type=float, default=3, help="seconds per wrk measurement (default 3)")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of wrk before each measurement (default 1)")
    parser.add_argument("--jit-warmup", type=float, default=6,
                        help="seconds of warm-up before the creates of Prism, WireMock and Mockoon, whose runtimes "
                             "(Node, Java) compile as they run (default 6)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="do not pin the server side to CPU 0 and wrk to CPU 1")
    parser.add_argument("--memory-count", type=int, default=100_000, help="stored connections (0: skip)")
    parser.add_argument("--no-check", dest="check", action="store_false", help="skip timing `connmock check`")
    parser.add_argument("--output", type=Path, default=tools.HERE / "RESULTS.md")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"the parts to measure, comma-separated (default: all of {','.join(PARTS)})")
    parser.add_argument("--scale-sizes", default=",".join(str(n) for n in scale.SIZES),
                        help="stored connections of the lists at scale, comma-separated (default: %(default)s)")
    parser.add_argument("--scale-duration", type=float, default=2,
                        help="seconds per wrk measurement of the lists at scale (default 2)")
    parser.add_argument("--scale-redis", metavar="URL",
                        help="measure the lists at scale on this Redis (redis://HOST:PORT/DB) instead of in memory")
    parser.add_argument("--scale-rounds", type=int, default=2,
                        help="rounds of the list measurements at scale, every size in each (default 2)")
    args = parser.parse_args(argv)
    args.only = tuple(key.strip() for key in args.only.split(",") if key.strip())
    if not args.only or set(args.only) - set(PARTS):
        parser.error(f"--only takes names among {', '.join(PARTS)}")
    args.pin = args.pin and (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
    args.load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    args.get_path = GET_PATH
    return args


def main(argv: list[str] | None = None) -> int:
    began = time.perf_counter()
    args = parse_args(argv)
    wrk_binary = tools.wrk()
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        replies = Path(scratch) / "replies.json"
        sizes = record_replies(replies)
        needs_redis = {"redis-1", "redis-2"} & set(args.only)
        if needs_redis and importlib.util.find_spec("redis") is None:
            sys.exit("the Redis rows need the Redis client: pip install 'connmock[redis]' (or --only without them)")
        redis = stack.enter_context(redis_url(0 if args.pin else None)) if needs_redis else None
        rounds = measure_rounds(wrk_binary, args, servers(replies, Path(scratch), args.only, redis))
        counts = [int(n) for n in args.scale_sizes.split(",") if n.strip()] if "scale" in args.only else []
        scaled = scale.measure(wrk_binary, args, counts) if counts else []
    memory = run_memory(args.memory_count) if args.memory_count else None
    check = run_check() if args.check else None
    args.wall_s = time.perf_counter() - began
    text = render(args, rounds, sizes, software(wrk_binary, args.only), memory, check, scaled)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
