"""The request journal: the last N exchanges, secrets redacted, for `GET /__connmock/requests`.

Bounded twice: at most `size` entries, and each entry's bodies at most `body_bytes` of JSON (a larger body is
replaced by a note of its size), so the journal holds at most about `size * 2 * body_bytes` whatever is sent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

import orjson

from connmock.spec.secrets import REDACTED, SecretRule


@dataclass(frozen=True, slots=True)
class JournalEntry:
    at: str
    vendor: str | None
    operation: str | None
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    request_body: Any
    response_body: Any

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def copied(value: Any) -> Any:
    """A deep copy of a JSON value (containers copied, scalars shared)."""
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copied(v) for v in value]
    return value


def all_redacted(value: Any) -> Any:
    """A copy of a JSON value with every scalar replaced by `[redacted]`."""
    if isinstance(value, dict):
        return {k: all_redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [all_redacted(v) for v in value]
    return REDACTED


Step = tuple["Matcher | None", bool | None]  # the matcher below a key, and the verdict of a mark ending there


class Matcher:
    """Where a walk stands in the secret marks: what each next key leads to (`other`: any key no mark names)."""

    __slots__ = ("by_key", "other")

    def __init__(self, marks: list[tuple[tuple[str, ...], bool]], depth: int) -> None:
        names = {path[depth] for path, _ in marks if path[depth] != "*"}
        self.by_key: dict[str, Step] = {name: step(marks, depth, name) for name in names}
        self.other: Step = step(marks, depth, None)


def step(marks: list[tuple[tuple[str, ...], bool]], depth: int, key: str | None) -> Step:
    """The marks that still match after `key` at `depth`, and the verdict of the first that ends there."""
    matched = [mark for mark in marks if mark[0][depth] == "*" or mark[0][depth] == key]
    verdict = next((secret for path, secret in matched if len(path) == depth + 1), None)
    deeper = [mark for mark in matched if len(mark[0]) > depth + 1]
    return (Matcher(deeper, depth + 1) if deeper else None), verdict


def redaction(rules: tuple[SecretRule, ...]) -> Callable[[Any], Any]:
    """`connmock.spec.secrets.redact(value, rules)`, with the rules compiled once.

    The same answer as `redact`: a copy of the body with every scalar under a secret mark replaced (the
    nearest, that is deepest, mark decides; among equally deep ones the first; a public mark is no secret).
    Instead of matching every rule against every path, the rules are compiled into a tree of `Matcher`s that
    the walk follows key by key, so a value costs one dict lookup.
    """
    if not rules:
        return copied
    marks = [(rule.path, not rule.public) for rule in rules]
    top = next((secret for path, secret in marks if not path), False)
    deeper = [mark for mark in marks if mark[0]]
    root = Matcher(deeper, 0) if deeper else None

    def node(value: Any, matcher: Matcher | None, secret: bool) -> Any:
        if matcher is None:  # no mark goes deeper: the whole subtree shares the verdict
            return all_redacted(value) if secret else copied(value)
        if isinstance(value, dict):
            by_key, other = matcher.by_key, matcher.other
            return {key: child(item, by_key.get(str(key), other), secret) for key, item in value.items()}
        if isinstance(value, list):
            by_key, other = matcher.by_key, matcher.other
            return [child(item, by_key.get(str(index), other) if by_key else other, secret)
                    for index, item in enumerate(value)]
        return value

    def child(value: Any, found: Step, secret: bool) -> Any:
        matcher, verdict = found
        if verdict is not None:
            secret = verdict
        if secret and not isinstance(value, dict | list):
            return REDACTED
        return node(value, matcher, secret)

    def redact(value: Any) -> Any:
        return node(value, root, top) if isinstance(value, dict | list) else value

    return redact


def bounded(body: Any, limit: int) -> Any:
    """`body`, or a note in its place when its JSON is over `limit` bytes."""
    if body is None or isinstance(body, bool | int | float):
        return body
    size = len(orjson.dumps(body, default=str))
    return body if size <= limit else {"connmock_journal": f"body of {size} bytes not kept (limit {limit})"}


class Journal:
    def __init__(self, size: int, body_bytes: int = 16 * 1024) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=max(size, 0))
        self.body_bytes = body_bytes

    def add(self, entry: JournalEntry) -> None:
        if self._entries.maxlen == 0:
            return
        request_body = bounded(entry.request_body, self.body_bytes)
        response_body = bounded(entry.response_body, self.body_bytes)
        if request_body is not entry.request_body or response_body is not entry.response_body:
            entry = replace(entry, request_body=request_body, response_body=response_body)
        self._entries.append(entry)

    def entries(self) -> list[JournalEntry]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()
