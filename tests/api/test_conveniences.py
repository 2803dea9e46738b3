"""What the mock offers frontend developers beyond the vendors' APIs: the index, the journal, reset, latency,
the admin token, and `connmock fixtures` (forced responses, `Prefer`, in test_prefer.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from connmock.cli import main
from fixtures import load_seed
from fixtures.factories import CREATE_OPERATIONS
from mock_server import Settings, create_app
from openapi import VENDORS
from speclib import SchemaValidator, load_spec
from tests.support.api import ApiClient

ACME = load_seed().tenant("acme")
NANGO = {"Authorization": f"Bearer {ACME.nango_secret_key}"}


@pytest.fixture
def nango() -> Iterator[ApiClient]:
    client = ApiClient(create_app(Settings(vendors=("nango",), journal_size=3)))
    yield client
    client.close()


def test_index_lists_every_mounted_vendor_and_its_operations(api: ApiClient) -> None:
    index = api.get("/").json()
    assert [v["vendor"] for v in index["vendors"]] == list(VENDORS)
    nango = index["vendors"][3]
    assert nango["base_url"] == "http://testserver/nango"
    assert set(nango["operations"]) == set(load_spec("nango").operations)
    assert api.get("/nango/openapi.json").json()["servers"] == [{"url": "/nango"}]


def test_the_merged_document_swagger_ui_shows_has_a_server_and_one_version(api: ApiClient) -> None:
    # Swagger UI's "all vendors" view: a Servers entry that works (its paths carry the mounts), and a version
    # that is one date (the newest vendor contract's), each vendor's own named in the description
    merged = api.get("/openapi.json").json()
    assert merged["servers"] == [{"url": "/", "description": "this connmock"}]
    versions = {vendor: load_spec(vendor).document["info"]["version"] for vendor in VENDORS}
    assert merged["info"]["version"] == max(versions.values())
    assert all(f"{vendor} {version}" in merged["info"]["description"] for vendor, version in versions.items())
    assert set(merged["paths"]) == set(load_spec("merged").document["paths"])


def test_journal_is_bounded_redacted_and_reset_empties_everything(nango: ApiClient) -> None:
    body = {"provider_config_key": "github", "credentials": {"type": "OAUTH2", "access_token": "canary-jrnl-1"}}
    for _ in range(5):
        assert nango.post("/nango/connections", json={**body, "connection_id": "c1"}, headers=NANGO).status_code == 201
    entries = nango.get("/__connmock/requests").json()["requests"]
    assert len(entries) == 3 and {e["operation"] for e in entries} == {"createConnection"}
    assert "canary-jrnl-1" not in json.dumps(entries)
    assert nango.post("/__connmock/reset", json={}).json() == {"reset": True}
    assert nango.get("/__connmock/requests").json() == {"requests": []}
    assert nango.get("/nango/connections", headers=NANGO).json() == {"connections": []}


def test_admin_token_protects_the_admin_endpoints() -> None:
    client = ApiClient(create_app(Settings(vendors=("nango",), admin_token="s3cret-admin")))
    try:
        assert client.get("/__connmock/tenants").status_code == 401
        assert client.post("/__connmock/reset", json={}).status_code == 401
        allowed = client.get("/__connmock/tenants", headers={"X-Connmock-Admin-Token": "s3cret-admin"})
        assert allowed.status_code == 200 and "s3cret-admin" not in allowed.text
    finally:
        client.close()


def test_latency_delays_every_api_answer() -> None:
    client = ApiClient(create_app(Settings(vendors=("nango",), latency_ms=150)))
    try:
        started = time.perf_counter()
        assert client.get("/nango/connections", headers=NANGO).status_code == 200
        assert time.perf_counter() - started >= 0.15
    finally:
        client.close()


@pytest.mark.parametrize("vendor", VENDORS)
def test_fixtures_command_prints_valid_payloads_repeatably(vendor: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fixtures", vendor, "--count", "4", "--seed", "11"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["fixtures", vendor, "--count", "4", "--seed", "11"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert main(["fixtures", vendor, "--count", "4", "--seed", "12"]) == 0
    assert json.loads(capsys.readouterr().out) != first
    operation = load_spec(vendor).operations[CREATE_OPERATIONS[vendor]]
    schema = operation.body_schema()
    assert schema is not None and len(first) == 4
    for payload in first:
        assert SchemaValidator(schema).errors(payload["body"]) == []


@pytest.mark.parametrize("segment", ["a%0Ab", "a%0D%0A", "slack%2Fmy-bot", "%25zz"], ids=["lf", "crlf", "slash", "pct"])
def test_odd_escapes_in_a_path_parameter_reach_the_vendor(api: ApiClient, segment: str) -> None:
    # A line break or an escaped slash stays inside its path segment, so the vendor answers, not the router
    response = api.post(f"/openint/customer/{segment}/token", json={},
                        headers={"Authorization": f"Bearer {ACME.openint_api_key}"})
    assert response.status_code == 200 and set(response.json()) == {"token", "magic_link_url", "api_key"}
