"""Each deliberately broken server is caught, with a message naming the broken rule."""

from __future__ import annotations

import pytest

from contracts.report import Redactor, render_summary
from contracts.runner import RunOptions, run_vendor
from contracts.target import local_target
from tests.contracts.conftest import Serve

SCENARIO_SECTIONS = ("valid-requests", "required-fields", "lifecycle")  # what these faults break

CASES = [
    # (vendor, fault, rule, words the message must contain)
    ("openint", "leak-in-create", "secret-leak", ["createConnection", "data.settings", "body /debug"]),
    ("xpander", "leak-in-create", "secret-leak", ["connectConnector", "write-only field security", "body /debug"]),
    ("openint", "leak-in-get", "secret-leak", ["getConnection", "body /debug"]),
    ("nango", "leak-in-get", "secret-leak", ["getConnection", "credentials", "body /debug"]),
    ("openint", "leak-in-list", "secret-leak", ["listConnections", "body /debug"]),
    ("xpander", "leak-in-list", "secret-leak", ["listConnectors", "body /debug"]),
    ("xpander", "leak-in-error", "secret-leak", ["connectConnector", "[422]"]),
    ("openint", "leak-in-error", "secret-leak", ["createConnection", "[400]"]),
    ("openint", "leak-in-header", "secret-leak", ["header x-debug-credential", "(raw)"]),
    ("vercel", "leak-in-header", "secret-leak", ["header x-debug-credential", "(raw)"]),
    ("nango", "leak-base64", "secret-leak", ["createConnection", "body /fingerprint", "base64"]),
    ("openint", "leak-renamed-key", "secret-leak", ["createConnection", "body /accessToken"]),
    ("nango", "leak-after-update", "secret-leak", ["updateConnection", "body /previous"]),
    ("vercel", "required-not-enforced", "required-field", ["createConnector", "without data", "expected 400"]),
    ("xpander", "wrong-error-status", "required-field", ["connectConnector", "got 400, expected 422"]),
    ("nango", "wrong-error-status", "required-field", ["createConnection", "got 422, expected 400"]),
    ("openint", "wrong-error-shape", "error-shape", ["createConnection", "error shape"]),
    ("xpander", "wrong-error-shape", "error-shape", ["connectConnector", "does not name"]),
    ("openint", "drop-response-field", "response-schema", ["createConnection", "body /id", "missing"]),
    ("vercel", "drop-response-field", "response-schema", ["createConnector", "missing"]),
]


@pytest.mark.parametrize(("vendor", "fault", "rule", "words"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_broken_server_is_caught(serve: Serve, vendor: str, fault: str, rule: str, words: list[str]) -> None:
    # Given a mock broken by `fault`, When the hand-built scenarios run, Then a failure names the rule.
    with serve(vendor, fault) as url:
        redact = Redactor()
        result = run_vendor(local_target(vendor, url), RunOptions(sections=SCENARIO_SECTIONS), redact)
    messages = [redact(str(r.failure)) for s in result.sections for r in s.failures]
    matching = [m for m in messages if m.startswith(f"[{rule}]") and all(w in m for w in words)]
    assert matching, f"no [{rule}] failure with {words}:\n{render_summary([result], redact)}"


def test_generated_cases_also_catch_an_error_leak(serve: Serve) -> None:
    # The generated (not hand-built) cases carry canaries too: an error body echoing the request is caught.
    with serve("openint", "leak-in-error") as url:
        redact = Redactor()
        result = run_vendor(local_target("openint", url), RunOptions(max_examples=5, sections=("generated",)),
                            redact)
    rules = {r.failure.rule for s in result.sections for r in s.failures}
    assert "secret-leak" in rules
