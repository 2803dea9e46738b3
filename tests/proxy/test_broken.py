"""In front of deliberately broken servers, each violation is reported with operation, rule and place."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connmock.proxy.errors import error_schema
from connmock.spec import SchemaValidator, load_spec
from contracts.target import local_target
from tests.proxy.conftest import broken_behind_proxy, run_suite
from tests.proxy.upstreams import Restatus

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


@pytest.mark.parametrize("vendor", ["xpander", "openint", "vercel", "nango"])
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
