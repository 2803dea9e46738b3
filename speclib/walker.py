"""Every offending field of a JSON value against an OpenAPI 3.0 schema, and the JSON facts the check reads.

The slow half of `speclib.validation`: it runs only once the fast engine has said a value is invalid, and
collects the full list of `FieldError`s the vendors' error envelopes need. It understands the OpenAPI parts that
plain JSON Schema lacks (`nullable`, `discriminator`), so a discriminated union reports the selected variant's
fields instead of "matches none of the variants". Import it through `speclib.validation`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

__all__ = [
    "CHECKED_FORMATS", "EMAIL", "NOT_A_NUMBER", "FieldError", "NotANumber", "Path", "apply_defaults",
    "discriminator_values", "ecma_pattern", "format_ok", "json_type", "walk",
]

Path = tuple[str | int, ...]

CHECKED_FORMATS = frozenset({"date-time", "email", "uuid", "uri"})
# zod v4's `z.email()` (its default pattern): the one `format: email` of the specs is Nango's, whose server uses it
EMAIL = re.compile(r"^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One offending field: where (`path`), what rule (`kind`), and the facts a vendor message needs."""

    path: Path
    kind: str  # missing | type | enum | pattern | min_length | max_length | minimum | maximum | min_items
    # | max_items | max_properties | unknown_key | format | discriminator | no_variant
    message: str
    expected: str | None = None
    received: str | None = None
    value: Any = None
    options: tuple[Any, ...] = field(default=())
    shape: str | None = None  # what the expected value is beyond its JSON type: "record" or "union" (zod's words)


@functools.lru_cache(maxsize=512)
def ecma_pattern(pattern: str) -> str:
    """`pattern` as JavaScript (and JSON Schema) reads it, in Python's syntax: a `$` outside a character class
    ends the string, where Python's also matches before a final newline (`^[a-z]+$` must refuse "ab\\n")."""
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "]":
            in_class = False
            out.append(char)
        else:
            out.append("\\Z" if char == "$" and not in_class else char)
    return "".join(out)


def shape_of(schema: dict[str, Any]) -> str | None:
    """"record" for a map (an object schema with only additional properties), "union" for a choice between
    types; None otherwise. zod names them so in its messages ("expected record"; a missing union is
    `invalid_union`)."""
    if "x-connmock-shape" in schema:  # the spec says what the server's schema is (`object`: none of these)
        shape = schema["x-connmock-shape"]
        return shape if shape in ("record", "union") else None
    if schema.get("type") == "object" and not schema.get("properties") and schema.get("additionalProperties"):
        return "record"
    variants = schema.get("oneOf") or schema.get("anyOf") or []
    if "type" not in schema and len({v.get("type") for v in variants}) > 1:
        return "union"
    return None


class NotANumber:
    """What a JavaScript coercion makes of a value it cannot read as a number (`Number("abc")`), as an input
    value: no schema accepts it (a float NaN would pass a JSON Schema number check), and it is reported as zod
    reports it, `received nan`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NaN"


NOT_A_NUMBER = NotANumber()


def json_type(value: Any) -> str:
    """The JSON type name of a Python value (`undefined` is used by callers for a missing one)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, NotANumber):
        return "nan"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def type_matches(expected: str, value: Any) -> bool:
    actual = json_type(value)
    if expected == "number":
        return actual in ("integer", "number")
    if expected == "integer" and actual == "number":
        return float(value).is_integer()
    return actual == expected


def format_ok(fmt: str, value: str) -> bool:
    try:
        if fmt == "date-time":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return "T" in value or " " in value
        if fmt == "uuid":
            UUID(value)
            return True
    except ValueError:
        return False
    if fmt == "email":
        return bool(EMAIL.match(value))
    if fmt == "uri":
        return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", value))
    return True


def walk(schema: dict[str, Any], value: Any, path: Path) -> Iterator[FieldError]:
    """Yield every violation of `schema` by `value` (an OpenAPI 3.0 schema with `$ref`s inlined)."""
    if value is None:
        if schema.get("nullable") or not schema_constrains_type(schema):
            return
        yield FieldError(path, "type", f"expected {schema_type_name(schema)}, received null",
                         expected=schema_type_name(schema), received="null", shape=shape_of(schema))
        return
    for sub in schema.get("allOf", []):
        yield from walk(sub, value, path)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            yield from walk_union(schema, schema[key], value, path)
    expected = schema.get("type")
    if expected and not type_matches(expected, value):
        yield FieldError(path, "type", f"expected {expected}, received {json_type(value)}",
                         expected=expected, received=json_type(value), value=value,
                         options=tuple(schema.get("enum", ())),  # an enum's type error names its values (zod 3)
                         shape=shape_of(schema))
        return
    if "enum" in schema and value not in schema["enum"]:
        yield FieldError(path, "enum", f"expected one of {schema['enum']}", received=json_type(value),
                         value=value, options=tuple(schema["enum"]))
    if isinstance(value, str):
        yield from walk_string(schema, value, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield from walk_number(schema, value, path)
    elif isinstance(value, list):
        yield from walk_array(schema, value, path)
    elif isinstance(value, dict):
        yield from walk_object(schema, value, path)


def schema_constrains_type(schema: dict[str, Any]) -> bool:
    return any(key in schema for key in ("type", "enum", "oneOf", "anyOf", "allOf", "properties"))


def schema_type_name(schema: dict[str, Any]) -> str:
    if "type" in schema:
        return str(schema["type"])
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            if "type" in sub:
                return str(sub["type"])
    return "object" if "properties" in schema else "value"


def walk_string(schema: dict[str, Any], value: str, path: Path) -> Iterator[FieldError]:
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield FieldError(path, "min_length", f"must contain at least {schema['minLength']} character(s)",
                         value=value, options=(schema["minLength"],))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        yield FieldError(path, "max_length", f"must contain at most {schema['maxLength']} character(s)",
                         value=value, options=(schema["maxLength"],))
    if "pattern" in schema and not re.search(ecma_pattern(schema["pattern"]), value):
        yield FieldError(path, "pattern", f"must match pattern {schema['pattern']}", value=value,
                         options=(schema["pattern"],))
    fmt = schema.get("format")
    if fmt in CHECKED_FORMATS and not format_ok(fmt, value):
        yield FieldError(path, "format", f"must be a valid {fmt}", value=value, options=(fmt,))


def walk_number(schema: dict[str, Any], value: float, path: Path) -> Iterator[FieldError]:
    if "minimum" in schema and value < schema["minimum"]:
        yield FieldError(path, "minimum", f"must be greater than or equal to {schema['minimum']}",
                         value=value, options=(schema["minimum"],))
    if "maximum" in schema and value > schema["maximum"]:
        yield FieldError(path, "maximum", f"must be less than or equal to {schema['maximum']}",
                         value=value, options=(schema["maximum"],))


def walk_array(schema: dict[str, Any], value: list[Any], path: Path) -> Iterator[FieldError]:
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield FieldError(path, "min_items", f"must contain at least {schema['minItems']} item(s)",
                         value=value, options=(schema["minItems"],))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        yield FieldError(path, "max_items", f"must contain at most {schema['maxItems']} item(s)",
                         value=value, options=(schema["maxItems"],))
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            yield from walk(items, item, (*path, index))


def walk_object(schema: dict[str, Any], value: dict[str, Any], path: Path) -> Iterator[FieldError]:
    properties: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            sub = properties.get(name, {})
            yield FieldError((*path, name), "missing", "Required", expected=schema_type_name(sub),
                             received="undefined", shape=shape_of(sub))
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        yield FieldError(path, "max_properties", f"must have at most {schema['maxProperties']} properties",
                         options=(schema["maxProperties"],))
    extra = schema.get("additionalProperties", True)
    key_pattern = schema.get("x-connmock-key-pattern")
    for name, item in value.items():
        if name in properties:
            yield from walk(properties[name], item, (*path, name))
        elif key_pattern is not None and not re.search(ecma_pattern(key_pattern), name):  # zod: value skipped
            yield FieldError((*path, name), "invalid_key", "Invalid key in record", value=name)
        elif extra is False:
            yield FieldError(path, "unknown_key", f'Unrecognized key: "{name}"', value=name, options=(name,))
        elif isinstance(extra, dict):
            yield from walk(extra, item, (*path, name))


def discriminator_values(variant: dict[str, Any], prop: str) -> list[Any]:
    """The values a variant pins its discriminator property to (looking through `allOf`)."""
    found = list(variant.get("properties", {}).get(prop, {}).get("enum", []))
    for sub in variant.get("allOf", []):
        found += discriminator_values(sub, prop)
    return found


def walk_union(schema: dict[str, Any], variants: list[dict[str, Any]], value: Any, path: Path
               ) -> Iterator[FieldError]:
    discriminator = schema.get("discriminator")
    if discriminator and isinstance(value, dict):
        prop = discriminator["propertyName"]
        by_value = {v: variant for variant in variants for v in discriminator_values(variant, prop)}
        if prop not in value:
            yield FieldError((*path, prop), "missing", "Required", expected="string", received="undefined",
                             options=tuple(by_value))
            return
        tag = value[prop]
        chosen = by_value.get(tag) if isinstance(tag, str | int | float | bool) or tag is None else None
        if chosen is None:
            yield FieldError((*path, prop), "discriminator", "Invalid discriminator value",
                             received=json_type(value[prop]), value=value[prop], options=tuple(by_value))
            return
        yield from walk(chosen, value, path)
        return
    attempts = [list(walk(variant, value, path)) for variant in variants]
    if any(not errors for errors in attempts):
        return
    same_type = [errs for errs, variant in zip(attempts, variants, strict=True)
                 if not any(e.kind == "type" and e.path == path for e in errs)
                 and schema_type_name(variant) in (json_type(value), "value")]
    if len(same_type) == 1:  # zod 3 reports the one variant of the value's type; zod 4 a union issue
        for error in same_type[0]:
            yield replace(error, shape="union-variant") if error.path == path else error
        return
    yield FieldError(path, "no_variant", "does not match any of the allowed shapes", received=json_type(value),
                     value=value)


def apply_defaults(schema: dict[str, Any], value: Any) -> Any:
    """Fill in `default`s of absent object properties, recursively (the value is changed in place)."""
    if not isinstance(value, dict):
        return value
    for sub in schema.get("allOf", []):
        apply_defaults(sub, value)
    for name, sub in schema.get("properties", {}).items():
        if name not in value and "default" in sub:
            value[name] = sub["default"]
        elif name in value:
            apply_defaults(sub, value[name])
    return value
