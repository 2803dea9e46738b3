"""One error hierarchy for every vendor; each vendor renders it into its own envelope at the edge.

    ServiceError
    ├── InvalidRequest      fields that break the spec (every one of them, with where they are)
    ├── MalformedRequest    a body that cannot be read: bad JSON, bad UTF-8, wrong content type
    ├── PayloadTooLarge     a body over the configured limit
    ├── Unauthorized        missing, malformed or unknown credentials
    ├── Forbidden           known credentials without the right to do this
    ├── NotFound            no such route, or no such object for this tenant
    ├── MethodNotAllowed    a known path with another method
    ├── BadRequest          a business rule the vendor enforces (a mismatch, an unknown connection…)
    ├── Conflict            a uniqueness rule
    ├── CapacityReached     the store is full
    ├── Unavailable         the store does not answer (a Redis outage): 503 with Retry-After, worth a retry
    └── NotImplementedByVendor  the vendor cannot do this for this input (OpenInt's 501 NOT_IMPLEMENTED)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from speclib import FieldError

__all__ = [
    "BadRequest", "CapacityReached", "Conflict", "Forbidden", "InvalidRequest", "MalformedRequest", "MethodNotAllowed",
    "NotFound", "NotImplementedByVendor", "PayloadTooLarge", "ServiceError", "Unauthorized", "Unavailable"
]


@dataclass(eq=False)
class ServiceError(Exception):
    """Base class. `code` is the vendor's own error code where the vendor has one for this case."""

    message: str = ""
    code: str | None = None
    status: int = 500
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.code or ''}: {self.message})"


@dataclass(eq=False)
class InvalidRequest(ServiceError):
    errors: list[FieldError] = field(default_factory=list)
    location: str = "body"  # body | query | path
    status: int = 400


@dataclass(eq=False)
class MalformedRequest(ServiceError):
    reason: str = "invalid_json"  # invalid_json | invalid_encoding | content_type
    status: int = 400


@dataclass(eq=False)
class PayloadTooLarge(ServiceError):
    status: int = 413


@dataclass(eq=False)
class Unauthorized(ServiceError):
    status: int = 401


@dataclass(eq=False)
class Forbidden(ServiceError):
    status: int = 403


@dataclass(eq=False)
class NotFound(ServiceError):
    status: int = 404


@dataclass(eq=False)
class MethodNotAllowed(ServiceError):
    allowed: tuple[str, ...] = ()
    status: int = 405


@dataclass(eq=False)
class BadRequest(ServiceError):
    status: int = 400


@dataclass(eq=False)
class Conflict(ServiceError):
    status: int = 409


@dataclass(eq=False)
class CapacityReached(ServiceError):
    status: int = 507


@dataclass(eq=False)
class Unavailable(ServiceError):
    status: int = 503


@dataclass(eq=False)
class NotImplementedByVendor(ServiceError):
    """The vendor's server declares the operation but cannot do it for this input (OpenInt's NOT_IMPLEMENTED)."""

    status: int = 501
