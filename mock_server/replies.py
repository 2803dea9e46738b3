"""Rendering replies: a `Reply` onto the wire, an operation's failure in its vendor's envelope, and the answer
to a request no operation takes (the vendor's 404 or 405, a trailing-slash redirect, or a plain 404)."""

from __future__ import annotations

import logging

import orjson
from starlette.datastructures import URL
from starlette.types import Scope, Send

from mock_server.errors import CapacityReached, MethodNotAllowed, NotFound, ServiceError, Unavailable
from mock_server.plans import OperationPlan
from mock_server.routing import Miss, toggled
from mock_server.store import StoreFull, StoreUnavailable
from mock_server.vendors.base import Reply, VendorAdapter, retry_later

__all__ = ["failure_reply", "send_reply", "unrouted_reply"]

logger = logging.getLogger("connmock")
JSON_TYPE = b"application/json; charset=utf-8"


async def send_reply(reply: Reply, send: Send, vendor_headers: dict[str, str]) -> bytes:
    """Send `reply` with the vendor's own headers under its own; the body's bytes are returned (the journal
    keeps an error's)."""
    if reply.body is None or reply.status == 204:
        payload = b""
    elif isinstance(reply.body, bytes):  # already encoded (the hosted HTML pages)
        payload = reply.body
    else:
        payload = orjson.dumps(reply.body)
    headers = [(b"content-length", str(len(payload)).encode())]
    if payload:
        headers.append((b"content-type", JSON_TYPE if reply.content_type == "application/json"
                         else f"{reply.content_type}; charset=utf-8".encode()))
    for name, value in {**vendor_headers, **reply.headers}.items():
        headers.append((name.lower().encode(), value.encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
    return payload


def failure_reply(plan: OperationPlan, error: Exception) -> Reply:
    """What the vendor answers when `error` stops the operation: its envelope, never a bare 500."""
    operation_id = plan.operation_id
    if isinstance(error, ServiceError):
        return plan.adapter.render_error(error, operation_id)
    if isinstance(error, StoreFull):
        return plan.adapter.render_error(CapacityReached(str(error)), operation_id)
    if isinstance(error, StoreUnavailable):  # an outage says "retry", a 500 would say "bug"
        logger.warning("%s.%s: %s", plan.vendor, operation_id, error)
        return retry_later(plan.adapter.render_error(UNAVAILABLE, operation_id))
    # no request data in the log: the type and the operation only
    logger.error("unexpected %s in %s.%s", type(error).__name__, plan.vendor, operation_id)
    return plan.adapter.render_error(ServiceError("Internal server error", status=500), operation_id)


def unrouted_reply(miss: Miss, scope: Scope, adapters: dict[str, VendorAdapter]) -> Reply:
    """The answer to a request no operation takes, in the shape of the vendor whose mount it is under."""
    method = scope["method"]
    if miss.redirect is not None:  # as Starlette's `redirect_slashes`: the same URL, the slash toggled
        url = URL(scope={**scope, "path": toggled(scope["path"])})
        return Reply(307, None, headers={"location": str(url)})
    if miss.vendor is None:
        return Reply(404, {"error": "Not Found"})
    error: ServiceError
    if miss.allowed:
        error = MethodNotAllowed(f"Method {method} is not allowed", code="method_not_allowed", allowed=miss.allowed)
    else:
        error = NotFound(f"Route {method} {scope['path']} not found", code="route_not_found")
    reply = adapters[miss.vendor].render_error(error, None)
    if miss.allowed:
        reply.headers["allow"] = ", ".join(miss.allowed)
    return reply


UNAVAILABLE = Unavailable("The service is temporarily unavailable (connmock's store does not answer); retry shortly")
