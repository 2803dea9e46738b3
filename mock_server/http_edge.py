"""The HTTP edge of `connmock serve`: uvicorn's httptools protocol with a deadline on every request.

uvicorn times out only the idle time *between* requests (keep-alive). A client that connects and sends
nothing, sends half its headers (slowloris), or announces a `Content-Length` larger than the body it sends would
hold its socket (and, for the body, a running request) forever. Here each request must arrive whole, headers and
body, within `request_timeout` seconds of the connection opening or of its first byte after an idle keep-alive;
otherwise it gets `408 Request Timeout` (when no answer has started) and the connection is closed.

The keep-alive timeout is longer than uvicorn's 5 s (`KEEP_ALIVE_SECONDS`): clients keep idle sockets for a
while and reuse them (Node's fetch, undici, for about 4 s), and a server that closes first loses the request the
client sends on a socket it believes open (`SocketError: other side closed`). The server must outlast its
clients, as load balancers do (60 s idle) and the servers behind them (65 s).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["DROP_EXTENSION", "KEEP_ALIVE_SECONDS", "http_protocol"]

DEFAULT_REQUEST_TIMEOUT = 10.0  # seconds for one request's headers and body to arrive
KEEP_ALIVE_SECONDS = 65  # an idle keep-alive connection is closed after this (uvicorn's default: 5)
MESSAGE = b"the request did not arrive in time\n"
DROP_EXTENSION = "connmock.drop"  # in the scope's extensions: closes this connection without an answer
TIMED_OUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: "
             + str(len(MESSAGE)).encode() + b"\r\nconnection: close\r\n\r\n" + MESSAGE)


class DeadlineHttpProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` whose requests must arrive in full within `request_timeout` seconds."""

    def __init__(self, *args: Any, request_timeout: float = DEFAULT_REQUEST_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_timeout = request_timeout
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.arm()  # the first request must come, whole, in time

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.arm()  # a request after an idle keep-alive: its own deadline

    def on_headers_complete(self) -> None:
        extensions: dict[str, Any] = self.scope.setdefault("extensions", {})  # type: ignore[assignment]
        extensions[DROP_EXTENSION] = self.drop
        super().on_headers_complete()

    def drop(self) -> None:
        """Close the connection without writing anything (a `drop` scenario): the client sees a reset."""
        if self.cycle is not None:
            self.cycle.disconnected = True  # so uvicorn neither answers the request with a 500 nor logs one
        self.transport.abort()

    def on_message_complete(self) -> None:
        self.disarm()  # received in full: the answer takes as long as the app needs
        super().on_message_complete()

    def arm(self) -> None:
        if self.deadline is None:
            self.deadline = self.loop.call_later(self.request_timeout, self.expire)

    def disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def expire(self) -> None:
        """The request did not arrive in time: say so if no answer has started, and close the connection."""
        self.deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle  # the request under way, or the last one answered (then this one is not yet a cycle)
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(TIMED_OUT)
        self.transport.close()


def http_protocol(request_timeout: float = DEFAULT_REQUEST_TIMEOUT) -> Any:
    """What `uvicorn.Config(http=…)` takes: the protocol class with this deadline (picklable, for workers)."""
    return functools.partial(DeadlineHttpProtocol, request_timeout=request_timeout)
