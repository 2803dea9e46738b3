"""The suite's Schemathesis checks: canary leaks, write-only properties, response schemas (per field).

Checks are `(ctx, response, case)` functions registered with `@schemathesis.check`. What they need beyond
the response (the canaries issued so far, who is who) is the `Scope` of the running vendor, bound in a
context variable by the runner; with no scope bound (another Schemathesis user in the same process) they
do nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, CheckFunction, Response
from schemathesis.specs.openapi import checks as builtin

from contracts.canaries import CanaryBook
from contracts.failures import ResponseSchemaViolation, SecretLeak, WriteOnlyReturned
from contracts.target import Target, auth_headers
from speclib import SchemaValidator, SecretRule, Spec, load_spec, secret_rules

__all__ = ["ACTIVE", "BUILTIN_CHECKS", "CUSTOM_CHECKS", "Scope", "json_of", "operation_id"]

ANONYMOUS = "(no credentials)"


@dataclass(slots=True)
class Scope:
    """Everything the checks of one vendor's run share."""

    target: Target
    book: CanaryBook = field(default_factory=CanaryBook)
    spec: Spec = field(init=False)
    rules: dict[str, tuple[SecretRule, ...]] = field(init=False)
    _by_route: dict[tuple[str, str], str] = field(init=False)
    _validators: dict[tuple[str, str], SchemaValidator | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.spec = served_spec(load_spec(self.target.vendor), self.target)
        self.rules = secret_rules(self.spec)
        self._by_route = {(op.method, op.path): oid for oid, op in self.spec.operations.items()}

    def operation_of(self, case: Case[Any]) -> str:
        return str(self._by_route.get((case.operation.method.upper(), case.operation.path), case.operation.label))

    def tenant_of(self, response: Response) -> str:
        """Which configured tenant sent the request (by its credential header)."""
        sent = {k.lower(): v for k, v in response.request.headers.items()}
        for credentials in (self.target.primary, self.target.other):
            if credentials is None:
                continue
            headers = auth_headers(self.target.vendor, credentials.key)
            if all(sent.get(k.lower()) == v for k, v in headers.items()):
                return credentials.tenant
        return ANONYMOUS

    def validator(self, operation: str, status: int) -> SchemaValidator | None:
        key = (operation, str(status))
        if key not in self._validators:
            op = self.spec.operations.get(operation)
            schema = op.response_schema(status) if op and str(status) in op.responses else None
            self._validators[key] = SchemaValidator(schema) if schema else None
        return self._validators[key]


def served_spec(spec: Spec, target: Target) -> Spec:
    """`spec` without the operations of optional families the target does not serve (they are never called)."""
    operations = {oid: op for oid, op in spec.operations.items() if target.serves(op.family)}
    return Spec(spec.name, spec.document, operations)


ACTIVE: ContextVar[Scope | None] = ContextVar("connmock_contract_scope", default=None)


def operation_id(case: Case[Any]) -> str:
    scope = ACTIVE.get()
    return scope.operation_of(case) if scope else case.operation.label


def query_of(case: Case[Any]) -> dict[str, str]:
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in (case.query or {}).items()}


def json_of(response: Response) -> Any:
    """The response's JSON document; None when it has no body or the body is not JSON."""
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def gate_note(rule: SecretRule, operation: str, query: dict[str, str]) -> str:
    """Where the secret may come back from `operation` only with certain query values: what the request sent."""
    gates = dict(gate for place in rule.returned if place.operation == operation for gate in place.when_query)
    if not gates:
        return ""
    sent = ", ".join(f"{name}={query[name]}" if name in query else f"no {name}" for name in gates)
    documented = ", ".join(f"{name}={opens[0]}" for name, opens in gates.items())
    return f" with {sent} (it may only with {documented})"


@schemathesis.check
def canary_not_leaked(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """No canary anywhere in the response (status line, headers, body) unless its secret rule allows it."""
    scope = ACTIVE.get()
    if scope is None:
        return True
    operation, query, tenant = scope.operation_of(case), query_of(case), scope.tenant_of(response)
    headers = {name: values for name, values in response.headers.items()}
    for finding in scope.book.scan(headers, response.content):
        canary = finding.canary
        allowed = (finding.pointer is not None and canary.tenant == tenant
                   and canary.rule.allows(operation, query, finding.pointer))
        if not allowed:
            whose = "" if canary.tenant == tenant else f" (planted by tenant {canary.tenant}, read by {tenant})"
            kind = "write-only" if canary.rule.write_only else "secret"
            raise SecretLeak(
                operation, f"{finding.place} [{response.status_code}]",
                f"{kind} field {canary.field_name} of {canary.operation} came back ({finding.form}){whose}"
                f"{gate_note(canary.rule, operation, query)}",
            )
    return None


def write_only_names(schema: Any, path: tuple[str, ...] = (), depth: int = 0) -> Iterator[tuple[str, ...]]:
    if not isinstance(schema, dict) or depth > 30:
        return
    if schema.get("writeOnly") and path:
        yield path
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            yield from write_only_names(sub, path, depth + 1)
    for name, sub in schema.get("properties", {}).items():
        yield from write_only_names(sub, (*path, name), depth + 1)
    if isinstance(schema.get("items"), dict):
        yield from write_only_names(schema["items"], (*path, "*"), depth + 1)


def present(document: Any, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(document, list):
        return any(present(item, rest) for item in document)
    return isinstance(document, dict) and head in document and present(document[head], rest)


@schemathesis.check
def write_only_not_returned(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """No property the response schema marks `writeOnly` is present in the response body."""
    scope = ACTIVE.get()
    if scope is None:
        return True
    op = scope.spec.operations.get(scope.operation_of(case))
    schema = op.response_schema(response.status_code) if op else None
    body = json_of(response)
    for path in write_only_names(schema):
        if present(body, path):
            raise WriteOnlyReturned(scope.operation_of(case), f"body /{'/'.join(path)} [{response.status_code}]",
                                    "a writeOnly property is present in the response")
    return None


@schemathesis.check
def response_fields_conform(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The body of a documented status has every field its schema requires, each with the right type."""
    scope = ACTIVE.get()
    if scope is None:
        return True
    operation = scope.operation_of(case)
    validator = scope.validator(operation, response.status_code)
    if validator is None:
        return None
    body = json_of(response)
    if body is None and response.content:
        raise ResponseSchemaViolation(operation, f"body [{response.status_code}]", "the body is not JSON")
    errors = validator.errors(body)
    if errors:
        first = errors[0]
        pointer = "/" + "/".join(str(p) for p in first.path)
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ResponseSchemaViolation(operation, f"body {pointer} [{response.status_code}]",
                                      f"{first.kind}: {first.message}{more}")
    return None


CUSTOM_CHECKS: tuple[CheckFunction, ...] = (canary_not_leaked, write_only_not_returned, response_fields_conform)
# `negative_data_rejection` runs with the vendor's own rejection statuses (see `runner.negative_statuses`),
# not the default that counts 404, 409 and 5xx as a rejection.
BUILTIN_CHECKS: tuple[CheckFunction, ...] = (
    builtin.status_code_conformance,
    builtin.content_type_conformance,
    builtin.response_headers_conformance,
    builtin.negative_data_rejection,
)
