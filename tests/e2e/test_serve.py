"""`connmock serve` as a new user runs it: a real process on a free loopback port, driven over HTTP.

For each vendor the journey a frontend developer tries first with curl: create, get, list, the vendor's
duplicate rule, a missing field, a bad key, another tenant's key, delete, and get after delete.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import SeedData, load_seed
from fixtures.factories import PayloadFactory
from openapi import VENDORS
from tests.support.server import connmock_serve, free_port

SEED: SeedData = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    """A `connmock serve` process; yields its base URL and what it printed at start-up."""
    with connmock_serve(GLOBEX.nango_secret_key) as started:
        yield started


def test_startup_prints_base_urls_and_demo_keys(served: tuple[str, str]) -> None:
    base, banner = served
    for vendor in VENDORS:
        assert f"{base}/{vendor}" in banner
    for tenant in (ACME, GLOBEX):
        assert tenant.nango_secret_key in banner and tenant.openint_api_key in banner
        assert tenant.vercel_token in banner and tenant.xpander_users[0].api_key in banner


def test_every_interface_is_said_and_warned_about() -> None:
    # Given --insecure-admin (with --admin-token the same warning; without either, serve refuses: test_cli_errors)
    with connmock_serve(GLOBEX.nango_secret_key, "--host", "0.0.0.0", "--insecure-admin") as (base, printed):
        port = base.rsplit(":", 1)[1]
        assert f"connmock serve: warning: listening on 0.0.0.0:{port}, which other machines can reach" in printed
        assert f"connmock listening on every interface (0.0.0.0:{port}); from this machine:" in printed
        assert httpx.get(f"{base}/__connmock/health").status_code == 200


@pytest.fixture
def base(served: tuple[str, str]) -> Iterator[str]:
    url = served[0]
    httpx.post(f"{url}/__connmock/reset", json={})
    yield url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def body_for(vendor: str, variant: str) -> dict[str, Any]:
    """A valid create body of ACME's, for one variant of the vendor's create operation."""
    return PayloadFactory(vendor, 7).create(ACME, SEED, variant=variant).body


def test_index_tenants_and_swagger_ui(base: str) -> None:
    index = httpx.get(f"{base}/").json()
    assert [v["vendor"] for v in index["vendors"]] == list(VENDORS)
    tenants = httpx.get(f"{base}/__connmock/tenants").json()["tenants"]
    assert {t["id"] for t in tenants} == {"acme", "globex"}
    assert tenants[0]["vendors"]["nango"]["base_url"] == f"{base}/nango"
    ui = httpx.get(f"{base}/ui/")
    assert ui.status_code == 200 and "swagger" in ui.text.lower()


def test_cors_preflight_with_vendor_auth_headers(base: str) -> None:
    response = httpx.options(f"{base}/nango/connections", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-api-key"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_xpander_journey(base: str) -> None:
    alice, carol = ACME.xpander_users[0].api_key, GLOBEX.xpander_users[0].api_key
    connector = next(c for c in SEED.xpander_connectors if c.auth_type == "api_key")
    url = f"{base}/xpander/v1/connectors/{connector.id}/connect"
    created = httpx.post(url, json={"name": "Production Slack", "security": {"api_token": "xoxb-e2e"},
                                    "access_scope": "organizational"}, headers={"x-api-key": alice})
    assert created.status_code == 200, created.text
    connection = created.json()
    assert connection["name"] == "Production Slack" and "security" not in connection
    listed = httpx.get(f"{base}/xpander/v1/connectors", params={"per_page": 50}, headers={"x-api-key": alice})
    summaries = [c for item in listed.json()["items"] for c in item.get("connections", [])]
    assert connection["id"] in [c["id"] for c in summaries]
    missing = httpx.post(url, json={}, headers={"x-api-key": alice})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "name"]
    assert httpx.post(url, json={"name": "x"}, headers={"x-api-key": "nope"}).status_code == 401
    other = httpx.get(f"{base}/xpander/v1/connectors", params={"per_page": 50}, headers={"x-api-key": carol})
    assert connection["id"] not in [c["id"] for item in other.json()["items"] for c in item.get("connections", [])]


def test_openint_journey(base: str) -> None:
    api = f"{base}/openint"
    created = httpx.post(f"{api}/connection", json=body_for("openint", variant="github"),
                         headers=bearer(ACME.openint_api_key))
    assert created.status_code == 200, created.text
    conn = created.json()
    assert conn["id"].startswith("conn_github_") and "settings" in conn
    got = httpx.get(f"{api}/connection/{conn['id']}", headers=bearer(ACME.openint_api_key)).json()
    assert got["id"] == conn["id"] and "settings" not in got
    listed = httpx.get(f"{api}/connection", headers=bearer(ACME.openint_api_key)).json()
    assert [c["id"] for c in listed["items"]] == [conn["id"]] and listed["total"] == 1
    missing = httpx.post(f"{api}/connection", json={"customer_id": "c"}, headers=bearer(ACME.openint_api_key))
    assert missing.status_code == 400 and missing.json()["code"] == "BAD_REQUEST"
    assert {tuple(i["path"]) for i in missing.json()["issues"]} >= {("connector_config_id",), ("data",)}
    bad = httpx.get(f"{api}/connection", headers=bearer("oik_wrong"))
    assert (bad.status_code, bad.json()["message"]) == (401, "Invalid API key")
    other = httpx.get(f"{api}/connection/{conn['id']}", headers=bearer(GLOBEX.openint_api_key))
    assert other.status_code == 404
    assert httpx.delete(f"{api}/connection/{conn['id']}", headers=bearer(ACME.openint_api_key)).json() == {
        "id": conn["id"]}
    assert httpx.get(f"{api}/connection/{conn['id']}", headers=bearer(ACME.openint_api_key)).status_code == 404


def test_vercel_journey(base: str) -> None:
    api = f"{base}/vercel"
    body = {**body_for("vercel", variant="slack"), "uid": "slack/e2e-bot"}
    created = httpx.post(f"{api}/v1/connect/connectors", json=body, headers=bearer(ACME.vercel_token))
    assert created.status_code == 201, created.text
    connector = created.json()
    assert connector["id"].startswith("scl_") and isinstance(connector["createdAt"], int)
    assert "clientSecret" not in connector["data"]
    by_uid = httpx.get(f"{api}/v1/connect/connectors/slack%2Fe2e-bot", headers=bearer(ACME.vercel_token))
    assert by_uid.json()["id"] == connector["id"]
    listed = httpx.get(f"{api}/v2/connect/connectors", headers=bearer(ACME.vercel_token)).json()
    assert [c["id"] for c in listed["connectors"]] == [connector["id"]]
    again = httpx.post(f"{api}/v1/connect/connectors", json=body, headers=bearer(ACME.vercel_token))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")
    missing = httpx.post(f"{api}/v1/connect/connectors", json={"type": "slack"}, headers=bearer(ACME.vercel_token))
    assert missing.status_code == 400 and "data" in missing.json()["error"]["message"]
    assert httpx.get(f"{api}/v2/connect/connectors", headers=bearer("vct_wrong")).status_code == 403
    other = httpx.get(f"{api}/v1/connect/connectors/{connector['id']}", headers=bearer(GLOBEX.vercel_token))
    assert other.status_code == 404
    deleted = httpx.delete(f"{api}/v1/connect/connectors/{connector['id']}", headers=bearer(ACME.vercel_token))
    assert (deleted.status_code, deleted.content) == (204, b"")
    gone = httpx.get(f"{api}/v1/connect/connectors/{connector['id']}", headers=bearer(ACME.vercel_token))
    assert gone.status_code == 404


def test_nango_journey(base: str) -> None:
    api, key = f"{base}/nango", bearer(ACME.nango_secret_key)
    body = {**body_for("nango", variant="OAUTH2"), "connection_id": "e2e-conn"}
    created = httpx.post(f"{api}/connections", json=body, headers=key)
    assert created.status_code == 201, created.text
    conn = created.json()
    assert conn["credentials"]["access_token"] == body["credentials"]["access_token"]
    pck = conn["provider_config_key"]
    got = httpx.get(f"{api}/connections/e2e-conn", params={"provider_config_key": pck}, headers=key)
    assert got.status_code == 200 and got.json()["connection_id"] == "e2e-conn"
    upserted = httpx.post(f"{api}/connections", json=body, headers=key)
    assert upserted.status_code == 201 and upserted.json()["id"] == conn["id"]
    listed = httpx.get(f"{api}/connections", headers=key).json()["connections"]
    assert [c["connection_id"] for c in listed] == ["e2e-conn"] and "credentials" not in listed[0]
    missing = httpx.post(f"{api}/connections", json={"provider_config_key": pck}, headers=key)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "invalid_body"
    bad = httpx.get(f"{api}/connections", headers=bearer("not-a-uuid"))
    assert (bad.status_code, bad.json()["error"]["code"]) == (401, "invalid_secret_key_format")
    other = httpx.get(f"{api}/connections/e2e-conn", params={"provider_config_key": pck},
                      headers=bearer(GLOBEX.nango_secret_key))
    assert other.status_code == 404
    deleted = httpx.delete(f"{api}/connections/e2e-conn", params={"provider_config_key": pck}, headers=key)
    assert (deleted.status_code, deleted.json()) == (200, {"success": True})
    gone = httpx.get(f"{api}/connections/e2e-conn", params={"provider_config_key": pck}, headers=key)
    assert gone.status_code == 404
    twice = httpx.delete(f"{api}/connections/e2e-conn", params={"provider_config_key": pck}, headers=key)
    assert (twice.status_code, twice.json()) == (400, {"error": {"code": "unknown_connection"}})


@pytest.mark.parametrize(("level", "lines"), [("info", 1), ("warning", 0)])
def test_log_level_decides_the_per_request_line(level: str, lines: int) -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "connmock.cli", "serve", "--port", str(port), "--vendor", "nango",
                                "--log-level", level], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/connections", headers=bearer(ACME.nango_secret_key))
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "connmock serve did not come up"
                time.sleep(0.1)
        assert answer.status_code == 200
    finally:
        process.terminate()
        _, log = process.communicate(timeout=10)
    assert log.count("nango GET /connections") == lines
