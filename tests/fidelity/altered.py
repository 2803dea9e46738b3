"""A deliberately altered copy of the mock: an ASGI middleware that rewrites some Nango answers."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ONE_CONNECTION = re.compile(r"^/nango/connections/[^/]+$")


def alter(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    """The three alterations: create answers 200, get drops `provider`, an unknown delete changes its code."""
    if method == "POST" and path == "/nango/connections" and status == 201:
        return 200, body
    if method == "GET" and ONE_CONNECTION.match(path) and status == 200 and isinstance(body, dict):
        return status, {k: v for k, v in body.items() if k != "provider"}
    if method == "DELETE" and status == 400 and body == {"error": {"code": "unknown_connection"}}:
        return status, {"error": {"code": "connection_missing"}}
    return status, body


class Altered:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            raw = b"".join(chunks)
            try:
                status, body = alter(scope["method"], scope["path"], start["status"], json.loads(raw))
                raw = json.dumps(body).encode()
            except ValueError:
                status = start["status"]
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(raw)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": raw})

        await self.app(scope, receive, capture)
