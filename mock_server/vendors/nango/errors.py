"""Nango's three error shapes, as the real server sends them (`reference/real/nango-exchanges.json`):

    auth        {"error": {"message": str, "code": str, "payload": {}}}
    validation  {"error": {"code": "invalid_body" | "invalid_query_params" | "invalid_uri_params",
                           "errors": [{"code", "message", "path"}]}}
    others      {"error": {"code": str, "message": str}}      # `message` absent when Nango sends none
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
    Unauthorized,
)
from mock_server.vendors.base import Reply
from mock_server.vendors.nango.issues import zod_issues
from speclib.secrets import SecretRule, secret_values

__all__ = [
    "AUTH_MESSAGES", "CAPPED", "CONTENT_TYPE", "DEFAULT_CODES", "INVALID_JSON", "TRUNCATED_JSON",
    "VALIDATION_CODES", "auth_error", "envelope", "hidden_values", "malformed", "render",
]

AUTH_MESSAGES = {
    "missing_auth_header": "Authentication failed. The request is missing the Authorization header.",
    "invalid_secret_key_format": "Authentication failed. The provided secret key is not a UUID v4.",
    "unknown_account": "Authentication failed. The provided authorization header does not match any account.",
}
VALIDATION_CODES = {"body": "invalid_body", "query": "invalid_query_params", "path": "invalid_uri_params"}
DEFAULT_CODES = {400: "invalid_body", 403: "forbidden", 404: "not_found", 409: "conflict", 503: "service_unavailable"}
CONTENT_TYPE = "Content-Type header must be application/json"
TRUNCATED_JSON = "Unexpected end of JSON input"  # what Node's JSON.parse says; other errors would quote the body
INVALID_JSON = "Unexpected token in JSON body"
CAPPED = "Reached maximum number of allowed connections. connmock store is full ({}); POST /__connmock/reset"


def envelope(status: int, code: str, message: str | None = None, **extra: Any) -> Reply:
    error: dict[str, Any] = {"code": code}
    if message:
        error["message"] = message
    error.update(extra)
    return Reply(status, {"error": error})


def auth_error(error: Unauthorized) -> Reply:
    code = error.code or "unknown_account"
    return Reply(401, {"error": {"message": error.message or AUTH_MESSAGES[code], "code": code, "payload": {}}})


def hidden_values(error: InvalidRequest, rules: tuple[SecretRule, ...]) -> frozenset[str]:
    """The secret values of the request body (from the spec's secret marks), which no issue may quote."""
    body = error.extra.get("body")
    return frozenset(value for _, value, _ in secret_values(rules, body)) if rules and body is not None else frozenset()


def malformed(error: MalformedRequest) -> Reply:
    if error.reason == "content_type":
        return envelope(415, "invalid_content_type", CONTENT_TYPE)
    truncated = "end of data" in error.message or "length is 0" in error.message
    return envelope(400, "invalid_json", TRUNCATED_JSON if truncated else INVALID_JSON)


def render(error: ServiceError, rules: tuple[SecretRule, ...]) -> Reply:
    """The status and body Nango would send for `error` (never a request value echoed)."""
    if isinstance(error, Unauthorized):
        return auth_error(error)
    if isinstance(error, InvalidRequest):
        issues = zod_issues(error.errors, hidden_values(error, rules))
        return envelope(400, VALIDATION_CODES.get(error.location, "invalid_body"), errors=issues)
    if isinstance(error, MalformedRequest):
        return malformed(error)
    if isinstance(error, PayloadTooLarge):
        return envelope(413, "payload_too_large", "Request body is too large")
    if isinstance(error, CapacityReached):  # Nango's plan cap: a final 400, never a 5xx a client would retry
        return envelope(400, "resource_capped", CAPPED.format(error.message))
    if isinstance(error, MethodNotAllowed):
        return envelope(405, "method_not_allowed", error.message or "Method not allowed")
    if isinstance(error, NotFound) and error.code == "route_not_found":
        return envelope(404, "not_found", "Endpoint not found")
    if error.status not in DEFAULT_CODES:
        return envelope(500, "server_error", "An unexpected error occurred")
    return envelope(error.status, error.code or DEFAULT_CODES[error.status], error.message or None)
