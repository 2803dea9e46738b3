"""Synthesize a value valid against a response schema (for `Prefer: code=` without a spec example)."""

from __future__ import annotations

from typing import Any

from faker import Faker

__all__ = ["synthesize"]

MAX_DEPTH = 12


def synthesize(schema: dict[str, Any], faker: Faker, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return None
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return synthesize(schema[key][0], faker, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for sub in schema["allOf"]:
            value = synthesize(sub, faker, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    return synthesize_typed(schema, faker, depth)


def synthesize_typed(schema: dict[str, Any], faker: Faker, depth: int) -> Any:
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        props = schema.get("properties", {})
        return {name: synthesize(props.get(name, {}), faker, depth + 1) for name in schema.get("required", [])}
    if kind == "array":
        return [synthesize(schema.get("items", {}), faker, depth + 1)] * schema.get("minItems", 0)
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2026-01-01T00:00:00.000Z"
        if fmt == "uuid":
            return faker.uuid4()
        if fmt == "uri":
            return faker.url()
        if fmt == "email":
            return faker.email()
        return faker.word()
    return None
