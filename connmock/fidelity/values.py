"""Values for the sequences' variations: where a field sits in a body and its schema, a value of the wrong type,
a sample value, and query values just outside what a schema allows."""

from __future__ import annotations

import copy
import re
from typing import Any

from fixtures.factories import variants_of

__all__ = ["leaves", "out_of_range", "resolved", "sample_value", "schema_at", "set_at", "snake", "wrong_type"]


def schema_at(schema: dict[str, Any], body: Any, path: tuple[str, ...]) -> dict[str, Any]:
    """The sub-schema that describes `body` at `path` (a discriminated union resolved by the body's value)."""
    current = schema
    value = body
    for name in path:
        current = resolved(current, value)
        extra = current.get("additionalProperties")
        current = current.get("properties", {}).get(name) or (extra if isinstance(extra, dict) else {})
        value = value.get(name) if isinstance(value, dict) else None
    return resolved(current, value)


def resolved(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    options = variants_of(schema)
    if options and isinstance(value, dict):
        chosen = str(value.get(schema["discriminator"]["propertyName"]))
        return resolved(options.get(chosen, {}), value)
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for sub in schema["allOf"]:
            sub = resolved(sub, value)
            merged["properties"].update(sub.get("properties", {}))
            merged["required"] += sub.get("required", [])
        return merged
    for key in ("anyOf", "oneOf"):
        if schema.get(key) and not schema.get("properties"):
            typed = [s for s in schema[key] if "properties" in s or "type" in s]
            return resolved(typed[0], value) if typed else schema
    return schema


def leaves(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path of a JSON body (objects only; a list counts as one field)."""
    out: list[tuple[str, ...]] = []
    if isinstance(value, dict):
        for name, sub in value.items():
            out.append((*path, name))
            out.extend(leaves(sub, (*path, name)))
    return out


def set_at(body: Any, path: tuple[str, ...], value: Any, drop: bool = False) -> Any:
    out = copy.deepcopy(body)
    node = out
    for name in path[:-1]:
        node = node[name]
    if drop:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return out


def wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {"0": value[0] if value else "x"}
    return "not-an-object"



def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def sample_value(schema: dict[str, Any], which: int = 0) -> str:
    if schema.get("enum"):
        return str(schema["enum"][which % len(schema["enum"])])
    if schema.get("type") in ("integer", "number"):
        return str(int(schema.get("minimum", 0)) + 1 + which)
    if schema.get("type") == "boolean":
        return ("true", "false")[which % 2]
    return ("alpha", "beta")[which % 2]


def out_of_range(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """Query values just outside what the schema allows, with a label each."""
    kind = schema.get("type")
    if schema.get("type") == "array":
        kind = schema.get("items", {}).get("type")
        schema = schema.get("items", {})
    out = [("zz-not-valid", "not valid")]
    if kind in ("integer", "number"):
        out += [("-1", "negative"), ("1.5", "fractional"), ("abc", "not a number"), ("99999999999999999999", "huge")]
        if "maximum" in schema:
            out += [(str(int(schema["maximum"])), "at maximum"), (str(int(schema["maximum"]) + 1), "past maximum")]
        if "minimum" in schema:
            out += [(str(int(schema["minimum"])), "at minimum"), (str(int(schema["minimum"]) - 1), "below minimum")]
    if kind == "boolean":
        out += [("1", "boolean as 1"), ("TRUE", "boolean upper case"), ("yes", "boolean yes")]
    if "maxLength" in schema:
        out += [("a" * int(schema["maxLength"]), "at maxLength"), ("a" * (int(schema["maxLength"]) + 1),
                                                                  "past maxLength")]
    return out
