"""A session: one vendor's run. It sends Schemathesis cases to the target, runs every check on every
response, and records failures (with a reproducing curl command) per section of the report.

Every response of the run goes through `send`, so the canary oracle sees all of them: generated cases,
hand-built scenarios, error bodies, other tenants' reads.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis import Case, CheckFunction, Response
from schemathesis.core.failures import CustomFailure, Failure, FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.schemas import OpenApiSchema

from connmock.spec import Spec
from contracts.checks import ACTIVE, BUILTIN_CHECKS, CUSTOM_CHECKS, Scope
from contracts.failures import BuiltinCheckFailed, ContractFailure
from contracts.target import Credentials, Target, auth_headers

__all__ = ["Recorded", "Section", "Session", "negative_statuses"]

TIMEOUT = 15.0
REJECTIONS = frozenset({"400", "401", "403", "415", "422"})


@dataclass(slots=True)
class Recorded:
    failure: ContractFailure
    curl: str


@dataclass(slots=True)
class Section:
    """One part of a vendor's report (a JUnit test case): what it touched, what it checked, what failed."""

    name: str
    operations: set[str] = field(default_factory=set)
    checks: Counter[str] = field(default_factory=Counter)
    failures: list[Recorded] = field(default_factory=list)
    _seen: set[tuple[str, str, str, str]] = field(default_factory=set)

    def record(self, failure: ContractFailure, curl: str) -> None:
        if failure.key not in self._seen:
            self._seen.add(failure.key)
            self.failures.append(Recorded(failure, curl))


def negative_statuses(spec: Spec, operation_id: str) -> list[int]:
    """The statuses that count as rejecting invalid input: documented 400/401/403/415/422, and 404 only
    where a path parameter can name nothing. Never 5xx or 409 (the built-in default accepts those)."""
    op = spec.operation(operation_id)
    statuses = [int(s) for s in op.statuses() if s in REJECTIONS]
    if any(p.get("in") == "path" for p in op.parameters) and "404" in op.statuses():
        statuses.append(404)
    return sorted(statuses)


def schemathesis_config(spec: Spec) -> schemathesis.Config:
    operations = [
        {"include-operation-id": oid, "checks": {"negative_data_rejection": {"expected-statuses":
                                                                             negative_statuses(spec, oid)}}}
        for oid in spec.operations
    ]
    # Curl repros keep every value: reports redact by value (each canary, each configured key), which also
    # covers what Schemathesis's name-based sanitizer hides (`include_secrets=true` is no secret).
    return schemathesis.Config.from_dict({"operations": operations, "output": {"sanitization": {"enabled": False}}})


def load_schema(scope: Scope) -> OpenApiSchema:
    document = copy.deepcopy(scope.spec.document)
    document["servers"] = [{"url": scope.target.base_url}]
    schema = schemathesis.openapi.from_dict(document, config=schemathesis_config(scope.spec))
    key = scope.target.primary.key
    headers = auth_headers(scope.target.vendor, key)

    @schema.auth()
    class PrimaryTenant:
        """The primary tenant's credential on every generated case (not a static header)."""

        def get(self, case: Case[Any], context: schemathesis.AuthContext) -> dict[str, str]:
            return headers

        def set(self, case: Case[Any], data: dict[str, str], context: schemathesis.AuthContext) -> None:
            merged = dict(case.headers or {})
            merged.update(data)
            case.headers = merged  # type: ignore[assignment]

    return schema


class Session:
    """Send cases for one vendor and check every response."""

    def __init__(self, target: Target) -> None:
        self.scope = Scope(target)
        self.target = target
        self.schema = load_schema(self.scope)
        self.sections: dict[str, Section] = {}
        self.section = self.enter("setup")
        self.checks: tuple[CheckFunction, ...] = (*BUILTIN_CHECKS, *CUSTOM_CHECKS)

    @property
    def spec(self) -> Spec:
        return self.scope.spec

    def enter(self, name: str) -> Section:
        self.section = self.sections.setdefault(name, Section(name))
        return self.section

    def enter_scratch(self, name: str) -> Section:
        """A section outside the report, made current: the state machine keeps an example's failures there
        until Hypothesis has shrunk them to the sequence it reports."""
        self.section = Section(name)
        return self.section

    def operation(self, operation_id: str) -> APIOperation[Any, Any, Any, Any]:
        return self.schema.find_operation_by_id(operation_id)

    def headers_for(self, credentials: Credentials | None) -> dict[str, str]:
        return auth_headers(self.target.vendor, credentials.key) if credentials else {}

    def case(self, operation_id: str, *, as_tenant: Credentials | bool | None = True, body: Any = None,
             path: dict[str, Any] | None = None, query: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> Case[Any]:
        """A hand-built case; `as_tenant=True` is the primary tenant, None/False sends no credentials."""
        who = self.target.primary if as_tenant is True else (as_tenant or None)
        kwargs: dict[str, Any] = {"path_parameters": path or {}, "query": query or {},
                                  "headers": {**self.headers_for(who), **(headers or {})}}
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        return self.operation(operation_id).Case(**kwargs)

    def plant(self, operation_id: str, body: Any, tenant: str | None = None) -> Any:
        """The body with a fresh canary in every secret field."""
        rules = self.scope.rules.get(operation_id, ())
        return self.scope.book.plant(body, rules, operation_id, tenant or self.target.primary.tenant)

    def curl(self, case: Case[Any]) -> str:
        try:
            return case.as_curl_command(base_url=self.target.base_url)
        except Exception as exc:  # a curl that cannot be rendered must not hide the failure
            return f"(no curl: {exc})"

    def fail(self, failure: ContractFailure, case: Case[Any]) -> None:
        self.section.record(failure, self.curl(case))

    def send(self, case: Case[Any]) -> Response:
        """Call the target and run every check on the response; failures are recorded, not raised."""
        operation = self.scope.operation_of(case)
        self.section.operations.add(operation)
        response = case.call(base_url=self.target.base_url, timeout=TIMEOUT)
        token = ACTIVE.set(self.scope)
        try:
            case.validate_response(response, checks=list(self.checks),
                                   transport_kwargs={"base_url": self.target.base_url, "timeout": TIMEOUT})
        except FailureGroup as group:
            for failure in group.exceptions:
                self.fail(contract_failure(failure, operation), case)
        except ContractFailure as failure:
            self.fail(failure, case)
        finally:
            ACTIVE.reset(token)
        self.section.checks.update(check.__name__ for check in self.checks)
        return response


def contract_failure(failure: Failure, operation: str) -> ContractFailure:
    """Our own failure back from a Schemathesis `CustomFailure`, or a built-in one translated."""
    if isinstance(failure, CustomFailure) and isinstance(failure.exception, ContractFailure):
        return failure.exception
    detail = f"{failure.title}: {failure.message}".strip().replace("\n", " ")
    return BuiltinCheckFailed(operation, "", detail, rule=f"schemathesis.{type(failure).__name__}")
