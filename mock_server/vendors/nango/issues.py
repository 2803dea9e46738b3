"""Field errors as the zod v4 issues Nango's `zodErrorToHTTP` sends: `{code, message, path}` each.

zod v4's English messages never quote an input value; the only request text they can hold is the name of
an unrecognized key, which is left out when it equals a secret value of the request.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from speclib import FieldError
from speclib.secrets import REDACTED

__all__ = ["zod_issues"]

FORMAT_MESSAGES = {"email": "Invalid email address", "uri": "Invalid URL", "uuid": "Invalid UUID"}
SIZES = {  # kind -> (zod code, origin, relation, unit or None for numbers)
    "min_length": ("too_small", "string", ">=", "characters"),
    "max_length": ("too_big", "string", "<=", "characters"),
    "min_items": ("too_small", "array", ">=", "items"),
    "max_items": ("too_big", "array", "<=", "items"),
    "minimum": ("too_small", "number", ">=", None),
    "maximum": ("too_big", "number", "<=", None),
}


ZOD_NAMES = {"integer": "number", "nan": "NaN"}  # integers and floats are both numbers; NaN is its own


def zod_type(name: str | None) -> str:
    """zod v4's name for a JSON type."""
    return ZOD_NAMES.get(str(name), str(name or "unknown"))


def quoted(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def issue(code: str, message: str, path: list[Any]) -> dict[str, Any]:
    return {"code": code, "message": message, "path": path}


def size_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    code, origin, relation, unit = SIZES[error.kind]
    bound = error.options[0] if error.options else 0
    word = "Too small" if code == "too_small" else "Too big"
    tail = f"to have {relation}{bound} {unit}" if unit else f"to be {relation}{bound}"
    return issue(code, f"{word}: expected {origin} {tail}", path)


def type_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    expected, received = error.shape or zod_type(error.expected), zod_type(error.received)
    if error.expected == "integer" and error.received == "number":
        expected = "int"  # z.number().int() given 1.5
    return issue("invalid_type", f"Invalid input: expected {expected}, received {received}", path)


def enum_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    options = [option for option in error.options if option is not None]
    if len(options) == 1:
        return issue("invalid_value", f"Invalid input: expected {quoted(options[0])}", path)
    return issue("invalid_value", "Invalid option: expected one of " + "|".join(quoted(o) for o in options), path)


def format_issue(error: FieldError, path: list[Any]) -> dict[str, Any]:
    fmt = str(error.options[0]) if error.options else ""
    if fmt == "date-time":  # Nango's `z.coerce.date()`: an unparsable string is an Invalid Date
        return issue("invalid_type", "Invalid input: expected date, received Date", path)
    return issue("invalid_format", FORMAT_MESSAGES.get(fmt, f"Invalid {fmt or 'string'}"), path)


def one_issue(error: FieldError) -> dict[str, Any]:
    """The zod v4 issue for one offending field."""
    path = list(error.path)
    if error.kind == "missing" and error.options:  # a discriminated union without its discriminator
        return issue("invalid_union", "Invalid input", path)
    if error.shape == "union-variant" or (error.kind in ("missing", "type") and error.shape == "union"):
        # no variant of z.union takes it: zod 4 says so, without the closest variant's own issue
        return issue("invalid_union", "Invalid input", path)
    if error.kind == "missing":
        expected = error.shape or zod_type(error.expected)
        return issue("invalid_type", f"Invalid input: expected {expected}, received undefined", path)
    if error.kind == "type":
        return type_issue(error, path)
    if error.kind == "enum":
        return enum_issue(error, path)
    if error.kind == "pattern":
        pattern = error.options[0] if error.options else ""
        return issue("invalid_format", f"Invalid string: must match pattern /{pattern}/", path)
    if error.kind == "format":
        return format_issue(error, path)
    if error.kind in SIZES:
        return size_issue(error, path)
    if error.kind in ("discriminator", "no_variant"):
        return issue("invalid_union", "Invalid input", path)
    if error.kind == "invalid_key":  # a record key its key schema refuses (the key's own issues are nested)
        return issue("invalid_key", "Invalid key in record", path)
    if error.kind == "custom":  # the mock's own checks (tags, integrations): messages written here, not input
        return issue("custom", error.message, path)
    return issue("custom", "Invalid input", path)


def unrecognized(keys: list[str], path: list[Any], hidden: frozenset[str]) -> dict[str, Any]:
    """zod v4 reports every unknown key of one object in a single issue."""
    plural = "s" if len(keys) > 1 else ""
    names = ", ".join(REDACTED if key in hidden else f'"{key}"' for key in keys)
    return issue("unrecognized_keys", f"Unrecognized key{plural}: {names}", path)


def zod_issues(errors: list[FieldError], hidden: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every issue, unknown keys of the same object merged as zod merges them; `hidden`: secret values."""
    issues: list[dict[str, Any]] = []
    for (is_unknown, path), group in groupby(errors, key=lambda e: (e.kind == "unknown_key", e.path)):
        if is_unknown:
            keys = [str(e.options[0] if e.options else e.value) for e in group]
            issues.append(unrecognized(keys, list(path), hidden))
        else:
            issues.extend(one_issue(error) for error in group)
    return issues
