"""The benchmark: a bare ASGI baseline, `connmock serve` (in memory, and with `--state-file`) and Stoplight
Prism 5, side by side, one run.

    python -m benchmarks                 # 3 rounds of 8 s per server and operation; writes benchmarks/RESULTS.md
    python -m benchmarks --rounds 1 --duration 4 --output /tmp/quick.md
    python -m benchmarks --only connmock,state-file --memory-count 0 --no-check --output /tmp/durability.md

Every server serves Nango's `POST /connections` (create, a new connection per request) and
`GET /connections/{id}?provider_config_key=github` (get, of a connection created first), on 127.0.0.1, one
process each, measured in turn with the same `wrk` settings; the rounds rotate the order. The machine may be
busy with other work, so the figures that count are the ratios within a round. Then: lists at 1k, 10k and
100k stored connections (`benchmarks/scale.py`), resident memory per stored connection (`benchmarks/memory.py`)
and the wall time of a full `connmock check`.

Needs `wrk` (installed with apt-get when missing and run as root) and Node + npm (Prism is installed from
`benchmarks/package-lock.json` into `benchmarks/node_modules`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import scale

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = ROOT / "openapi" / "nango.yaml"
SECRET_KEY = "f6fadfa7-e5c1-4b62-9362-da5cc13da58a"  # tenant acme's Nango key (fixtures/seed.yaml)
AUTH = f"Bearer {SECRET_KEY}"
GET_ID = "bench-get"
GET_PATH = f"/connections/{GET_ID}?provider_config_key=github"
CREATE_BODY = {
    "provider_config_key": "github", "connection_id": GET_ID,
    "credentials": {"type": "OAUTH2", "access_token": "gho_benchAccessToken123",
                    "refresh_token": "ghr_benchRefreshToken456", "expires_at": "2030-01-01T00:00:00.000Z"},
    "metadata": {"team": "alpha"}, "tags": {"origin": "bench"},
}


# ------------------------------------------------------------------------------------------------ tools

def find_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get)", file=sys.stderr)
        lock = ["-o", "DPkg::Lock::Timeout=300"]
        subprocess.run(["apt-get", *lock, "update", "-qq"], check=True)
        subprocess.run(["apt-get", *lock, "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: install Debian's `wrk` (apt-get install wrk) or put it on PATH")
    return found


def prism_command() -> list[str]:
    prism = HERE / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        if not shutil.which("npm"):
            sys.exit("Node and npm are needed to install Stoplight Prism (benchmarks/package.json)")
        print("installing Stoplight Prism (npm ci in benchmarks/)", file=sys.stderr)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)
    return [str(prism)]


def prism_version() -> str:
    package = HERE / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.exists() else "?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(base: str, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": AUTH, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def pinned(cpu: int | None) -> Callable[[], None] | None:
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


# ------------------------------------------------------------------------------------------------ servers

@dataclass
class Server:
    key: str  # what `--only` names
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    base: str = ""
    process: subprocess.Popen[bytes] | None = None


@contextmanager
def started(server: Server, cpu: int | None) -> Iterator[Server]:
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in server.command]
    server.base = f"http://127.0.0.1:{port}"
    server.process = subprocess.Popen(command, cwd=server.cwd, env={**os.environ, **server.env},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      preexec_fn=pinned(cpu), start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
            try:
                request(server.base, "GET", "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{server.name} did not start") from None
                time.sleep(0.2)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# ------------------------------------------------------------------------------------------------ wrk

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # non-2xx answers and socket errors


def duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> Measure:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = duration_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = duration_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    bad = 0
    if found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        bad += int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        bad += sum(int(g) for g in found.groups())
    return Measure(rps, p50, p99, bad)


def wrk(binary: str, args: argparse.Namespace, url: str, cpu: int | None, seconds: float,
        lua: list[str] | None = None, script: str = "create.lua") -> Measure:
    command = [binary, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds:g}s", "--latency",
               "-H", f"Authorization: {AUTH}"]
    if lua:
        command += ["-s", str(HERE / script), url, "--", *lua]
    else:
        command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, check=True, preexec_fn=pinned(cpu))
    return parse_wrk(done.stdout)


# ------------------------------------------------------------------------------------------------ the run

SERVERS = ("baseline", "connmock", "state-file", "prism")
PARTS = (*SERVERS, "scale")  # what `--only` names: the servers, and the lists at scale (`benchmarks/scale.py`)


def servers(replies: Path, scratch: Path, only: tuple[str, ...]) -> list[Server]:
    """The servers to measure; `state-file` starts on a new file each time (`{port}` is new for every start)."""
    python = sys.executable
    connmock = str(Path(python).with_name("connmock"))
    mock = [connmock, "serve", "--vendor", "nango", "--port", "{port}"]
    made = [
        Server("baseline", "baseline (bare ASGI)",
               [python, "-m", "uvicorn", "benchmarks.baseline:app", "--host", "127.0.0.1", "--port", "{port}",
                "--no-access-log", "--log-level", "warning"], env={"BENCH_REPLIES": str(replies)}),
        Server("connmock", "connmock", mock),
        Server("state-file", "connmock --state-file", [*mock, "--state-file", str(scratch / "state-{port}.json")]),
    ]
    if "prism" in only:
        made.append(Server("prism", "Prism", [*prism_command(), "mock", str(SPEC), "--host", "127.0.0.1", "--port",
                                              "{port}"], cwd=HERE))
    return [server for server in made if server.key in only]


def record_replies(target: Path) -> dict[str, int]:
    """The mock's own create and get answers, for the baseline to answer with the same sizes."""
    connmock = Server("connmock", "connmock", [str(Path(sys.executable).with_name("connmock")), "serve", "--vendor",
                                               "nango", "--port", "{port}"])
    with started(connmock, None):
        status, created = request(connmock.base, "POST", "/connections", CREATE_BODY)
        if status != 201:
            raise RuntimeError(f"connmock create answered {status}: {created[:200]!r}")
        status, got = request(connmock.base, "GET", GET_PATH)
        if status != 200:
            raise RuntimeError(f"connmock get answered {status}: {got[:200]!r}")
    target.write_text(json.dumps({"create": json.loads(created), "get": json.loads(got)}))
    return {"create": len(created), "get": len(got)}


def measure_round(wrk_binary: str, args: argparse.Namespace, order: list[Server], round_no: int
                  ) -> dict[str, dict[str, Measure]]:
    results: dict[str, dict[str, Measure]] = {}
    server_cpu, client_cpu = (0, 1) if args.pin else (None, None)
    for server in order:
        with started(server, server_cpu):
            status, body = request(server.base, "POST", "/connections", CREATE_BODY)  # the connection get reads
            if status >= 300:
                raise RuntimeError(f"{server.name}: create answered {status}: {body[:300]!r}")
            status, body = request(server.base, "GET", GET_PATH)
            if status >= 300:
                raise RuntimeError(f"{server.name}: get answered {status}: {body[:300]!r}")
            create_url, get_url = server.base + "/connections", server.base + GET_PATH
            wrk(wrk_binary, args, create_url, client_cpu, args.warmup, lua=[f"warm{round_no}"])
            create = wrk(wrk_binary, args, create_url, client_cpu, args.duration, lua=[f"r{round_no}"])
            wrk(wrk_binary, args, get_url, client_cpu, args.warmup)
            get = wrk(wrk_binary, args, get_url, client_cpu, args.duration)
        results[server.name] = {"create": create, "get": get}
        print(f"  round {round_no} {server.name:22} create {create.rps:9.0f}/s p99 {create.p99_ms:6.2f} ms   "
              f"get {get.rps:9.0f}/s p99 {get.p99_ms:6.2f} ms", file=sys.stderr, flush=True)
    return results


def run_memory(count: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory", str(count)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_check() -> tuple[float, int]:
    connmock = str(Path(sys.executable).with_name("connmock"))
    started_at = time.perf_counter()
    done = subprocess.run([connmock, "check"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started_at, done.returncode


# ------------------------------------------------------------------------------------------------ report

def spread(values: list[float], digits: int = 0) -> str:
    middle = statistics.median(values)
    if len(values) == 1:
        return f"{middle:,.{digits}f}"
    return f"{middle:,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def versions() -> str:
    import uvicorn

    loop = "uvloop" if importable("uvloop") else "asyncio"
    http = "httptools" if importable("httptools") else "h11"
    wrk_version = subprocess.run([shutil.which("wrk") or "wrk", "-v"], capture_output=True, text=True).stdout
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"Python {platform.python_version()}, uvicorn {uvicorn.__version__} ({loop}, {http}), "
            f"Prism {prism_version()}, Node {node}, {wrk_version.split(' [')[0].strip() or 'wrk'}")


def importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


RATIOS = [  # label, numerator, denominator, measure, target
    ("connmock / Prism, req/s", "connmock", "Prism", "rps", "≥ 2"),
    ("connmock / Prism, p99", "connmock", "Prism", "p99_ms", "≤ 0.5"),
    ("connmock / baseline, req/s", "connmock", "baseline (bare ASGI)", "rps", "≥ 0.5 on create"),
    ("connmock --state-file / connmock, req/s", "connmock --state-file", "connmock", "rps",
     "the cost of durable writes (a create logs two writes, a Nango get one: `last_fetched_at`)"),
    ("connmock --state-file / connmock, p99", "connmock --state-file", "connmock", "p99_ms", "—"),
]


def report(args: argparse.Namespace, rounds: list[dict[str, dict[str, Measure]]], sizes: dict[str, int],
           memory: dict[str, Any] | None, check: tuple[float, int] | None, scaled: list[scale.Row]) -> str:
    names = list(rounds[0]) if rounds else []

    def values(name: str, op: str, attr: str) -> list[float]:
        return [float(getattr(r[name][op], attr)) for r in rounds]

    def ratios(top: str, bottom: str, op: str, attr: str) -> list[float]:
        return [getattr(r[top][op], attr) / getattr(r[bottom][op], attr) for r in rounds]

    lines = [
        "# connmock benchmark",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: `nproc` {os.cpu_count()}, {cpu_model()}, {platform.system()} {platform.release()}; "
        f"load average at start {args.load}",
        f"- software: {versions()}",
        f"- wrk: {args.threads} thread, {args.connections} connections, {args.duration:g} s per measurement after "
        f"{args.warmup:g} s of warm-up; {len(rounds)} round(s), server order rotated; "
        + ("server pinned to CPU 0, wrk to CPU 1" if args.pin else "no CPU pinning"),
        f"- create: `POST /connections` (valid OAUTH2 body for the seeded `github` integration, a new "
        f"`connection_id` per request); get: `GET {GET_PATH}`; connmock's answers are {sizes['create']} and "
        f"{sizes['get']} bytes, the baseline answers the same JSON",
        "- servers: baseline = `benchmarks/baseline.py` on uvicorn; connmock = `connmock serve --vendor nango` "
        "(one worker, full validation, stateful, INFO log per request); connmock --state-file = the same with "
        "`--state-file` on a new file (every write durable before it is answered); Prism = "
        "`prism mock openapi/nango.yaml` (defaults: request validation, static examples, info log)",
        "",
    ]
    if names:
        lines += ["Each cell: median over the rounds (min-max). Latencies in ms.", "",
                  "| server | create req/s | create p50 | create p99 | get req/s | get p50 | get p99 | bad answers |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in names:
        bad = sum(r[name][op].bad for r in rounds for op in ("create", "get"))
        lines.append(f"| {name} | {spread(values(name, 'create', 'rps'))} "
                     f"| {spread(values(name, 'create', 'p50_ms'), 2)} "
                     f"| {spread(values(name, 'create', 'p99_ms'), 2)} | {spread(values(name, 'get', 'rps'))} "
                     f"| {spread(values(name, 'get', 'p50_ms'), 2)} | {spread(values(name, 'get', 'p99_ms'), 2)} "
                     f"| {bad} |")
    if names:
        lines += ["", "Ratios, computed within each round (median (min-max)):", "",
                  "| ratio | create | get | target |", "|---|---:|---:|---|"]
    for label, top, bottom, attr, target in RATIOS:
        if top in names and bottom in names:
            lines.append(f"| {label} | {spread(ratios(top, bottom, 'create', attr), 2)} "
                         f"| {spread(ratios(top, bottom, 'get', attr), 2)} | {target} |")
    lines.append("")
    if scaled:
        lines += scale.report(scaled, args.scale_duration, args.scale_rounds, args.scale_redis)
    if memory is not None:
        lines += [
            "| memory (connmock, in-process, `benchmarks/memory.py`) | value |",
            "|---|---:|",
            f"| RSS before | {memory['rss_before_kb'] / 1024:,.1f} MB |",
            f"| RSS after {memory['count']:,} stored connections | {memory['rss_after_kb'] / 1024:,.1f} MB |",
            f"| per stored connection | {memory['kb_per_connection']:.2f} KB (target ≤ 2 KB) |",
            f"| creates that failed | {memory['failed']} |",
            "",
        ]
    if check is not None:
        seconds, code = check
        lines += [f"`connmock check` (all four vendors, against its own mock): {seconds:.1f} s wall time, "
                  f"exit code {code}.", ""]
    if not rounds:
        return "\n".join(lines) + "\n"
    lines += ["Per round:", "",
              "| round | server | create req/s | create p50 | create p99 | get req/s | get p50 | get p99 |",
              "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for number, results in enumerate(rounds, 1):
        for name, ops in results.items():
            c, g = ops["create"], ops["get"]
            lines.append(f"| {number} | {name} | {c.rps:,.0f} | {c.p50_ms:.2f} | {c.p99_ms:.2f} | {g.rps:,.0f} "
                         f"| {g.p50_ms:.2f} | {g.p99_ms:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="measure every server this many times (default 3)")
    parser.add_argument("--duration", type=float, default=8, help="seconds per wrk measurement (default 8)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk before each measurement (default 2)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="do not pin the server to CPU 0 and wrk to CPU 1")
    parser.add_argument("--memory-count", type=int, default=100_000, help="stored connections (0: skip)")
    parser.add_argument("--no-check", dest="check", action="store_false", help="skip timing `connmock check`")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
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
    only = tuple(key.strip() for key in args.only.split(",") if key.strip())
    if not only or set(only) - set(PARTS):
        parser.error(f"--only takes names among {', '.join(PARTS)}")
    args.pin = args.pin and (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
    args.load = " ".join(f"{x:.2f}" for x in os.getloadavg())

    wrk_binary = find_wrk()
    with tempfile.TemporaryDirectory() as scratch:
        replies = Path(scratch) / "replies.json"
        sizes = record_replies(replies)
        measured = servers(replies, Path(scratch), only)
        rounds = []
        for number in range(1, args.rounds + 1 if measured else 1):
            shift = (number - 1) % len(measured)
            rounds.append(measure_round(wrk_binary, args, measured[shift:] + measured[:shift], number))
        rounds = [{s.name: r[s.name] for s in measured} for r in rounds]
        counts = [int(n) for n in args.scale_sizes.split(",") if n.strip()] if "scale" in only else []
        scaled = scale.measure(wrk_binary, args, counts) if counts else []
    memory = run_memory(args.memory_count) if args.memory_count else None
    check = run_check() if args.check else None
    text = report(args, rounds, sizes, memory, check, scaled)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
