"""Child processes of the proxy tests: a command run as a user runs it, ready once a URL of it answers."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


@contextmanager
def process(args: list[str], ready: str, output: int = subprocess.DEVNULL) -> Iterator[subprocess.Popen[str]]:
    """`args` started with stdout and stderr to `output`, yielded once `ready` answers; terminated on exit."""
    child = subprocess.Popen(args, stdout=output, stderr=output, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(ready, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError(f"{args[:3]} did not start") from None
                time.sleep(0.1)
        yield child
    finally:
        child.terminate()
        child.wait(timeout=10)
