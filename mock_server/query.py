"""Query strings read as the spec types them: `?limit=10` is the integer 10, `?a=1&a=2` a list, and every
violation of the operation's query parameters is reported. A parameter whose schema says
`x-connmock-coerce: number` is read as the server's `z.coerce.number()` reads it, JavaScript's `Number(...)` of
the text (`0x10` is 16, `1e3` 1000, `` 0, a repeated one NaN). A vendor whose server reads every input its own
way (OpenInt) reads queries with its adapter's `read_query`."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from mock_server.javascript import number_input
from speclib import FieldError
from speclib.loader import Operation
from speclib.validation import walk

__all__ = ["absent", "parse_query", "query_parameters"]

MAX_SAFE_INTEGER = 2**53 - 1

BOOLEAN_SPELLINGS = {"true": ["true"], "false": ["false"]}


def coerce(schema: dict[str, Any], raw: str) -> Any:
    """Turn a query or path string into the type its schema declares (left as is when it cannot be)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            number = int(raw)
            # Past JavaScript's safe integers the vendors' servers cannot read the value either.
            return number if abs(number) <= MAX_SAFE_INTEGER else raw
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        # `x-connmock-spellings`: the strings the vendor's server reads as true and false (Nango's z.stringbool)
        spelled = schema.get("x-connmock-spellings", BOOLEAN_SPELLINGS)
        truth = [value for value, names in spelled.items() if raw.lower() in names]
        return truth[0] == "true" if truth else raw
    if kind == "array":
        items = schema.get("items", {})
        return [coerce(items, part) for part in raw.split(",")] if raw else []
    return raw


def query_parameters(operation: Operation) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.parameters if p.get("in") == "query"}


def qs_member(current: Any, key: str, raw: str) -> Any:
    """`name[key]=raw` added the way the qs parser adds it: `name[]=x` makes a list; mixed with named keys, the
    list's items become keys "0", "1"… of one object."""
    if key == "" and (current is None or isinstance(current, list)):
        return [*(current or []), raw]
    members = dict(current) if isinstance(current, dict) else {str(i): v for i, v in enumerate(current or [])}
    members[str(len(members)) if key == "" else key] = raw
    return members


def absent(name: str, param: dict[str, Any], values: dict[str, Any], errors: list[FieldError]) -> None:
    """An absent query parameter: its error when it is required, else its default when it has one."""
    schema = param.get("schema", {})
    if param.get("required"):
        errors.append(FieldError((name,), "missing", "Required", expected=schema.get("type", "string"),
                                 received="undefined"))
    elif "default" in schema:
        values[name] = schema["default"]


def parse_query(operation: Operation, query_string: str, strict: bool,
                declared: dict[str, dict[str, Any]] | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """The query of a request, typed by the operation's parameters and validated against them.

    `strict`: unknown parameters are errors (zod's strictObject); `declared`: the operation's query
    parameters by name, when the caller has them at hand."""
    if declared is None:
        declared = query_parameters(operation)
    if not query_string and not declared:
        return {}, []
    pairs = parse_qsl(query_string, keep_blank_values=True) if query_string else []
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    deep: dict[str, Any] = {}
    for name, raw in pairs:
        if "[" in name and name.endswith("]") and name.split("[", 1)[0] in declared:
            base, key = name[:-1].split("[", 1)
            deep[base] = qs_member(deep.get(base), key, raw)
            continue
        param = declared.get(name)
        if param is None:
            if strict:
                errors.append(FieldError((), "unknown_key", f'Unrecognized key: "{name}"', value=name, options=(name,)))
            continue
        schema = param.get("schema", {})
        if schema.get("x-connmock-coerce") == "number":  # z.coerce.number(): read below, as `Number(...)` reads
            previous = values.get(name)
            values[name] = raw if previous is None else [*(previous if isinstance(previous, list) else [previous]),
                                                          raw]
        elif schema.get("type") == "array" and param.get("explode", True) and name in values:
            values[name] = [*values[name], *coerce(schema, raw)]
        elif name in values and schema.get("type") != "array":  # `?a=1&a=2` reaches the vendors' parsers as a list
            previous = values[name]
            values[name] = [*(previous if isinstance(previous, list) else [previous]), coerce(schema, raw)]
        else:
            values[name] = coerce(schema, raw)
    values.update(deep)
    for name, param in declared.items():
        schema = param.get("schema", {})
        if name in values and schema.get("x-connmock-coerce") == "number":
            values[name] = number_input(values[name])
        if name not in values:
            absent(name, param, values, errors)
            continue
        spelled = schema.get("x-connmock-spellings")
        if spelled and isinstance(values[name], list):  # z.stringbool() takes a string
            errors.append(FieldError((name,), "type", "expected string, received array", expected="string",
                                     received="array", value=values[name]))
            continue
        if spelled and isinstance(values[name], str):  # z.stringbool(): a word it does not know is invalid_value
            options = tuple(word for words in spelled.values() for word in words)
            errors.append(FieldError((name,), "enum", f"expected one of {list(options)}", received="string",
                                     value=values[name], options=options))
            continue
        errors += walk(schema, values[name], (name,))
    return values, errors
