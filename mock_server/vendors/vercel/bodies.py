"""Request bodies the gate lets through that Vercel still refuses, and complete lists of missing fields.

Two cases need the vendor's own view: an empty body where the spec marks the body optional (the SDK's
`createConnector()` with no argument sends none, yet `type` and `data` are required), and a body without the
discriminator `type`, where a schema walker stops at `type` although every variant also needs `data`.
"""

from __future__ import annotations

from typing import Any

from mock_server.errors import InvalidRequest
from speclib import FieldError, SchemaValidator, Spec

__all__ = ["BodyRules"]


def required_everywhere(schema: dict[str, Any]) -> list[str]:
    """Properties every shape of `schema` requires: its own, its `allOf` parts', and those all variants share."""
    names = list(schema.get("required", []))
    for part in schema.get("allOf", []):
        names += required_everywhere(part)
    variants = schema.get("oneOf") or schema.get("anyOf") or []
    if variants:
        shared = [set(required_everywhere(v)) for v in variants]
        first = required_everywhere(variants[0])
        names += [n for n in first if all(n in s for s in shared)]
    return list(dict.fromkeys(names))


class BodyRules:
    def __init__(self, spec: Spec) -> None:
        self.schemas = {op_id: op.body_schema() for op_id, op in spec.operations.items() if op.body_schema()}
        self.validators = {op_id: SchemaValidator(schema) for op_id, schema in self.schemas.items() if schema}

    def completed(self, error: InvalidRequest, operation_id: str | None) -> InvalidRequest:
        """`error` with every field all shapes require and the body lacks (only where a root field is missing)."""
        schema = self.schemas.get(operation_id or "")
        if error.location != "body" or not schema or not any(e.kind == "missing" for e in error.errors):
            return error
        body = error.extra.get("body")
        present = body if isinstance(body, dict) else {}
        reported = {e.path for e in error.errors}
        extra = [FieldError((name,), "missing", "Required", received="undefined")
                 for name in required_everywhere(schema) if name not in present and (name,) not in reported]
        if not extra:
            return error
        return InvalidRequest(error.message, errors=[*error.errors, *extra], location="body", extra=error.extra)

    def require(self, operation_id: str, body: Any) -> dict[str, Any]:
        """The body, or the Vercel 400 for a missing one whose schema has required fields."""
        if isinstance(body, dict):
            return body
        validator = self.validators.get(operation_id)
        errors = validator.errors({}) if validator else []
        if errors:
            raise self.completed(InvalidRequest("Invalid request body", errors=errors, location="body",
                                                extra={"body": None}), operation_id)
        return {}
