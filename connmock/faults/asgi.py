"""The plumbing of a faulty server: ASGI middleware that hands each API exchange of one vendor to a fault.

A fault sees a whole `Request` (vendor-relative path, headers, body) and a `forward` that sends a (possibly
rewritten) request to the faithful mock and returns its whole `Answer`; whatever the fault returns is sent.
A fault that raises `Dropped` answers nothing: the connection is closed under the client, as a server
process that dies mid-request would leave it. Everything outside `/<vendor>` (the index, `/__connmock/*`)
passes through untouched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Answer", "Dropped", "FaultyApp", "Forward", "Handler", "Request"]

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # relative to the vendor's mount: `/connection/{id}` filled in
    query: bytes
    headers: Headers
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode()
        return next((v.decode("latin-1") for k, v in self.headers if k.lower() == wanted), None)

    def with_header(self, name: str, value: str) -> Request:
        wanted = name.lower().encode()
        kept = [(k, v) for k, v in self.headers if k.lower() != wanted]
        return replace(self, headers=[*kept, (wanted, value.encode("latin-1"))])

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@dataclass(slots=True)
class Answer:
    status: int
    headers: Headers = field(default_factory=list)
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def with_json(self, document: Any, status: int | None = None) -> Answer:
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-type"]
        return Answer(self.status if status is None else status,
                      [*headers, (b"content-type", b"application/json")], json.dumps(document).encode())


class Dropped(Exception):
    """Raised by a fault: close the connection without a complete answer."""


class QuietDrops(logging.Filter):
    """Keep uvicorn from logging a deliberate drop as an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], Dropped))


def quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietDrops) for f in logger.filters):
        logger.addFilter(QuietDrops())


Forward = Callable[[Request], Awaitable[Answer]]
Handler = Callable[[Request, Forward], Awaitable[Answer]]


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replayer(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


@dataclass(slots=True)
class FaultyApp:
    """`app` (the mock, `vendor` mounted at `/<vendor>`) with every API exchange of `vendor` given to `handler`."""

    app: ASGIApp
    vendor: str
    handler: Handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = f"/{self.vendor}"
        if scope["type"] != "http" or not scope["path"].startswith(prefix + "/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope["method"], scope["path"][len(prefix):], scope.get("query_string", b""),
                          list(scope.get("headers", [])), await read_body(receive))

        async def forward(sent: Request) -> Answer:
            inner = dict(scope, method=sent.method, path=prefix + sent.path, raw_path=(prefix + sent.path).encode(),
                         query_string=sent.query, headers=sent.headers)
            return await self.capture(inner, replayer(sent.body))

        try:
            answer = await self.handler(request, forward)
        except Dropped:
            # An exception after the answer has started makes the server close the connection at once (before
            # it started, the server would answer 500 instead).
            quiet_drops()
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
            raise
        headers = [(k, v) for k, v in answer.headers if k.lower() != b"content-length"]
        await send({"type": "http.response.start", "status": answer.status,
                    "headers": [*headers, (b"content-length", str(len(answer.body)).encode())]})
        await send({"type": "http.response.body", "body": answer.body})

    async def capture(self, scope: Scope, receive: Receive) -> Answer:
        answer = Answer(500)
        chunks: list[bytes] = []

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status, answer.headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        answer.body = b"".join(chunks)
        return answer
