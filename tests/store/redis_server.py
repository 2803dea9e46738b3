"""A throwaway `redis-server` for the tests: a free loopback port, no persistence, a temporary folder.

The Redis tests are skipped when the binary (or the `redis` package) is missing, but only outside CI: with
`CI` set they must run (`.ci/run` installs Debian's `redis-server`), so a missing binary there is a failure,
not a silent skip.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from mock_server.serving import free_port

BINARY = "redis-server"


def require_redis() -> str:
    """The binary's path; skips (outside CI) or fails (in CI) when it or the `redis` package is missing."""
    path = shutil.which(BINARY)
    if path is not None and importlib.util.find_spec("redis") is not None:
        return path
    reason = (f"{BINARY} not installed (Debian: apt-get install -y redis-server)" if path is None
              else "the redis package is not installed (pip install 'connmock[redis]')")
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the Redis tests")
    pytest.skip(reason, allow_module_level=True)


def wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{BINARY} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{BINARY} did not answer PING on port {port}")


@contextmanager
def redis_server() -> Iterator[str]:
    """`redis://127.0.0.1:PORT/0` of a fresh server, stopped (and its folder removed) afterwards."""
    binary = require_redis()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="connmock-redis-") as folder:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", folder, "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(port, process)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
