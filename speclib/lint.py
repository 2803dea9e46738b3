"""`connmock spec validate`: structural validation plus the project's own rules on secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate as validate_openapi

from speclib.loader import Spec, build_operations, read_yaml, spec_path
from speclib.merge import merged_text
from speclib.profile import ProfileError, profile_of
from speclib.secrets import marked_nodes, parse_mark

__all__ = ["lint_all", "lint_document"]

CREDENTIAL_NAME = re.compile(r"pass(word|wd)?$|secret|token|key|private|credential", re.IGNORECASE)
FAMILY_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MARKS = ("writeOnly", "x-connmock-secret", "x-connmock-not-secret")


@dataclass(frozen=True, slots=True)
class Problem:
    document: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.document}: {self.where}: {self.message}"


def is_marked(schema: dict[str, Any]) -> bool:
    return any(schema.get(mark) for mark in MARKS)


def unmarked_secrets(schema: Any, where: str, covered: bool = False, depth: int = 0) -> Iterator[str]:
    """Request properties with credential-like names that carry no mark and sit under no secret mark."""
    if not isinstance(schema, dict) or depth > 40:
        return
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            yield from unmarked_secrets(sub, where, covered, depth + 1)
    for name, sub in schema.get("properties", {}).items():
        if not isinstance(sub, dict):
            continue
        secret_mark = bool(sub.get("writeOnly") or sub.get("x-connmock-secret"))
        if CREDENTIAL_NAME.search(name) and not covered and not is_marked(sub):
            yield f"{where}/{name}"
        yield from unmarked_secrets(sub, f"{where}/{name}", covered or secret_mark, depth + 1)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from unmarked_secrets(schema[key], f"{where}/*", covered, depth + 1)


def write_only_required(schema: Any, where: str, depth: int = 0) -> Iterator[str]:
    """Response-side `required` entries naming a writeOnly property."""
    if not isinstance(schema, dict) or depth > 40:
        return
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if properties.get(name, {}).get("writeOnly"):
            yield f"{where}/{name}"
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            yield from write_only_required(sub, where, depth + 1)
    for name, sub in properties.items():
        yield from write_only_required(sub, f"{where}/{name}", depth + 1)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from write_only_required(schema[key], f"{where}/*", depth + 1)


def lint_document(name: str, document: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    try:
        validate_openapi(document)
    except Exception as exc:  # the validator raises several unrelated exception types
        return [Problem(name, "document", f"not a valid OpenAPI document: {str(exc).splitlines()[0]}")]
    spec = Spec(name=name, document=document, operations=build_operations(document))
    for operation_id, operation in spec.operations.items():
        body = operation.body_schema()
        for where in unmarked_secrets(body, f"{operation_id} request"):
            problems.append(Problem(name, where, "credential-like request field is not marked "
                                    "(writeOnly, x-connmock-secret or x-connmock-not-secret)"))
        for status in operation.statuses():
            for where in write_only_required(operation.response_schema(status), f"{operation_id} {status}"):
                problems.append(Problem(name, where, "writeOnly property in a response-side required list"))
        problems += unknown_return_operations(name, spec, body, operation_id)
        problems += family_problems(name, spec, operation_id)
    return problems + rate_limit_problems(name, document) + profile_problems(name, spec)


def profile_problems(name: str, spec: Spec) -> list[Problem]:
    """The `x-connmock-profile` block, when there is one, loads: its operations exist, its blocks are well-formed
    (`lint_all` requires one in each vendor spec)."""
    if "x-connmock-profile" not in spec.document:
        return []
    try:
        profile_of(spec)
    except (ProfileError, KeyError, TypeError, ValueError) as exc:
        return [Problem(name, "x-connmock-profile", str(exc))]
    return []


def family_problems(name: str, spec: Spec, operation_id: str) -> list[Problem]:
    """`x-connmock-family` is `{name: <kebab-case>, alias-of?: <operationId of the same spec>}`."""
    mark = spec.raw_operation(operation_id).get("x-connmock-family")
    if mark is None:
        return []
    if not isinstance(mark, dict) or not FAMILY_NAME.fullmatch(str(mark.get("name", ""))):
        return [Problem(name, operation_id, "x-connmock-family needs a kebab-case name")]
    alias = mark.get("alias-of")
    if alias is not None and alias not in spec.operations:
        return [Problem(name, operation_id, f"x-connmock-family alias-of names unknown operation {alias!r}")]
    return []


def unknown_return_operations(name: str, spec: Spec, body: Any, operation_id: str) -> list[Problem]:
    problems = []
    for path, node in marked_nodes(body):
        rule = parse_mark(operation_id, path, node)
        for place in rule.returned if rule else ():
            if place.operation not in spec.operations:
                problems.append(Problem(name, f"{operation_id} request/{'/'.join(path)}",
                                        f"x-connmock-secret names unknown operation {place.operation!r}"))
    return problems


def rate_limit_problems(name: str, document: dict[str, Any]) -> list[Problem]:
    """`info.x-connmock-rate-limit` is `{requests: <positive int>, per-seconds?: <positive number>, …}`."""
    limit = document.get("info", {}).get("x-connmock-rate-limit")
    if limit is None:
        return []
    per = limit.get("per-seconds", 60) if isinstance(limit, dict) else None
    if (not isinstance(limit, dict) or not isinstance(limit.get("requests"), int) or limit["requests"] <= 0
            or not isinstance(per, int | float) or per <= 0):
        return [Problem(name, "info", "x-connmock-rate-limit needs a positive `requests` (and `per-seconds`)")]
    return []


def lint_all(names: tuple[str, ...], spec_dir: Path | None = None) -> list[Problem]:
    """Lint the vendor specs and the merged one, and check the merged file is up to date."""
    problems: list[Problem] = []
    for name in names:
        document = read_yaml(spec_path(name, spec_dir))
        problems += lint_document(name, document)
        if "x-connmock-profile" not in document:
            problems.append(Problem(name, "document", "no x-connmock-profile block (see openapi/README.md)"))
    merged_path = spec_path("merged", spec_dir)
    if not merged_path.exists():
        problems.append(Problem("merged", "file", "missing: run `connmock spec merge`"))
        return problems
    problems += lint_document("merged", read_yaml(merged_path))
    if merged_path.read_text(encoding="utf-8") != merged_text(spec_dir):
        problems.append(Problem("merged", "file", "out of date with the vendor specs: run `connmock spec merge`"))
    return problems
