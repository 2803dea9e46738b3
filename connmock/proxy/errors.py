"""The 502 body of enforce mode, built from the vendor's error schema (`components/schemas/Error`)."""

from __future__ import annotations

from typing import Any

from speclib import Spec
from speclib.refs import inline_refs

__all__ = ["CODE", "error_body", "error_schema"]

CODE = "connmock_contract_violation"
CODE_ENUM_PREFERENCE = ("INTERNAL_SERVER_ERROR", "internal_server_error", "internal_error", "bad_gateway")


def error_schema(spec: Spec) -> dict[str, Any]:
    document = spec.document
    schema = document.get("components", {}).get("schemas", {}).get("Error", {"type": "object"})
    inlined = inline_refs(schema, document)
    return inlined if isinstance(inlined, dict) else {"type": "object"}


def error_body(spec: Spec, message: str) -> Any:
    """A value of the vendor's error schema: required fields filled, `message`/`detail` carrying `message`."""
    return sample(error_schema(spec), None, message, 0)


def sample(schema: dict[str, Any], name: str | None, message: str, depth: int) -> Any:
    if depth > 12:
        return None
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if options:
            plain = [o for o in options if o.get("type") == "string"]
            return sample((plain or options)[0], name, message, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(part, name, message, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if "enum" in schema:
        values = [v for v in schema["enum"] if v is not None]
        return next((v for v in CODE_ENUM_PREFERENCE if v in values), values[0] if values else None)
    kind = schema.get("type") or ("object" if "properties" in schema else "string")
    if kind == "object":
        required = set(schema.get("required", []))
        return {prop: sample(sub, prop, message, depth + 1) for prop, sub in schema.get("properties", {}).items()
                if prop in required or prop in ("message", "code")}
    if kind == "array":
        items = schema.get("items", {})
        return [sample(items, name, message, depth + 1)] if schema.get("minItems") else []
    if kind in ("integer", "number"):
        return 502
    if kind == "boolean":
        return False
    return CODE if name == "code" else message
