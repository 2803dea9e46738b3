"""pydantic v2's words for one offending field: its `type`, `msg` and `ctx`, as FastAPI puts them in a 422."""

from __future__ import annotations

from typing import Any

from mock_server.vendors.xpander.uuids import uuid_problem
from speclib import FieldError

__all__ = ["NOT_A_MODEL", "pydantic_words"]

Words = tuple[str, str, dict[str, Any] | None]
TYPE_CODES = {
    "string": ("string_type", "Input should be a valid string"),
    "boolean": ("bool_type", "Input should be a valid boolean"),
    "integer": ("int_type", "Input should be a valid integer"),
    "number": ("float_type", "Input should be a valid number"),
    "object": ("dict_type", "Input should be a valid dictionary"),
    "array": ("list_type", "Input should be a valid list"),
}
# pydantic's lax mode tries to read strings (and, for booleans, numbers): failing that, a *_parsing error.
PARSING_CODES = {
    "boolean": ("bool_parsing", "Input should be a valid boolean, unable to interpret input"),
    "integer": ("int_parsing", "Input should be a valid integer, unable to parse string as an integer"),
    "number": ("float_parsing", "Input should be a valid number, unable to parse string as a number"),
}
NOT_A_MODEL = ("model_attributes_type", "Input should be a valid dictionary or object to extract fields from")


def type_words(error: FieldError) -> Words:
    expected, value = error.expected or "", error.value
    if not error.path and expected == "object":
        return (*NOT_A_MODEL, None)
    if expected in PARSING_CODES and isinstance(value, str):
        return (*PARSING_CODES[expected], None)
    if expected == "boolean" and isinstance(value, int | float) and not isinstance(value, bool):
        return (*PARSING_CODES["boolean"], None)
    if expected == "integer" and isinstance(value, float):
        return "int_from_float", "Input should be a valid integer, got a number with a fractional part", None
    code, msg = TYPE_CODES.get(expected, ("type_error", f"Input should be a valid {expected}"))
    return code, msg, None


def bound_words(error: FieldError) -> Words | None:
    n = error.options[0] if error.options else None
    if error.kind == "min_length":
        return "string_too_short", f"String should have at least {n} character{'s' * (n != 1)}", {"min_length": n}
    if error.kind == "max_length":
        return "string_too_long", f"String should have at most {n} character{'s' * (n != 1)}", {"max_length": n}
    if error.kind == "minimum":
        return "greater_than_equal", f"Input should be greater than or equal to {n}", {"ge": n}
    if error.kind == "maximum":
        return "less_than_equal", f"Input should be less than or equal to {n}", {"le": n}
    return None


def pydantic_words(error: FieldError) -> Words:
    """(type, msg, ctx) as pydantic v2 words them."""
    if error.kind == "missing":
        return "missing", "Field required", None
    if error.kind == "type":
        return type_words(error)
    if error.kind in ("enum", "discriminator"):
        quoted = [f"'{o}'" for o in error.options if o is not None]
        expected = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
        return "enum", f"Input should be {expected}", {"expected": expected}
    bounded = bound_words(error)
    if bounded is not None:
        return bounded
    if error.kind == "pattern":
        pattern = error.options[0]
        return "string_pattern_mismatch", f"String should match pattern '{pattern}'", {"pattern": pattern}
    if error.kind == "format" and error.options == ("uuid",):
        problem = uuid_problem(str(error.value))
        return "uuid_parsing", f"Input should be a valid UUID, {problem}", {"error": problem}
    return "value_error", error.message, None
