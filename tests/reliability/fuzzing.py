"""Hypothesis strategies for whole HTTP requests against one vendor: valid, invalid and malformed.

A request aims at one operation of the vendor's spec and is then spoiled in some of these ways (each drawn
independently): the method, the credentials, odd percent-encoded path parameters (`%0A` `%00` `%2F` `%ZZ`…),
odd query strings, and for operations with a body: valid bodies from the factories, bodies with one field
replaced (wrong types, huge strings, deep nesting), raw bytes (truncated JSON, invalid UTF-8, deep arrays,
over the size limit, binary) and wrong content types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from speclib import load_spec
from speclib.loader import Operation
from tests.reliability.support import SEED, auth_headers, factory, valid_creates

ODD_SEGMENTS = ("%0A", "%00", "%2F", "%ZZ", "%", "%%", "%2", "..", "%2E%2E", "a%2Fb", "%C3%A9", "%FF%FE", "%0D%0A",
                "%20", "+", "%3F", "%23", "%25", "~", ";x=1", "a" * 3000, "%u0041")
ODD_QUERIES = ("%ZZ=1", "a=%ZZ", "=", "&&&", "x[y]=1", "x[=1", "%00=%00", "limit=-1", "limit=1e400", "page=0",
               "per_page=99999999999999999999", "q=" + "a" * 5000, "%0A=%0A", "expand=%FF")
CONTENT_TYPES = ("application/json", "application/json", "application/json", "text/plain",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "application/json; charset=utf-8", "application/vnd.api+json", "application/xml", "", "*/*",
                 "application/json;;;")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
JUNK_VALUES: tuple[Any, ...] = (None, 0, -1, 1.5, 2**64, True, False, "", [], {}, [1, "a"], {"a": {"b": []}},
                                "\u0000", "\ud7ff\ue000", "💥" * 10, "x" * 100_000, "<script>", "' OR 1=1 --")
HUGE = 1024 * 1024 + 100  # just over the default body limit


@dataclass(frozen=True, slots=True)
class FuzzRequest:
    vendor: str
    operation_id: str
    kind: str  # what was done to it, for the report
    method: str
    raw_path: str  # already percent-encoded, sent as is
    headers: dict[str, str]
    body: bytes | None

    def __repr__(self) -> str:  # short, for Hypothesis' falsifying example
        body = None if self.body is None else self.body[:200]
        return f"FuzzRequest({self.method} {self.raw_path[:300]} {self.kind} {self.headers} {body!r})"


def valid_path_value(vendor: str, name: str) -> str:
    tenant = SEED.tenants[0]
    values = {
        ("xpander", "connector_id"): SEED.xpander_connectors[0].id,
        ("xpander", "connection_id"): "2b0f6a0e-8d0e-4c3a-9d8c-3f1f4d1b2a10",
        ("openint", "id"): "conn_github_01J00000000000000000000000",
        ("openint", "customer_id"): "cus_fuzz",
        ("vercel", "connector"): "slack%2Fmy-bot",
        ("nango", "connectionId"): "fuzz-connection",
    }
    return values.get((vendor, name), tenant.id)


def valid_query(operation: Operation) -> list[str]:
    out = []
    for param in operation.parameters:
        if param.get("in") == "query" and param.get("required"):
            out.append(f"{param['name']}={'github' if 'provider' in param['name'] else 'slack'}")
    return out


class VendorRequests:
    """Every strategy for one vendor; valid bodies are made once by the factories and then drawn from."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.spec = load_spec(vendor)
        self.operations = sorted(self.spec.operations)
        self.bodies: dict[str, list[Any]] = {op: self.sample_bodies(op) for op in self.operations}

    def sample_bodies(self, operation_id: str) -> list[Any]:
        operation = self.spec.operation(operation_id)
        if operation.body_schema() is None:
            return []
        creates = [r for t in SEED.tenants for r in valid_creates(self.vendor, t, 6)]
        if creates and creates[0].operation_id == operation_id:
            return [r.body for r in creates]
        made = factory(self.vendor).body()
        return [made] if isinstance(made, dict) and made else [{}]

    def path_for(self, operation: Operation, draw: st.DrawFn) -> str:
        path = operation.path
        for param in operation.parameters:
            if param.get("in") != "path":
                continue
            name = param["name"]
            value = draw(st.one_of(st.just(valid_path_value(self.vendor, name)), st.sampled_from(ODD_SEGMENTS),
                                   st.text(max_size=20).map(lambda t: quote(t, safe=""))))
            path = path.replace("{" + name + "}", value)
        return f"/{self.vendor}{path}"

    def query_for(self, operation: Operation, draw: st.DrawFn) -> str:
        parts = valid_query(operation) if draw(st.integers(0, 9)) else []
        parts += draw(st.lists(st.sampled_from(ODD_QUERIES), max_size=2))
        return "&".join(parts)

    def headers_for(self, draw: st.DrawFn) -> dict[str, str]:
        tenant = draw(st.sampled_from(SEED.tenants))
        choice = draw(st.integers(0, 19))
        if choice == 0:
            return {}
        if choice == 1:
            return {"authorization": "Bearer " + "k" * 5000, "x-api-key": "k" * 5000}
        if choice == 2:
            return {"authorization": "Basic Zm9vOmJhcg==", "x-api-key": "wrong"}
        if choice == 3:
            return {"authorization": "Bearer 00000000-0000-4000-8000-000000000000", "x-api-key": "xpk_nobody"}
        return auth_headers(self.vendor, tenant)

    def body_for(self, operation_id: str, draw: st.DrawFn) -> tuple[str, bytes | None, str]:
        """(kind, raw body, content type)."""
        pool = self.bodies[operation_id]
        if not pool:
            return "no_body", (b'{"a": 1}' if draw(st.integers(0, 9)) == 0 else None), "application/json"
        base = draw(st.sampled_from(pool))
        kind = draw(st.sampled_from(("valid", "valid", "field", "field", "field", "raw", "raw")))
        content_type = draw(st.sampled_from(CONTENT_TYPES)) if draw(st.integers(0, 7)) == 0 else "application/json"
        if kind == "valid":
            return "valid", json.dumps(base).encode(), content_type
        if kind == "field":
            value = draw(st.one_of(st.sampled_from(JUNK_VALUES), st.integers(1, 80).map(nested),
                                   st.text(max_size=30), st.integers(), st.floats(allow_nan=False)))
            return "wrong_field", json.dumps(replaced(base, draw, value)).encode(), content_type
        kind, raw = self.raw_body(base, draw)
        return kind, raw, content_type

    def raw_body(self, base: Any, draw: st.DrawFn) -> tuple[str, bytes]:
        text = json.dumps(base).encode()
        choice = draw(st.sampled_from(("truncated", "bad_utf8", "deep", "huge", "binary", "empty", "literal")))
        if choice == "truncated":
            return choice, text[: draw(st.integers(0, max(len(text) - 1, 0)))]
        if choice == "bad_utf8":
            at = draw(st.integers(1, max(len(text) - 2, 1)))
            bad = draw(st.sampled_from((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80")))
            return choice, text[:at] + bad + text[at:]
        if choice == "deep":
            depth = draw(st.sampled_from((63, 64, 65, 100, 1000, 100_000)))
            if draw(st.booleans()):
                return choice, b'{"a":' * depth + b"1" + b"}" * depth
            return choice, b"[" * depth + b"]" * depth
        if choice == "huge":
            return choice, b'{"name": "' + b"x" * HUGE + b'"}'
        if choice == "binary":
            return choice, draw(st.binary(max_size=64))
        if choice == "empty":
            return choice, b""
        return choice, draw(st.sampled_from((b"null", b"[]", b"1", b'"x"', b"NaN", b"1e400", b'{"a":1,"a":2}',
                                             b'{"\\ud800": 1}', b"{,}", b"\xef\xbb\xbf{}")))

    def request(self) -> st.SearchStrategy[FuzzRequest]:
        @st.composite
        def build(draw: st.DrawFn) -> FuzzRequest:
            operation = self.spec.operation(draw(st.sampled_from(self.operations)))
            method = operation.method if draw(st.integers(0, 19)) else draw(st.sampled_from(METHODS))
            kind, body, content_type = self.body_for(operation.operation_id, draw)
            headers = self.headers_for(draw)
            if body is not None and content_type:
                headers["content-type"] = content_type
            query = self.query_for(operation, draw)
            path = self.path_for(operation, draw) + (f"?{query}" if query else "")
            return FuzzRequest(self.vendor, operation.operation_id, kind, method, path, headers, body)

        return build()


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def replaced(body: Any, draw: st.DrawFn, value: Any) -> Any:
    """`body` with one drawn field (at any depth) replaced by `value`, or a new field added."""
    copy = json.loads(json.dumps(body))
    node = copy
    while isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        if not isinstance(node[key], dict) or not node[key] or draw(st.booleans()):
            node[key] = value
            return copy
        node = node[key]
    if isinstance(copy, dict):
        copy[draw(st.sampled_from(("extra", "name", "__proto__", "constructor")))] = value
    return copy
