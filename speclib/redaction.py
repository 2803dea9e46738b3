"""Redaction compiled once per operation: the journal's hot path (see `redaction`).

`speclib.secrets.redact` is the plain definition; this is the same answer without matching every rule
against every path (a test holds the two equal over generated bodies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from speclib.secrets import REDACTED, SecretRule

__all__ = ["redaction"]


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
    """`speclib.secrets.redact(value, rules)`, with the rules compiled once.

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
