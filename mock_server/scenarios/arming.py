"""Turn an arming request (`POST /__connmock/scenarios`) into a `Scenario`, or say exactly what is wrong with it.

Everything is checked against the mounted vendors' specs when the scenario is armed, not when it fires: an
operation the vendor does not have, a status its spec does not document, a state or decision the vendor has
no documented outcome for, are refused here with the field and what would be accepted.
"""

from __future__ import annotations

from typing import Any

from mock_server.armed.model import (
    DECISIONS,
    KINDS,
    MAX_DELAY_MS,
    MAX_TIMES,
    STATES,
    Scenario,
    refused_decision,
)
from mock_server.forced import documented_codes
from mock_server.scenarios.states import state_reads, unsupported
from mock_server.world import World

__all__ = ["ArmingError", "arming"]

FIELDS = ("kind", "vendor", "operation", "tenant", "object_id", "times", "status", "delay_ms", "state", "decision")
KIND_FIELDS = {"error": ("status",), "delay": ("delay_ms",), "drop": (), "state": ("state",),
               "consent": ("decision",)}
MAX_TEXT = 200


class ArmingError(ValueError):
    """A refused arming request: `field` names what is wrong (None: the body as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def text(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ArmingError(f"{name} is required", name)
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT:
        raise ArmingError(f"{name} must be a non-empty string of at most {MAX_TEXT} characters", name)
    return value


def number(body: dict[str, Any], name: str, low: int, high: int, default: int | None = None) -> int:
    value = body.get(name, default)
    if value is None:
        raise ArmingError(f"{name} is required", name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ArmingError(f"{name} must be an integer from {low} to {high}", name)
    return value


def choice(body: dict[str, Any], name: str, options: tuple[str, ...]) -> str:
    value = body.get(name)
    if value not in options:
        raise ArmingError(f"{name} must be one of: {', '.join(options)}", name)
    return str(value)


def check_fields(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ArmingError("the body must be a JSON object")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise ArmingError(f"unknown field(s): {', '.join(unknown)}; known: {', '.join(FIELDS)}", unknown[0])
    kind = choice(body, "kind", KINDS)
    foreign = [name for name in ("status", "delay_ms", "state", "decision")
               if name in body and name not in KIND_FIELDS[kind]]
    if foreign:
        raise ArmingError(f"{foreign[0]} does not apply to a {kind} scenario", foreign[0])
    return body


def tenant_id(world: World, given: str | None) -> str | None:
    """The seeded tenant named by its id or its name (as `GET /__connmock/tenants` lists them)."""
    if given is None:
        return None
    for tenant in world.seed.tenants:
        if given in (tenant.id, tenant.name):
            return tenant.id
    known = ", ".join(tenant.id for tenant in world.seed.tenants)
    raise ArmingError(f"no tenant {given!r}; tenants: {known}", "tenant")


def operation_of(world: World, vendor: str, body: dict[str, Any], kind: str) -> str | None:
    operations = world.specs[vendor].spec.operations
    if kind == "consent":
        if "operation" in body:
            raise ArmingError("a consent scenario answers the vendor's next hosted page; it names no operation",
                              "operation")
        return None
    name = text(body, "operation", required=kind != "state")
    allowed = state_reads(vendor) if kind == "state" else tuple(operations)
    if name is not None and name not in allowed:
        raise ArmingError(f"{vendor} has no operation {name!r} for this scenario kind ({kind}); "
                          f"operationIds: {', '.join(allowed)}", "operation")
    return name


def detail(world: World, vendor: str, operation: str | None, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The kind's own field, checked against what the vendor documents."""
    if kind == "error":
        assert operation is not None
        codes = sorted(c for c in documented_codes(world.specs[vendor].spec.operations[operation]) if c >= "400")
        status = number(body, "status", 100, 599)
        if str(status) not in codes:
            raise ArmingError(f"{vendor}.{operation} documents no {status} answer; its documented errors: "
                              f"{', '.join(codes) or 'none'}", "status")
        return {"status": status}
    if kind == "delay":
        return {"delay_ms": number(body, "delay_ms", 1, MAX_DELAY_MS)}
    if kind == "state":
        why = unsupported(vendor)
        if why:
            raise ArmingError(why, "vendor")
        if body.get("object_id") is None:
            raise ArmingError("a state scenario names its connection: object_id is required", "object_id")
        return {"state": choice(body, "state", STATES)}
    if kind == "consent":
        decision = choice(body, "decision", DECISIONS)
        why = refused_decision(vendor, decision)
        if why:
            raise ArmingError(why, "decision")
        for name in ("tenant", "object_id"):
            if name in body:
                raise ArmingError(f"a consent scenario matches the vendor's next hosted flow; {name} is not "
                                  "matched", name)
        return {"decision": decision}
    return {}


def arming(world: World, body: Any, scenario_id: str) -> Scenario:
    """The scenario `body` asks for; raises `ArmingError` naming the first thing wrong with it."""
    body = check_fields(body)
    kind = str(body["kind"])
    vendor = choice(body, "vendor", tuple(world.specs))
    operation = operation_of(world, vendor, body, kind)
    extra = detail(world, vendor, operation, kind, body)
    times = number(body, "times", 1, MAX_TIMES, default=1)
    return Scenario(id=scenario_id, kind=kind, vendor=vendor, operation=operation,
                    tenant=tenant_id(world, text(body, "tenant")), object_id=text(body, "object_id"), times=times,
                    remaining=times, armed_at=world.clock.now().isoformat(), **extra)
