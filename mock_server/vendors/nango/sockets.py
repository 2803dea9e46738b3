"""The WebSocket `@nangohq/frontend` opens for `nango.auth()`: at `websocketsPath` (default `/`, the root of
the host's origin). On connect the server sends `{"message_type":"connection_ack","ws_client_id":<id>}`; the
OAuth popup carries that id, and the consent page's decision is sent back over the same socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

__all__ = ["AuthSockets"]


class AuthSockets:
    """Open sockets by `ws_client_id`; a message for a client that is gone is dropped."""

    def __init__(self) -> None:
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}

    def notify(self, client_id: str, message: dict[str, Any]) -> bool:
        queue = self.queues.get(client_id)
        if queue is None:
            return False
        queue.put_nowait(message)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one socket: accept, acknowledge with a fresh id, then forward its messages until it closes."""
        if (await receive())["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        client_id = secrets.token_hex(16)
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.queues[client_id] = queue
        try:
            await self.send(send, {"message_type": "connection_ack", "ws_client_id": client_id})
            await self.pump(receive, send, queue)
        finally:
            self.queues.pop(client_id, None)

    async def pump(self, receive: Receive, send: Send, queue: asyncio.Queue[dict[str, Any]]) -> None:
        incoming = asyncio.ensure_future(receive())
        outgoing = asyncio.ensure_future(queue.get())
        try:
            while True:
                done, _ = await asyncio.wait({incoming, outgoing}, return_when=asyncio.FIRST_COMPLETED)
                if incoming in done:
                    if incoming.result()["type"] == "websocket.disconnect":
                        return
                    incoming = asyncio.ensure_future(receive())  # the SDK sends nothing; ignore what comes
                if outgoing in done:
                    await self.send(send, outgoing.result())
                    outgoing = asyncio.ensure_future(queue.get())
        finally:
            for task in (incoming, outgoing):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    @staticmethod
    async def send(send: Send, message: dict[str, Any]) -> None:
        await send({"type": "websocket.send", "text": orjson.dumps(message).decode()})
