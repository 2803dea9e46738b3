"""Nango through the whole app in-process: auth, validation, upsert/get/list/update/delete, connect sessions,
rate-limit headers, tenant isolation and secrets.

Expected bodies of the recorded cases are the exchanges of Nango's real server
(`fixtures/recordings/nango/connections.json`, NangoHQ/nango @ 2f4c0af671), with the seeded integration
`github` and the seeded secret keys in place of the recorded ones.

Over 400 lines on purpose: one module per vendor API, in the order of the recorded session; input readings and
metadata already live apart (`test_nango_inputs.py`, `test_nango_metadata.py`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fixtures import SeedData, Tenant, load_seed
from fixtures.factories import create_requests
from mock_server import Settings, create_app
from tests.support.api import ApiClient, SharedMock, shared_mock
from tests.support.clock import FakeClock
from tests.support.recordings import recorded_answer
from tests.support.spec import conforms_to

SEED: SeedData = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
START = datetime(2026, 11, 22, 22, 13, 32, 862000, tzinfo=UTC)
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TOKEN = re.compile(r"^nango_connect_session_[a-f0-9]{64}$")
SDK_QUERY = "force_refresh=false&refresh_token=false&refresh_github_app_jwt_token=false"
AUTH_FAILED = "Authentication failed. "


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(vendors=("nango",)), START) as mock:
        yield mock


@pytest.fixture
def clock(shared: SharedMock) -> FakeClock:
    return shared.clock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    shared.clock.current += timedelta(minutes=5)  # a new rate-limit window for every test
    return shared.reset(rewind=False)


def auth(tenant: Tenant = ACME) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.nango_secret_key}"}


def oauth2_body(connection_id: str | None = "conn-import-1", access: str = "gho_importedAccessToken123",
                refresh: str | None = "ghr_importedRefreshToken456", **extra: Any) -> dict[str, Any]:
    credentials: dict[str, Any] = {"type": "OAUTH2", "access_token": access}
    if refresh:
        credentials |= {"refresh_token": refresh, "expires_at": "2030-01-01T00:00:00.000Z"}
    body: dict[str, Any] = {"provider_config_key": "github", "credentials": credentials, **extra}
    if connection_id:
        body["connection_id"] = connection_id
    return body


def conforms(operation: str, response: httpx.Response) -> Any:
    return conforms_to("nango", operation, response)


def create(api: ApiClient, body: dict[str, Any], tenant: Tenant = ACME) -> dict[str, Any]:
    response = api.post("/nango/connections", headers=auth(tenant), json=body)
    assert response.status_code == 201, response.text
    return conforms("createConnection", response)  # type: ignore[no-any-return]


def get(api: ApiClient, connection_id: str, query: str = "", tenant: Tenant = ACME,
        integration: str = "github") -> httpx.Response:
    suffix = f"&{query}" if query else ""
    path = f"/nango/connections/{connection_id}?provider_config_key={integration}{suffix}"
    return api.get(path, headers=auth(tenant))


def delete(api: ApiClient, connection_id: str, tenant: Tenant = ACME, integration: str = "github") -> httpx.Response:
    return api.delete(f"/nango/connections/{connection_id}?provider_config_key={integration}", headers=auth(tenant))


def issue(code: str, message: str, path: list[Any]) -> dict[str, Any]:
    return {"code": code, "message": message, "path": path}


def invalid(code: str, *issues: dict[str, Any]) -> dict[str, Any]:
    return {"error": {"code": code, "errors": list(issues)}}


def error(code: str, message: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, **({"message": message} if message else {})}}


def recorded(label: str) -> tuple[int, Any]:
    """The status and body Nango answered to the recorded exchange `label` (fixtures/recordings/nango)."""
    return recorded_answer("nango", "connections", label)


# --- the recorded session ---------------------------------------------------------------------------------------

def test_recorded_session(api: ApiClient, clock: FakeClock) -> None:
    # Given a connection imported with OAuth 2 tokens
    first = create(api, oauth2_body(metadata={"team": "alpha"}, tags={"origin": "import"}))
    credentials = {"type": "OAUTH2", "access_token": "gho_importedAccessToken123",
                   "refresh_token": "ghr_importedRefreshToken456", "expires_at": "2030-01-01T00:00:00.000Z"}
    stamp = first["created_at"]
    assert first == {"id": 1, "connection_id": "conn-import-1", "provider_config_key": "github", "provider": "github",
                     "errors": [], "end_user": None, "tags": {"origin": "import"}, "metadata": {"team": "alpha"},
                     "connection_config": {}, "webhook_url_override": None, "created_at": stamp,
                     "updated_at": stamp, "last_fetched_at": stamp, "credentials": {**credentials, "raw": credentials}}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    # When it is imported again with a new access token and metadata (an upsert), and another without an id
    clock.advance(1)
    second = create(api, oauth2_body(access="gho_rotatedAccessToken789", metadata={"team": "beta"}))
    generated = create(api, oauth2_body(connection_id=None, access="gho_noIdToken", refresh=None))
    # Then the upsert keeps id and timestamps, replaces credentials and metadata; the new one gets id 2 and a UUID
    assert (second["id"], second["created_at"], second["updated_at"]) == (1, stamp, stamp)
    assert (second["metadata"], second["tags"]) == ({"team": "beta"}, {"origin": "import"})
    assert second["credentials"]["raw"]["access_token"] == "gho_rotatedAccessToken789"
    assert generated["id"] == 2 and UUID4.match(generated["connection_id"])
    assert generated["credentials"] == {"type": "OAUTH2", "access_token": "gho_noIdToken",
                                        "raw": {"type": "OAUTH2", "access_token": "gho_noIdToken"}}
    # When it is read back: `+00:00` timestamps, no refresh token unless asked, last_fetched_at moves on
    read = conforms("getConnection", get(api, "conn-import-1"))
    assert read["created_at"] == stamp.replace("Z", "+00:00") and read["last_fetched_at"] > read["created_at"]
    rotated = {**credentials, "access_token": "gho_rotatedAccessToken789"}
    rotated.pop("refresh_token")
    assert read["credentials"] == {**rotated, "raw": rotated}
    with_refresh = conforms("getConnection", get(api, "conn-import-1", "refresh_token=true"))
    assert with_refresh["credentials"]["refresh_token"] == with_refresh["credentials"]["raw"]["refresh_token"]
    # The flags are read as the server's z.stringbool() reads them: `YES` asks, `off` does not, `maybe` is a 400
    assert "refresh_token" in get(api, "conn-import-1", "refresh_token=YES").json()["credentials"]
    assert "refresh_token" not in get(api, "conn-import-1", "refresh_token=off").json()["credentials"]
    assert get(api, "conn-import-1", "refresh_token=maybe").status_code == 400
    # When listed: newest first, `created`, no credentials
    listed = conforms("listConnections", api.get("/nango/connections", headers=auth()))["connections"]
    assert [c["id"] for c in listed] == [2, 1]
    assert listed[1] == {"id": 1, "connection_id": "conn-import-1", "provider_config_key": "github",
                         "provider": "github", "errors": [], "end_user": None, "tags": {"origin": "import"},
                         "metadata": {"team": "beta"}, "created": stamp.replace("Z", "+00:00")}
    # When deleted: 200, then GET is a 404 and a second DELETE a 400 without a message
    assert delete(api, "conn-import-1").status_code == 200
    again = delete(api, "conn-import-1")
    assert (again.status_code, again.json()) == recorded("12b DELETE again after delete")
    missing = get(api, "conn-import-1")
    assert (missing.status_code, missing.json()) == recorded("12 GET /connections/{id} after delete")
    assert [c["id"] for c in api.get("/nango/connections", headers=auth()).json()["connections"]] == [2]


def test_delete_answers_success(api: ApiClient) -> None:
    create(api, oauth2_body())
    response = delete(api, "conn-import-1")
    assert (response.status_code, conforms("deleteConnection", response)) == (200, {"success": True})


# --- validation and business errors -----------------------------------------------------------------------------

UNDEFINED = "Invalid input: expected string, received undefined"



# Where the recording has the error, the expected answer is the recorded one; the rest are built (no recording).
CREATE_ERRORS = [
    pytest.param({"provider_config_key": None}, *recorded("3 POST /connections missing provider_config_key"),
                 id="missing-provider_config_key"),
    pytest.param({"credentials": {"type": "OAUTH2", "refresh_token": "r"}},
                 *recorded("4 POST /connections missing credentials.access_token"), id="missing-access_token"),
    pytest.param({"unknown_field": "x"}, *recorded("5 POST /connections unknown extra top-level key"),
                 id="unknown-top-level-key"),
    pytest.param({"credentials": {"type": "OAUTH2", "access_token": "a", "unknown_cred_field": "x", "other": 1}},
                 400, invalid("invalid_body", issue("unrecognized_keys", 'Unrecognized keys: "unknown_cred_field", '
                                                                         '"other"', ["credentials"])),
                 id="unknown-credential-keys-in-one-issue"),
    pytest.param({"credentials": {"type": "MAGIC"}}, 400,
                 invalid("invalid_body", issue("invalid_union", "Invalid input", ["credentials", "type"])),
                 id="unknown-credential-type"),
    pytest.param({"metadata": "x", "connection_id": 7}, 400,
                 invalid("invalid_body", issue("invalid_type", "Invalid input: expected string, received number",
                                               ["connection_id"]),
                         issue("invalid_type", "Invalid input: expected record, received string", ["metadata"])),
                 id="every-offending-field"),
    pytest.param({"provider_config_key": "does-not-exist"},
                 *recorded("8x POST /connections unknown provider_config_key"), id="unknown-integration"),
    pytest.param({"credentials": {"type": "API_KEY", "apiKey": "k"}},
                 *recorded("8y POST /connections credentials.type mismatching provider auth_mode"),
                 id="auth-mode-mismatch"),
    pytest.param({"provider_config_key": "netsuite",
                  "credentials": {"type": "TBA", "token_id": "i", "token_secret": "s"}}, 400,
                 error("invalid_body", "Missing accountId in connection_config. This is required to create a "
                                       "TBA connection."), id="tba-without-accountId"),
    pytest.param({"tags": {"9lives": "x", "Env": "a", "env": "b"}}, 400, invalid("invalid_body", *[
        issue("invalid_key", "Invalid key in record", ["tags", "9lives"])]), id="bad-tag-keys"),
    pytest.param({"tags": {"Env": "a", "env": "b", "end_user_email": "nope"}}, 400, invalid("invalid_body", *[
        issue("custom", 'Duplicate tag key after case normalization: "env"', ["tags"]),
        issue("custom", 'Tag "end_user_email" must be a valid email', ["tags"])]), id="tag-record-checks"),
    pytest.param({"webhook_url_override": "https://api.nango.dev/hook"}, 400, invalid("invalid_body", issue(
        "custom", "Webhook URLs cannot point to Nango's domain (nango.dev).", ["webhook_url_override"])),
                 id="webhook-on-nango-domain"),
]


@pytest.mark.parametrize(("change", "status", "expected"), CREATE_ERRORS)
def test_create_errors(api: ApiClient, change: dict[str, Any], status: int, expected: dict[str, Any]) -> None:
    body = {k: v for k, v in {**oauth2_body(), **change}.items() if v is not None}
    response = api.post("/nango/connections", headers=auth(), json=body)
    assert (response.status_code, response.json()) == (status, expected)
    assert response.headers["x-ratelimit-limit"] == "200"
    assert api.get("/nango/connections", headers=auth()).json() == {"connections": []}


def test_any_query_string_on_create_is_refused(api: ApiClient) -> None:
    response = api.post("/nango/connections?foo=bar", headers=auth(), json=oauth2_body())
    assert (response.status_code, response.json()) == recorded("8v POST /connections with query string")


def test_unreadable_bodies(api: ApiClient) -> None:
    truncated = api.post("/nango/connections", headers={**auth(), "Content-Type": "application/json"},
                         content=b'{"provider_config_key": ')
    assert (truncated.status_code, truncated.json()) == recorded("8w POST /connections invalid JSON body")
    assert "x-ratelimit-limit" not in truncated.headers
    garbled = api.post("/nango/connections", headers={**auth(), "Content-Type": "application/json"},
                       content=b'{"credentials": secret_value_123}')
    assert garbled.status_code == 400 and garbled.json()["error"]["code"] == "invalid_json"
    assert "secret_value_123" not in garbled.text
    text = api.post("/nango/connections", headers={**auth(), "Content-Type": "text/plain"}, content=b"{}")
    assert (text.status_code, text.json()) == (
        415, error("invalid_content_type", "Content-Type header must be application/json"))


def test_get_errors(api: ApiClient) -> None:
    create(api, oauth2_body())
    no_key = api.get("/nango/connections/conn-import-1", headers=auth())
    assert (no_key.status_code, no_key.json()) == recorded("10b GET /connections/{id} without provider_config_key")
    unknown = get(api, "conn-import-1", integration="nope")
    assert (unknown.status_code, unknown.json()) == (400, error("unknown_provider_config", "Provider does not exists"))
    assert get(api, "conn-import-1", integration="slack").status_code == 404
    extra = get(api, "conn-import-1", "expand=all")
    assert extra.json() == invalid("invalid_query_params", issue("unrecognized_keys", 'Unrecognized key: "expand"', []))
    assert get(api, "conn-import-1", "refresh_token=maybe").json()["error"]["errors"][0]["path"] == ["refresh_token"]


def test_get_accepts_what_the_node_sdk_sends(api: ApiClient) -> None:
    create(api, oauth2_body())
    response = api.get(f"/nango/connections/conn-import-1?provider_config_key=github&{SDK_QUERY}",
                       headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 200 and "refresh_token" not in response.json()["credentials"]
    gone = api.delete("/nango/connections/conn-import-1?provider_config_key=github",
                      headers={**auth(), "Content-Type": "application/json"})
    assert gone.status_code == 200


# --- auth ---------------------------------------------------------------------------------------------------------

AUTH_CASES = [
    pytest.param({}, "missing_auth_header", "The request is missing the Authorization header.", id="no-header"),
    pytest.param({"Authorization": "Bearer not-a-valid-key"}, "invalid_secret_key_format",
                 "The provided secret key is not a UUID v4.", id="not-a-uuid"),
    pytest.param({"Authorization": "Basic abc"}, "invalid_secret_key_format",
                 "The provided secret key is not a UUID v4.", id="no-bearer-prefix"),
    pytest.param({"Authorization": "Bearer 9d5e1a3c-2f4b-1c6d-8e7f-0a1b2c3d4e5f"}, "invalid_secret_key_format",
                 "The provided secret key is not a UUID v4.", id="uuid-v1"),
    pytest.param({"Authorization": "Bearer 11111111-2222-4333-8444-555555555555"}, "unknown_account",
                 "The provided authorization header does not match any account.", id="unknown-key"),
]


@pytest.mark.parametrize(("headers", "code", "message"), AUTH_CASES)
@pytest.mark.parametrize(("method", "path"), [
    pytest.param("POST", "/nango/connections", id="create"),
    pytest.param("GET", "/nango/connections", id="list"),
    pytest.param("GET", "/nango/connections/conn-import-1?provider_config_key=github", id="get"),
    pytest.param("DELETE", "/nango/connections/conn-import-1?provider_config_key=github", id="delete"),
    pytest.param("POST", "/nango/connect/sessions", id="connect-session"),
])
def test_auth_failures(api: ApiClient, method: str, path: str, headers: dict[str, str], code: str,
                       message: str) -> None:
    response = api.request(method, path, headers=headers, json=oauth2_body() if method == "POST" else None)
    expected = {"error": {"message": AUTH_FAILED + message, "code": code, "payload": {}}}
    assert (response.status_code, response.json()) == (401, expected)
    assert "x-ratelimit-limit" not in response.headers


def test_auth_comes_before_validation(api: ApiClient) -> None:
    response = api.post("/nango/connections?foo=bar", json={"nonsense": True})
    assert (response.status_code, response.json()["error"]["code"]) == (401, "missing_auth_header")


# --- every credential type --------------------------------------------------------------------------------------

@pytest.mark.parametrize("request_", [pytest.param(r, id=str(r.variant)) for r in create_requests("nango", 8)])
def test_every_credential_type_imports_and_reads_back(api: ApiClient, request_: Any) -> None:
    created = create(api, request_.body)
    kind = request_.variant
    sent = request_.body["credentials"]
    if kind in ("OAUTH1", "OAUTH2", "OAUTH2_CC"):
        assert created["credentials"]["raw"] == {k: v for k, v in created["credentials"].items() if k != "raw"}
    elif kind == "NONE":
        assert created["credentials"] == {}
    elif kind == "APP":
        assert created["credentials"]["access_token"].startswith("ghs_") and "raw" in created["credentials"]
    else:
        assert created["credentials"] == sent
    read = conforms("getConnection", get(api, created["connection_id"], "refresh_token=true",
                                         integration=request_.body["provider_config_key"]))
    assert read["credentials"] == created["credentials"]


# --- list, update, end users ----------------------------------------------------------------------------------------

def test_list_filters(api: ApiClient) -> None:
    create(api, oauth2_body("c-alice", end_user={"id": "u-alice", "email": "alice@example.com",
                                                 "display_name": "Alice"}))
    create(api, oauth2_body("c-bob", tags={"env": "prod", "organization_id": "org-7"}))
    create(api, {"provider_config_key": "stripe", "connection_id": "c-bob", "credentials": {"type": "API_KEY",
                                                                                            "apiKey": "k"}})
    cases = {
        "": ["c-bob", "c-bob", "c-alice"],
        "?connectionId=c-bob": ["c-bob", "c-bob"],
        "?integrationId=stripe,%20slack": ["c-bob"],
        "?tags%5BENV%5D=prod": ["c-bob"],
        "?tags[env]=dev": [],
        "?endUserId=u-alice": ["c-alice"],
        "?endUserOrganizationId=org-7": ["c-bob"],
        "?search=ALI": ["c-alice"],
        "?search=bob&integrationId=github": ["c-bob"],
        "?limit=1&page=1": ["c-bob"],
        "?limit=2&page=1": ["c-alice"],
    }
    for query, expected in cases.items():
        listed = conforms("listConnections", api.get(f"/nango/connections{query}", headers=auth()))
        assert [c["connection_id"] for c in listed["connections"]] == expected, query
    refused = api.get("/nango/connections?limit=0&cursor=x", headers=auth())
    assert refused.json() == invalid("invalid_query_params",
                                     issue("unrecognized_keys", 'Unrecognized key: "cursor"', []),
                                     issue("too_small", "Too small: expected number to be >=1", ["limit"]))


def test_end_user_becomes_tags(api: ApiClient) -> None:
    created = create(api, oauth2_body(end_user={"id": "123", "display_name": "John Doe",
                                                "tags": {"projectId": "123"}}, tags={"Origin": "import"}))
    assert created["tags"] == {"end_user_id": "123", "end_user_display_name": "John Doe", "projectid": "123",
                               "origin": "import"}
    assert created["end_user"] == {"id": "123", "email": None, "display_name": "John Doe", "organization": None,
                                   "tags": {"projectId": "123"}}


def test_update_connection(api: ApiClient) -> None:
    create(api, oauth2_body(tags={"origin": "import"}))
    path = "/nango/connections/conn-import-1?provider_config_key=github"
    response = api.patch(path, headers=auth(), json={"tags": {"Env": "prod"},
                                                     "webhook_url_override": "https://hooks.example/x"})
    assert (response.status_code, conforms("updateConnection", response)) == (200, {"success": True})
    read = get(api, "conn-import-1").json()
    assert (read["tags"], read["webhook_url_override"]) == ({"env": "prod"}, "https://hooks.example/x")
    api.patch(path, headers=auth(), json={"webhook_url_override": ""})
    assert get(api, "conn-import-1").json()["webhook_url_override"] is None
    unknown = api.patch("/nango/connections/nope?provider_config_key=github", headers=auth(), json={})
    assert (unknown.status_code, unknown.json()) == (404, error("not_found", "Failed to find connection"))
    bad_key = api.patch("/nango/connections/conn-import-1?provider_config_key=nope", headers=auth(), json={})
    assert (bad_key.status_code, bad_key.json()["error"]["code"]) == (400, "unknown_provider_config")
    strict = api.patch(path, headers=auth(), json={"metadata": {}})
    assert strict.json() == invalid("invalid_body", issue("unrecognized_keys", 'Unrecognized key: "metadata"', []))


# --- tenants ------------------------------------------------------------------------------------------------------

def test_other_tenant_never_sees_acme(api: ApiClient) -> None:
    # Given a connection of acme
    create(api, oauth2_body())
    # When globex reads, lists, changes and deletes it by the same ids
    assert get(api, "conn-import-1", tenant=GLOBEX).status_code == 404
    assert api.get("/nango/connections", headers=auth(GLOBEX)).json() == {"connections": []}
    patch = api.patch("/nango/connections/conn-import-1?provider_config_key=github", headers=auth(GLOBEX), json={})
    assert patch.status_code == 404
    assert delete(api, "conn-import-1", tenant=GLOBEX).json() == {"error": {"code": "unknown_connection"}}
    reconnect = api.post("/nango/connect/sessions/reconnect", headers=auth(GLOBEX),
                         json={"connection_id": "conn-import-1", "integration_id": "github"})
    assert reconnect.status_code == 400  # as for an unknown connection: nothing of Acme shows
    # Then acme's connection is untouched, and globex's own import of the same id is its own (id 1)
    assert get(api, "conn-import-1").json()["credentials"]["access_token"] == "gho_importedAccessToken123"
    theirs = create(api, oauth2_body(access="globex_token"), tenant=GLOBEX)
    assert theirs["id"] == 1
    assert get(api, "conn-import-1").json()["credentials"]["access_token"] == "gho_importedAccessToken123"


def test_tenants_endpoint_describes_nango(api: ApiClient) -> None:
    tenants = api.get("/__connmock/tenants").json()["tenants"]
    acme = next(t for t in tenants if t["id"] == "acme")["vendors"]["nango"]
    assert acme["auth"] == f"Authorization: Bearer {ACME.nango_secret_key}"
    assert acme["secret_key"] == ACME.nango_secret_key and acme["base_url"].endswith("/nango")
    assert acme["integrations"] == [{"unique_key": i.unique_key, "provider": i.provider, "auth_mode": i.auth_mode}
                                    for i in SEED.nango_integrations]


# --- rate-limit headers ---------------------------------------------------------------------------------------------

def test_rate_limit_headers_count_down_per_tenant(api: ApiClient, clock: FakeClock) -> None:
    # Given a tenant's first request opens a 60-second window
    opened = int(clock.current.timestamp()) + 60
    readings = [api.get("/nango/connections", headers=auth()).headers for _ in range(3)]
    # Then every answer counts down in that window; another tenant has its own
    assert [(h["x-ratelimit-limit"], h["x-ratelimit-remaining"], h["x-ratelimit-reset"]) for h in readings] == [
        ("200", "199", str(opened)), ("200", "198", str(opened)), ("200", "197", str(opened))]
    assert api.get("/nango/connections", headers=auth(GLOBEX)).headers["x-ratelimit-remaining"] == "199"
    # And errors after authentication count too, while the next window starts afresh
    assert get(api, "missing").headers["x-ratelimit-remaining"] == "196"
    clock.advance(61)
    assert api.get("/nango/connections", headers=auth()).headers["x-ratelimit-remaining"] == "199"


# --- connect sessions ---------------------------------------------------------------------------------------------

def test_connect_session(api: ApiClient, clock: FakeClock) -> None:
    now = clock.current
    response = api.post("/nango/connect/sessions", headers=auth(), json={
        "end_user": {"id": "u-42", "email": "alice@example.com"}, "organization": {"id": "org-7"},
        "tags": {"Env": "prod"}, "allowed_integrations": ["github"]})
    assert response.status_code == 201
    data = conforms("createConnectSession", response)["data"]
    assert TOKEN.match(data["token"])
    assert data["connect_link"] == f"http://testserver/__connmock/pages/nango/connect?session_token={data['token']}"
    expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=30) <= expires - now < timedelta(minutes=30, seconds=1)
    assert ACME.nango_secret_key not in response.text


def test_connect_session_is_kept_for_the_browser_flow() -> None:
    from mock_server.vendors.nango import NangoAdapter
    from mock_server.vendors.nango.sessions import ConnectSessions
    from mock_server.world import build_world

    world = build_world(Settings(vendors=("nango",)))
    sessions: ConnectSessions = NangoAdapter(world).sessions
    client = ApiClient(create_app(Settings(vendors=("nango",)), store=world.store))
    try:
        token = client.post("/nango/connect/sessions", headers=auth(GLOBEX), json={
            "tags": {"end_user_id": "u-1"}, "allowed_integrations": ["slack"]}).json()["data"]["token"]
        found = client.loop.run_until_complete(sessions.find(token, datetime.now(UTC)))
        assert found is not None
        tenant, session = found
        assert (tenant.id, session["tags"], session["allowed_integrations"]) == ("globex", {"end_user_id": "u-1"},
                                                                                 ["slack"])
        later = datetime.now(UTC) + timedelta(minutes=31)
        assert client.loop.run_until_complete(sessions.find(token, later)) is None
    finally:
        client.close()


def test_connect_session_errors(api: ApiClient) -> None:
    unknown = api.post("/nango/connect/sessions", headers=auth(), json={
        "tags": {"end_user_id": "u"}, "allowed_integrations": ["nope", "github"],
        "integrations_config_defaults": {"missing": {"user_scopes": "x"}}})
    assert (unknown.status_code, unknown.json()) == (400, invalid(
        "invalid_body", issue("custom", "Integration does not exist", ["allowed_integrations", "0"]),
        issue("custom", "Integration does not exist", ["integrations_config_defaults", "missing"])))
    strict = api.post("/nango/connect/sessions", headers=auth(), json={"tags": {"a": "b"}, "extra": 1})
    assert strict.json() == invalid("invalid_body", issue("unrecognized_keys", 'Unrecognized key: "extra"', []))
    queried = api.post("/nango/connect/sessions?x=1", headers=auth(), json={"tags": {"a": "b"}})
    assert queried.json()["error"]["code"] == "invalid_query_params"


def test_reconnect_session(api: ApiClient) -> None:
    create(api, oauth2_body(end_user={"id": "u-42"}))
    response = api.post("/nango/connect/sessions/reconnect", headers=auth(),
                        json={"connection_id": "conn-import-1", "integration_id": "github"})
    assert response.status_code == 201
    assert TOKEN.match(conforms("createReconnectSession", response)["data"]["token"])
    for body in ({"connection_id": "nope", "integration_id": "github"},
                 {"connection_id": "conn-import-1", "integration_id": "slack"},
                 {"connection_id": "conn-import-1", "integration_id": "no-such-integration"}):
        missing = api.post("/nango/connect/sessions/reconnect", headers=auth(), json=body)
        assert (missing.status_code, missing.json()) == (
            400, error("invalid_body", "ConnectionID or IntegrationId does not exists")), body


# --- capacity ------------------------------------------------------------------------------------------------------

def test_full_store_is_nangos_resource_cap() -> None:
    client = ApiClient(create_app(Settings(vendors=("nango",), store_capacity=1)))
    try:
        assert client.post("/nango/connections", headers=auth(), json=oauth2_body()).status_code == 201
        assert client.post("/nango/connections", headers=auth(), json=oauth2_body()).status_code == 201  # upsert
        response = client.post("/nango/connections", headers=auth(), json=oauth2_body("conn-2"))
        assert (response.status_code, response.json()["error"]["code"]) == (400, "resource_capped")
        assert response.json()["error"]["message"].startswith("Reached maximum number of allowed connections.")
    finally:
        client.close()


# --- secrets -------------------------------------------------------------------------------------------------------

def canary() -> str:
    return f"canary_{uuid.uuid4().hex}"


def test_secrets_come_back_only_where_nango_returns_them(api: ApiClient) -> None:
    # Given unique secrets in OAuth 2 (with refresh token and client override), OAuth 1, API key and basic auth
    access, refresh, client_secret, oauth1, api_key, password = (canary() for _ in range(6))
    bodies = [
        {**oauth2_body("c-oauth2", access=access, refresh=refresh)},
        {"provider_config_key": "twitter", "connection_id": "c-oauth1",
         "credentials": {"type": "OAUTH1", "oauth_token": "t", "oauth_token_secret": oauth1}},
        {"provider_config_key": "stripe", "connection_id": "c-key", "credentials": {"type": "API_KEY",
                                                                                      "apiKey": api_key}},
        {"provider_config_key": "jira-basic", "connection_id": "c-basic",
         "credentials": {"type": "BASIC", "username": "u", "password": password}},
    ]
    bodies[0]["credentials"]["config_override"] = {"client_id": "cid", "client_secret": client_secret}
    secrets = (access, refresh, client_secret, oauth1, api_key, password)
    allowed = [api.post("/nango/connections", headers=auth(), json=body) for body in bodies]
    # When the same secrets are sent with mistakes, to the wrong integration, by another tenant, read and listed
    forbidden = [
        api.post("/nango/connections", headers=auth(), json={**bodies[0], "metadata": 1, "x": 2}),
        api.post("/nango/connections", headers=auth(), json={**bodies[0], "credentials": {
            "type": "OAUTH2", "access_token": access, access: "its own value as a key"}}),
        api.post("/nango/connections", headers=auth(), json={**bodies[2], "provider_config_key": "github"}),
        api.post("/nango/connections", headers=auth(), json={**bodies[3], "provider_config_key": "nope"}),
        api.post("/nango/connections", headers=auth(), json={**bodies[1], "credentials": {
            **bodies[1]["credentials"], "type": "OAUTH9"}}),
        api.post("/nango/connections", headers=auth(), json={**bodies[2], "credentials": {
            "type": "API_KEY", "apiKey": api_key * 40}}),
        api.post("/nango/connections", headers={"Authorization": f"Bearer {uuid.uuid4()}"}, json=bodies[0]),
        get(api, "c-oauth2"),  # without refresh_token=true: no refresh token …
        api.get("/nango/connections", headers=auth()),
        get(api, "c-oauth2", tenant=GLOBEX),
    ]
    for body in bodies:
        allowed.append(get(api, body["connection_id"], "refresh_token=true", integration=body["provider_config_key"]))
    # Then every secret is in the allowed answers and nowhere else: error bodies, other reads, headers, journal
    assert [r.status_code for r in allowed] == [201] * 4 + [200] * 4
    assert [r.status_code for r in forbidden] == [400, 400, 400, 404, 400, 400, 401, 200, 200, 404]
    assert forbidden[1].json()["error"]["errors"][0]["message"] == "Unrecognized key: [redacted]"
    everywhere_allowed = " ".join(r.text for r in allowed)
    assert all(secret in everywhere_allowed for secret in secrets)
    for response in forbidden:
        found = [s for s in secrets if s in response.text or s in str(response.headers)]
        allowed_here = {access, client_secret} if response is forbidden[7] else set()  # … but the access token
        assert set(found) <= allowed_here, f"{response.request.method} {response.request.url} leaked"
    assert all(s not in str(r.headers) for r in allowed for s in secrets)
    journal = api.get("/__connmock/requests").text
    assert "[redacted]" in journal and [s for s in secrets if s in journal] == []
