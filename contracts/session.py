"""A session: one vendor's run. It sends Schemathesis cases to the target, runs every check on every
response, and records failures (with a reproducing curl command) per section of the report.

Every response of the run goes through `send`, so the canary oracle sees all of them: generated cases,
hand-built scenarios, error bodies, other tenants' reads. Every request goes through the session's
`Transport` (pacing, 429s). A request that gets no answer is a finding (`TargetUnavailable`, with its curl);
the session then waits, bounded, for the target to answer again and raises `Interrupted`, which ends the
current section (`incomplete`): the runner goes on with the next one if the target came back, or stops.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis import Case, CheckFunction, Response
from schemathesis.core import NOT_SET
from schemathesis.core.failures import CustomFailure, Failure, FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.schemas import OpenApiSchema

from contracts.checks import ACTIVE, ANONYMOUS, BUILTIN_CHECKS, CUSTOM_CHECKS, Scope
from contracts.cleanup import Registry, Tracked, deletion_for
from contracts.coercion import without_coerced_constraints
from contracts.failures import BuiltinCheckFailed, ContractFailure, TargetUnavailable
from contracts.preflight import probe_url
from contracts.target import Credentials, Target, auth_headers
from contracts.transport import NoAnswer, Transport, documented_rate
from speclib import Spec

__all__ = ["INCOMPLETE", "NOT_RUN", "Interrupted", "Recorded", "Section", "Session", "negative_statuses"]

REJECTIONS = frozenset({"400", "401", "403", "415", "422"})
RECOVERY_SECONDS = 30.0  # how long a run waits for a target that stopped answering
NOT_SERVED = frozenset({404, 405})
INCOMPLETE, NOT_RUN = "incomplete", "not run"


class Interrupted(Exception):
    """The current section cannot go on. `recovered`: the target answers again, so later sections can run."""

    def __init__(self, reason: str, recovered: bool) -> None:
        self.reason = reason
        self.recovered = recovered
        super().__init__(reason)


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
    status: str = ""  # "" (ran to the end), INCOMPLETE or NOT_RUN
    reason: str = ""  # why it is incomplete
    requests: int = 0
    _seen: set[tuple[str, str, str, str]] = field(default_factory=set)

    @property
    def finished(self) -> bool:
        return not self.status

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


def load_schema(scope: Scope, *, negative: bool = False) -> OpenApiSchema:
    """The spec as Schemathesis draws from it; `negative`: coerced query parameters take anything
    (`contracts.coercion`)."""
    document = copy.deepcopy(scope.spec.document)
    if negative:
        document = without_coerced_constraints(document)
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

    def __init__(self, target: Target, transport: Transport | None = None) -> None:
        self.scope = Scope(target)
        self.target = target
        self.schema = load_schema(self.scope)
        self.negative_schema: OpenApiSchema | None = None  # drawn for negative cases (built when first needed)
        self.sections: dict[str, Section] = {}
        self.section = self.enter("setup")
        self.checks: tuple[CheckFunction, ...] = (*BUILTIN_CHECKS, *CUSTOM_CHECKS)
        rate = documented_rate(self.spec) if target.rate is None else target.rate
        self.transport = transport or Transport(rate=rate)
        self.registry = Registry()
        self.down = False  # the target stopped answering and did not come back
        self.recovery_seconds = RECOVERY_SECONDS
        self.poll_seconds = 1.0  # between the probes of `wait_for_target` (a dying process can still answer once)
        self.unanswered_keys: set[tuple[str, str, str, str]] = set()
        self.last: tuple[Case[Any], int] | None = None  # the last request answered, and its status
        self.bare_killers: set[str] = set()  # operations whose bodiless requests without Content-Type killed it
        # Per operation, every status it answered, and whether the call carried no valid credentials.
        self.answers: dict[str, Counter[tuple[int, bool]]] = {}

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

    def operation(self, operation_id: str, *, negative: bool = False) -> APIOperation[Any, Any, Any, Any]:
        if not negative:
            return self.schema.find_operation_by_id(operation_id)
        if self.negative_schema is None:
            self.negative_schema = load_schema(self.scope, negative=True)
        return self.negative_schema.find_operation_by_id(operation_id)

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

    def fail(self, failure: ContractFailure, case: Case[Any], curl: str | None = None) -> None:
        """Record `failure` with the curl of `case` (or `curl`, when more than one request reproduces it)."""
        self.section.record(failure, curl or self.curl(case))

    def track(self, operation_id: str, path: dict[str, Any], query: dict[str, Any] | None = None,
              tenant: Credentials | None = None) -> None:
        """Register an object to delete at the end of the run: `operation_id` (a delete) with these parameters.
        Successful creates are registered by `send` already; a successful delete unregisters."""
        self.registry.add(Tracked(operation_id, tuple(sorted((str(k), str(v)) for k, v in path.items())),
                                  tuple(sorted((str(k), str(v)) for k, v in (query or {}).items())), tenant))

    def wait_for_target(self) -> bool:
        """Poll the target (its probe read) until it gives any HTTP answer again; False after
        `recovery_seconds`."""
        seconds = self.recovery_seconds
        deadline = time.monotonic() + seconds
        url, headers = probe_url(self.target, self.spec), self.headers_for(self.target.primary)
        answered = 0
        while time.monotonic() < deadline:
            try:
                self.transport.get(url, headers, timeout=min(5.0, seconds))
                answered += 1
            except NoAnswer:
                answered = 0
            if answered == 2:  # twice, `poll_seconds` apart: a dying process can still answer once
                return True
            time.sleep(self.poll_seconds)
        return False

    def unanswered(self, case: Case[Any], operation: str, exc: NoAnswer) -> Case[Any]:
        """Record a request that got no answer, once per operation and reason in the run; the request that most
        likely killed the target: this one, or (nothing listening any more) the one answered just before."""
        detail, curl, killer = f"{exc.reason}; the target stopped answering on this request", self.curl(case), case
        if exc.refused and self.last is not None:
            # Nothing listening on a request that found the target up a moment ago: the server died after
            # answering the request before (the real OpenInt does that on an unauthenticated bare DELETE).
            killer, status = self.last
            detail += (f"; it answered the request before ({self.scope.operation_of(killer)} "
                       f"{killer.method.upper()} {killer.operation.path}: {status}) and may have died of it")
            curl = f"{self.curl(killer)}\n        then: {curl}"
        failure = TargetUnavailable(operation, f"{case.method.upper()} {case.operation.path}", detail)
        if failure.key not in self.unanswered_keys:
            self.unanswered_keys.add(failure.key)
            self.fail(failure, case, curl)
        return killer

    def recover(self, case: Case[Any], operation: str, exc: NoAnswer) -> Response:
        """After a request got no answer: wait for the target, then send the request once more. A bodiless
        request without `Content-Type` that killed the target is from then on sent with one (the finding is
        recorded; the rest of the suite still runs). Raises `Interrupted` if that fails too."""
        killer = self.unanswered(case, operation, exc)
        self.last = None
        for attempt in range(2):
            recovered = self.wait_for_target()
            self.down = not recovered
            if not recovered:
                raise Interrupted(f"no answer to {operation} (the target did not answer again within "
                                  f"{self.recovery_seconds:g}s)", recovered=False)
            if attempt:
                break
            if bare(killer):
                self.bare_killers.add(self.scope.operation_of(killer))
            try:
                return self.transport.call(self.worked_around(case, operation), self.target.base_url)
            except NoAnswer as again:
                self.unanswered(case, operation, again)
        raise Interrupted(f"no answer to {operation}, twice (the target answers again)", recovered=True)

    def worked_around(self, case: Case[Any], operation: str) -> Case[Any]:
        """`case`, with `Content-Type: application/json` if it is bodiless and its operation killed the target
        that way before."""
        if operation in self.bare_killers and bare(case):
            headers = dict(case.headers or {})
            headers["Content-Type"] = "application/json"
            case.headers = headers  # type: ignore[assignment]
        return case

    def remember(self, case: Case[Any], operation: str, response: Response) -> None:
        """What the not-served accounting and the cleanup registry need from one answer."""
        tenant = self.scope.tenant_of(response)
        self.answers.setdefault(operation, Counter())[(response.status_code, tenant == ANONYMOUS)] += 1
        if response.status_code >= 300:
            return
        if case.method.upper() == "DELETE":
            self.registry.deleted(operation, dict(case.path_parameters or {}))
            return
        who = next((c for c in (self.target.primary, self.target.other) if c and c.tenant == tenant), None)
        tracked = deletion_for(self.spec, operation, dict(case.query or {}), case.body, json_answer(response), who)
        if tracked is not None:
            self.registry.add(tracked)

    def not_served(self) -> list[str]:
        """Operations that answered only 404/405, even to calls without valid credentials (where a served
        route answers 401/403): the target does not have them."""
        found = []
        for operation, answers in self.answers.items():
            statuses = {status for status, _ in answers}
            op = self.spec.operations.get(operation)
            if op is not None and statuses <= NOT_SERVED and any(anonymous for _, anonymous in answers):
                found.append(f"{operation} ({op.method} {op.path})")
        return sorted(found)

    def send(self, case: Case[Any]) -> Response:
        """Call the target and run every check on the response; failures are recorded, not raised.

        Raises `Interrupted` when the target gave no answer, or kept answering 429 after the retries."""
        operation = self.scope.operation_of(case)
        self.section.operations.add(operation)
        self.section.requests += 1
        try:
            response = self.transport.call(self.worked_around(case, operation), self.target.base_url)
        except NoAnswer as exc:
            response = self.recover(case, operation, exc)
        self.remember(case, operation, response)
        self.last = (case, response.status_code)
        limited = response.status_code == 429
        op = self.spec.operations.get(operation)
        if not limited or (op is not None and "429" in op.statuses()):  # a 429 is checked only for its shape
            self.validate(case, operation, response)
        if limited:
            raise Interrupted(f"{operation} still rate-limited (429) after retries", recovered=True)
        return response

    def validate(self, case: Case[Any], operation: str, response: Response) -> None:
        token = ACTIVE.set(self.scope)
        kwargs = {"base_url": self.target.base_url, "timeout": self.transport.timeout}
        try:
            case.validate_response(response, checks=list(self.checks), transport_kwargs=kwargs)
        except FailureGroup as group:
            for failure in group.exceptions:
                self.fail(contract_failure(failure, operation), case)
        except ContractFailure as failure:
            self.fail(failure, case)
        finally:
            ACTIVE.reset(token)
        self.section.checks.update(check.__name__ for check in self.checks)


def bare(case: Case[Any]) -> bool:
    """A request with no body and no `Content-Type` header."""
    return case.body is NOT_SET and not any(k.lower() == "content-type" for k in (case.headers or {}))


def json_answer(response: Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def contract_failure(failure: Failure, operation: str) -> ContractFailure:
    """Our own failure back from a Schemathesis `CustomFailure`, or a built-in one translated."""
    if isinstance(failure, CustomFailure) and isinstance(failure.exception, ContractFailure):
        return failure.exception
    detail = f"{failure.title}: {failure.message}".strip().replace("\n", " ")
    return BuiltinCheckFailed(operation, "", detail, rule=f"schemathesis.{type(failure).__name__}")
