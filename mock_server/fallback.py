"""Requests that match no operation: the vendor's own 404, or 405 with a correct `Allow` header.

Such a request is usually a call an SDK makes that the mock's spec does not have (`createIntegration`, say), so it
is never silent: it is journalled (`GET /__connmock/requests`, with `operation: null`) and logged, at the level of
the per-request lines, naming vendor, method and path (never the query or body, which may hold secrets)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import orjson
from connexion.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from mock_server.errors import MethodNotAllowed, NotFound, ServiceError
from mock_server.journal import JournalEntry, redacted_query
from mock_server.vendors.base import Reply, VendorAdapter
from mock_server.world import World
from speclib import Spec

logger = logging.getLogger("connmock")


@dataclass(frozen=True, slots=True)
class Route:
    pattern: re.Pattern[str]
    methods: tuple[str, ...]
    literal: bool = False  # no path parameter: where it matches, it wins over templates (`/connections/metadata`)


def compile_routes(spec: Spec, mount: str) -> list[Route]:
    by_path: dict[str, list[str]] = {}
    for op in spec.operations.values():
        by_path.setdefault(op.path, []).append(op.method)
    routes = []
    for path, methods in by_path.items():
        regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(mount + path))
        routes.append(Route(re.compile(f"^{regex}/?$"), tuple(sorted(methods)), literal="{" not in path))
    return routes


class Fallback:
    """Decides the vendor error for an unrouted request under a vendor's mount."""

    def __init__(self, adapters: dict[str, VendorAdapter], routes: dict[str, list[Route]], mounts: dict[str, str],
                 world: World | None = None):
        self.adapters = adapters
        self.routes = routes
        self.mounts = mounts
        self.world = world  # where unserved requests are journalled

    def vendor_for(self, path: str) -> str | None:
        for vendor, mount in self.mounts.items():
            if not mount or path == mount or path.startswith(mount + "/"):
                return vendor
        return None

    def reply(self, method: str, path: str, query_string: str = "") -> Reply | None:
        vendor = self.vendor_for(path)
        if vendor is None:
            return None
        matching = [r for r in self.routes[vendor] if r.pattern.match(path)]
        matching = [r for r in matching if r.literal] or matching
        allowed = sorted({m for r in matching for m in r.methods})
        error: ServiceError
        if allowed and method not in allowed:
            error = MethodNotAllowed(f"Method {method} is not allowed", code="method_not_allowed",
                                     allowed=tuple(allowed))
        else:
            error = NotFound(f"Route {method} {path} not found", code="route_not_found")
        reply = self.adapters[vendor].render_error(error, None)
        if allowed:
            reply.headers["allow"] = ", ".join(allowed)
        self.note(vendor, method, path, query_string, reply)
        return reply

    def note(self, vendor: str, method: str, path: str, query_string: str, reply: Reply) -> None:
        what = "a method" if reply.status == 405 else "an operation"
        logger.info("%s %s %s -> %d: not %s of the mock's %s spec", vendor, method, path, reply.status, what, vendor)
        if self.world is None:
            return
        self.world.journal.add(JournalEntry(
            at=self.world.clock.now().isoformat(), vendor=vendor, operation=None, method=method, path=path,
            query=redacted_query(query_string), status=reply.status, duration_ms=0.0, request_body=None,
            response_body=reply.body))


class VendorExceptionMiddleware(ExceptionMiddleware):  # type: ignore[misc]
    """Connexion's exception middleware, but HTTP errors raised by routing (405, 404) get the vendor's shape."""

    def __init__(self, app: ASGIApp, *, fallback: Fallback) -> None:
        super().__init__(app)
        self.fallback = fallback

    async def http_exception(self, request: Request, exc: Exception) -> Response:  # type: ignore[override]
        reply = self.fallback.reply(request.method, request.url.path, request.url.query)
        if reply is None:
            status = getattr(exc, "status_code", 500)
            return Response(orjson.dumps({"error": getattr(exc, "detail", "")}), status_code=status,
                            media_type="application/json")
        headers = dict(reply.headers)
        return Response(orjson.dumps(reply.body), status_code=reply.status, headers=headers,
                        media_type="application/json")
