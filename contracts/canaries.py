"""Canaries: unique values planted in every secret field of a request, then searched for in every response.

A canary looks like `cnry<16 hex>/<8 hex>+<8 hex>`: the `/` and `+` make its URL-encoded and base64 forms
differ from the raw one, and the hex core is long enough that a 12-character fragment of it (a truncated or
partly masked echo) is still unique. A finding is allowed only where the spec's secret rule says the vendor
returns the value (operation, JSON pointer, query condition) and only to the tenant that sent it.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

from speclib import SecretRule
from speclib.secrets import secret_values

__all__ = ["Canary", "CanaryBook", "Finding", "encoded_forms", "value_forms"]

FRAGMENT = 12


@dataclass(frozen=True, slots=True)
class Canary:
    """One planted value: which field of which operation it went into, and for which tenant."""

    value: str
    operation: str
    field: tuple[str, ...]
    rule: SecretRule
    tenant: str

    @property
    def field_name(self) -> str:
        return ".".join(self.field)

    @property
    def label(self) -> str:
        return f"[canary:{self.field_name}]"


@dataclass(frozen=True, slots=True)
class Finding:
    """A canary seen in a response: where (`header x-foo`, `body /a/b`, `body`) and in which form."""

    canary: Canary
    place: str
    pointer: tuple[str, ...] | None
    form: str


def base64_forms(value: str) -> Iterator[tuple[str, str]]:
    """The stable middle of the base64 of `value` at each of the three byte alignments, standard and URL-safe."""
    raw = value.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode().rstrip("=")
        middle = encoded[4 if offset else 0:-4]
        if len(middle) >= FRAGMENT:
            yield f"base64@{offset}", middle
            yield f"base64url@{offset}", middle.replace("+", "-").replace("/", "_")


def value_forms(value: str) -> list[tuple[str, str]]:
    """(form, text) for every encoding of any secret value (no fragments); the raw value first."""
    return [("raw", value), ("url-encoded", quote(value, safe="")), ("form-encoded", quote_plus(value)),
            ("json-escaped", json.dumps(value)[1:-1].replace("/", "\\/")), *base64_forms(value)]


def encoded_forms(value: str) -> list[tuple[str, str]]:
    """(form, text) for every form a leaked canary is searched in; the raw value first."""
    forms = value_forms(value)
    core = value[4:20]  # the 16 hex characters after the prefix
    forms += [("fragment", core[i:i + FRAGMENT]) for i in range(len(core) - FRAGMENT + 1)]
    seen: set[str] = set()
    unique = []
    for form, text in forms:
        if text not in seen:
            seen.add(text)
            unique.append((form, text))
    return unique


@dataclass(slots=True)
class CanaryBook:
    """Every canary issued during a run, and the search over response text."""

    canaries: dict[str, Canary] = field(default_factory=dict)
    _forms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # The first FRAGMENT characters of every form -> the canaries that have it: a text is searched window by
    # window in time proportional to its length, not to the number of canaries issued (every form is at least
    # FRAGMENT long, so a form that occurs in a text shows its prefix in one of the windows).
    _prefixes: dict[str, set[str]] = field(default_factory=dict)

    def issue(self, operation: str, path: tuple[str, ...], rule: SecretRule, tenant: str) -> str:
        value = f"cnry{secrets.token_hex(8)}/{secrets.token_hex(4)}+{secrets.token_hex(4)}"
        self.canaries[value] = Canary(value, operation, path, rule, tenant)
        self._forms[value] = encoded_forms(value)
        for _form, text in self._forms[value]:
            self._prefixes.setdefault(text[:FRAGMENT], set()).add(value)
        return value

    def plant(self, body: Any, rules: tuple[SecretRule, ...], operation: str, tenant: str) -> Any:
        """A copy of `body` with every string under a secret mark replaced by a fresh canary."""
        planted = json.loads(json.dumps(body))
        for path, _value, rule in secret_values(rules, planted):
            set_at(planted, path, self.issue(operation, path, rule, tenant))
        return planted

    def forms(self) -> Iterator[tuple[Canary, str, str]]:
        for value, canary in self.canaries.items():
            for form, text in self._forms[value]:
                yield canary, form, text

    def candidates(self, text: str) -> list[str]:
        """The canaries one of whose forms may occur in `text`, in the order they were issued."""
        found: set[str] = set()
        prefixes = self._prefixes
        for start in range(len(text) - FRAGMENT + 1):
            hit = prefixes.get(text[start:start + FRAGMENT])
            if hit:
                found |= hit
        return [value for value in self.canaries if value in found] if found else []

    def search(self, text: str) -> Iterator[tuple[Canary, str]]:
        """(canary, form) for every canary that occurs in `text` (the strongest form only)."""
        for value in self.candidates(text):
            canary = self.canaries[value]
            for form, encoded in self._forms[value]:
                if encoded in text:
                    yield canary, form
                    break

    def scan(self, headers: Mapping[str, Any], body: bytes) -> list[Finding]:
        """Every canary in a response: each header, each JSON string (with its pointer), or the raw body."""
        found: list[Finding] = []
        for name, value in headers.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                found += [Finding(c, f"header {name}", None, form) for c, form in self.search(str(item))]
        text = body.decode("utf-8", errors="replace")
        try:
            document = json.loads(text) if text.strip() else None
        except ValueError:
            document = None
        if document is None:
            found += [Finding(c, "body", None, form) for c, form in self.search(text)]
            return found
        for pointer, leaf in json_strings(document):
            for canary, form in self.search(leaf):
                found.append(Finding(canary, "body /" + "/".join(pointer), pointer, form))
        return found


def json_strings(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string in a JSON document (keys included, reported at their object) with its pointer."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from json_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_strings(item, (*path, str(index)))
    elif value is not None:
        yield path, value if isinstance(value, str) else json.dumps(value)


def set_at(document: Any, path: tuple[str, ...], value: Any) -> None:
    node = document
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(path[-1])] = value
    else:
        node[path[-1]] = value
