"""The client's side of one exchange: the answer as ASGI messages, and whether its head has gone out.

Until the head (status and headers) is sent, anything that goes wrong can still become the vendor-shaped 502.
After it, closing the connection is the only way left to tell the client that a body is cut short. `on_start`
runs just before the head goes out: the proxy puts the exchange in its log there, so a client holding an
answer always finds its exchange in `/__connmock/violations`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import Send

__all__ = ["Reply", "encode"]


def encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


@dataclass(slots=True)
class Reply:
    send: Send
    on_start: Callable[[], None] | None = None
    head: bool = False  # the answer to a HEAD request: its Content-Length is that of a body it does not carry
    started: bool = False

    async def start(self, status: int, headers: list[tuple[str, str]]) -> None:
        if self.on_start is not None:
            self.on_start()
        self.started = True
        await self.send({"type": "http.response.start", "status": status, "headers": encode(headers)})

    async def body(self, chunk: bytes, more: bool = True) -> None:
        await self.send({"type": "http.response.body", "body": chunk, "more_body": more})

    async def whole(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """A complete answer, its Content-Length set (to HEAD: kept when it has one)."""
        if not (self.head and any(k.lower() == "content-length" for k, _v in headers)):
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("content-length",
                                                                                        str(len(body)))]
        await self.start(status, headers)
        await self.body(body, more=False)
