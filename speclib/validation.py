"""Validate JSON values against OpenAPI 3.0 schemas and report *every* offending field.

Two engines, one answer: a compiled `fastjsonschema` validator decides quickly whether a value is valid
(the common case), and only when it is not does the slower walker (`speclib/walker.py`) collect the full list
of `FieldError`s that the vendors' error envelopes need. For the quick decision a discriminated `oneOf` is
compiled as a dispatch on the discriminator (`dispatched`), so one variant is tried instead of all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastjsonschema

from speclib.walker import (
    CHECKED_FORMATS,
    EMAIL,
    NOT_A_NUMBER,
    FieldError,
    NotANumber,
    apply_defaults,
    discriminator_values,
    ecma_pattern,
    format_ok,
    json_type,
    walk,
)

# The walker's names are part of this module's surface: callers validate through here.
__all__ = [
    "EMAIL", "NOT_A_NUMBER", "FieldError", "NotANumber", "SchemaValidator", "apply_defaults",
    "discriminator_values", "ecma_pattern", "json_type", "walk",
]

# Keys of OpenAPI schema objects that JSON Schema validators must not see.
OPENAPI_ONLY_KEYS = frozenset(
    {"nullable", "discriminator", "example", "examples", "writeOnly", "readOnly", "deprecated", "xml",
     "externalDocs", "title", "description", "default"}
)


def to_json_schema(schema: Any, dispatch: bool = False) -> Any:
    """Translate an inlined OpenAPI 3.0 schema into plain JSON Schema for the fast engine.

    With `dispatch`, a discriminated `oneOf` that `dispatched` can rewrite becomes its if/then/else chain.
    """
    if isinstance(schema, list):
        return [to_json_schema(item, dispatch) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in OPENAPI_ONLY_KEYS or key.startswith("x-"):
            continue
        if key == "format" and value not in CHECKED_FORMATS:
            continue
        if key == "pattern" and isinstance(value, str):
            out[key] = ecma_pattern(value)
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(sub, dispatch) for name, sub in value.items()}
        else:
            out[key] = to_json_schema(value, dispatch)
    if "x-connmock-key-pattern" in schema:  # a record's key rule (OpenAPI 3.0 has no propertyNames)
        out["propertyNames"] = {"pattern": ecma_pattern(schema["x-connmock-key-pattern"])}
    if dispatch and isinstance(schema.get("discriminator"), dict) and isinstance(out.get("oneOf"), list):
        chain = dispatched(out["oneOf"], schema["discriminator"].get("propertyName"))
        if chain is not None and not {"if", "then", "else"} & set(out):
            del out["oneOf"]
            out.update(chain)
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def dispatched(variants: list[Any], prop: Any) -> dict[str, Any] | None:
    """A `oneOf` of translated variants as a search on the discriminator: `if <prop> is one of the first
    half's tags then <search the first half> else <search the second half>`, down to one variant
    (`if <prop> is its tag then <the variant> else false`).

    Only when that accepts exactly the values the `oneOf` accepts: every variant is an object schema that
    requires `prop` and pins it with an `enum` of strings, no string in two variants. Then a non-object fails
    the first variant (and every variant), an object without `prop` or with an unknown tag fails them all, and
    an object whose `prop` is a variant's tag fails every other variant, so exactly one variant is valid when
    that one is. None when the variants are not of that shape (the `oneOf` is kept).
    """
    if not isinstance(prop, str) or not variants:
        return None
    tags: set[str] = set()
    pinned: list[tuple[list[str], dict[str, Any]]] = []
    for variant in variants:
        if not isinstance(variant, dict) or variant.get("type") != "object" or prop not in variant.get("required", []):
            return None
        enum = variant.get("properties", {}).get(prop, {}).get("enum")
        if not isinstance(enum, list) or not enum or not all(isinstance(tag, str) for tag in enum):
            return None
        if tags & set(enum):
            return None
        tags |= set(enum)
        pinned.append((list(enum), variant))

    def tagged(enum: list[str]) -> dict[str, Any]:
        return {"properties": {prop: {"enum": enum}}, "required": [prop]}

    def search(part: list[tuple[list[str], dict[str, Any]]]) -> dict[str, Any]:
        if len(part) == 1:
            return {"if": tagged(part[0][0]), "then": part[0][1], "else": {"not": {}}}
        first, second = part[:len(part) // 2], part[len(part) // 2:]
        return {"if": tagged([tag for enum, _ in first for tag in enum]), "then": search(first),
                "else": search(second)}

    return search(pinned)


def compile_fast(schema: dict[str, Any], dispatch: bool = False) -> Callable[[Any], Any]:
    formats = {name: (lambda v, n=name: not isinstance(v, str) or format_ok(n, v)) for name in CHECKED_FORMATS}
    return fastjsonschema.compile(to_json_schema(schema, dispatch), formats=formats)  # type: ignore[no-any-return]


class SchemaValidator:
    """Validate values against one schema: fast yes/no, then the full error list on failure."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        try:
            self._fast = compile_fast(schema, dispatch=True)
        except (SyntaxError, RecursionError):  # nested too deep for the generated code: the schema as written
            self._fast = compile_fast(schema)
        self._plain: Callable[[Any], Any] | None = None  # the schema as written, for the fallback's message

    def errors(self, value: Any) -> list[FieldError]:
        try:
            self._fast(value)
            return []
        except fastjsonschema.JsonSchemaValueException:
            found = list(walk(self.schema, value, ()))
            if found:
                return found
        if self._plain is None:
            self._plain = compile_fast(self.schema)
        try:
            self._plain(value)
        except fastjsonschema.JsonSchemaValueException as exc:
            path = tuple(part for part in (exc.path or [])[1:])
            return [FieldError(path=path, kind="invalid", message=exc.message)]
        return []  # valid as written (`dispatched` rules out that the two disagree)


