"""Request and response validation of one exchange with openapi-core, against one vendor's spec.

The proxy finds the operation itself (on the raw, still percent-encoded path, so `slack%2Fmy-bot` stays one
segment) and hands openapi-core the path template and parameters, with the document's `servers` replaced
by `/`: the spec is checked relative to whatever base URL the upstream has. openapi-core enforces
`writeOnly` in responses (and `readOnly` in requests) on these 3.0 documents. Messages are built from
the schema side of each error (keyword, expected value, property names), never from the instance.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.media_types.exceptions import MediaTypeFinderError
from openapi_core.templating.responses.exceptions import ResponseFinderError
from openapi_core.validation.request.exceptions import (
    MissingParameter,
    MissingRequiredParameter,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import HeaderValidationError, MissingData
from werkzeug.datastructures import Headers, ImmutableMultiDict, MultiDict

from contracts.failures import ErrorShapeMismatch, ResponseSchemaViolation, WriteOnlyReturned
from speclib import Spec
from speclib.refs import inline_refs

__all__ = ["Checker", "Problem", "RequestFacts", "ResponseFacts", "Route"]

SAFE_KEYWORDS = ("required", "additionalProperties")

# OpenInt's scalar query parameters say `allowEmptyValue: true` because the real server reads `?include_secrets=`
# as a value (OpenAPI 3.0 allows it; 3.1 only discourages it). openapi-core honours the keyword and warns on every
# request that uses it, which says nothing about the exchange being checked.
warnings.filterwarnings("ignore", message="Use of allowEmptyValue property is deprecated", category=DeprecationWarning)


@dataclass(frozen=True, slots=True)
class Route:
    operation_id: str
    template: str
    path_params: dict[str, str]


@dataclass(slots=True)
class RequestFacts:
    """An incoming request in the shape of openapi-core's `Request` + `SupportsPathPattern` protocols."""

    method: str
    path: str
    path_pattern: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters
    host_url: str = "http://connmock-proxy"


@dataclass(slots=True)
class ResponseFacts:
    """An upstream response in the shape of openapi-core's `Response` protocol."""

    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


@dataclass(frozen=True, slots=True)
class Problem:
    rule: str
    place: str
    detail: str


def pointer(parts: Any) -> str:
    return "/" + "/".join(str(p) for p in parts)


def schema_problems(exc: BaseException, rule: str, place: str) -> Iterator[Problem]:
    """One problem per jsonschema error inside an openapi-core validation error, described by the schema."""
    cause = exc.__cause__
    errors = list(getattr(cause, "schema_errors", ()) or ())
    if not errors:
        yield Problem(rule, place, type(exc).__name__)
        return
    for error in errors:
        keyword = str(getattr(error, "validator", "invalid"))
        where = pointer(getattr(error, "absolute_path", ()))
        if keyword == "writeOnly":
            yield Problem(WriteOnlyReturned.default_rule, f"{place} {where}", "a writeOnly property is present")
            continue
        if keyword in SAFE_KEYWORDS:
            detail = f"{keyword}: {error.message}"
        else:
            expected = repr(getattr(error, "validator_value", ""))
            detail = f"{keyword}: expected {expected[:80]}"
        yield Problem(rule, f"{place} {where}", detail)


@dataclass(slots=True)
class Checker:
    """The operations of one spec, and openapi-core's validation of their requests and responses."""

    spec: Spec
    app: OpenAPI = field(init=False)
    routes: list[tuple[str, re.Pattern[str], str]] = field(init=False)
    blank_allowed: dict[tuple[str, str], frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        document = copy.deepcopy(self.spec.document)
        document["servers"] = [{"url": "/"}]
        # every `$ref` under `paths` inlined: openapi-core then resolves nothing per request (several times faster)
        document["paths"] = inline_refs(document.get("paths", {}), document)
        self.app = OpenAPI.from_dict(document)
        routes = []
        for oid, op in self.spec.operations.items():
            regex = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(op.path))
            routes.append((op.method, re.compile(f"^{regex}/?$"), oid))
        # concrete segments first: `/v1/connectors/search` before `/v1/connectors/{connector_id}`
        self.routes = sorted(routes, key=lambda r: r[1].pattern.count("(?P<"))
        self.blank_allowed = {
            (op.method.lower(), op.path): frozenset(p["name"] for p in op.parameters
                                                     if p.get("in") == "query" and p.get("allowEmptyValue"))
            for op in self.spec.operations.values()}

    def route(self, method: str, raw_path: str) -> Route | None:
        for route_method, regex, oid in self.routes:
            if route_method != method.upper():
                continue
            match = regex.match(raw_path)
            if match:
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                return Route(oid, self.spec.operations[oid].path, params)
        return None

    def without_allowed_blanks(self, request: RequestFacts) -> RequestFacts:
        """`request` without the empty query values its operation allows (`allowEmptyValue`): openapi-core lets
        them past its emptiness check, then fails to cast `""` to the parameter's type."""
        allowed = self.blank_allowed.get((request.method.lower(), request.path_pattern), frozenset())
        query = request.parameters.query
        if not isinstance(query, MultiDict) or not any(query.get(name) == "" for name in allowed):
            return request
        kept = ImmutableMultiDict([(k, v) for k, v in query.items(multi=True) if v != "" or k not in allowed])
        parameters = RequestParameters(query=kept, header=request.parameters.header,
                                       cookie=request.parameters.cookie, path=request.parameters.path)
        return replace(request, parameters=parameters)

    def request_problems(self, request: RequestFacts) -> list[Problem]:
        problems = []
        for exc in self.app.iter_request_errors(self.without_allowed_blanks(request)):
            if isinstance(exc, SecurityValidationError):
                problems.append(Problem("auth", "credentials", "no documented security scheme is satisfied"))
            elif isinstance(exc, MissingRequiredParameter | MissingParameter):
                problems.append(Problem("request-parameter", f"parameter {exc.name}", "missing"))
            elif hasattr(exc, "name"):
                problems.append(Problem("request-parameter", f"parameter {exc.name}", type(exc).__name__))
            else:
                problems += schema_problems(exc, "request-body", "body")
        return problems

    def response_problems(self, request: RequestFacts, response: ResponseFacts) -> list[Problem]:
        status = response.status_code
        rule = ResponseSchemaViolation.default_rule if status < 400 else ErrorShapeMismatch.default_rule
        problems = []
        for exc in self.app.iter_response_errors(request, response):
            if isinstance(exc, ResponseFinderError):
                problems.append(Problem("undocumented-status", f"status {status}",
                                        f"{status} is not documented for this operation"))
            elif isinstance(exc, MediaTypeFinderError):
                problems.append(Problem("content-type", "header content-type", "undocumented media type"))
            elif isinstance(exc, HeaderValidationError):
                problems.append(Problem("response-header", f"header {exc.name}", type(exc).__name__))
            elif isinstance(exc, MissingData):
                problems.append(Problem(rule, "body", "the documented body is missing"))
            else:
                problems += schema_problems(exc, rule, "body")
        return problems


def request_facts(method: str, raw_path: str, route: Route, query: list[tuple[str, str]],
                  headers: Mapping[str, str] | list[tuple[str, str]], body: bytes | None) -> RequestFacts:
    header = Headers(list(headers.items()) if isinstance(headers, Mapping) else headers)
    parameters = RequestParameters(query=ImmutableMultiDict(query), header=header,
                                   cookie=ImmutableMultiDict(), path=route.path_params)
    return RequestFacts(method=method.lower(), path=raw_path, path_pattern=route.template, body=body or None,
                        content_type=header.get("content-type") or "application/octet-stream",
                        parameters=parameters)
