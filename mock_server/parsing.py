"""Reading one operation's request into a frozen `ParsedRequest`: screened, authenticated, and its path, query
and body parsed and validated against the operation (every offending field, not just the first).

The order is the vendors': the adapter's screen, then authentication, then path, query and body; an
operation the vendor validates inside its handler (`VendorAdapter.validated_by_handler`) gets its input's
errors in `deferred` instead of a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson
from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from mock_server.errors import InvalidRequest, MalformedRequest, PayloadTooLarge, ServiceError
from mock_server.plans import OperationPlan
from mock_server.vendors.base import Principal
from speclib import FieldError
from speclib.loader import Operation
from speclib.validation import apply_defaults, walk

__all__ = ["MAX_JSON_DEPTH", "TENANT_KEY", "ParsedRequest", "RequestHeaders", "is_json_media", "parse_json",
           "parse_request", "read_body"]

MAX_JSON_DEPTH = 64
TENANT_KEY = "connmock.tenant"  # the scope's note of the caller's tenant, for the journal


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    """A request the operation accepts: who calls, and its validated input."""

    headers: Headers
    principal: Principal
    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any  # the validated body with the schema's defaults; None when the operation takes none or got none
    raw_body: bytes  # the body as sent, when `body` is not None (the journal keeps it)
    deferred: tuple[ServiceError, ...]


class RequestHeaders(Headers):
    """Starlette's request `Headers`, looked up by name in a dict of decoded names and values built once (the
    first value of a name, as `Headers` answers) instead of a scan and a decode per lookup. Names arrive
    lowercased (ASGI), as `Headers` assumes too."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope=scope)
        self._first = {key.decode("latin-1"): value.decode("latin-1") for key, value in reversed(self._list)}

    def get(self, key: str, default: Any = None) -> Any:
        return self._first.get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return self._first[key.lower()]

    def __contains__(self, key: Any) -> bool:
        return isinstance(key, str) and key.lower() in self._first


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


async def read_body(receive: Receive, limit: int) -> bytes:
    """Read the request body, giving up as soon as it passes `limit` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequest("Request body is not valid UTF-8", reason="invalid_encoding") from exc
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise MalformedRequest(str(exc).split(":")[0], reason="invalid_json") from exc
    # A value nested d levels deep opens at least d - 1 brackets: with fewer, the walk cannot find too many.
    if raw.count(b"{") + raw.count(b"[") >= MAX_JSON_DEPTH and json_depth(value) > MAX_JSON_DEPTH:
        raise MalformedRequest(f"JSON nesting deeper than {MAX_JSON_DEPTH} levels", reason="too_deep")
    return value


def is_json_media(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def parse_path(operation: Operation, raw_params: dict[str, Any]) -> tuple[dict[str, str], list[FieldError]]:
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for param in operation.parameters:
        if param.get("in") != "path":
            continue
        name = param["name"]
        value = unquote(str(raw_params.get(name, "")))
        values[name] = value
        errors += walk(param.get("schema", {}), value, (name,))
    return values, errors


async def parse_request(plan: OperationPlan, scope: Scope, receive: Receive, raw_path_params: dict[str, Any],
                        max_body_bytes: int) -> ParsedRequest:
    """The request as the operation takes it, or the `ServiceError` the vendor answers it with."""
    headers = RequestHeaders(scope)
    operation_id = plan.operation_id
    query_string = scope.get("query_string", b"").decode("latin-1")
    plan.adapter.screen(headers, operation_id, query_string)
    principal = plan.adapter.authenticate(headers, operation_id)
    if principal.kind != "connect_session":  # the journal's tenant (a session's is found by its handler)
        scope[TENANT_KEY] = principal.tenant.id
    path_params, path_errors = parse_path(plan.operation, raw_path_params)
    if path_errors and not plan.adapter.one_input:
        raise InvalidRequest("Invalid path parameters", errors=path_errors, location="path")
    query, query_errors = plan.adapter.read_query(plan.operation, query_string, plan.query)
    deferring = operation_id in plan.adapter.validated_by_handler
    deferred: list[ServiceError] = []
    if path_errors or query_errors:
        invalid = InvalidRequest("Invalid query parameters", errors=path_errors + query_errors,
                                 location="path" if path_errors else "query")
        if not deferring:
            raise invalid
        deferred.append(invalid)
    body, raw = None, b""
    if plan.body_validator is not None:
        try:
            body, raw = await read_validated_body(plan, headers, receive, max_body_bytes)
        except InvalidRequest as invalid:
            if not deferring:
                raise
            deferred.insert(0, invalid)  # the body is judged before the query
    return ParsedRequest(headers, principal, path_params, query, body, raw, tuple(deferred))


async def read_validated_body(plan: OperationPlan, headers: Headers, receive: Receive, limit: int
                              ) -> tuple[Any, bytes]:
    """The validated body with its defaults (None when absent and optional), and its bytes as sent."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
    raw = await read_body(receive, limit)
    content_type = headers.get("content-type", "")
    # express leaves `req.body` undefined when the request says it has no body (neither Content-Length nor
    # Transfer-Encoding; `Content-Length: 0` is an empty body, read as `{}`) or does not say it is JSON
    bodiless = not raw and "content-length" not in headers and "transfer-encoding" not in headers
    unread = plan.adapter.unread_bodies_are_undefined and (not content_type or bodiless)
    if unread:
        raw = b""
    if raw.strip() and content_type and not is_json_media(content_type):
        raise MalformedRequest("Content-Type header must be application/json", reason="content_type")
    assert plan.body_validator is not None
    absent = not raw.strip()
    if absent and is_json_media(content_type) and plan.adapter.empty_json_body_is_malformed:
        raise MalformedRequest("Request body is empty", reason="invalid_json")
    if unread:
        raise InvalidRequest("Invalid request body", location="body", errors=[UNREAD_BODY])
    if absent and not plan.body_required:
        return None, b""
    # An absent body is read as an empty object, so every missing field is named; a JSON `null` stays None
    # and fails the schema's type.
    body = {} if absent else plan.adapter.body_input(parse_json(raw), plan.body_validator.schema)
    errors = plan.body_validator.errors(body)
    if errors:
        raise InvalidRequest("Invalid request body", errors=errors, location="body",
                             extra={"body": None if absent else body})
    return apply_defaults(plan.body_validator.schema, body), raw


# The procedure's input when the server did not read the body at all (zod's `object` given `undefined`)
UNREAD_BODY = FieldError((), "type", "expected object, received undefined", expected="object", received="undefined")
