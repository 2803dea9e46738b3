"""The checks of one exchange: remember the request's secrets, validate both sides, search the response.

`begin` runs before the request is forwarded (the secrets it carries are remembered, hashed, before
anything about it is logged); `request_problems` runs on a worker thread while the upstream answers;
`record_request` and `finish` run on the buffered response. Secret rules and the response
search reuse the suite's code (`speclib.secrets`, `contracts.canaries.json_strings`); a finding is
allowed only inside a place the spec's rule lists for this operation and query, and only for the sender.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from werkzeug.datastructures import Headers

from connmock.proxy.validation import Checker, Problem, RequestFacts, ResponseFacts, Route, request_facts
from connmock.proxy.vault import Remembered, SecretVault
from connmock.proxy.violations import Entry, Kind
from contracts.canaries import json_strings
from contracts.failures import SecretLeak
from speclib import SecretRule, Spec, secret_rules
from speclib.secrets import secret_values

__all__ = ["Exchange", "Inspector", "credential_headers"]

UNKNOWN = "(unknown operation)"
CREDENTIALS = "(credentials)"


def credential_headers(spec: Spec) -> tuple[str, ...]:
    """The request headers the spec's security schemes read credentials from (lower case)."""
    names = []
    for scheme in spec.document.get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            names.append(str(scheme["name"]).lower())
        elif scheme.get("type") in ("http", "oauth2", "openIdConnect"):
            names.append("authorization")
    return tuple(dict.fromkeys(names)) or ("authorization",)


@dataclass(slots=True)
class Exchange:
    method: str
    path: str  # the path template when the operation is known; never the concrete path otherwise logged
    operation: str
    route: Route | None
    facts: RequestFacts | None
    owner: bytes
    query: dict[str, str]
    entries: list[Entry] = field(default_factory=list)
    rejected_request: bool = False


def parse_json(body: bytes | None) -> Any:
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


@dataclass(slots=True)
class Inspector:
    spec: Spec
    vault: SecretVault = field(default_factory=SecretVault)
    checker: Checker = field(init=False)
    rules: dict[str, tuple[SecretRule, ...]] = field(init=False)
    credentials: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.checker = Checker(self.spec)
        self.rules = secret_rules(self.spec)
        self.credentials = credential_headers(self.spec)

    def entry(self, exchange: Exchange, kind: Kind, rule: str, place: str, detail: str,
              status: int | None = None) -> Entry:
        """A finding of `exchange`, its texts masked by value, appended to its entries (and returned)."""
        mask = self.vault.mask
        found = Entry(kind, exchange.operation, rule, mask(place), mask(detail), exchange.method,
                      mask(exchange.path), status)
        exchange.entries.append(found)
        return found

    def begin(self, method: str, raw_path: str, query: list[tuple[str, str]], headers: list[tuple[str, str]],
              body: bytes | None, body_checked: bool = True) -> Exchange:
        sent = Headers(headers)
        values = [sent.get(name, "") for name in self.credentials]
        owner = self.vault.owner(values)
        for name, value in zip(self.credentials, values, strict=True):
            token = value.split(" ", 1)[1] if " " in value and name == "authorization" else value
            rule = SecretRule(CREDENTIALS, ("header", name), ())
            self.vault.remember(token.strip(), Remembered(CREDENTIALS, f"header {name}", rule, owner))
        route = self.checker.route(method, raw_path)
        exchange = Exchange(method, route.template if route else raw_path, route.operation_id if route else UNKNOWN,
                            route, None, owner, dict(query))
        if route is None:
            self.entry(exchange, "request", "unknown-operation", "path", "no operation of the spec matches")
            return exchange
        document = parse_json(body) if body_checked else None
        for path, value, rule in secret_values(self.rules.get(route.operation_id, ()), document):
            self.vault.remember(value, Remembered(route.operation_id, ".".join(path), rule, owner))
        if not body_checked:
            self.entry(exchange, "not checked", "request-too-large", "body", "the request body was not inspected")
            return exchange
        exchange.facts = request_facts(method, raw_path, route, query, headers, body)
        return exchange

    def request_problems(self, exchange: Exchange) -> list[Problem]:
        """openapi-core's request validation: touches no shared state, so it may run on a worker thread."""
        return self.checker.request_problems(exchange.facts) if exchange.facts is not None else []

    def record_request(self, exchange: Exchange, problems: list[Problem]) -> None:
        for problem in problems:
            exchange.rejected_request = True
            self.entry(exchange, "request", problem.rule, problem.place, problem.detail)

    def finish(self, exchange: Exchange, status: int, headers: list[tuple[str, str]], body: bytes) -> list[Entry]:
        self.search(exchange, status, headers, body)
        if exchange.facts is not None:
            facts = ResponseFacts(status, Headers(headers).get("content-type", ""), Headers(headers), body or None)
            for problem in self.checker.response_problems(exchange.facts, facts):
                self.entry(exchange, "violation", problem.rule, problem.place, problem.detail, status)
            if exchange.rejected_request and 200 <= status < 300:
                self.entry(exchange, "violation", "invalid-request-accepted", "request",
                           f"a request the spec rejects (see the request notes) was answered {status}", status)
        return exchange.entries

    def not_checked(self, exchange: Exchange, rule: str, detail: str, status: int | None) -> list[Entry]:
        self.entry(exchange, "not checked", rule, "body", detail, status)
        return exchange.entries

    def search(self, exchange: Exchange, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        if not len(self.vault):
            return
        for name, value in headers:
            for hit in self.vault.search(value):
                self.leak(exchange, hit.secret, f"header {name.lower()}", hit.form, status)
        document = parse_json(body)
        if document is None:
            for hit in self.vault.search(body.decode("utf-8", "replace")):
                self.leak(exchange, hit.secret, "body", hit.form, status)
            return
        seen: set[tuple[Remembered, tuple[str, ...]]] = set()
        for pointer, leaf in json_strings(document):
            for hit in self.vault.search(leaf):
                if (hit.secret, pointer) in seen:
                    continue
                seen.add((hit.secret, pointer))
                secret = hit.secret
                if secret.owner == exchange.owner and secret.rule.allows(exchange.operation, exchange.query, pointer):
                    continue
                self.leak(exchange, secret, "body /" + "/".join(pointer), hit.form, status)

    def leak(self, exchange: Exchange, secret: Remembered, place: str, form: str, status: int) -> None:
        whose = "" if secret.owner == exchange.owner else " (sent with other credentials)"
        detail = f"{secret.kind} field {secret.field} of {secret.operation} came back ({form}){whose}"
        self.entry(exchange, "violation", SecretLeak.default_rule, place, detail, status)
