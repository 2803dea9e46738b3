"""Operation plans: everything the gate needs for one operation of a spec, prepared once at startup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_server.query import query_parameters
from mock_server.vendors.base import Handler, VendorAdapter
from mock_server.world import World
from speclib import SchemaValidator
from speclib.loader import Operation
from speclib.redaction import redaction
from speclib.secrets import SecretRule

__all__ = ["OperationPlan", "build_plans"]


@dataclass(frozen=True, slots=True)
class OperationPlan:
    """One operation: its vendor and handler, its body validator, its secret rules compiled into `redact`,
    and its declared query parameters by name."""

    vendor: str
    operation: Operation
    adapter: VendorAdapter
    handler: Handler
    body_validator: SchemaValidator | None
    body_required: bool
    rules: tuple[SecretRule, ...]
    redact: Callable[[Any], Any]
    query: dict[str, dict[str, Any]]

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id


def build_plans(world: World, adapters: dict[str, VendorAdapter]) -> list[OperationPlan]:
    """One plan per operation, vendor by vendor in the spec's order (which is the routing order); a spec
    operation without a handler is a startup error."""
    plans: list[OperationPlan] = []
    for vendor, adapter in adapters.items():
        spec = world.specs[vendor].spec
        handlers = adapter.handlers()
        missing = sorted(set(spec.operations) - set(handlers))
        if missing:
            raise RuntimeError(f"{vendor}: operations without a handler: {', '.join(missing)}")
        for operation_id, operation in spec.operations.items():
            schema = operation.body_schema()
            rules = world.rules(vendor, operation_id)
            plans.append(OperationPlan(
                vendor=vendor,
                operation=operation,
                adapter=adapter,
                handler=handlers[operation_id],
                body_validator=SchemaValidator(schema) if schema is not None else None,
                body_required=bool(operation.request_body and operation.request_body.get("required")),
                rules=rules,
                redact=redaction(rules),
                query=query_parameters(operation),
            ))
    return plans
