"""Sharper negative oracles: bad values of required fields, near-miss credentials, bodies of the wrong media type.

Three sections of the report, each a hand-built scenario like those of `contracts.scenarios` (whose helpers they
use) and each sending through `Session.send`, so every answer is also checked for leaks and its schema:

- `required-values`: each required field of a valid create sent as `null`, `""` and a value of the wrong JSON
  type. The expectation comes from the spec: only a body the create's request schema rejects must be rejected
  (the documented validation status, the vendor's error shape, the field named); `""` where the schema has no
  `minLength`/`pattern`/`enum`/`format` is valid, so nothing is expected of it.
- `credential-variants`: the primary key with its letter case changed, one character short, and with
  surrounding whitespace, on the list and create operations.
- `content-types`: every operation with a JSON body sent as `text/plain`, form-encoded and without
  `Content-Type`, each followed by a cheap request that must still succeed (a target that stops answering is a
  finding naming the request, with its curl).

Failures of their own (the rest are those of `contracts.failures`)::

    ContractFailure
    ├── MediaTypeNotRejected    content-type: a body of a media type the operation does not take got another status
    └── TargetStopped           target-stopped: the target dropped the connection or stopped answering after a request
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import requests
from schemathesis import Case, Response

from contracts.failures import AuthViolation, ContractFailure
from contracts.scenarios import (
    Created,
    build_create,
    check_rejection,
    create_operation,
    first_created,
    placeholder_request,
    request_examples,
    required_paths,
    success_status,
    validation_status,
    variants,
)
from contracts.session import Session
from contracts.target import Credentials
from speclib import SchemaValidator
from speclib.profile import vendor_profile

__all__ = ["NEGATIVES", "MediaTypeNotRejected", "TargetStopped"]

DENIED = ("401", "403")
MEDIA_REJECTIONS = ("400", "415", "422")
RAW_MEDIA_TYPES = ("text/plain", "application/x-www-form-urlencoded", None)  # None: no Content-Type at all
RECOVERY_SECONDS = 30.0  # how long a target that stopped answering is given to come back (a supervisor restart)


def cheap_read(vendor: str) -> str | None:
    """The list the profile names, else its first other read: a cheap authenticated call."""
    profile = vendor_profile(vendor)
    return profile.list or next(iter(profile.also_read), None)


class MediaTypeNotRejected(ContractFailure):
    default_rule = "content-type"


class TargetStopped(ContractFailure):
    default_rule = "target-stopped"


# -- required fields: null, "" and the wrong type -----------------------------------------------------------

def value_at(body: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def replaced(body: Any, path: tuple[str, ...], value: Any) -> Any:
    """A deep copy of `body` with the value at `path` replaced."""
    copy = json.loads(json.dumps(body))
    parent = value_at(copy, path[:-1])
    parent[int(path[-1]) if isinstance(parent, list) else path[-1]] = value
    return copy


def wrong_type(value: Any) -> Any:
    """A value of another JSON type that lax parsers do not coerce back either (pydantic's lax mode reads "12"
    as 12 and `1` as `true`, but never 12345 as a string or a word as a number)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "connmock-not-a-number"
    return 12345


def bad_values(value: Any) -> Iterator[tuple[str, Any]]:
    yield "null", None
    if isinstance(value, str):
        yield '""', ""
    yield "a wrong type", wrong_type(value)


def required_values(session: Session) -> None:
    """Each required field of a valid create, set to null, "" or a wrong type, is rejected as documented —
    where the spec's request schema says the body is then invalid (each field and value once, over variants)."""
    operation = create_operation(session.target.vendor)
    op = session.spec.operation(operation)
    schema = op.body_schema() or {}
    request_validator = SchemaValidator(schema)
    expected = validation_status(session, operation)
    error_schema = op.response_schema(expected)
    error_validator = SchemaValidator(error_schema) if error_schema else None
    tried: set[tuple[tuple[str, ...], str]] = set()
    for variant in variants(session):
        body, path, query = build_create(session, variant)
        for field in dict.fromkeys(required_paths(schema, body)):
            for label, value in bad_values(value_at(body, field)):
                mutated = replaced(body, field, value)
                if (field, label) in tried or not request_validator.errors(mutated):
                    continue  # tried already, or the spec allows the value: nothing to expect
                tried.add((field, label))
                case = session.case(operation, body=mutated, path=path, query=query)
                name = ".".join(field)
                check_rejection(session, case, session.send(case), operation, name, expected, error_validator,
                                place=f"{name} = {label}")


# -- credentials: letter case, one character short, whitespace ----------------------------------------------

def case_changed(key: str) -> str | None:
    """`key` with the letter case of its tail (else of all of it) swapped; None if that names the same key.

    A UUID's hex digits are case-insensitive on input (RFC 9562 §4), so a server that accepts a UUID key in
    either case compares it correctly: nothing to expect there.
    """
    try:
        uuid.UUID(key)
        return None
    except ValueError:
        pass
    tail = key[-8:].swapcase()
    changed = key[:-8] + tail if tail != key[-8:] else key.swapcase()
    return changed if changed != key else None


def credential_variants(session: Session) -> None:
    """A key differing from the tenant's only in letter case, or one character short, gets a documented 401/403
    (its body is checked against the vendor's error schema by `Session.send`), on the list and create operations.

    Whitespace around the key: HTTP stacks strip a header value's optional whitespace (RFC 9110 §5.5) and a
    Bearer token may follow one or more spaces (RFC 6750 §2.1), so a correct server may accept `" <key> "`;
    it must answer the documented 401/403 or its success, never anything else (a 5xx, an undocumented status).
    Sent on the list only: a create's answer may echo the body's secrets to their owner, whom the suite knows by
    the exact credential header.
    """
    vendor, key = session.target.vendor, session.target.primary.key
    listing, create = cheap_read(vendor), create_operation(vendor)
    for operation in (o for o in (listing, create) if o is not None):
        denied = [int(s) for s in session.spec.operation(operation).statuses() if s in DENIED]
        path, query, body = placeholder_request(session, operation)
        variants_of_key = [("key in another letter case", case_changed(key), denied),
                           ("key one character short", key[:-1], denied)]
        if operation == listing:
            variants_of_key.append(("key with surrounding whitespace", f" {key} ",
                                    [*denied, success_status(session, operation)]))
        for label, altered, allowed in variants_of_key:
            if altered is None:
                continue
            case = session.case(operation, as_tenant=Credentials(f"({label})", altered), path=path, query=query,
                                body=body)
            for name, value in list(case.headers.items()):
                case.headers[name] = value.lstrip()  # a header value cannot start with whitespace on the wire
            response = session.send(case)
            if response.status_code not in allowed:
                session.fail(AuthViolation(operation, label, f"got {response.status_code}, expected one of "
                                                             f"{allowed}"), case)


# -- bodies of another media type -------------------------------------------------------------------------

def raw_body(body: Any, media_type: str | None) -> Any:
    """The JSON body as the text a client would send with `media_type` (form: one field per property, nested
    values as JSON text; an empty body gets one field, so the request is never empty)."""
    if media_type == "application/x-www-form-urlencoded":
        fields = body if isinstance(body, dict) and body else {"connmock": "probe"}
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    return json.dumps(body)


def addressed(session: Session, operation: str, made: Callable[[], Created | None]
              ) -> tuple[dict[str, Any], dict[str, Any], Any, bool]:
    """(path, query, body, placeholder path?) of a body operation: the create's valid body; an operation on one
    object addressed at an object the suite made (so only the media type is wrong); others at placeholders."""
    vendor, op = session.target.vendor, session.spec.operation(operation)
    if operation == create_operation(vendor):
        body, path, query = build_create(session, variants(session)[0])
        return path, query, body, False
    body = request_examples(session, operation)[0]
    names = {p["name"] for p in op.parameters if p.get("in") == "path"}
    get = vendor_profile(vendor).read
    if names and get and names == {p["name"] for p in session.spec.operation(get).parameters if p.get("in") == "path"}:
        created = made()
        if created is not None:
            return created.path, created.query, body, False
    path, query, _ = placeholder_request(session, operation)
    return path, query, body, bool(names)


def authenticates(session: Session, operation: str) -> bool:
    """The operation accepts the scheme the suite's credentials are sent with (the document's first)."""
    document = session.spec.document
    ours = next(iter((document.get("security") or [{}])[0]), None)
    required = session.spec.raw_operation(operation).get("security", document.get("security", []))
    return any(ours in requirement for requirement in required)


def media_expectation(session: Session, operation: str, placeholder: bool, media_type: str | None) -> list[int]:
    """The statuses a correct server may answer a body of `media_type` with, from the operation's responses.

    A declared media type the operation does not take: its documented 400/415/422 (404 too where the path
    names nothing; 401/403 where the suite cannot authenticate). No `Content-Type` at all: HTTP lets the
    recipient examine the data to decide its type (RFC 9110 §8.3), so a server that reads the JSON it was sent
    answers as it would that JSON (its success, or a documented 4xx about what the body names) and is correct:
    any documented status below 500.
    """
    statuses = session.spec.operation(operation).statuses()
    if media_type is None:
        return sorted(int(s) for s in statuses if s.isdigit() and int(s) < 500)
    allowed = [int(s) for s in statuses if s in MEDIA_REJECTIONS]
    if placeholder and "404" in statuses:
        allowed.append(404)
    if not authenticates(session, operation):
        allowed += [int(s) for s in statuses if s in DENIED]
    return sorted(allowed)


class WithoutContentType(requests.auth.AuthBase):
    """Removes the Content-Type header from the prepared request (the body stays as it was serialised)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Content-Type", None)
        return request


def raw_case(session: Session, operation: str, path: dict[str, Any], query: dict[str, Any], body: Any,
             media_type: str | None) -> Case[Any]:
    case = session.case(operation, path=path, query=query)
    case.body = raw_body(body, media_type)
    case.media_type = media_type or "text/plain"  # no Content-Type: serialised as text, then the header removed
    if media_type is None:
        case._auth = WithoutContentType()
    return case


def fail(session: Session, failure: ContractFailure, case: Case[Any]) -> None:
    """Record `failure` with `case`'s curl; a request sent without Content-Type shows as curl's `-H 'Content-Type:'`
    (which removes the header curl would add)."""
    if not isinstance(case._auth, WithoutContentType):
        session.fail(failure, case)
        return
    recorded = session.section.failures
    before = len(recorded)
    session.fail(failure, case)
    if len(recorded) > before:  # curl adds a form Content-Type to `-d` unless told not to
        recorded[-1].curl = recorded[-1].curl.replace(" -d ", " -H 'Content-Type:' -d ", 1)


def still_answering(session: Session, after: Case[Any], what: str, dropped: bool) -> bool:
    """A cheap authenticated read succeeds after `after`; else a finding naming `after` (unless its own
    connection was `dropped`, already reported), and a bounded wait for the target to come back (False if it
    does not)."""
    listing = cheap_read(session.target.vendor)
    assert listing is not None
    operation = session.scope.operation_of(after)
    deadline = time.monotonic() + RECOVERY_SECONDS
    problem = ""
    while True:
        try:
            status = session.send(session.case(listing)).status_code
        except (requests.ConnectionError, requests.Timeout) as exc:
            status, problem = 0, problem or f"the next request ({listing}) failed: {type(exc).__name__}"
        if status and status < 300:
            if problem and not dropped:
                fail(session, TargetStopped(operation, what, f"{problem} (back after a restart)"), after)
            return True
        problem = problem or f"the next request ({listing}) got {status}"
        if time.monotonic() > deadline:
            fail(session, TargetStopped(operation, what, f"{problem}; still not answering after "
                                                         f"{RECOVERY_SECONDS:.0f}s"), after)
            return False
        time.sleep(1.0)


def content_types(session: Session) -> None:
    """Every operation with a JSON body, sent its body as text/plain, form-encoded and without Content-Type,
    answers as `media_expectation` says, and the target keeps answering."""
    made: list[Created | None] = []

    def object_made() -> Created | None:
        if not made:
            first = first_created(session)
            made.append(first[2] if first else None)
        return made[0]

    for operation, op in session.spec.operations.items():
        if op.body_schema() is None:
            continue
        path, query, body, placeholder = addressed(session, operation, object_made)
        for media_type in RAW_MEDIA_TYPES:
            what = f"body as {media_type or 'no Content-Type'}"
            case = raw_case(session, operation, path, query, body, media_type)
            try:
                response: Response | None = session.send(case)
            except (requests.ConnectionError, requests.Timeout) as exc:
                response = None
                fail(session, TargetStopped(operation, what, f"no answer, the connection dropped "
                                                             f"({type(exc).__name__})"), case)
            if response is not None:
                allowed = media_expectation(session, operation, placeholder, media_type)
                if response.status_code not in allowed:
                    fail(session, MediaTypeNotRejected(operation, what, f"got {response.status_code}, expected one "
                                                                        f"of {allowed}"), case)
            if not still_answering(session, case, what, dropped=response is None):
                return


NEGATIVES = {
    "required-values": required_values,
    "credential-variants": credential_variants,
    "content-types": content_types,
}
