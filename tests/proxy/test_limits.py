"""An answer larger than --max-body-bytes cannot be checked: enforce mode does not pass it on (fail closed),
report mode does, and both record it as a violation -- whether its size is declared, shows while it streams,
or only once it is inflated."""

from __future__ import annotations

from typing import Any, get_args

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connmock.proxy.errors import error_schema
from speclib import SchemaValidator, load_spec
from tests.proxy.conftest import Proxied
from tests.proxy.test_redaction import assert_clean
from tests.proxy.upstreams import Framing, Oversized
from tests.support.server import running

CANARY = "sk_live_" + "c4n4ry0f7e3d2c1b0a99887766554433"
LIMIT = 4096
FRAMINGS = get_args(Framing)
NOT_CHECKED = [("violation", "response-too-large", "body", "not checked: larger than --max-body-bytes (4096 bytes)")]


def create_with_canary(url: str) -> httpx.Response:
    """Nango's create with the canary as its write-only API key (an upstream that echoes it leaks it)."""
    body = {"provider_config_key": "github", "connection_id": "c1", "credentials": {"type": "API_KEY",
                                                                                   "apiKey": CANARY}}
    return httpx.post(f"{url}/connections", json=body,
                      headers={"Authorization": "Bearer 3f0c9d2e-8b7a-4c6d-9e5f-1a2b3c4d5e6f"})


def findings(url: str) -> list[tuple[Any, ...]]:
    log = httpx.get(f"{url}/__connmock/violations").json()
    return [(e["kind"], e["rule"], e["place"], e["detail"]) for e in log["entries"] if e["kind"] != "request"]


@pytest.mark.parametrize("framing", FRAMINGS)
def test_enforce_does_not_pass_on_an_answer_too_large_to_check(proxied: Proxied, framing: Framing) -> None:
    # Given an upstream echoing the create's write-only key first thing in an answer 4x --max-body-bytes
    with running(Oversized(4 * LIMIT, framing)) as upstream, \
            proxied(upstream, "nango", mode="enforce", max_body_bytes=LIMIT) as (url, _app):
        # When the create goes through the proxy in enforce mode
        answer = create_with_canary(url)
        found = findings(url)
    # Then the client gets the vendor-shaped 502 and not one byte of the answer, so not the key in any form
    assert answer.status_code == 502, answer.text[:200]
    assert SchemaValidator(error_schema(load_spec("nango"))).errors(answer.json()) == []
    assert "larger than --max-body-bytes" in answer.json()["error"]["message"]
    assert answer.headers["x-connmock-violations"] == "1; response-too-large body"
    assert_clean(answer.text + "\n".join(f"{k}: {v}" for k, v in answer.headers.items()), [CANARY])
    # ... and the report says why
    assert found == NOT_CHECKED


@pytest.mark.parametrize("framing", FRAMINGS)
def test_report_passes_on_an_answer_too_large_to_check_as_a_violation(proxied: Proxied, framing: Framing) -> None:
    # Given the same upstream, behind the proxy in report mode
    with running(Oversized(4 * LIMIT, framing)) as upstream, \
            proxied(upstream, "nango", max_body_bytes=LIMIT) as (url, _app):
        answer = create_with_canary(url)
        found = findings(url)
    # Then the answer passes unchanged (report mode changes no answer), flagged, and the run records the violation
    assert answer.status_code == 201 and answer.json()["echo"]["credentials"]["apiKey"] == CANARY
    assert len(answer.json()["padding"]) == 4 * LIMIT
    assert answer.headers["x-connmock-violations"] == "1; response-too-large body"
    assert found == NOT_CHECKED


def test_a_head_answer_declaring_a_large_body_has_none_to_check(proxied: Proxied) -> None:
    # Given the upstream, whose answer to HEAD declares a body 4x --max-body-bytes but (HEAD) sends none
    with running(Oversized(4 * LIMIT, "declared")) as upstream, \
            proxied(upstream, "nango", mode="enforce", max_body_bytes=LIMIT) as (url, _app):
        answer = httpx.head(f"{url}/connections")
        found = findings(url)
    # Then nothing is too large: the answer passes as it is
    assert answer.status_code == 201 and int(answer.headers["content-length"]) > 4 * LIMIT
    assert "x-connmock-violations" not in answer.headers and found == []


async def seen_encoding(request: Request) -> Response:
    """Nango's empty list, with the `Accept-Encoding` the upstream was sent in a header."""
    return JSONResponse({"connections": []},
                        headers={"x-seen-accept-encoding": request.headers.get("accept-encoding", "(none)")})


@pytest.mark.parametrize(("mode", "asked", "forwarded"), [
    ("enforce", "br, gzip;q=0.8, zstd", "gzip"),
    ("enforce", "br", "identity"),
    ("enforce", "*", "gzip, deflate"),
    ("report", "br, gzip", "br, gzip"),
])
def test_enforce_asks_only_for_encodings_it_can_check(proxied: Proxied, mode: str, asked: str,
                                                      forwarded: str) -> None:
    # A brotli or zstd answer could not be inflated and checked, so enforce mode does not ask the upstream for one
    upstream_app = Starlette(routes=[Route("/connections", seen_encoding)])
    with running(upstream_app) as upstream, proxied(upstream, "nango", mode=mode) as (url, _app):
        answer = httpx.get(f"{url}/connections", headers={
            "Authorization": "Bearer 3f0c9d2e-8b7a-4c6d-9e5f-1a2b3c4d5e6f", "Accept-Encoding": asked})
    assert answer.status_code == 200 and answer.headers["x-seen-accept-encoding"] == forwarded
