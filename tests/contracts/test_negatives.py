"""Each sharper negative oracle catches a server broken in just the way it checks (and the faithful mock passes
them all: `test_faithful.py` runs every section)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from starlette.types import ASGIApp

from connmock.faults import FAULTS
from connmock.faults.asgi import Answer, FaultyApp, Forward, Handler, Request
from connmock.faults.base import Memory, forward_and_remember
from connmock.faults.model import VendorModel, model_of
from connmock.faults.state import credential, with_key
from contracts.report import Redactor, render_summary
from contracts.runner import RunOptions, run_vendor
from contracts.target import local_target
from mock_server import Settings, create_app
from tests.support.server import running

Build = Callable[[VendorModel], Handler]


def values(document: Any) -> Iterator[Any]:
    if isinstance(document, dict):
        for value in document.values():
            yield from values(value)
    elif isinstance(document, list):
        for item in document:
            yield from values(item)
    else:
        yield document


def lenient(bad: Callable[[Any], bool]) -> Build:
    """A create with any value `bad` stores the latest valid create's body instead (the bad value ignored)."""

    def build(model: VendorModel) -> Handler:
        memory = Memory()

        async def handle(request: Request, forward: Forward) -> Answer:
            if model.is_create(request.method, request.path) and memory.bodies and any(
                    bad(v) for v in values(request.json())):
                request = replace(request, body=memory.bodies[-1])
            return await forward_and_remember(model, memory, request, forward)

        return handle

    return build


def prefix_keys(model: VendorModel) -> Handler:
    """A key one character short of a known key is served as that key (a prefix compare)."""
    known = {key[:-1]: key for keys in model.keys for key in keys}

    async def handle(request: Request, forward: Forward) -> Answer:
        sent = credential(model, request)
        if sent in known:
            request = with_key(model, request, known[sent])
        return await forward(request)

    return handle


def crash_on(when: Callable[[Request], bool]) -> Build:
    def build(model: VendorModel) -> Handler:
        async def handle(request: Request, forward: Forward) -> Answer:
            if when(request):
                return Answer(500, [(b"content-type", b"text/plain")], b"Internal Server Error")
            return await forward(request)

        return handle

    return build


def json_for_text(model: VendorModel) -> Handler:
    """A text/plain body is read as JSON."""

    async def handle(request: Request, forward: Forward) -> Answer:
        if (request.header("content-type") or "").startswith("text/plain"):
            request = request.with_header("content-type", "application/json")
        return await forward(request)

    return handle


def down_after_text(model: VendorModel) -> Handler:
    """After a text/plain body the server is unavailable for the next two requests (a crash and a restart)."""
    down = 0

    async def handle(request: Request, forward: Forward) -> Answer:
        nonlocal down
        if down:
            down -= 1
            return Answer(503, [(b"content-type", b"text/plain")], b"Service Unavailable")
        if (request.header("content-type") or "").startswith("text/plain"):
            down = 2
        return await forward(request)

    return handle


def no_content_type(request: Request) -> bool:
    return bool(request.body) and request.header("content-type") is None


CASES = [
    # (vendor, sections, broken server, rule, words the message must contain)
    pytest.param("openint", "valid-requests,required-values", FAULTS["null-accepted"].build, "required-field",
                 ["= null"], id="null"),
    pytest.param("openint", "valid-requests,required-values", lenient(lambda v: v == ""), "required-field",
                 ['= ""'], id="empty-string"),
    pytest.param("xpander", "valid-requests,required-values",
                 lenient(lambda v: v in (12345, "connmock-not-a-number")), "required-field", ["= a wrong type"],
                 id="wrong-type"),
    pytest.param("vercel", "credential-variants", FAULTS["key-case-insensitive"].build, "auth",
                 ["another letter case"], id="key-case"),
    pytest.param("openint", "credential-variants", prefix_keys, "auth", ["one character short"], id="key-short"),
    pytest.param("openint", "credential-variants",
                 crash_on(lambda r: (r.header("authorization") or "").startswith("Bearer  ")), "auth",
                 ["surrounding whitespace", "got 500"], id="key-whitespace"),
    pytest.param("nango", "content-types", json_for_text, "content-type", ["body as text/plain", "got 201"],
                 id="text-plain"),
    pytest.param("vercel", "content-types",
                 crash_on(lambda r: r.header("content-type") == "application/x-www-form-urlencoded"), "content-type",
                 ["body as application/x-www-form-urlencoded", "got 500"], id="form-encoded"),
    pytest.param("xpander", "content-types", crash_on(no_content_type), "content-type",
                 ["no Content-Type", "got 500"], id="no-content-type"),
    pytest.param("openint", "content-types", down_after_text, "target-stopped",
                 ["body as text/plain", "got 503", "back after a restart"], id="keeps-answering"),
]


@contextmanager
def broken(vendor: str, build: Build) -> Iterator[str]:
    app: ASGIApp = FaultyApp(create_app(Settings(vendors=(vendor,))), vendor, build(model_of(vendor)))
    with running(app) as url:
        yield url


@pytest.mark.parametrize(("vendor", "sections", "build", "rule", "words"), CASES)
def test_broken_server_is_caught(vendor: str, sections: str, build: Build, rule: str, words: list[str]) -> None:
    # Given a mock broken in one way, When the section that checks it runs, Then a failure names the rule.
    with broken(vendor, build) as url:
        redact = Redactor()
        result = run_vendor(local_target(vendor, url), RunOptions(sections=tuple(sections.split(","))), redact)
    messages = [redact(str(r.failure)) for s in result.sections for r in s.failures]
    matching = [m for m in messages if m.startswith(f"[{rule}]") and all(w in m for w in words)]
    assert matching, f"no [{rule}] failure with {words}:\n{render_summary([result], redact)}"


def test_no_content_type_curl_removes_the_header() -> None:
    # The repro of a request sent without Content-Type is a curl that sends none either.
    with broken("xpander", crash_on(no_content_type)) as url:
        result = run_vendor(local_target("xpander", url), RunOptions(sections=("content-types",)), Redactor())
    curls = [r.curl for s in result.sections for r in s.failures if "no Content-Type" in r.failure.place]
    assert curls and all("-H 'Content-Type:'" in c for c in curls), curls
