"""What every vendor adapter provides to the gate: authentication, its handlers, and its error envelope."""

from __future__ import annotations

import hmac
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fixtures import Tenant
from mock_server.errors import ServiceError
from mock_server.query import parse_query
from mock_server.world import World
from speclib import FieldError
from speclib.loader import Operation

__all__ = ["Handler", "Principal", "Reply", "RequestContext", "VendorAdapter", "retry_later"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a tenant, and where the vendor has finer grains, a user or a customer."""

    tenant: Tenant
    user_id: str | None = None
    kind: str = "org"  # org | customer
    customer_id: str | None = None


@dataclass(slots=True)
class RequestContext:
    vendor: str
    operation_id: str
    principal: Principal
    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any
    headers: Mapping[str, str]
    base_url: str  # where this vendor is mounted, e.g. http://127.0.0.1:8080/nango
    origin: str  # e.g. http://127.0.0.1:8080
    # the body's and query's validation errors of an operation that checks them after its own first checks
    # (`VendorAdapter.validated_by_handler`), in the order the vendor reports them
    deferred: tuple[ServiceError, ...] = ()


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = None  # JSON-able, or bytes already encoded in `content_type`
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


RETRY_AFTER_SECONDS = "1"


def retry_later(reply: Reply) -> Reply:
    """`reply` (an API error, an admin answer, a page) as a store outage's answer: status 503, `Retry-After` set
    -- "retry", where a 500 would say "bug"."""
    reply.status = 503
    reply.headers["retry-after"] = RETRY_AFTER_SECONDS
    return reply


Handler = Callable[[RequestContext], Awaitable[Reply]]


class VendorAdapter(ABC):
    """One vendor: build it with the world; the gate calls it for every operation of its spec."""

    key: str
    strict_query: bool = False  # unknown query parameters are rejected (Nango's zod strictObject)
    one_input = False  # path and query issues reported together (tRPC's single input object), not path first
    empty_json_body_is_malformed = False  # an empty body sent as JSON is unreadable rather than absent
    unread_bodies_are_undefined = False  # no body at all, or one without Content-Type: the input is `undefined`
    # operations whose handler authenticates before the body and query are judged (their errors in ctx.deferred)
    validated_by_handler: frozenset[str] = frozenset()

    def __init__(self, world: World) -> None:
        self.world = world
        self._seeded_keys: tuple[tuple[bytes, Tenant], ...] | None = None

    @abstractmethod
    def authenticate(self, headers: Mapping[str, str], operation_id: str) -> Principal:
        """Return the caller or raise Unauthorized/Forbidden."""

    @abstractmethod
    def render_error(self, error: ServiceError, operation_id: str | None) -> Reply:
        """The vendor's own status and envelope for an error."""

    @abstractmethod
    def handlers(self) -> dict[str, Handler]:
        """operationId -> handler, one line per operation of the vendor's spec."""

    def read_query(self, operation: Operation, query_string: str, declared: dict[str, dict[str, Any]]
                   ) -> tuple[dict[str, Any], list[FieldError]]:
        """The operation's query values and every violation of its parameters (the spec's types by default)."""
        return parse_query(operation, query_string, self.strict_query, declared)

    def body_input(self, body: Any, schema: dict[str, Any]) -> Any:
        """The procedure's input made of a parsed JSON body and the operation's body schema (the body itself
        by default)."""
        return body

    def screen(self, headers: Mapping[str, str], operation_id: str, query_string: str) -> None:
        """Checks the vendor makes before authenticating (none by default); raise a ServiceError to refuse."""
        return None

    def response_headers(self) -> dict[str, str]:
        """Headers the vendor puts on every response."""
        return {}

    def tenant_by_key(self, value: str) -> Tenant | None:
        """The seeded tenant holding API key `value` for this vendor (where its profile's `auth.keys` says),
        compared in constant time against every key (read from the seed once: the seed does not change)."""
        if self._seeded_keys is None:
            self._seeded_keys = tuple((key.encode(), tenant) for tenant in self.world.seed.tenants
                                      for key in tenant.keys(self.key))
        offered = value.encode()
        found = None
        for key, tenant in self._seeded_keys:
            if hmac.compare_digest(key, offered):
                found = tenant
        return found

    def describe_tenant(self, tenant: Tenant) -> dict[str, Any]:
        """What `GET /__connmock/tenants` shows of this vendor for a tenant: its keys and seeded ids."""
        return {}
