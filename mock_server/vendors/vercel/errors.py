"""Vercel's error envelope, identical for every endpoint (vercel.com/docs/rest-api/errors):

    {"error": {"code": str, "message": str, ...}}     # extra keys such as `missingToken`, `invalidToken`

Validation messages follow the ajv wording of Vercel's API ("Invalid request: missing required property
`type`."), name every offending field, and never quote a value, so an error can never carry a secret.
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
from speclib import FieldError

__all__ = [
    "CODES", "ENVELOPE_KEY", "MALFORMED", "PREFIXES", "describe", "dotted", "envelope", "render",
    "validation_message",
]

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_unknown",
    409: "conflict",
    413: "payload_too_large",
    422: "unprocessable_entity",
    429: "rate_limited",
    500: "internal_server_error",
    503: "service_unavailable",
}
PREFIXES = {"body": "Invalid request", "query": "Invalid query parameters", "path": "Invalid path parameters"}
MALFORMED = {
    "invalid_json": "Invalid request: the body is not valid JSON.",
    "invalid_encoding": "Invalid request: the body is not valid UTF-8.",
    "too_deep": "Invalid request: the body is nested too deeply.",
    "content_type": "Invalid request: the Content-Type must be application/json.",
}
ENVELOPE_KEY = "envelope"  # ServiceError.extra[ENVELOPE_KEY]: extra keys of the `error` object


def dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path)


def describe(error: FieldError) -> str:
    """One field's complaint, ajv-style, without its value."""
    where = f"`{dotted(error.path)}`"
    bound = error.options[0] if error.options else None
    phrases = {
        "missing": f"missing required property {where}",
        "type": f"{where} should be {error.expected}",
        "enum": f"{where} should be equal to one of the allowed values",
        "discriminator": f"{where} should be one of: {', '.join(str(o) for o in error.options)}",
        "pattern": f"{where} should match pattern \"{bound}\"",
        "min_length": f"{where} should NOT be shorter than {bound} characters",
        "max_length": f"{where} should NOT be longer than {bound} characters",
        "minimum": f"{where} should be >= {bound}",
        "maximum": f"{where} should be <= {bound}",
        "min_items": f"{where} should NOT have fewer than {bound} items",
        "max_items": f"{where} should NOT have more than {bound} items",
        "format": f"{where} should match format \"{bound}\"",
    }
    return phrases.get(error.kind, f"{where} is invalid")


def validation_message(error: InvalidRequest) -> str:
    complaints = list(dict.fromkeys(describe(field_error) for field_error in error.errors))
    return f"{PREFIXES.get(error.location, 'Invalid request')}: {'; '.join(complaints)}."


def envelope(status: int, message: str, code: str | None = None, **extra: Any) -> Reply:
    return Reply(status, {"error": {"code": code or CODES.get(status, "internal_server_error"), "message": message,
                                    **extra}})


def render(error: ServiceError) -> Reply:
    """The status and body Vercel would send for `error`."""
    if isinstance(error, InvalidRequest):
        return envelope(400, validation_message(error))
    if isinstance(error, MalformedRequest):
        return envelope(400, MALFORMED.get(error.reason, MALFORMED["invalid_json"]))
    if isinstance(error, PayloadTooLarge):
        return envelope(413, error.message or "Request body is too large")
    if isinstance(error, CapacityReached):
        # A full store is final, so a documented 400 rather than 507.
        return envelope(400, f"connmock store is full ({error.message}); POST /__connmock/reset")
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(error.allowed)
        return envelope(405, f"This endpoint only responds to {allowed}" if allowed else "Method not allowed")
    if isinstance(error, NotFound) and error.code == "route_not_found":
        return envelope(404, "The requested endpoint was not found.")
    status = error.status if error.status in CODES else 500
    if status == 500:
        return envelope(500, "An unexpected internal error occurred.")
    extra = error.extra.get(ENVELOPE_KEY) or {}
    return envelope(status, error.message or CODES[status], error.code, **extra)
