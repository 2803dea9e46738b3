"""Hand-built scenarios: valid creates, the required-field oracle, tenant isolation, auth.

The lifecycle is model-based: `contracts.stateful`.

Payloads come from the specs (`fixtures.factories.PayloadFactory`, every secret field a canary) and are
bound to the target's pre-existing objects. Every call goes through `Session.send`, so each response is
also checked for leaks, write-only properties and its schema.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from schemathesis import Case, Response

from contracts.checks import json_of
from contracts.failures import (
    AuthViolation,
    ContractFailure,
    ErrorShapeMismatch,
    LifecycleViolation,
    RequiredFieldNotRejected,
    TenantIsolationViolation,
    ValidRequestRejected,
)
from contracts.session import Session
from contracts.target import Credentials
from fixtures.factories import PayloadFactory, create_operation
from speclib import SchemaValidator
from speclib.profile import evaluate, vendor_profile
from speclib.secrets import rule_for
from speclib.validation import discriminator_values

__all__ = ["SCENARIOS", "Created", "create_operation"]

PAGE_SIZES = ("limit", "per_page")


@dataclass(frozen=True, slots=True)
class Created:
    """An object the suite made: its id, and how the read/delete operations address it (from the profile)."""

    ident: str
    path: dict[str, str]
    query: dict[str, str]


def success_status(session: Session, operation_id: str) -> int:
    return int(next(s for s in session.spec.operation(operation_id).statuses() if s.startswith("2")))


def validation_status(session: Session, operation_id: str) -> int:
    """The status the vendor documents for an invalid body: 422 where declared (FastAPI), else 400."""
    return 422 if "422" in session.spec.operation(operation_id).statuses() else 400


# -- payloads -----------------------------------------------------------------------------------------------

def variants(session: Session) -> list[str | None]:
    """The create variants the target has pre-existing objects for (the profile's `binds`)."""
    binds = vendor_profile(session.target.vendor).binds
    candidates: list[str | None] = list(PayloadFactory(session.target.vendor).variants())
    if binds is not None:
        table = session.target.ids.get(binds.table, {})
        candidates = [v for v in binds.variants or candidates if v in table]
    return candidates or [None]


def build_create(session: Session, variant: str | None, seed: int = 0,
                 tenant: Credentials | None = None) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """(body, path, query) of a valid create: every secret a fresh canary, bound to the target's objects."""
    who = tenant or session.target.primary
    vendor, ids = session.target.vendor, session.target.ids_of(who) or {}
    operation = create_operation(vendor)
    factory = PayloadFactory(vendor, seed)
    rules = session.scope.rules.get(operation, ())

    def canary(path: tuple[str, ...]) -> str:
        rule = rule_for(rules, path)
        assert rule is not None
        return session.scope.book.issue(operation, path, rule, who.tenant)

    body = factory.body(variant, secret=canary)
    path: dict[str, str] = {}
    profile = vendor_profile(vendor)
    binds = profile.binds
    if binds is not None and variant is not None:
        source, name = binds.place
        (path if source == "path" else body)[name] = ids[binds.table][variant]
    unique = secrets.token_hex(4)
    for fill in profile.fills:
        fill.apply(body, variant, unique)
    return body, path, {}


def created_from(session: Session, body: dict[str, Any], answer: Any) -> Created:
    profile = vendor_profile(session.target.vendor)
    return Created(str(evaluate(profile.identity, body, answer)),
                   {k: str(evaluate(v, body, answer)) for k, v in profile.address_path.items()},
                   {k: str(evaluate(v, body, answer)) for k, v in profile.address_query.items()})


def create(session: Session, variant: str | None, tenant: Credentials | None = None
           ) -> tuple[Case[Any], Response, dict[str, Any]]:
    body, path, query = build_create(session, variant, tenant=tenant)
    case = session.case(create_operation(session.target.vendor), as_tenant=tenant or True, body=body,
                        path=path, query=query)
    return case, session.send(case), body


# -- valid creates ------------------------------------------------------------------------------------------

def valid_requests(session: Session) -> None:
    """Every variant's valid create is accepted with the documented success status."""
    operation = create_operation(session.target.vendor)
    expected = success_status(session, operation)
    for variant in variants(session):
        case, response, _ = create(session, variant)
        if response.status_code != expected:
            session.fail(ValidRequestRejected(operation, f"variant {variant}",
                                              f"a valid request got {response.status_code}, expected {expected}"),
                         case)


# -- required fields ----------------------------------------------------------------------------------------

def chosen_variant(schema: dict[str, Any], value: Any) -> dict[str, Any] | None:
    options = schema.get("oneOf") or schema.get("anyOf")
    if not options:
        return None
    disc = schema.get("discriminator")
    if disc and isinstance(value, dict):
        name = disc["propertyName"]
        return next((v for v in options if value.get(name) in discriminator_values(v, name)), None)
    return next((v for v in options if not SchemaValidator(v).errors(value)), None)


def required_paths(schema: dict[str, Any], value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every required property present in `value`, following the variant `value` takes (nested included)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from required_paths(schema.get("items", {}), item, (*path, str(index)))
        return
    if not isinstance(value, dict):
        return
    for sub in schema.get("allOf", []):
        yield from required_paths(sub, value, path)
    variant = chosen_variant(schema, value)
    if variant is not None:
        yield from required_paths(variant, value, path)
    for name in schema.get("required", []):
        if name in value:
            yield (*path, name)
    for name, sub in schema.get("properties", {}).items():
        if name in value:
            yield from required_paths(sub, value[name], (*path, name))


def without(body: Any, path: tuple[str, ...]) -> Any:
    copy = json.loads(json.dumps(body))
    node = copy
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    del node[path[-1]]
    return copy


def required_fields(session: Session) -> None:
    """A create without any one required field gets the documented status and an error naming the field."""
    vendor = session.target.vendor
    operation = create_operation(vendor)
    schema = session.spec.operation(operation).body_schema() or {}
    expected = validation_status(session, operation)
    error_schema = session.spec.operation(operation).response_schema(expected)
    validator = SchemaValidator(error_schema) if error_schema else None
    for variant in variants(session):
        body, path, query = build_create(session, variant)
        for field in dict.fromkeys(required_paths(schema, body)):
            case = session.case(operation, body=without(body, field), path=path, query=query)
            response = session.send(case)
            check_rejection(session, case, response, operation, ".".join(field), expected, validator)


def check_rejection(session: Session, case: Case[Any], response: Response, operation: str, field: str,
                    expected: int, validator: SchemaValidator | None, place: str | None = None) -> None:
    place = place or f"without {field}"
    if response.status_code != expected:
        session.fail(RequiredFieldNotRejected(operation, place, f"got {response.status_code}, expected {expected}"),
                     case)
        return
    answer = json_of(response)
    errors = validator.errors(answer) if validator else []
    if errors:
        first = errors[0]
        detail = f"the {expected} body is not the vendor's error shape: /{'/'.join(map(str, first.path))} " \
                 f"{first.kind}"
        session.fail(ErrorShapeMismatch(operation, place, detail), case)
    elif field.split(".")[-1] not in json.dumps(answer):
        session.fail(ErrorShapeMismatch(operation, place, f"the {expected} body does not name {field}"), case)


# -- tenant isolation ---------------------------------------------------------------------------------------

def page_query(session: Session, operation: str) -> dict[str, Any]:
    """The list operation's page-size parameter at its maximum, so a fresh object is on the first page."""
    query: dict[str, Any] = {}
    for param in session.spec.operation(operation).parameters:
        if param.get("in") == "query" and param["name"] in PAGE_SIZES:
            query[param["name"]] = param.get("schema", {}).get("maximum", 100)
    return query


def expect(session: Session, case: Case[Any], response: Response, status: int, what: str,
           failure: type[ContractFailure] = LifecycleViolation) -> bool:
    if response.status_code == status:
        return True
    session.fail(failure(session.scope.operation_of(case), what, f"got {response.status_code}, expected {status}"),
                 case)
    return False


def request_examples(session: Session, operation: str) -> list[Any]:
    """The documented request bodies of `operation` (its `examples`, else its `example`, else `{}`)."""
    media = (session.spec.operation(operation).request_body or {}).get("content", {}).get("application/json", {})
    found = [e["value"] for e in media.get("examples", {}).values() if isinstance(e, dict) and "value" in e]
    return found or [media.get("example", {})]


def first_created(session: Session) -> tuple[Case[Any], Any, Created] | None:
    """Create with the first variant: the case, its body and the created object (None if the create failed)."""
    operation = create_operation(session.target.vendor)
    case, response, body = create(session, variants(session)[0])
    if not expect(session, case, response, success_status(session, operation), "create"):
        return None
    return case, body, created_from(session, body, json_of(response))


def cross_tenant(session: Session) -> None:
    """Another tenant cannot get, list or delete an object; the owner still can afterwards."""
    other = session.target.other
    profile = vendor_profile(session.target.vendor)
    if other is None:
        return
    made = first_created(session)
    if made is None:
        return
    created = made[2]
    if profile.read:
        get = session.case(profile.read, as_tenant=other, path=created.path, query=created.query)
        denied(session, get, session.send(get), "get by another tenant")
    for listing in (profile.list, *profile.also_read):
        if listing is None:
            continue
        case = session.case(listing, as_tenant=other, query=page_query(session, listing))
        if f'"{created.ident}"' in session.send(case).content.decode(errors="replace"):
            session.fail(TenantIsolationViolation(listing, "another tenant", f"{created.ident} is listed"), case)
    if profile.delete and profile.read:
        delete = session.case(profile.delete, as_tenant=other, path=created.path, query=created.query)
        denied(session, delete, session.send(delete), "delete by another tenant")
        owner = session.case(profile.read, path=created.path, query=created.query)
        expect(session, owner, session.send(owner), 200, "owner's get after another tenant's delete",
               TenantIsolationViolation)


def denied(session: Session, case: Case[Any], response: Response, what: str) -> None:
    if response.status_code < 300:
        session.fail(TenantIsolationViolation(session.scope.operation_of(case), what,
                                              f"got {response.status_code}, expected a 4xx"), case)


# -- auth ---------------------------------------------------------------------------------------------------

def wrong_key(key: str) -> str:
    """A well-formed but unknown key: the same shape, different characters."""
    swap = str.maketrans("0123456789abcdefABCDEF", "1234567890bcdefaBCDEFA")
    return key[:-8] + key[-8:].translate(swap)


def placeholder_request(session: Session, operation: str) -> tuple[dict[str, str], dict[str, str], Any]:
    op = session.spec.operation(operation)
    path = {p["name"]: "contract-none" for p in op.parameters if p.get("in") == "path"}
    query = {p["name"]: "contract" for p in op.parameters if p.get("in") == "query" and p.get("required")}
    body: Any = None
    if op.body_schema() is not None:
        body = build_create(session, variants(session)[0])[0] if operation == create_operation(
            session.target.vendor) else {}
    return path, query, body


def auth(session: Session) -> None:
    """Missing and wrong credentials get a documented 401/403 in the vendor's error shape, on every operation."""
    wrong = Credentials("(wrong key)", wrong_key(session.target.primary.key))
    for operation, op in session.spec.operations.items():
        documented = [int(s) for s in op.statuses() if s in ("401", "403")]
        path, query, body = placeholder_request(session, operation)
        for who, label in ((None, "no credentials"), (wrong, "wrong credentials")):
            case = session.case(operation, as_tenant=who, path=path, query=query, body=body)
            response = session.send(case)
            if response.status_code not in documented:
                session.fail(AuthViolation(operation, label, f"got {response.status_code}, expected one of "
                                                             f"{documented}"), case)
                continue
            error_schema = op.response_schema(response.status_code)
            errors = SchemaValidator(error_schema).errors(json_of(response)) if error_schema else []
            if errors:
                session.fail(AuthViolation(operation, label, f"the {response.status_code} body is not the vendor's "
                                                             f"error shape ({errors[0].kind} at "
                                                             f"/{'/'.join(map(str, errors[0].path))})"), case)


SCENARIOS = {
    "valid-requests": valid_requests,
    "required-fields": required_fields,
    "cross-tenant": cross_tenant,
    "auth": auth,
}
