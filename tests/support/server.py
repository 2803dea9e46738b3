"""Real-socket servers for the tests: the product's own helper, so tests and `connmock check` share it, and a
`connmock serve` process as a user starts it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from mock_server.serving import free_port, running

__all__ = ["connmock_serve", "free_port", "running"]


def read_banner(process: subprocess.Popen[str], last: str, lines: list[str], done: threading.Event) -> None:
    """Collect start-up output up to the line holding `last` (the final demo key), then keep draining: a
    server whose log lines fill an unread pipe blocks on its next write."""
    assert process.stdout is not None
    for line in process.stdout:
        if not done.is_set():
            lines.append(line)
            if last in line:
                done.set()
    done.set()


@contextmanager
def connmock_serve(last_line_holds: str, *flags: str) -> Iterator[tuple[str, str]]:
    """A `connmock serve` process on a free loopback port; yields its base URL and what it printed at start-up
    (up to the line holding `last_line_holds`). Stopped on exit."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "connmock.cli", "serve", "--port", str(port), *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    base, banner_done = f"http://127.0.0.1:{port}", threading.Event()
    reader = threading.Thread(target=read_banner, args=(process, last_line_holds, lines, banner_done), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/__connmock/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("connmock serve did not come up")
        banner_done.wait(timeout=5)
        yield base, "".join(lines)
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
