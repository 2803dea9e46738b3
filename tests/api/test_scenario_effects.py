"""The scenarios that act on a connection or a hosted flow: an expired or revoked connection reads the way its
vendor's spec says (Nango's documented 424, OpenInt's `status`), and a consent decision ends the next hosted
flow of a vendor in its documented approve or deny outcome without a click. What a vendor documents no outcome
for is refused when armed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fixtures import SeedData, load_seed
from mock_server import Settings
from speclib import SchemaValidator, load_spec
from tests.reliability.support import auth_headers
from tests.support.api import ApiClient, SharedMock, shared_mock

SEED: SeedData = load_seed()
ACME = SEED.tenant("acme")
ALICE = ACME.xpander_users[0]
DRIVE = next(c for c in SEED.xpander_connectors if c.name == "Google Drive")
START = datetime(2026, 6, 8, 9, 30, tzinfo=UTC)
NANGO, OPENINT, VERCEL = (auth_headers(v, ACME) for v in ("nango", "openint", "vercel"))


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(), START) as mock:
        yield mock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


def arm(api: ApiClient, expect: int = 201, **body: Any) -> dict[str, Any]:
    armed = api.post("/__connmock/scenarios", json=body)
    assert armed.status_code == expect, armed.text
    return armed.json()  # type: ignore[no-any-return]


def armed(api: ApiClient) -> list[dict[str, Any]]:
    return api.get("/__connmock/scenarios").json()["scenarios"]  # type: ignore[no-any-return]


def local(url: str) -> str:
    return url.removeprefix("http://testserver")


def valid(vendor: str, operation: str, response: httpx.Response) -> bool:
    schema = load_spec(vendor).operations[operation].response_schema(response.status_code)
    return schema is not None and SchemaValidator(schema).errors(response.json()) == []


# States ------------------------------------------------------------------------------------------------------

def nango_connection(api: ApiClient, connection_id: str) -> None:
    body = {"provider_config_key": "github", "connection_id": connection_id,
            "credentials": {"type": "OAUTH2", "access_token": "gho_x", "refresh_token": "ghr_x",
                            "expires_at": "2030-01-01T00:00:00.000Z"}}
    assert api.post("/nango/connections", headers=NANGO, json=body).status_code == 201


def nango_read(api: ApiClient, connection_id: str) -> httpx.Response:
    return api.get(f"/nango/connections/{connection_id}?provider_config_key=github", headers=NANGO)


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_a_nango_connection_whose_refresh_fails_reads_as_the_documented_424(api: ApiClient, state: str) -> None:
    # Given two connections, one of them armed as expired (or revoked) for two reads
    nango_connection(api, "conn-a")
    nango_connection(api, "conn-b")
    arm(api, kind="state", vendor="nango", object_id="conn-a", state=state, times=2)
    # Then the other reads as usual, and the armed one answers Nango's refresh failure twice, then recovers
    assert nango_read(api, "conn-b").status_code == 200
    failed = nango_read(api, "conn-a")
    assert failed.status_code == 424 and failed.json()["error"]["code"] == "invalid_credentials"
    assert valid("nango", "getConnection", failed)
    assert nango_read(api, "conn-a").status_code == 424 and nango_read(api, "conn-a").status_code == 200
    # And the list (no read of that connection) never consumed it
    entries = api.get("/__connmock/requests").json()["requests"]
    assert [e["scenario"] is not None for e in entries if e["operation"] == "getConnection"] == \
           [False, True, True, False]


@pytest.mark.parametrize(("state", "status"), [("expired", "error"), ("revoked", "disconnected")])
def test_an_openint_connection_reads_with_the_status_of_its_state(api: ApiClient, state: str, status: str) -> None:
    config = next(c.id for c in SEED.connector_configs("acme") if c.connector_name == "acme-apikey")
    body = {"connector_config_id": config, "customer_id": "cus_1",
            "data": {"connector_name": "acme-apikey", "settings": {"api_key": "k_1"}}}
    made = api.post("/openint/connection", headers=OPENINT, json=body).json()
    arm(api, kind="state", vendor="openint", object_id=made["id"], state=state)
    read = api.get(f"/openint/connection/{made['id']}", headers=OPENINT)
    assert read.status_code == 200 and read.json()["status"] == status and state in read.json()["status_message"]
    assert valid("openint", "getConnection", read)
    assert api.get(f"/openint/connection/{made['id']}", headers=OPENINT).json()["status"] != status


@pytest.mark.parametrize("vendor", ["xpander", "vercel"])
def test_a_state_the_vendor_documents_nothing_for_is_refused(api: ApiClient, vendor: str) -> None:
    refused = arm(api, 400, kind="state", vendor=vendor, object_id="x", state="revoked")
    assert refused["field"] == "vendor" and "documents no expired or revoked state" in refused["error"]


def test_a_state_needs_its_connection_and_a_read(api: ApiClient) -> None:
    assert arm(api, 400, kind="state", vendor="nango", state="expired")["field"] == "object_id"
    wrong = arm(api, 400, kind="state", vendor="nango", object_id="c", state="expired", operation="listConnections")
    assert wrong["field"] == "operation" and "getConnection" in wrong["error"]
    assert arm(api, 400, kind="state", vendor="nango", object_id="c", state="stale")["field"] == "state"


# Consent -----------------------------------------------------------------------------------------------------

def xpander_flow(api: ApiClient) -> dict[str, Any]:
    made = api.post(f"/xpander/v1/connectors/{DRIVE.id}/connect", headers={"x-api-key": ALICE.api_key},
                    json={"name": "Team drive"})
    return made.json()  # type: ignore[no-any-return]


def xpander_status(api: ApiClient, connection_id: str) -> str:
    items = api.get("/xpander/v1/connectors?page=1&per_page=50", headers={"x-api-key": ALICE.api_key}).json()
    return str(next(c["status"] for item in items["items"] for c in item["connections"] if c["id"] == connection_id))


@pytest.mark.parametrize(("decision", "status", "title"), [("deny", "denied", "Access denied"),
                                                           ("approve", "active", "Authorization complete")])
def test_xpander_consent_decides_itself_when_opened(api: ApiClient, decision: str, status: str, title: str) -> None:
    # Given a consent decision armed for xpander, and a pending OAuth connection
    made = arm(api, kind="consent", vendor="xpander", decision=decision)
    flow = xpander_flow(api)
    # When the user's browser opens the consent link
    page = api.get(local(flow["connector_page_url"]))
    # Then the flow ends decided, without a click, and the journal names the scenario
    assert page.status_code == 200 and title in page.text and '"type":"connmock:result"' in page.text
    assert xpander_status(api, flow["id"]) == status and armed(api) == []
    [entry] = [e for e in api.get("/__connmock/requests").json()["requests"] if e["scenario"]]
    assert entry["scenario"] == f"{made['id']} consent {decision}" and entry["path"].startswith("/__connmock/pages")
    # And the next flow asks the user again
    assert "Approve</button>" in api.get(local(xpander_flow(api)["connector_page_url"])).text


def test_vercel_consent_deny_returns_with_access_denied(api: ApiClient) -> None:
    body = {"type": "slack", "uid": "slack/my-bot", "name": "my-bot", "data": {
        "appId": "A0123456789", "appName": "My Bot", "clientId": "1.2", "clientSecret": "slack-secret-1"}}
    connector = api.post("/vercel/v1/connect/connectors", headers=VERCEL, json=body).json()
    flow = api.post(f"/vercel/v1/connect/authorize/{connector['id']}", headers=VERCEL,
                    json={"subject": {"type": "user", "id": "u1"}, "returnUrl": "https://a.example/cb"}).json()
    arm(api, kind="consent", vendor="vercel", decision="deny")
    page = api.get(local(flow["url"]))
    assert page.status_code == 303 and page.headers["location"].endswith("&error=access_denied")
    # The link's capability (its request id) is not in the journal: every value of a page's query is redacted
    [entry] = [e for e in api.get("/__connmock/requests").json()["requests"] if e["scenario"]]
    assert entry["query"] == "request=[redacted]" and flow["request"] not in str(entry)


def nango_session(api: ApiClient, **body: Any) -> dict[str, Any]:
    made = api.post("/nango/connect/sessions", headers=NANGO, json={"tags": {"source": "test"}, **body})
    return made.json()["data"]  # type: ignore[no-any-return]


def test_nango_connect_ui_approves_with_the_first_integration(api: ApiClient) -> None:
    arm(api, kind="consent", vendor="nango", decision="approve")
    session = nango_session(api, allowed_integrations=["stripe"])  # an API_KEY integration: the key is filled in
    page = api.get(local(session["connect_link"]))
    assert page.status_code == 200 and "is connected" in page.text and session["token"] not in page.text
    connections = api.get("/nango/connections", headers=NANGO).json()["connections"]
    assert [c["provider_config_key"] for c in connections] == ["stripe"]
    # The token is in the journal's query only redacted
    [entry] = [e for e in api.get("/__connmock/requests").json()["requests"] if e["scenario"]]
    assert entry["query"] == "session_token=[redacted]"


def test_nango_connect_ui_deny_cancels_and_oauth_popup_deny_reports_access_denied(api: ApiClient) -> None:
    arm(api, kind="consent", vendor="nango", decision="deny", times=2)
    session = nango_session(api)
    assert "Nothing was connected" in api.get(local(session["connect_link"])).text
    popup = (f"/__connmock/pages/nango/oauth?connect_session_token={nango_session(api)['token']}"
             "&ws_client_id=ws_1&integration=github")
    assert "Access denied" in api.get(popup).text
    assert api.get("/nango/connections", headers=NANGO).json()["connections"] == [] and armed(api) == []


def test_openint_consent_approves_and_cannot_deny(api: ApiClient) -> None:
    assert "no way to decline" in arm(api, 400, kind="consent", vendor="openint", decision="deny")["error"]
    arm(api, kind="consent", vendor="openint", decision="approve")
    token = api.post("/openint/customer/cus_1/token", headers=OPENINT, json={"connect_options": {
        "connector_names": ["acme-apikey"], "return_url": "https://app.example/done"}}).json()
    done = api.get(local(token["magic_link_url"]))
    query = parse_qs(urlsplit(done.headers["location"]).query)
    assert done.status_code == 303 and query["customer_id"] == ["cus_1"]
    read = api.get(f"/openint/connection/{query['connection_id'][0]}", headers=OPENINT)
    assert read.status_code == 200 and read.json()["connector_name"] == "acme-apikey"


def test_a_link_that_cannot_be_decided_leaves_the_scenario_armed(api: ApiClient) -> None:
    arm(api, kind="consent", vendor="xpander", decision="approve")
    assert api.get(f"/__connmock/pages/xpander/connect/{DRIVE.id}/nope").status_code == 404
    assert len(armed(api)) == 1
    arm(api, kind="consent", vendor="nango", decision="approve")
    dead = "/__connmock/pages/nango/oauth?connect_session_token=nango_connect_session_" + "0" * 64
    assert api.get(dead + "&ws_client_id=ws_1&integration=github").status_code == 401
    assert [s["vendor"] for s in armed(api)] == ["xpander", "nango"]
    refused = arm(api, 400, kind="consent", vendor="xpander", decision="approve", tenant="acme")
    assert refused["field"] == "tenant"
    assert arm(api, 400, kind="consent", vendor="xpander", decision="maybe")["field"] == "decision"


def test_nango_oauth_popup_approves_and_creates_the_connection(api: ApiClient) -> None:
    arm(api, kind="consent", vendor="nango", decision="approve")
    popup = (f"/__connmock/pages/nango/oauth?connect_session_token={nango_session(api)['token']}"
             "&ws_client_id=ws_1&integration=github")
    assert "github" in api.get(popup).text.lower()
    connections = api.get("/nango/connections", headers=NANGO).json()["connections"]
    assert [c["provider_config_key"] for c in connections] == ["github"]
