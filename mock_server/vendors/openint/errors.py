"""OpenInt's error envelope, as trpc-to-openapi 2.1.3 writes it over tRPC's error shape:

    {"message": str, "code": TRPC_CODE, "data": {"code": TRPC_CODE, "httpStatus": int, "path": operationId},
     "issues": [zod issues]}          # `issues` only for "Input validation failed"

`data.path` is the tRPC procedure (the operationId); a request that matches no procedure has none.
"""

from __future__ import annotations

from typing import Any

from mock_server.errors import (
    CapacityReached,
    InvalidRequest,
    MalformedRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ServiceError,
)
from mock_server.vendors.base import Reply
from mock_server.vendors.openint.issues import zod_issue
from speclib.secrets import SecretRule, rule_for

__all__ = ["RETRIED", "TRPC_CODES", "envelope", "malformed", "render", "validation_issues"]

TRPC_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_SUPPORTED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_CONTENT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    501: "NOT_IMPLEMENTED",
    503: "SERVICE_UNAVAILABLE",
}
# OpenInt's SDK (Stainless) retries 408, 409, 429 and 5xx unless told not to: a mock's error is final.
RETRIED = (408, 409, 429)


def envelope(status: int, message: str, operation_id: str | None, code: str | None = None,
             issues: list[dict[str, Any]] | None = None) -> Reply:
    code = code or TRPC_CODES.get(status, "INTERNAL_SERVER_ERROR")
    data: dict[str, Any] = {"code": code, "httpStatus": status}
    if operation_id:
        data["path"] = operation_id
    body: dict[str, Any] = {"message": message, "code": code, "data": data}
    if issues is not None:
        body["issues"] = issues
    final = (status >= 500 and status != 503) or status in RETRIED  # an outage is worth the SDK's retry
    headers = {"x-should-retry": "false"} if final else {}
    return Reply(status, body, headers=headers)


def validation_issues(error: InvalidRequest, rules: tuple[SecretRule, ...]) -> list[dict[str, Any]]:
    issues = []
    for field_error in error.errors:
        concrete = tuple(str(part) for part in field_error.path)
        secret = error.location == "body" and rule_for(rules, concrete) is not None
        issues.append(zod_issue(field_error, secret))
    return issues


def malformed(error: MalformedRequest, operation_id: str | None) -> Reply:
    # A body that is not JSON, whatever its Content-Type says, is PARSE_ERROR (the spec's BadRequest): neither of
    # trpc-to-openapi 2.1.3's adapters answers 415, and OpenInt documents no 415.
    return envelope(400, "Failed to parse request body", operation_id, code="PARSE_ERROR")


def render(error: ServiceError, operation_id: str | None, rules: tuple[SecretRule, ...]) -> Reply:
    """The status and body OpenInt would send for `error` (never an unlisted status, never a value echoed)."""
    if isinstance(error, InvalidRequest):
        return envelope(400, "Input validation failed", operation_id, issues=validation_issues(error, rules))
    if isinstance(error, MalformedRequest):
        return malformed(error, operation_id)
    if isinstance(error, PayloadTooLarge):
        return envelope(413, "Request body too large", operation_id)
    if isinstance(error, CapacityReached):
        # A full store is final: 400 (documented for every write, never retried by the SDK), not 507.
        return envelope(400, f"connmock store is full ({error.message}); POST /__connmock/reset", operation_id)
    if isinstance(error, MethodNotAllowed):
        return envelope(405, error.message or "Method not supported", operation_id)
    if isinstance(error, NotFound) and error.code == "route_not_found":
        return envelope(404, "Not found", operation_id)
    status = error.status if error.status in TRPC_CODES else 500
    message = error.message if status != 500 else "Internal server error"
    return envelope(status, message or TRPC_CODES[status], operation_id)
