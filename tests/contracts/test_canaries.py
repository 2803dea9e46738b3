"""The canary search: raw, encoded and fragmentary echoes are found; allowed places are told apart."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from contracts.canaries import CanaryBook
from contracts.checks import gate_note
from speclib import load_spec, secret_rules


def book_with_canary() -> tuple[CanaryBook, str]:
    rules = secret_rules(load_spec("openint"))["createConnection"]
    book = CanaryBook()
    body = book.plant({"data": {"connector_name": "stripe", "settings": {"api_key": "x"}}}, rules,
                      "createConnection", "acme")
    return book, body["data"]["settings"]["api_key"]


@pytest.mark.parametrize("encode", [
    lambda v: v,
    lambda v: quote(v, safe=""),
    lambda v: base64.b64encode(f"user:{v}".encode()).decode(),
    lambda v: base64.b64encode(f"ab:{v}".encode()).decode(),
    lambda v: json.dumps(v).replace("/", "\\/"),
    lambda v: v[:18] + "****",
], ids=["raw", "url", "base64-basic", "base64-shifted", "json-escaped", "fragment"])
def test_canary_found_in_every_form(encode: object) -> None:
    book, value = book_with_canary()
    assert callable(encode)
    findings = book.scan({"x-echo": f"prefix {encode(value)} suffix"}, b"")
    assert [f.place for f in findings] == ["header x-echo"]
    assert findings[0].canary.field_name == "data.settings.api_key"


def test_json_finding_has_its_pointer() -> None:
    book, value = book_with_canary()
    body = json.dumps({"id": "conn_1", "settings": {"api_key": value}}).encode()
    (finding,) = book.scan({}, body)
    assert finding.pointer == ("settings", "api_key")
    assert finding.canary.rule.allows("getConnection", {"include_secrets": "true"}, finding.pointer)
    assert not finding.canary.rule.allows("getConnection", {}, finding.pointer)


def test_a_leak_past_a_query_gate_says_what_the_request_sent() -> None:
    rule = next(r for r in secret_rules(load_spec("openint"))["createConnection"] if r.path == ("data", "settings"))
    assert gate_note(rule, "getConnection", {"include_secrets": "false"}) == (
        " with include_secrets=false (it may only with include_secrets=true)")
    assert gate_note(rule, "getConnection", {}) == " with no include_secrets (it may only with include_secrets=true)"
    assert gate_note(rule, "createToken", {"include_secrets": "false"}) == ""
