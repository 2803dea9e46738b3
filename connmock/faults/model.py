"""What a fault needs to know about a vendor, read from its spec (and the demo keys from the seed records).

Nothing here names a vendor's fields: which operation creates, reads, lists, updates and deletes, which
statuses mean success and "invalid", which request values are secrets, which response fields are required
and of which type, all come from the OpenAPI document.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the specs and seed records are read on first use, not when the command line is parsed
    from fixtures import Tenant
    from speclib import SecretRule
    from speclib.loader import Operation, Spec

__all__ = ["VendorModel", "model_of"]

UPSERT_WORDS = ("upsert", "overwrit", "replace")


def route(op: Operation) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", op.path) + "$")


def success_of(op: Operation) -> int:
    return int(next(s for s in op.statuses() if s.startswith("2")))


def required_of(schema: dict[str, Any]) -> list[str]:
    """Top-level required names, through `allOf`; for a `oneOf`/`anyOf`, the names every variant requires."""
    names = list(schema.get("required", []))
    for sub in schema.get("allOf", []):
        names += required_of(sub)
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        common = set(required_of(options[0])).intersection(*(required_of(o) for o in options[1:]))
        names += sorted(common)
    return list(dict.fromkeys(names))


def properties_of(schema: dict[str, Any]) -> dict[str, Any]:
    found = dict(schema.get("properties", {}))
    for sub in schema.get("allOf", []):
        found.update(properties_of(sub))
    return found


def holds_array(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "array" or any(s.get("type") == "array" for s in properties_of(schema).values())


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def tenant_keys(vendor: str, tenant: Tenant) -> list[str]:
    """Every API key of `tenant` for `vendor`, the one a client uses first first (where its profile says)."""
    return tenant.keys(vendor)


@dataclass(frozen=True)
class VendorModel:
    vendor: str
    spec: Spec

    @functools.cached_property
    def create(self) -> Operation:
        from fixtures.factories import create_operation

        return self.spec.operation(create_operation(self.vendor))

    @functools.cached_property
    def success(self) -> int:
        return success_of(self.create)

    @functools.cached_property
    def invalid(self) -> int:
        """The status the vendor documents for an invalid body: 422 where declared, else 400."""
        return 422 if "422" in self.create.statuses() else 400

    @functools.cached_property
    def rules(self) -> tuple[SecretRule, ...]:
        from speclib import secret_rules

        return secret_rules(self.spec).get(self.create.operation_id, ())

    @functools.cached_property
    def delete(self) -> Operation | None:
        return next((op for op in self.spec.operations.values() if op.method == "DELETE"), None)

    @functools.cached_property
    def get(self) -> Operation | None:
        """The single-object read: the GET on the path the DELETE addresses."""
        if self.delete is None:
            return None
        return next((op for op in self.spec.operations.values()
                     if op.method == "GET" and op.path == self.delete.path), None)

    @functools.cached_property
    def lists(self) -> tuple[Operation, ...]:
        """GETs without path parameters whose answer holds an array of items."""
        return tuple(op for op in self.spec.operations.values()
                     if op.method == "GET" and "{" not in op.path and "200" in op.responses
                     and holds_array(op.response_schema(200) or {}))

    @functools.cached_property
    def updates(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.spec.operations.values() if op.method in ("PATCH", "PUT"))

    @functools.cached_property
    def upserts(self) -> bool:
        """The create's success is documented as creating or overwriting."""
        text = str(self.create.responses.get(str(self.success), {}).get("description", "")).lower()
        return any(word in text for word in UPSERT_WORDS)

    @functools.cached_property
    def request_required(self) -> list[str]:
        return required_of(self.create.body_schema() or {})

    @functools.cached_property
    def response_schema(self) -> dict[str, Any]:
        return self.create.response_schema(self.success) or {}

    @functools.cached_property
    def response_required(self) -> list[str]:
        return required_of(self.response_schema)

    @functools.cached_property
    def identity(self) -> str:
        """The create answer's field that names the object the way the read's path parameter does."""
        params = [p["name"] for p in (self.get.parameters if self.get else ()) if p.get("in") == "path"]
        fields = properties_of(self.response_schema)
        return next((snake(p) for p in params if snake(p) in fields and snake(p) != "id"), "id")

    @functools.cached_property
    def page_sizes(self) -> dict[str, tuple[str, int]]:
        """operationId → (query parameter, documented maximum) of each list's page size: of its bounded integer
        query parameters, the one with the smallest maximum (an offset's bound is far larger)."""
        found: dict[str, tuple[str, int]] = {}
        for op in self.lists:
            for param in op.parameters:
                schema = param.get("schema", {})
                if param.get("in") == "query" and schema.get("type") == "integer" and "maximum" in schema:
                    bound = (str(param["name"]), int(schema["maximum"]))
                    if op.operation_id not in found or bound[1] < found[op.operation_id][1]:
                        found[op.operation_id] = bound
        return found

    @functools.cached_property
    def auth_header(self) -> tuple[str, str]:
        """(header, value prefix) of the document-level security requirement's scheme."""
        from speclib.profile import key_header

        header, prefix = key_header(self.spec)
        return header.lower(), prefix

    @functools.cached_property
    def keys(self) -> list[list[str]]:
        """Every demo tenant's keys, tenant by tenant (the first tenant first)."""
        from fixtures import load_seed

        return [tenant_keys(self.vendor, tenant) for tenant in load_seed().tenants]

    def is_op(self, op: Operation | None, method: str, path: str) -> bool:
        return op is not None and op.method == method and bool(route(op).match(path))

    def is_create(self, method: str, path: str) -> bool:
        return self.is_op(self.create, method, path)

    def is_list(self, method: str, path: str) -> Operation | None:
        return next((op for op in self.lists if self.is_op(op, method, path)), None)

    def secrets_in(self, body: Any) -> list[str]:
        from speclib.secrets import secret_values

        return [value for _path, value, _rule in secret_values(self.rules, body)]


@functools.cache
def model_of(vendor: str) -> VendorModel:
    from speclib import load_spec

    return VendorModel(vendor, load_spec(vendor))
