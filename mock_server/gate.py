"""The gate: the one place every API operation passes through.

The gate matches the request to an operation of the spec, authenticates, parses and validates path, query
and body against that operation (reporting every offending field), calls the vendor's handler, and renders
any error in the vendor's own envelope. It answers the request itself, so Connexion's problem+json never
leaks and no request is parsed twice.

It sits twice in Connexion's middleware stack. In front (`front=True`) it routes by itself, from a table
compiled at startup with Connexion's own path templates and converters, so an API request skips the rest of
the stack. Behind Connexion's routing middleware it serves what Connexion routed (the operation in the
scope) and answers the vendor's 404/405 for what no operation matches. Swagger UI, redirects and every
request the table does not match go through Connexion as before.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson
import starlette.convertors
from connexion.frameworks.starlette import FloatConverter, IntegerConverter, starlettify_path
from starlette.datastructures import Headers
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.errors import (
    CapacityReached,
    InvalidRequest,
    MalformedRequest,
    PayloadTooLarge,
    ServiceError,
    Unavailable,
)
from mock_server.fallback import Fallback
from mock_server.forced import forced_reply
from mock_server.journal import JournalEntry, redacted_query
from mock_server.query import query_parameters
from mock_server.scenarios.staging import SCENARIO_KEY, stage
from mock_server.store import StoreFull, StoreUnavailable
from mock_server.vendors.base import Handler, Reply, RequestContext, VendorAdapter, retry_later
from mock_server.world import World
from speclib import FieldError, SchemaValidator
from speclib.loader import Operation
from speclib.redaction import redaction
from speclib.secrets import SecretRule
from speclib.validation import apply_defaults, walk

logger = logging.getLogger("connmock")
ROUTING = "connexion_routing"
MAX_JSON_DEPTH = 64


@dataclass(slots=True)
class OperationPlan:
    """Everything the gate needs for one operation, prepared once at startup."""

    vendor: str
    operation: Operation
    adapter: VendorAdapter
    handler: Handler
    body_validator: SchemaValidator | None
    body_required: bool
    rules: tuple[SecretRule, ...]


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


def parse_path(operation: Operation, raw_params: dict[str, str]) -> tuple[dict[str, str], list[FieldError]]:
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


@dataclass(frozen=True, slots=True)
class Prepared:
    """An operation's plan with what the gate derives from it once: its redaction and query parameters."""

    plan: OperationPlan
    redact: Callable[[Any], Any]
    query: dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Route:
    """One operation in the gate's routing table: the route Connexion's router builds for it."""

    prefix: str  # the template's literal start: a cheap test before the regex
    pattern: re.Pattern[str]
    convertors: dict[str, Any]
    prepared: Prepared


def path_type(parameter: dict[str, Any]) -> Any:
    """Connexion's `get_path_parameter_types` for one parameter (which picks the route's converter)."""
    schema = parameter.get("schema", {})
    if schema.get("type") == "string" and schema.get("format") == "path":
        return "path"
    return schema.get("type")


def routing_table(prepared: dict[str, Prepared], mounts: dict[str, str]) -> dict[str, list[Route]]:
    """Per method, the routes in the order Connexion adds them (the spec's), compiled the way it compiles
    them: its path templates and converters, Starlette's regexes; `GET` answers `HEAD` too, as Starlette's."""
    starlette.convertors.register_url_convertor("float", FloatConverter())  # as Connexion's RoutingMiddleware
    starlette.convertors.register_url_convertor("int", IntegerConverter())
    table: dict[str, list[Route]] = {}
    for entry in prepared.values():
        operation = entry.plan.operation
        types = {p["name"]: path_type(p) for p in operation.parameters if p.get("in") == "path"}
        template = starlettify_path(mounts[entry.plan.vendor] + operation.path, types)
        pattern, _, convertors = compile_path(template)
        route = Route(template.split("{", 1)[0], pattern, convertors, entry)
        for method in (operation.method, "HEAD") if operation.method == "GET" else (operation.method,):
            table.setdefault(method, []).append(route)
    return table


class RequestHeaders(Headers):
    """Starlette's request `Headers`, looked up by name in a dict built once (the first value of a name, as
    `Headers` answers) instead of a scan of the list per lookup."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope=scope)
        self._first = {key: value for key, value in reversed(self._list)}

    def get(self, key: str, default: Any = None) -> Any:
        value = self._first.get(key.lower().encode("latin-1"))
        return default if value is None else value.decode("latin-1")

    def __getitem__(self, key: str) -> str:
        value = self._first.get(key.lower().encode("latin-1"))
        if value is None:
            raise KeyError(key)
        return value.decode("latin-1")

    def __contains__(self, key: Any) -> bool:
        return key.lower().encode("latin-1") in self._first


class Gate:
    """ASGI middleware that runs every operation: routing by itself in front of Connexion's stack
    (`front=True`), or after Connexion's routing, running what it routed."""

    def __init__(self, app: ASGIApp, *, world: World, plans: dict[str, OperationPlan], mounts: dict[str, str],
                 fallback: Fallback, front: bool = False):
        self.app = app
        self.world = world
        self.plans = plans
        self.mounts = mounts  # vendor -> mount path
        self.fallback = fallback
        self.front = front
        self.prepared = {key: Prepared(plan, redaction(plan.rules), query_parameters(plan.operation))
                         for key, plan in plans.items()}
        self.table = routing_table(self.prepared, mounts) if front else {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.front:
            found = self.route(scope)
            if found is None:  # not an operation (Swagger UI, a 404 or 405, a redirect): Connexion's stack
                await self.app(scope, receive, send)
                return
            prepared, path_params = found
        else:
            routing = scope.get("extensions", {}).get(ROUTING, {})
            routed = self.prepared.get(routing.get("operation_id") or "")
            if routed is None:
                unrouted = self.fallback.reply(scope["method"], scope["path"],
                                               scope.get("query_string", b"").decode("latin-1"))
                if unrouted is None:
                    await self.app(scope, receive, send)
                else:
                    await send_reply(unrouted, send, {})
                return
            prepared, path_params = routed, scope.get("path_params", {})
        plan = prepared.plan
        started = time.perf_counter()
        if self.world.settings.latency_ms:
            await asyncio.sleep(self.world.settings.latency_ms / 1000)
        reply, body = await self.run(prepared, scope, receive, path_params)
        await send_reply(reply, send, plan.adapter.response_headers())
        self.record(prepared, scope, reply, body, started)

    def route(self, scope: Scope) -> tuple[Prepared, dict[str, Any]] | None:
        """The operation Connexion's router would pick: the first route of the method matching the path."""
        if scope.get("root_path"):  # mounted under a prefix: left to Connexion's router
            return None
        path = scope["path"]
        for route in self.table.get(scope["method"], ()):
            if path.startswith(route.prefix):
                match = route.pattern.match(path)
                if match:
                    convertors = route.convertors
                    return route.prepared, {k: convertors[k].convert(v) for k, v in match.groupdict().items()}
        return None

    async def run(self, prepared: Prepared, scope: Scope, receive: Receive, raw_path_params: dict[str, Any]
                  ) -> tuple[Reply, Any]:
        plan = prepared.plan
        body: Any = None
        try:
            headers = RequestHeaders(scope)
            query_string = scope.get("query_string", b"").decode("latin-1")
            plan.adapter.screen(headers, plan.operation.operation_id, query_string)
            principal = plan.adapter.authenticate(headers, plan.operation.operation_id)
            if principal.kind != "connect_session":  # the journal's tenant (a session's is found by its handler)
                scope["connmock.tenant"] = principal.tenant.id
            path_params, path_errors = parse_path(plan.operation, raw_path_params)
            if path_errors and not plan.adapter.one_input:
                raise InvalidRequest("Invalid path parameters", errors=path_errors, location="path")
            query, query_errors = plan.adapter.read_query(plan.operation, query_string, prepared.query)
            deferring = plan.operation.operation_id in plan.adapter.validated_by_handler
            deferred: list[ServiceError] = []
            if path_errors or query_errors:
                invalid = InvalidRequest("Invalid query parameters", errors=path_errors + query_errors,
                                         location="path" if path_errors else "query")
                if not deferring:
                    raise invalid
                deferred.append(invalid)
            if plan.body_validator is not None:
                try:
                    body = await self.read_validated_body(plan, headers, receive)
                except InvalidRequest as invalid:
                    if not deferring:
                        raise
                    deferred.insert(0, invalid)  # the body is judged before the query
            staged = await stage(self.world, plan.vendor, plan.operation, principal.tenant.id,
                                 tuple(path_params.values()), headers.get("prefer", ""), scope)
            if staged.reply is not None:
                return staged.reply, body
            forced = forced_reply(plan.operation, headers.get("prefer", ""), self.world)
            if forced is not None:
                return staged.finish(forced), body
            origin = f"{scope.get('scheme', 'http')}://{headers.get('host', 'localhost')}"
            origin = self.world.settings.public_url or origin
            ctx = RequestContext(
                vendor=plan.vendor,
                operation_id=plan.operation.operation_id,
                principal=principal,
                path_params=path_params,
                query=query,
                body=body,
                headers=headers,
                base_url=origin + self.mounts[plan.vendor],
                origin=origin,
                deferred=tuple(deferred),
            )
            return staged.finish(await plan.handler(ctx)), body
        except ServiceError as error:
            return plan.adapter.render_error(error, plan.operation.operation_id), body
        except StoreFull as error:
            return plan.adapter.render_error(CapacityReached(str(error)), plan.operation.operation_id), body
        except StoreUnavailable as error:  # an outage says "retry", a 500 would say "bug"
            logger.warning("%s.%s: %s", plan.vendor, plan.operation.operation_id, error)
            return retry_later(plan.adapter.render_error(UNAVAILABLE, plan.operation.operation_id)), body
        except Exception as error:  # never a bare 500: the vendor's envelope, and no request data in the log
            logger.error("unexpected %s in %s.%s", type(error).__name__, plan.vendor, plan.operation.operation_id)
            failure = ServiceError("Internal server error", status=500)
            return plan.adapter.render_error(failure, plan.operation.operation_id), body

    async def read_validated_body(self, plan: OperationPlan, headers: Headers, receive: Receive) -> Any:
        limit = self.world.settings.max_body_bytes
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
            return None
        # An absent body is read as an empty object, so every missing field is named; a JSON `null` stays None
        # and fails the schema's type.
        body = {} if absent else plan.adapter.body_input(parse_json(raw), plan.body_validator.schema)
        errors = plan.body_validator.errors(body)
        if errors:
            raise InvalidRequest("Invalid request body", errors=errors, location="body",
                                 extra={"body": None if absent else body})
        return apply_defaults(plan.body_validator.schema, body)

    def record(self, prepared: Prepared, scope: Scope, reply: Reply, body: Any, started: float) -> None:
        plan = prepared.plan
        elapsed = (time.perf_counter() - started) * 1000
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s %s %s -> %d (%.1f ms)", plan.vendor, scope["method"], scope["path"], reply.status,
                        elapsed)
        if self.world.journal is None:
            return
        self.world.journal.add(JournalEntry(
            at=self.world.clock.now().isoformat(),
            vendor=plan.vendor,
            operation=plan.operation.operation_id,
            method=scope["method"],
            path=scope["path"],
            query=redacted_query(scope.get("query_string", b"").decode("latin-1")),
            status=reply.status,
            duration_ms=round(elapsed, 2),
            request_body=prepared.redact(body) if body is not None else None,
            response_body=journal_response(plan, reply),
            scenario=scope.get(SCENARIO_KEY),
            tenant=scope.get("connmock.tenant"),
        ))


def journal_response(plan: OperationPlan, reply: Reply) -> Any:
    """Responses are journalled only for errors: success bodies may carry secrets the vendor returns."""
    if reply.status < 400 or not isinstance(reply.body, dict):
        return None
    return reply.body


async def send_reply(reply: Reply, send: Send, vendor_headers: dict[str, str]) -> None:
    if reply.body is None or reply.status == 204:
        payload = b""
    elif isinstance(reply.body, bytes):  # already encoded (the hosted HTML pages)
        payload = reply.body
    else:
        payload = orjson.dumps(reply.body)
    headers = [(b"content-length", str(len(payload)).encode())]
    if payload:
        headers.append((b"content-type", f"{reply.content_type}; charset=utf-8".encode()))
    for name, value in {**vendor_headers, **reply.headers}.items():
        headers.append((name.lower().encode(), value.encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


# The procedure's input when the server did not read the body at all (zod's `object` given `undefined`)
UNREAD_BODY = FieldError((), "type", "expected object, received undefined", expected="object", received="undefined")
UNAVAILABLE = Unavailable("The service is temporarily unavailable (connmock's store does not answer); retry shortly")
