"""Small upstreams and faults for the proxy tests: raw ASGI (no framework), and raw sockets where the bytes on
the wire are the point."""

from __future__ import annotations

import gzip
import json
import re
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connmock.faults.asgi import read_body, replayer


@dataclass
class Restatus:
    """Answer `status` instead of the mock's on every `method` request whose path ends like `suffix`."""

    app: ASGIApp
    method: str
    suffix: str
    status: int

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != self.method or not re.search(self.suffix, scope["path"]):
            await self.app(scope, receive, send)
            return
        status, headers, body = await capture(self.app, scope, replayer(await read_body(receive)))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        del status


@dataclass
class Stalling:
    """Never answer a request whose path ends like `suffix` (`arrived` is set once one came): it ends only when
    its client goes away, so it stands for a request still in flight when the proxy is stopped."""

    app: ASGIApp
    suffix: str
    arrived: threading.Event = field(default_factory=threading.Event)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not re.search(self.suffix, scope["path"]):
            await self.app(scope, receive, send)
            return
        await read_body(receive)
        self.arrived.set()
        while (await receive())["type"] != "http.disconnect":
            pass


async def odd_upstream(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers nothing a proxy should check: plain text, an event stream."""
    if scope["type"] != "http":
        return
    await read_body(receive)
    if scope["path"].endswith("/text"):
        headers, chunks = [(b"content-type", b"text/plain")], [b"hello, not JSON"]
    else:
        headers, chunks = [(b"content-type", b"text/event-stream")], [b"data: one\n\n", b"data: two\n\n"]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for chunk in chunks:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


Framing = Literal["declared", "streamed", "gzip"]


@dataclass
class Oversized:
    """Echo the request's JSON body first thing in a 201 JSON answer of about `size` bytes, framed as `framing`:
    `declared` (its Content-Length says the size), `streamed` (chunked, no length: the size shows only while
    it is read) or `gzip` (small on the wire, `size` once inflated)."""

    size: int
    framing: Framing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        echoed = json.loads(await read_body(receive) or b"null")
        body = json.dumps({"echo": echoed, "padding": "x" * self.size}).encode()
        headers = [(b"content-type", b"application/json")]
        if self.framing == "gzip":
            body = gzip.compress(body)
            headers.append((b"content-encoding", b"gzip"))
        if self.framing != "streamed":
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        step = 1024 if self.framing == "streamed" else len(body)
        for start in range(0, len(body), step):
            await send({"type": "http.response.body", "body": body[start:start + step], "more_body": True})
        await send({"type": "http.response.body", "body": b""})


async def capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    status, headers, chunks = 500, [], []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


Then = Literal["close", "reset", "stall"]


@contextmanager
def raw_upstream(reply: bytes, then: Then = "close") -> Iterator[str]:
    """A socket server answering every request with `reply`, bytes as they are (any framing, broken or not), then
    closing the connection: `reset` with a TCP RST, `stall` not until the test is done. Yields its base URL."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    done, held = threading.Event(), []

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with suppress(OSError):
                head = b""
                while b"\r\n\r\n" not in head and (more := conn.recv(65536)):
                    head += more
                conn.sendall(reply)
            if then == "stall":
                held.append(conn)
                continue
            if then == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, name="raw-upstream", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        done.set()
        thread.join(timeout=5)
        for conn in [server, *held]:
            conn.close()
