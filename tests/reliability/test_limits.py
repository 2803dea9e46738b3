"""Limits: body size (413 before the body is read), JSON depth, documented string lengths, store and journal caps."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from fixtures.factories import CreateRequest
from mock_server import Settings, create_app
from mock_server.parsing import MAX_JSON_DEPTH
from tests.reliability.support import SEED, VENDORS, ErrorShapes, auth_headers, create_path, serving, valid_creates
from tests.support.api import ApiClient
from tests.support.server import running

ACME = SEED.tenant("acme")
LIMIT = 64 * 1024
# What a full store answers, per vendor (docs/reliability.md): a documented client error, never a 5xx.
CAPPED = {"xpander": 400, "openint": 400, "vercel": 400, "nango": 400}


@pytest.fixture(scope="module")
def api() -> Iterator[ApiClient]:
    client = ApiClient(create_app(Settings()))
    yield client
    client.close()


@pytest.fixture(scope="module")
def small_limit() -> Iterator[str]:
    with running(create_app(Settings(max_body_bytes=LIMIT))) as url:
        yield url


def exchange(base: str, vendor: str, head_extra: str, chunks: list[bytes]) -> tuple[int, bytes]:
    """Send a create's head and `chunks` (never the whole declared body), then wait for the answer."""
    request = valid_creates(vendor, ACME, 1)[0]
    url = urlsplit(base)
    headers = "".join(f"{k}: {v}\r\n" for k, v in auth_headers(vendor, ACME).items())
    head = (f"POST {create_path(request)} HTTP/1.1\r\nHost: {url.netloc}\r\ncontent-type: application/json\r\n"
            f"{headers}{head_extra}\r\n").encode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head + b"".join(chunks))
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            part = sock.recv(65536)  # times out (a failure) if the server waits for the rest of the body
            if not part:
                break
            answer += part
    return int(answer.split(b" ", 2)[1]), answer.split(b"\r\n\r\n", 1)[1]


def shaped(vendor: str, operation_id: str, status: int, body: bytes) -> bool:
    response = httpx.Response(status, content=body, headers={"content-type": "application/json"},
                              request=httpx.Request("POST", "http://x"))
    return ErrorShapes(vendor).check(operation_id, response).ok


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_declared_length_over_the_limit_is_a_413_before_any_body_is_sent(small_limit: str, vendor: str) -> None:
    status, body = exchange(small_limit, vendor, f"content-length: {100 * 1024 * 1024}\r\n", [b"{"])
    operation_id = valid_creates(vendor, ACME, 1)[0].operation_id
    assert status == 413 and shaped(vendor, operation_id, 413, body)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(small_limit: str, vendor: str) -> None:
    piece = b" " * 16384
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    # Twice the limit, and never the final chunk: the answer must come without the end of the body.
    status, body = exchange(small_limit, vendor, "transfer-encoding: chunked\r\n", [chunk] * (2 * LIMIT // 16384))
    operation_id = valid_creates(vendor, ACME, 1)[0].operation_id
    assert status == 413 and shaped(vendor, operation_id, 413, body)


# A free-form object of each vendor's create body (the spec allows any value in it), and what the vendor answers
# a body it cannot read, as a too-deep one is: its status and a word of its body.
FREE_FORM = {"xpander": "security", "openint": "metadata", "vercel": "data", "nango": "metadata"}
UNREADABLE = {"xpander": (422, "json_invalid"), "openint": (400, "PARSE_ERROR"), "vercel": (400, "nested too deeply"),
              "nango": (400, "invalid_json")}


def chain(levels: int) -> Any:
    """A JSON value `levels` deep: `levels - 1` nested objects around a number."""
    value: Any = 1
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def depth_of(value: Any) -> int:
    """Nesting depth as the limit counts it: a scalar is 1, a container one more than its deepest item."""
    items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else None
    return 1 if items is None else 1 + max(map(depth_of, items), default=0)


def deep_create(vendor: str, depth: int) -> tuple[CreateRequest, dict[str, Any]]:
    """A valid create whose free-form object holds a value that makes the whole body `depth` deep."""
    request = next(r for r in valid_creates(vendor, ACME, 8) if vendor != "vercel" or r.body["type"] == "custom")
    free = FREE_FORM[vendor]
    body = {**request.body, free: {**request.body.get(free, {}), "deep": chain(depth - 2)}}
    assert depth_of(body) == depth
    return request, body


@pytest.mark.parametrize("vendor", VENDORS)
def test_json_nesting_is_bounded(api: ApiClient, vendor: str) -> None:
    headers = {**auth_headers(vendor, ACME), "content-type": "application/json"}
    # Given a body valid but for its depth: at the limit it is created
    request, body = deep_create(vendor, MAX_JSON_DEPTH)
    accepted = api.post(create_path(request), content=orjson.dumps(body), headers=headers)
    assert 200 <= accepted.status_code < 300, accepted.text
    # One level deeper it is the vendor's answer to a body it cannot read
    request, body = deep_create(vendor, MAX_JSON_DEPTH + 1)
    refused = api.post(create_path(request), content=orjson.dumps(body), headers=headers)
    status, word = UNREADABLE[vendor]
    assert refused.status_code == status and word in refused.text, refused.text
    assert ErrorShapes(vendor).check(request.operation_id, refused).ok
    # And a body far past any parser's own limit is the same answer, never a 500
    absurd = api.post(create_path(request), content=b"[" * 100_000 + b"]" * 100_000, headers=headers)
    assert absurd.status_code == status and ErrorShapes(vendor).check(request.operation_id, absurd).ok


def max_length_fields(schema: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], int]]:
    """Top-level and nested object string properties with a documented `maxLength`."""
    for name, sub in schema.get("properties", {}).items():
        if sub.get("type") == "string" and "maxLength" in sub and "enum" not in sub:
            yield (*path, name), int(sub["maxLength"])
        elif sub.get("type") == "object" and len(path) < 2:
            yield from max_length_fields(sub, (*path, name))


@pytest.mark.parametrize("vendor", VENDORS)
def test_documented_string_lengths_are_enforced(api: ApiClient, vendor: str) -> None:
    request = valid_creates(vendor, ACME, 1)[0]
    spec = ErrorShapes(vendor).spec
    schema = spec.operation(request.operation_id).body_schema() or {}
    fields = list(max_length_fields(schema))
    print(f"\n{vendor}: documented string limits checked: {[('/'.join(p), n) for p, n in fields]}")
    for path, bound in fields:
        body = dict(request.body)
        node = body
        for part in path[:-1]:
            node[part] = dict(node.get(part) or {})
            node = node[part]
        node[path[-1]] = "x" * (bound + 1)
        response = api.post(create_path(request), json=body, headers=auth_headers(vendor, ACME))
        assert response.status_code in (400, 422), (path, response.text)
        assert ErrorShapes(vendor).check(request.operation_id, response).ok


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_full_store_answers_the_vendors_capacity_error_and_stops_growing(vendor: str) -> None:
    client = ApiClient(create_app(Settings(vendors=(vendor,), store_capacity=3)))
    requests = valid_creates(vendor, ACME, 12)
    try:
        statuses = []
        for n, request in enumerate(requests):
            if vendor == "vercel":
                request.body["uid"] = f"cap/{n}"
            if vendor == "nango":
                request.body["connection_id"] = f"cap-{n}"
            response = client.post(create_path(request), json=request.body,
                                   headers=auth_headers(vendor, ACME))
            statuses.append(response.status_code)
            if response.status_code == CAPPED[vendor] and response.status_code >= 400:
                assert "store" in response.text and "maximum of 3 records" in response.text
                assert ErrorShapes(vendor).check(request.operation_id, response).ok
        assert statuses[-1] == CAPPED[vendor] and 500 not in statuses
        assert client.get("/__connmock/health").json()["records"] <= 3
    finally:
        client.close()


def test_the_journal_keeps_at_most_its_size_and_bounds_each_body() -> None:
    client = ApiClient(create_app(Settings(journal_size=5, journal_body_bytes=1024)))
    request = valid_creates("nango", ACME, 1)[0]
    try:
        for _ in range(20):
            client.get("/nango/connections", headers=auth_headers("nango", ACME))
        body = {**request.body, "metadata": {"big": "x" * 5000}}
        client.post(create_path(request), json=body, headers=auth_headers("nango", ACME))
        entries = client.get("/__connmock/requests").json()["requests"]
        assert len(entries) == 5
        assert "not kept" in str(entries[-1]["request_body"]) and "x" * 5000 not in str(entries)
    finally:
        client.close()


def test_serve_exposes_the_store_and_journal_caps() -> None:
    with serving("--store-capacity", "2", "--journal-size", "3") as served, httpx.Client(base_url=served.base) as c:
        statuses = []
        for n, request in enumerate(valid_creates("nango", ACME, 4)):
            request.body["connection_id"] = f"cli-{n}"
            response = c.post(create_path(request), json=request.body, headers=auth_headers("nango", ACME))
            statuses.append((response.status_code, response.json()["error"]["code"] if response.status_code >= 400
                             else None))
        assert statuses[:2] == [(201, None)] * 2 and statuses[-1] == (400, "resource_capped")
        assert len(c.get("/__connmock/requests").json()["requests"]) == 3
