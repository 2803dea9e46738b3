"""Field errors as zod v3 issues, the `issues` of OpenInt's "Input validation failed" (trpc-to-openapi).

zod never echoes an input value except in `invalid_enum_value`; there the value is left out when it sits
under a secret mark, so an error body can never carry a credential.
"""

from __future__ import annotations

import re
from typing import Any

from speclib import FieldError

__all__ = ["zod_issue"]

# `^ccfg_` is zod's startsWith('ccfg_'); `^conn_[^,]*$` too (the no-comma tail only keeps comma lists readable)
STARTS_WITH = re.compile(r"^\^([A-Za-z0-9_-]+)(?:\[\^,\]\*\$)?$")
SIZE_RULES = {  # kind -> (zod code, zod type, wording)
    "min_length": ("too_small", "string", "String must contain at least {n} character(s)"),
    "max_length": ("too_big", "string", "String must contain at most {n} character(s)"),
    "minimum": ("too_small", "number", "Number must be greater than or equal to {n}"),
    "maximum": ("too_big", "number", "Number must be less than or equal to {n}"),
    "min_items": ("too_small", "array", "Array must contain at least {n} element(s)"),
    "max_items": ("too_big", "array", "Array must contain at most {n} element(s)"),
}


def zod_type(name: str | None) -> str:
    """zod's name for a JSON type: integers and floats are both `number` to zod's parser."""
    if name in (None, "value"):
        return "unknown"
    return "number" if name == "integer" else str(name)


def quoted(options: tuple[Any, ...]) -> str:
    return " | ".join(f"'{option}'" for option in options if option is not None)


def type_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    expected, received = zod_type(error.expected), zod_type(error.received)
    if error.expected == "integer" and error.received == "number":
        expected, received = "integer", "float"  # z.number().int() given 1.5
    if error.options:  # z.enum given another type: "Expected 'none' | 'force' | 'auto', received array"
        expected = quoted(error.options)
    return {"code": "invalid_type", "expected": expected, "received": received, "path": path,
            "message": f"Expected {expected}, received {received}"}


def pattern_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    prefix = STARTS_WITH.match(str(error.options[0])) if error.options else None
    if prefix:
        return {"code": "invalid_string", "validation": {"startsWith": prefix.group(1)},
                "message": f'Invalid input: must start with "{prefix.group(1)}"', "path": path}
    return {"code": "invalid_string", "validation": "regex", "message": "Invalid", "path": path}


def enum_issue(error: FieldError, path: list[Any], secret: bool) -> dict[str, Any]:
    options = [option for option in error.options if option is not None]
    issue: dict[str, Any] = {"code": "invalid_enum_value", "options": options}
    message = f"Invalid enum value. Expected {quoted(error.options)}"
    if not secret:
        issue["received"] = error.value
        message += f", received '{error.value}'"
    return {**issue, "path": path, "message": message}


def discriminator_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    return {"code": "invalid_union_discriminator", "options": list(error.options), "path": path,
            "message": f"Invalid discriminator value. Expected {quoted(error.options)}"}


def size_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    code, kind, wording = SIZE_RULES[error.kind]
    n = error.options[0] if error.options else 0
    bound = "minimum" if code == "too_small" else "maximum"
    return {"code": code, bound: n, "type": kind, "inclusive": True, "exact": False,
            "message": wording.format(n=n), "path": path}


def zod_issue(error: FieldError, secret: bool) -> dict[str, Any]:
    """One zod issue for one offending field; `secret` when the field lies under a secret mark."""
    path = list(error.path)
    if error.kind == "missing" and error.options:  # a discriminated union without its discriminator
        return discriminator_issue(error, path)
    if error.kind == "missing":
        expected = zod_type(error.expected)
        return {"code": "invalid_type", "expected": expected, "received": "undefined", "path": path,
                "message": "Required"}
    if error.kind == "type":
        return type_issue(error, path)
    if error.kind == "pattern":
        return pattern_issue(error, path)
    if error.kind == "enum":
        return enum_issue(error, path, secret)
    if error.kind == "discriminator":
        return discriminator_issue(error, path)
    if error.kind in SIZE_RULES:
        return size_issue(error, path)
    if error.kind == "unknown_key":
        return {"code": "unrecognized_keys", "keys": list(error.options), "path": path,
                "message": f"Unrecognized key(s) in object: {quoted(error.options)}"}
    if error.kind == "format":
        fmt = str(error.options[0]) if error.options else "string"
        return {"code": "invalid_string", "validation": fmt, "message": f"Invalid {fmt}", "path": path}
    if error.kind == "no_variant" and error.received != "object":
        received = zod_type(error.received)
        return {"code": "invalid_type", "expected": "object", "received": received, "path": path,
                "message": f"Expected object, received {received}"}
    if error.kind == "no_variant":
        return {"code": "invalid_union", "path": path, "message": "Invalid input"}
    return {"code": "custom", "path": path, "message": "Invalid input" if secret else error.message}
