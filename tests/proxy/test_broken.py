"""In front of deliberately broken servers, each violation is reported with operation, rule and place; an answer
that breaks off mid-body (a raw socket sends the bytes) becomes the vendor-shaped 502, or a closed connection."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from connmock.proxy.errors import error_schema
from contracts.target import local_target
from openapi import VENDORS
from speclib import SchemaValidator, load_spec
from tests.proxy.conftest import broken_behind_proxy, proxy_of, run_suite
from tests.proxy.upstreams import Restatus, Then, raw_upstream

LIFECYCLE = ("valid-requests", "lifecycle")
ERRORS = ("required-fields",)

CASES = [
    # (vendor, fault, sections, rule, operation, words in the place)
    ("nango", "leak-in-get", LIFECYCLE, "secret-leak", "getConnection", "body /debug"),
    ("xpander", "leak-in-error", ERRORS, "secret-leak", "connectConnector", "body /received"),
    ("openint", "leak-in-error", ERRORS, "secret-leak", "createConnection", "body /received"),
    ("vercel", "leak-in-header", LIFECYCLE, "secret-leak", "createConnector", "header x-debug-credential"),
    ("openint", "drop-response-field", LIFECYCLE, "response-schema", "createConnection", "body /"),
    ("openint", "wrong-error-shape", ERRORS, "error-shape", "createConnection", "body /"),
]


def violations(url: str) -> list[dict[str, Any]]:
    log = httpx.get(f"{url}/__connmock/violations").json()
    return [e for e in log["entries"] if e["kind"] == "violation"]


@pytest.mark.parametrize(("vendor", "fault", "sections", "rule", "operation", "place"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_broken_server_is_reported(vendor: str, fault: str, sections: tuple[str, ...], rule: str,
                                   operation: str, place: str) -> None:
    with broken_behind_proxy(vendor, fault) as (url, _app, root, _upstream):
        run_suite(local_target(vendor, root).with_base_url(url), sections)
        found = violations(url)
    matching = [e for e in found if e["rule"] == rule and e["operation"] == operation and place in e["place"]]
    assert matching, found
    assert all(e["status"] is not None and e["detail"] for e in matching)


def test_undocumented_status_is_reported() -> None:
    def teapot(app: Any) -> Any:
        return Restatus(app, "GET", r"/connections$", 418)

    with broken_behind_proxy("nango", wrap=teapot) as (url, _app, root, _upstream):
        key = local_target("nango", root).primary.key
        answer = httpx.get(f"{url}/connections", headers={"Authorization": f"Bearer {key}"})
        found = violations(url)
    assert answer.status_code == 418  # report mode passes the answer through …
    assert answer.headers["x-connmock-violations"].startswith("1; undocumented-status")  # … and says why
    assert [(e["operation"], e["rule"], e["place"]) for e in found] == [
        ("listConnections", "undocumented-status", "status 418")]


@pytest.mark.parametrize("vendor", VENDORS)
def test_enforce_answers_502_in_the_vendor_error_shape(vendor: str) -> None:
    # Given a server echoing a secret of the create, behind the proxy in enforce mode
    from fixtures import load_seed
    from fixtures.factories import PayloadFactory

    seed = load_seed()
    with broken_behind_proxy(vendor, "leak-in-create", mode="enforce") as (url, _app, root, _upstream):
        target = local_target(vendor, root)
        made = PayloadFactory(vendor, seed=3).create(seed.tenants[0], seed, variant="api_key" if vendor == "xpander"
                                                     else None)
        operation = load_spec(vendor).operation(made.operation_id)
        from contracts.target import auth_headers

        answer = httpx.post(url + operation.path.format(**made.path_params), json=made.body,
                            headers=auth_headers(vendor, target.primary.key))
    # Then the call fails right there: 502, the vendor's error schema, the violation named in the header
    assert answer.status_code == 502
    assert SchemaValidator(error_schema(load_spec(vendor))).errors(answer.json()) == []
    assert "secret-leak body /debug" in answer.headers["x-connmock-violations"]
    assert "secret-leak" in answer.text


CANARY = "sk_live_" + "b4dc0ffee0ddba11feedface12345678"
HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
CHUNKED = HEAD + b"transfer-encoding: chunked\r\n\r\n"
SHORT = HEAD + b"content-length: 100\r\n\r\n" + b'{"connections": ['
BROKEN = [
    # (id, what the upstream sends, then, words of the reason)
    ("body-shorter-than-content-length", SHORT, "close", "ended before its Content-Length (100 bytes)"),
    ("bad-chunk-size", CHUNKED + CANARY.encode() + b"\r\n{}\r\n0\r\n\r\n", "close", "chunked encoding is malformed"),
    ("closed-mid-chunked-body", CHUNKED + b'20\r\n{"connections": [', "close", "chunked encoding is malformed"),
    ("reset-mid-body", SHORT, "reset", "ended before its Content-Length (100 bytes)"),
    ("stalled-mid-body", SHORT, "stall", "the upstream stopped sending mid-body"),
]
AUTH = {"Authorization": "Bearer 3f0c9d2e-8b7a-4c6d-9e5f-1a2b3c4d5e6f"}


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def log_records() -> Iterator[list[logging.LogRecord]]:
    """What the proxy and uvicorn log meanwhile (enter once the servers run: uvicorn resets its loggers)."""
    kept, loggers = Kept(), [logging.getLogger("connmock.proxy"), logging.getLogger("uvicorn.error")]
    for logger in loggers:
        logger.addHandler(kept)
    try:
        yield kept.records
    finally:
        for logger in loggers:
            logger.removeHandler(kept)


def assert_one_line_each(records: list[logging.LogRecord]) -> None:
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in records), [r.getMessage() for r in records]
    assert not any(CANARY in r.getMessage() for r in records)


@pytest.mark.parametrize("mode", ["report", "enforce"])
@pytest.mark.parametrize(("reply", "then", "reason"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_broken_answer_becomes_the_vendor_shaped_502(reply: bytes, then: Then, reason: str, mode: str) -> None:
    # Given an upstream whose answer to the list breaks off mid-body
    with raw_upstream(reply, then) as upstream, proxy_of(upstream, "nango", mode, timeout=0.5) as (url, _app):
        with log_records() as records:
            # When the list goes through the proxy
            answer = httpx.get(f"{url}/connections", headers=AUTH)
        found = violations(url)
    # Then the client gets the vendor's 502 with a one-line reason, no traceback, nothing the upstream sent ...
    assert (answer.status_code, answer.headers["content-type"]) == (502, "application/json")
    assert SchemaValidator(error_schema(load_spec("nango"))).errors(answer.json()) == []
    message = answer.json()["error"]["message"]
    assert reason in message and "\n" not in message and CANARY not in answer.text
    assert answer.headers["x-connmock-violations"] == "1; malformed-response body"
    # ... the report records it ...
    assert [(e["operation"], e["rule"], e["status"]) for e in found] == [("listConnections", "malformed-response", 200)]
    assert reason in found[0]["detail"]
    # ... and the log holds one line about it
    assert [r.name for r in records] == ["connmock.proxy.app"]
    assert_one_line_each(records)


def test_a_stream_breaking_off_after_its_head_closes_the_connection() -> None:
    # Given an upstream whose event stream, already under way, breaks off with a bad chunk
    stream = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
              b"b\r\ndata: one\n\n\r\n" + CANARY.encode() + b"\r\n")
    with raw_upstream(stream) as upstream, proxy_of(upstream, "nango") as (url, _app):
        with log_records() as records, httpx.stream("GET", f"{url}/connections", headers=AUTH) as answer:
            # When the client reads it through the proxy, the head and first event have already been passed on
            received = b""
            with pytest.raises(httpx.RemoteProtocolError):  # Then the client sees it cut short, not ended
                for chunk in answer.iter_raw():
                    received += chunk
        log = httpx.get(f"{url}/__connmock/violations").json()
    assert answer.status_code == 200 and received == b"data: one\n\n"
    # ... and the report holds it once, unchecked and then broken; the log a line from the proxy and from uvicorn
    assert log["exchanges"] == 1
    assert [(e["kind"], e["rule"]) for e in log["entries"]] == [("not checked", "not-checked"),
                                                                 ("violation", "malformed-response")]
    assert [r.name for r in records] == ["connmock.proxy.app", "uvicorn.error"]
    assert_one_line_each(records)
