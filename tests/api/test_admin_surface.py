"""The admin endpoints (`/__connmock/*`) are closed to other sites: no CORS, and nothing that changes state from a
request a browser sends cross-site without asking (a form post, a `text/plain` fetch)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures import load_seed
from mock_server import Settings
from tests.support.api import ApiClient, in_process

ACME = load_seed().tenant("acme")
NANGO = {"Authorization": f"Bearer {ACME.nango_secret_key}"}
EVIL = "https://evil.example"
CONNECTION = {"provider_config_key": "github", "connection_id": "kept",
              "credentials": {"type": "OAUTH2", "access_token": "tok"}}


@pytest.fixture
def nango() -> Iterator[ApiClient]:
    with in_process(Settings(vendors=("nango",))) as client:
        yield client


def stored(client: ApiClient) -> int:
    return len(client.get("/nango/connections", headers=NANGO).json()["connections"])


@pytest.mark.parametrize("path", ["/__connmock/tenants", "/__connmock/requests", "/__connmock/health"])
def test_another_site_cannot_read_the_admin_endpoints(nango: ApiClient, path: str) -> None:
    answer = nango.get(path, headers={"Origin": EVIL})
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers
    preflight = nango.request("OPTIONS", path, headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers


def test_the_vendor_apis_keep_their_cors(nango: ApiClient) -> None:
    answer = nango.get("/nango/connections", headers={**NANGO, "Origin": EVIL})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "Preference-Applied" in answer.headers["access-control-expose-headers"]


@pytest.mark.parametrize("headers", [
    {},
    {"Content-Type": "text/plain"},
    {"Content-Type": "application/x-www-form-urlencoded"},
    {"Content-Type": "multipart/form-data; boundary=x"},
], ids=["no-body", "text-plain", "form", "multipart"])
def test_a_simple_cross_site_post_cannot_reset(nango: ApiClient, headers: dict[str, str]) -> None:
    assert nango.post("/nango/connections", json=CONNECTION, headers=NANGO).status_code == 201
    # The preflight a JSON reset would need gets no CORS answer, so a page elsewhere can only send these
    preflight = nango.request("OPTIONS", "/__connmock/reset", headers={
        "Origin": EVIL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in preflight.headers
    refused = nango.post("/__connmock/reset", content=b"x", headers={"Origin": EVIL, **headers})
    assert refused.status_code == 403 and "Content-Type: application/json" in refused.json()["error"]
    assert stored(nango) == 1


def test_a_json_reset_or_one_with_the_token_header_works() -> None:
    token = {"X-Connmock-Admin-Token": "s3cret-admin"}
    with in_process(Settings(vendors=("nango",), admin_token="s3cret-admin")) as client:
        assert client.post("/nango/connections", json=CONNECTION, headers=NANGO).status_code == 201
        assert client.post("/__connmock/reset", headers=token).json() == {"reset": True}  # the header suffices
        assert stored(client) == 0
        assert client.post("/nango/connections", json=CONNECTION, headers=NANGO).status_code == 201
        assert client.post("/__connmock/reset", json={}, headers=token).json() == {"reset": True}
        assert stored(client) == 0
