"""The secret rules of a spec: which request values are secrets, and where the vendor may send them back.

A rule comes from a marked request-body property (see `openapi/README.md`): `writeOnly: true` (never
returned) or `x-connmock-secret: {returned: [...]}`. A mark covers every value below the property unless a
deeper mark overrides it (the nearest mark wins). Paths use `*` for "any array index or key".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from speclib.loader import Spec

__all__ = [
    "REDACTED", "ReturnPlace", "SecretRule", "marked_nodes", "parse_mark", "redact", "rule_for", "secret_rules",
    "secret_values", "strip_write_only",
]

REDACTED = "[redacted]"
SecretPath = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReturnPlace:
    """One place a vendor returns a secret: an operation, a subtree of its response, maybe a condition."""

    operation: str
    at: tuple[str, ...]  # JSON pointer segments; "*" matches one segment
    # (query parameter, the spellings that open the condition, the documented one first), lower case
    when_query: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def applies(self, operation: str, query: Mapping[str, str]) -> bool:
        if operation != self.operation:
            return False
        return all(str(query.get(name, "")).lower() in values for name, values in self.when_query)

    def covers(self, pointer: tuple[str, ...]) -> bool:
        if len(pointer) < len(self.at):
            return False
        return all(want in ("*", got) for want, got in zip(self.at, pointer, strict=False))


@dataclass(frozen=True, slots=True)
class SecretRule:
    """A marked request-body subtree and the places its values may come back (none when write-only)."""

    operation: str
    path: SecretPath
    returned: tuple[ReturnPlace, ...]
    public: bool = False  # `x-connmock-not-secret` inside a secret object: the nearest mark wins

    @property
    def write_only(self) -> bool:
        return not self.returned and not self.public

    def allows(self, operation: str, query: Mapping[str, str], pointer: tuple[str, ...]) -> bool:
        return any(place.applies(operation, query) and place.covers(pointer) for place in self.returned)


def parse_pointer(pointer: str) -> tuple[str, ...]:
    return tuple(part for part in pointer.strip().split("/") if part)


def spellings(value: Any) -> tuple[str, ...]:
    """The values a `when` condition accepts: one value, or a list of the spellings the server reads alike."""
    return tuple(str(v).lower() for v in (value if isinstance(value, list) else [value]))


def parse_mark(operation: str, path: SecretPath, schema: Mapping[str, Any]) -> SecretRule | None:
    if schema.get("x-connmock-not-secret"):
        return SecretRule(operation, path, (), public=True)
    if schema.get("writeOnly"):
        return SecretRule(operation, path, ())
    mark = schema.get("x-connmock-secret")
    if mark is None:
        return None
    places = tuple(
        ReturnPlace(
            operation=str(item["operation"]),
            at=parse_pointer(str(item.get("at", "/"))),
            when_query=tuple(sorted((k, spellings(v)) for k, v in item.get("when", {}).get("query", {}).items())),
        )
        for item in (mark.get("returned") or [])
    )
    return SecretRule(operation, path, places)


def marked_nodes(schema: Any, path: SecretPath = (), depth: int = 0) -> Iterator[tuple[SecretPath, dict[str, Any]]]:
    """Yield (path, schema) for every property schema reachable in a request body schema."""
    if not isinstance(schema, dict) or depth > 40:
        return
    yield path, schema
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            yield from marked_nodes(sub, path, depth + 1)
    for name, sub in schema.get("properties", {}).items():
        yield from marked_nodes(sub, (*path, name), depth + 1)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from marked_nodes(extra, (*path, "*"), depth + 1)
    items = schema.get("items")
    if isinstance(items, dict):
        yield from marked_nodes(items, (*path, "*"), depth + 1)


def secret_rules(spec: Spec) -> dict[str, tuple[SecretRule, ...]]:
    """Rules per operationId, for every operation whose request body has marked properties."""
    rules: dict[str, tuple[SecretRule, ...]] = {}
    for operation_id, operation in spec.operations.items():
        schema = operation.body_schema()
        if schema is None:
            continue
        found: dict[SecretPath, SecretRule] = {}
        for path, node in marked_nodes(schema):
            rule = parse_mark(operation_id, path, node)
            if rule is not None and path:
                found.setdefault(path, rule)
        if any(not rule.public for rule in found.values()):
            rules[operation_id] = tuple(sorted(found.values(), key=lambda r: len(r.path)))
    return rules


def path_matches(pattern: SecretPath, concrete: tuple[str, ...]) -> bool:
    return len(concrete) >= len(pattern) and all(p in ("*", c) for p, c in zip(pattern, concrete, strict=False))


def rule_for(rules: tuple[SecretRule, ...], concrete: tuple[str, ...]) -> SecretRule | None:
    """The nearest (deepest) secret rule covering a concrete request path; None when not a secret."""
    best: SecretRule | None = None
    for rule in rules:
        if path_matches(rule.path, concrete) and (best is None or len(rule.path) > len(best.path)):
            best = rule
    return None if best is None or best.public else best


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every scalar of a JSON value with its path (array indexes as strings)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, str(index)))
    else:
        yield path, value


def secret_values(rules: tuple[SecretRule, ...], body: Any) -> list[tuple[tuple[str, ...], str, SecretRule]]:
    """The secret strings of a request body: (path, value, rule) for every string leaf under a mark."""
    found = []
    for path, value in leaves(body):
        if isinstance(value, str) and value:
            rule = rule_for(rules, path)
            if rule is not None:
                found.append((path, value, rule))
    return found


def redact(value: Any, rules: tuple[SecretRule, ...], path: tuple[str, ...] = ()) -> Any:
    """A copy of a request body with every marked value replaced by `[redacted]`."""
    if path and rule_for(rules, path) is not None and not isinstance(value, dict | list):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, rules, (*path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, rules, (*path, str(i))) for i, v in enumerate(value)]
    return value


def strip_write_only(value: Any, rules: tuple[SecretRule, ...], path: tuple[str, ...] = ()) -> Any:
    """A copy of a request body without its write-only subtrees: what may be stored."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            sub = (*path, str(key))
            rule = rule_for(rules, sub)
            if rule is not None and rule.write_only and len(rule.path) == len(sub):
                continue  # the marked property itself: drop it whole
            out[key] = strip_write_only(item, rules, sub)
        return out
    if isinstance(value, list):
        return [strip_write_only(v, rules, (*path, str(i))) for i, v in enumerate(value)]
    rule = rule_for(rules, path) if path else None
    return None if rule is not None and rule.write_only else value
