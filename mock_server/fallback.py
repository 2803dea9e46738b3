"""Requests that match no operation: the vendor's own 404, or 405 with a correct `Allow` header."""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson
from connexion.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from connmock.spec import Spec
from mock_server.errors import MethodNotAllowed, NotFound, ServiceError
from mock_server.vendors.base import Reply, VendorAdapter


@dataclass(frozen=True, slots=True)
class Route:
    pattern: re.Pattern[str]
    methods: tuple[str, ...]


def compile_routes(spec: Spec, mount: str) -> list[Route]:
    by_path: dict[str, list[str]] = {}
    for op in spec.operations.values():
        by_path.setdefault(op.path, []).append(op.method)
    routes = []
    for path, methods in by_path.items():
        regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(mount + path))
        routes.append(Route(re.compile(f"^{regex}/?$"), tuple(sorted(methods))))
    return routes


class Fallback:
    """Decides the vendor error for an unrouted request under a vendor's mount."""

    def __init__(self, adapters: dict[str, VendorAdapter], routes: dict[str, list[Route]], mounts: dict[str, str]):
        self.adapters = adapters
        self.routes = routes
        self.mounts = mounts

    def vendor_for(self, path: str) -> str | None:
        for vendor, mount in self.mounts.items():
            if not mount or path == mount or path.startswith(mount + "/"):
                return vendor
        return None

    def reply(self, method: str, path: str) -> Reply | None:
        vendor = self.vendor_for(path)
        if vendor is None:
            return None
        allowed = sorted({m for r in self.routes[vendor] if r.pattern.match(path) for m in r.methods})
        error: ServiceError
        if allowed and method not in allowed:
            error = MethodNotAllowed(f"Method {method} is not allowed", code="method_not_allowed",
                                     allowed=tuple(allowed))
        else:
            error = NotFound(f"Route {method} {path} not found", code="route_not_found")
        reply = self.adapters[vendor].render_error(error, None)
        if allowed:
            reply.headers["allow"] = ", ".join(allowed)
        return reply


class VendorExceptionMiddleware(ExceptionMiddleware):  # type: ignore[misc]
    """Connexion's exception middleware, but HTTP errors raised by routing (405, 404) get the vendor's shape."""

    def __init__(self, app: ASGIApp, *, fallback: Fallback) -> None:
        super().__init__(app)
        self.fallback = fallback

    async def http_exception(self, request: Request, exc: Exception) -> Response:  # type: ignore[override]
        reply = self.fallback.reply(request.method, request.url.path)
        if reply is None:
            status = getattr(exc, "status_code", 500)
            return Response(orjson.dumps({"error": getattr(exc, "detail", "")}), status_code=status,
                            media_type="application/json")
        headers = dict(reply.headers)
        return Response(orjson.dumps(reply.body), status_code=reply.status, headers=headers,
                        media_type="application/json")
