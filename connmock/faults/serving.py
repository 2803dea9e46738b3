"""A selftest target: a fresh mock of one vendor, maybe broken by one fault, served on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

__all__ = ["FAITHFUL", "served", "target_app"]

FAITHFUL = "faithful"  # the pseudo-fault name of the unbroken mock


def target_app(vendor: str, fault: str) -> ASGIApp:
    """A fresh mock of `vendor` (mounted at `/<vendor>`), broken by `fault` unless it is `FAITHFUL`."""
    from connmock.faults.zoo import faulty
    from mock_server import Settings, create_app

    app = create_app(Settings(vendors=(vendor,)))
    return app if fault == FAITHFUL else faulty(app, vendor, fault)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app: ASGIApp) -> Iterator[str]:
    """Serve `app` on a free 127.0.0.1 port in a background thread; yields its root URL."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="error", access_log=False,
                            lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="connmock-selftest-target", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the selftest target did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
