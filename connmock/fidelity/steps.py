"""A generated request in symbolic form, and its rendering for one side of a differential run.

A `Step` never holds a side's value: credentials are named by tenant (`auth`), seeded objects by role
(`{{role:integration:OAUTH2}}`), ids a server produced earlier in the sequence by where they came from
(`{{ref:0:id}}`: the `id` of step 0's answer on the same side), and unique names by `{{uniq}}` (one fresh
value per run of a sequence, the same on both sides). So one sequence runs unchanged against two servers
whose keys, seeded objects and generated ids differ, and its curl lines can be printed without a secret.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

__all__ = ["WRONG_KEY", "Rendering", "Request", "Step", "render"]

TOKEN = re.compile(r"\{\{(role|ref|uniq)(?::([^}]*))?\}\}")
WRONG_KEY = "0b7e0e52-2d0c-4a7f-9a64-5e0f1c7d9a11"  # well-formed (a UUID v4) and nobody's


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a sequence. `query` keeps order and repeats; `body` is JSON, `body_text` raw text."""

    operation: str
    variation: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    auth: str = "primary"  # primary | other | none | wrong | session (a connect-session token in the query)
    body: Any = None
    body_text: str | None = None
    content_type: str | None = None
    creates: bool = False
    alias_of: str | None = None  # the canonical path a reference server (side A) gets instead of `path`

    @property
    def label(self) -> str:
        return f"{self.operation} {self.variation}"

    def without_query(self, index: int) -> Step:
        return replace(self, query=self.query[:index] + self.query[index + 1:])


@dataclass(slots=True)
class Rendering:
    """How tokens become text on one side: its roles, keys, and the answers of the steps so far."""

    roles: dict[str, str]
    uniq: str
    answers: list[Any] = field(default_factory=list)
    display: bool = False  # for curl lines: refs become shell variables instead of values

    def ref(self, spec: str) -> str:
        index, _, path = spec.partition(":")
        if self.display:
            return "${S" + index + "_" + re.sub(r"\W", "_", path) + "}"
        value: Any = self.answers[int(index)] if int(index) < len(self.answers) else None
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return str(value) if value is not None else "missing"

    def text(self, value: str, in_url: bool = False, safe: str = "") -> str:
        """`value` with its tokens replaced; in a URL every part percent-encoded (but `safe`)."""
        out, last = [], 0
        for found in TOKEN.finditer(value):
            out.append(quote(value[last:found.start()], safe=safe) if in_url else value[last:found.start()])
            out.append(self.token(found.group(1), found.group(2) or "", in_url))
            last = found.end()
        out.append(quote(value[last:], safe=safe) if in_url else value[last:])
        return "".join(out)

    def token(self, kind: str, arg: str, in_url: bool) -> str:
        if kind == "uniq":
            value = self.uniq
        elif kind == "role":
            value = self.roles.get(arg, f"no-{arg.replace(':', '-')}")
        else:
            value = self.ref(arg)
            if self.display:
                return value
        return quote(value, safe="") if in_url else value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.json(v) for k, v in value.items()}
        return value


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None


def query_string(rendering: Rendering, query: tuple[tuple[str, str], ...]) -> str:
    parts = [f"{quote(name, safe='')}={rendering.text(value, in_url=True)}" for name, value in query]
    return "?" + "&".join(parts) if parts else ""


def render(step: Step, base_url: str, rendering: Rendering, auth_headers: dict[str, dict[str, str]],
           reference: bool) -> Request:
    """The concrete request of `step` on one side (`reference`: side A, which gets an alias's canonical path)."""
    path = step.alias_of if reference and step.alias_of else step.path
    url = base_url.rstrip("/") + rendering.text(path, in_url=True, safe="/") + query_string(rendering, step.query)
    headers = dict(auth_headers.get(step.auth, {}))
    content: bytes | None = None
    if step.body_text is not None:
        content = rendering.text(step.body_text).encode()
    elif step.body is not None:
        content = json.dumps(rendering.json(step.body), ensure_ascii=False).encode()
    if step.content_type is not None:
        headers["Content-Type"] = step.content_type
    return Request(step.method, url, headers, content)
