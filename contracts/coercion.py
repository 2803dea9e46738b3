"""Query parameters the server reads through a JavaScript coercion (`x-connmock-coerce` in the spec), made
lenient for negative generation.

`Number("240.0")` is 240 and `Boolean("-1e-115")` is true: a server that coerces its query (OpenInt's
trpc-to-openapi, Nango's `z.coerce.number()`) rightly accepts values a JSON Schema `integer` or `boolean` calls
invalid. Drawn as negative data they would be false alarms against a correct server, so the negative schema
lets such a parameter take anything; the positive schema keeps its type.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["without_coerced_constraints"]

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def lenient(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = parameter.get("schema")
    if isinstance(schema, dict) and "x-connmock-coerce" in schema:
        return {**parameter, "schema": {"x-connmock-coerce": schema["x-connmock-coerce"]}}
    return parameter


def without_coerced_constraints(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` (`$ref`s inlined or not) whose coerced parameters accept any value."""
    out = copy.deepcopy(document)
    components = out.get("components", {}).get("parameters", {})
    for name, parameter in components.items():
        components[name] = lenient(parameter)
    for item in out.get("paths", {}).values():
        for owner in (item, *(item.get(m, {}) for m in METHODS)):
            if isinstance(owner, dict) and "parameters" in owner:
                owner["parameters"] = [lenient(p) if isinstance(p, dict) else p for p in owner["parameters"]]
    return out
