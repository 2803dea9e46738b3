"""Before a vendor's run: is anything listening, is it this vendor, do the credentials work?

One cheap authenticated read (the vendor's list operation, the `probe`) answers all three. When one of them
fails the run would only produce hundreds of misleading failures, so the check stops with one line instead.
"""

from __future__ import annotations

import json
from typing import Any

from contracts.target import Credentials, Target, auth_headers
from contracts.transport import NoAnswer, Transport
from speclib import SchemaValidator, Spec
from speclib.loader import Operation

__all__ = ["PreflightFailed", "preflight", "probe_operation", "probe_url"]

DENIED = (401, 403)


class PreflightFailed(Exception):
    """The target cannot be checked; `str()` is the one line the command prints."""


def probe_operation(spec: Spec) -> Operation:
    """The vendor's cheapest authenticated read: a GET of the vendor's own API with no required parameter and a
    documented JSON 200, a `list…` operation first."""
    candidates = [op for op in spec.operations.values()
                  if op.method == "GET" and op.family is None and op.response_schema(200) is not None
                  and not any(p.get("in") == "path" or p.get("required") for p in op.parameters)]
    if not candidates:
        raise PreflightFailed(f"{spec.name}: the spec has no parameter-less GET to probe the target with")
    return sorted(candidates, key=lambda op: not op.operation_id.startswith("list"))[0]


def probe_url(target: Target, spec: Spec) -> str:
    return target.base_url + probe_operation(spec).path


def shape(body: Any) -> str:
    """A short, secret-free description of an answer body: its top-level keys, never its values."""
    if isinstance(body, dict):
        return "{" + ", ".join(sorted(body)[:6]) + (", …" if len(body) > 6 else "") + "}"
    if isinstance(body, list):
        return "a JSON array"
    return "no JSON"


def expected_shape(schema: dict[str, Any]) -> str:
    return "{" + ", ".join(schema.get("required", sorted(schema.get("properties", {})))) + "}"


def conforms(operation: Operation, status: int, body: Any) -> bool:
    schema = operation.response_schema(status)
    return schema is not None and body is not None and not SchemaValidator(schema).errors(body)


def ask(target: Target, spec: Spec, transport: Transport, who: Credentials) -> tuple[int, str, Any]:
    """(status, content type, JSON body or None) of the probe as `who`."""
    operation = probe_operation(spec)
    try:
        answer = transport.get(target.base_url + operation.path, auth_headers(target.vendor, who.key))
    except NoAnswer as exc:
        raise PreflightFailed(f"{target.vendor}: nothing answers at {target.base_url}: {exc.reason}") from exc
    try:
        body = json.loads(answer.content) if answer.content else None
    except ValueError:
        body = None
    return answer.status_code, answer.headers.get("content-type", "no content type").split(";")[0], body


def check_tenant(target: Target, spec: Spec, transport: Transport, who: Credentials, label: str) -> None:
    operation = probe_operation(spec)
    status, media, body = ask(target, spec, transport, who)
    where = f"GET {operation.path} at {target.base_url}"
    if status == 200 and conforms(operation, 200, body):
        return
    if status in DENIED and conforms(operation, status, body):
        raise PreflightFailed(f"{target.vendor}: the credentials of the {label} tenant were rejected: {where} "
                              f"answered {status} {shape(body)}")
    expected = expected_shape(operation.response_schema(200) or {})
    raise PreflightFailed(f"{target.vendor}: this is not {target.vendor}'s API: {where} ({operation.operation_id}) "
                          f"should answer 200 {expected}, it answered {status} {media} {shape(body)}")


def preflight(target: Target, spec: Spec, transport: Transport) -> None:
    """Raise `PreflightFailed` unless the target answers, is this vendor, and accepts every configured key."""
    check_tenant(target, spec, transport, target.primary, "primary")
    if target.other is not None:
        check_tenant(target, spec, transport, target.other, "other")
