"""A throw-away `redis-server` for the Redis rows: a free loopback port, no persistence, pinned like the mocks."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks import tools
from benchmarks.processes import free_port, pinned, stop

__all__ = ["redis_url"]


@contextmanager
def redis_url(cpu: int | None) -> Iterator[str]:
    """Serve a new Redis until the block ends; yields its `redis://127.0.0.1:PORT/0`."""
    port = free_port()
    server = subprocess.Popen([tools.redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              preexec_fn=pinned(cpu), start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not answers_ping(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server)


def answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
