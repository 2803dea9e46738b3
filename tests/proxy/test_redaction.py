"""Nothing secret in the violations JSON, the header, the summary or the JUnit XML, in any encoding."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx

from connmock.proxy.inspector import Inspector
from contracts.canaries import encoded_forms
from contracts.target import local_target
from speclib import load_spec
from tests.contracts.broken import Broken
from tests.proxy.conftest import broken_behind_proxy, run_suite

SECRET = "sk_live_" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def assert_clean(text: str, secrets: list[str]) -> None:
    for value in secrets:
        for form, encoded in encoded_forms(value):
            assert encoded not in text, f"a secret ({form}) appears in the output"


def test_outputs_hold_no_secret(tmp_path: Path) -> None:
    # Given servers echoing secrets in a header (base64) and in every get, behind the proxy
    headers, texts, secrets = [], [], []
    for vendor, fault in (("openint", "leak-in-header"), ("nango", "leak-in-get")):
        with broken_behind_proxy(vendor, fault) as (url, proxy, root, upstream):
            target = local_target(vendor, root).with_base_url(url)
            run_suite(target, ("valid-requests", "lifecycle"))
            key = target.primary.key
            answer = httpx.get(f"{url}/__connmock/violations")
            assert isinstance(upstream, Broken) and upstream.stored
            secrets += [*upstream.stored, key]
            texts += [answer.text, proxy.log.summary()]
            proxy.log.write_junit(tmp_path / f"{vendor}.xml")
            texts.append((tmp_path / f"{vendor}.xml").read_text(encoding="utf-8"))
            headers += [e["detail"] for e in answer.json()["entries"]]
            assert any(e["rule"] == "secret-leak" for e in answer.json()["entries"])
    # Then no output holds any of them (raw, URL-encoded, base64, JSON-escaped or a 12-character fragment)
    assert_clean("\n".join(texts + headers), secrets)


def test_a_secret_in_a_key_or_message_is_masked() -> None:
    # Given a create carrying a secret, answered with the secret as a key and inside an unexpected property
    inspector = Inspector(load_spec("nango"))
    request = {"provider_config_key": "github", "connection_id": "c1",
               "credentials": {"type": "API_KEY", "apiKey": SECRET}}
    headers = [("authorization", "Bearer f6fadfa7-e5c1-4b62-9362-da5cc13da58a"), ("content-type", "application/json")]
    exchange = inspector.begin("POST", "/connections", [], headers, json.dumps(request).encode())
    body = {SECRET: {"echo": base64.b64encode(SECRET.encode()).decode()}, "note": f"key {SECRET[:20]}…"}
    entries = inspector.finish(exchange, 201, [("content-type", "application/json")], json.dumps(body).encode())
    # Then each leak is reported, and every text of every entry is masked
    leaks = [e for e in entries if e.rule == "secret-leak"]
    assert {e.place for e in leaks} >= {"body /", "body [redacted]", "body /note"}  # "/" is a base64 character
    assert any("base64" in e.detail for e in leaks)
    output = "\n".join(e.line() + e.path + e.method for e in entries)
    assert_clean(output, [SECRET, "f6fadfa7-e5c1-4b62-9362-da5cc13da58a"])
    assert "[redacted]" in output
