"""The servers under test as processes: started on a free loopback port, timed until their first 2xx, and
their resident memory (the whole process tree: uvicorn's workers, Node's and Java's threads) read from /proc."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["AUTH", "ROOT", "Server", "free_port", "parse_ppid", "parse_rss_kb", "pinned", "request", "started",
           "stop", "tree_rss_kb"]

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "f6fadfa7-e5c1-4b62-9362-da5cc13da58a"  # tenant acme's Nango key (fixtures/seed.yaml)
AUTH = f"Bearer {SECRET_KEY}"
START_TIMEOUT_S = 90  # a JVM or Node start on a busy 2-core machine


@dataclass
class Server:
    key: str  # what `--only` names
    name: str
    command: list[str]  # `{port}` is replaced by a new free port at every start
    serves: str = ""  # what it does per request, for the report (validation, state, static stubs)
    ready_path: str = "/"  # a GET that answers 2xx once the server serves
    jit: bool = False  # a JIT-compiled runtime (Node, Java): warmed up longer before its first measurement
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    base: str = ""
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0  # from the process start to its first 2xx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(base: str, method: str, path: str, body: Any = None, timeout: float = 10) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": AUTH, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def pinned(cpu: int | None) -> Callable[[], None] | None:
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


@contextlib.contextmanager
def started(server: Server, cpu: int | None) -> Iterator[Server]:
    """Run `server` (pinned to `cpu`) until the block ends; `server.startup_s` is the time to its first 2xx."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in server.command]
    server.base = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    server.process = subprocess.Popen(command, cwd=server.cwd, env={**os.environ, **server.env},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      preexec_fn=pinned(cpu), start_new_session=True)
    try:
        server.startup_s = first_2xx(server, began)
        yield server
    finally:
        stop(server.process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the server's own process group (it started a session of its own): uvicorn's workers, a wrapper's
    child, whatever it spawned, and nothing else."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def first_2xx(server: Server, began: float) -> float:
    """Poll `server.ready_path` every 20 ms; the seconds from `began` to its first 2xx."""
    assert server.process is not None
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
        try:
            if 200 <= request(server.base, "GET", server.ready_path, timeout=2)[0] < 300:
                return time.perf_counter() - began
        except OSError:
            pass
        if time.perf_counter() - began > START_TIMEOUT_S:
            raise RuntimeError(f"{server.name} did not answer 2xx within {START_TIMEOUT_S} s")
        time.sleep(0.02)


def parse_rss_kb(status: str) -> int:
    """VmRSS in KB from the text of /proc/PID/status (0 for a zombie, which has none)."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def parse_ppid(stat: str) -> int:
    """The parent pid from /proc/PID/stat (the command, field 2, may hold spaces and parentheses)."""
    return int(stat[stat.rindex(")") + 2:].split()[1])


def tree_rss_kb(pid: int, proc: Path = Path("/proc")) -> int:
    """The summed VmRSS of `pid` and all its descendants (pages two processes share are counted twice)."""
    parents: dict[int, int] = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = parse_ppid((entry / "stat").read_text())
            except (OSError, ValueError):
                continue  # gone meanwhile
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for member in tree:
        try:
            total += parse_rss_kb((proc / str(member) / "status").read_text())
        except OSError:
            continue
    return total
