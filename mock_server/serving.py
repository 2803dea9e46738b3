"""Serve an ASGI app with uvicorn on a free loopback port in a background thread (real sockets).

Used wherever a command or a test needs a mock of its own for a while: `connmock check` without a base URL,
and the tests that need a socket.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from mock_server.http_edge import http_protocol

__all__ = ["free_port", "running"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 and yield its base URL; stopped on exit."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on",
                            http=http_protocol())  # `connmock serve`'s protocol: deadlines, dropped connections
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"connmock-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
