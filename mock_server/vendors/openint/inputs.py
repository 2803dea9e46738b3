"""How OpenInt's server reads a request into its procedure's input: trpc-to-openapi 2.1 over zod 3.

Measured against the server at 795654e and read in its source (`trpc-to-openapi/dist/cjs/adapters/node-http/
core.js`, `input.js`, `utils/zod.js`; OpenInt's `packages/util/zod-utils.ts`):

- The query is a bag of strings: a parameter given once is its string, given twice a list of them. Unknown
  parameters are dropped (zod's default object strips them).
- `coerceSchema` turns every number and boolean of the input object (and of the plain objects inside it, not
  through unions) into `z.coerce.*`: `Number(value)` and `Boolean(value)`, so `?limit=` is 0, `?limit=0x10`
  16, `?limit=1&limit=2` NaN ("Expected number, received nan"), and a body's `"validity_in_seconds": "12"` 12.
- Arrays are OpenInt's `zCoerceArray`: a string is split on commas and its blank parts dropped (`?expand=` is
  `[]`), a repeated parameter is taken as it is, unsplit.
- Strings stay strings, the empty one included (`?refresh_policy=` fails the enum).

One departure, for the one boolean of a query, the secret-gating `include_secrets`: `Boolean("false")` is true,
so the server reveals the credentials for `include_secrets=false`, `=0`, `=no` or a repeated parameter (a
defect `connmock check` reports). The mock accepts every value as the server does but reads only `true` (any
case) as true: what the spec documents, and the only spelling the contract suite lets open the secrets.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from mock_server.javascript import number_input, to_boolean
from mock_server.query import absent
from speclib import FieldError
from speclib.validation import walk

__all__ = ["coerced", "coerced_array", "coerced_object", "query_bag", "query_boolean", "read_query"]


def query_bag(query_string: str) -> dict[str, str | list[str]]:
    """`url.searchParams` as trpc-to-openapi's `getQuery` hands it on: one value as itself, several as a list."""
    bag: dict[str, str | list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        previous = bag.get(name)
        if previous is None:
            bag[name] = value
        else:
            bag[name] = [*(previous if isinstance(previous, list) else [previous]), value]
    return bag


def coerced_array(value: Any) -> Any:
    """`zCoerceArray`: a string split on commas without its blank parts; anything else as it is."""
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    return value


def query_boolean(value: Any) -> bool:
    """A query switch is on only when it says `true` (the departure above); any other value is accepted."""
    return isinstance(value, str) and value.lower() == "true"


def coerced(schema: dict[str, Any], value: Any, *, in_query: bool) -> Any:
    """One input value as the server's coercions leave it (before zod validates it against `schema`)."""
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return number_input(value)
    if kind == "boolean":
        return query_boolean(value) if in_query else to_boolean(value)
    if kind == "array" and (in_query or schema.get("x-connmock-coerce") == "comma-list"):
        return coerced_array(value)  # every list of a query; in a body, those the spec marks as zCoerceArray
    if kind == "object" and isinstance(value, dict) and "properties" in schema and not in_query:
        return coerced_object(schema, value)
    return value


def coerced_object(schema: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """`coerceSchema` on a body: its declared numbers and booleans coerced, plain nested objects likewise."""
    properties: dict[str, Any] = schema.get("properties", {})
    out = dict(body)
    for name, sub in properties.items():
        if name in out and not (out[name] is None and sub.get("nullable")):
            out[name] = coerced(sub, out[name], in_query=False)
    return out


def read_query(declared: dict[str, dict[str, Any]], query_string: str) -> tuple[dict[str, Any], list[FieldError]]:
    """The query values the procedure receives and zod's issues with them: in the parameters' order, the list
    parameters' last (measured: `?refresh_policy=&connector_names=zz` names refresh_policy first)."""
    bag = query_bag(query_string) if query_string else {}
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    late: list[FieldError] = []  # zCoerceArray is a preprocess effect: zod reports its issues after the rest
    for name, param in declared.items():
        schema = param.get("schema", {})
        if name not in bag:
            absent(name, param, values, errors)
            continue
        values[name] = coerced(schema, bag[name], in_query=True)
        (late if schema.get("type") == "array" else errors).extend(walk(schema, values[name], (name,)))
    return values, errors + late
