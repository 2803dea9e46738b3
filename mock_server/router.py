"""The router: the outermost of Connexion's middlewares, where every request is routed once.

Explicit mounts first: connmock's own endpoints and the hosted pages (`admin.py`, under `/__connmock/`, with the
index and the specs), and Nango's browser-SDK WebSocket at `/`. Then the routing table compiled from the specs
(`routing.py`): an operation goes to the gate and leaves the stack there. Whatever no operation takes goes on
through Connexion's Swagger UI middleware (`/ui`, the spec it serves) to `Unrouted`, the stack's last layer,
which answers what the table decided: the vendor's 404 or 405, a trailing-slash redirect, or a plain 404.
"""

from __future__ import annotations

from typing import Any

import orjson
from connexion.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.admin import Admin
from mock_server.gate import Gate
from mock_server.recording import Recorder
from mock_server.replies import send_reply, unrouted_reply
from mock_server.routing import Found, Miss, RoutingTable, keep_encoded_slashes, route_path
from mock_server.vendors.base import VendorAdapter

__all__ = ["MISS_KEY", "Router", "Unrouted", "UnroutedErrors"]

MISS_KEY = "connmock.miss"  # the scope's note of why no operation takes the request, for `Unrouted`


class Router:
    """Admin, pages and the WebSocket by their mounts; operations by the table, to the gate; the rest on."""

    def __init__(self, app: ASGIApp, *, table: RoutingTable, gate: Gate, admin: Admin,
                 websocket: ASGIApp | None = None) -> None:
        self.app = app
        self.table = table
        self.gate = gate
        self.admin = admin
        self.websocket = websocket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            reply = await self.admin.handle(route_path(scope), scope, receive)
            if reply is not None:
                await send_reply(reply, send, {})
                return
            scope = keep_encoded_slashes(scope)
            found = self.table.match(scope["method"], route_path(scope))
            if isinstance(found, Found):
                await self.gate(found.plan, found.path_params, scope, receive, send)
                return
            scope[MISS_KEY] = found
        elif kind == "websocket":
            if self.websocket is not None and route_path(scope) == "/":
                await self.websocket(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1000})
            return
        await self.app(scope, receive, send)


class Unrouted:
    """The last layer: the answer to an HTTP request that nothing before it took, as the table decided it."""

    def __init__(self, app: ASGIApp, *, adapters: dict[str, VendorAdapter], recorder: Recorder) -> None:
        self.app = app  # Connexion's own operation layer, which no request reaches
        self.adapters = adapters
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        miss: Miss = scope.get(MISS_KEY) or Miss(None)
        reply = unrouted_reply(miss, scope, self.adapters)
        await send_reply(reply, send, {})
        if miss.vendor is not None and miss.redirect is None:
            self.recorder.unrouted(miss.vendor, scope, reply)


class UnroutedErrors(ExceptionMiddleware):  # type: ignore[misc]
    """Connexion's exception middleware for what Swagger UI's own routes raise (a `POST /ui/`'s 405): under a
    vendor mounted at `/`, the vendor's own 404 or 405, as for any other path its spec lacks."""

    def __init__(self, app: ASGIApp, *, adapters: dict[str, VendorAdapter], recorder: Recorder) -> None:
        super().__init__(app)
        self.adapters = adapters
        self.recorder = recorder

    async def http_exception(self, request: Request, exc: Exception) -> Response:  # type: ignore[override]
        miss: Miss | None = request.scope.get(MISS_KEY)
        if miss is None or miss.vendor is None:
            status: int = getattr(exc, "status_code", 500)
            body: Any = {"error": getattr(exc, "detail", "")}
            return Response(orjson.dumps(body), status_code=status, media_type="application/json")
        reply = unrouted_reply(Miss(miss.vendor, miss.allowed), request.scope, self.adapters)
        self.recorder.unrouted(miss.vendor, request.scope, reply)
        return Response(orjson.dumps(reply.body), status_code=reply.status, headers=reply.headers,
                        media_type="application/json")
