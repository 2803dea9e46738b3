"""OpenInt through the whole app in-process: auth, validation, create/get/list/delete, tokens, configs, secrets.

Expected bodies of the error cases are the exchanges recorded from OpenInt's real server
(`fixtures/recordings/openint/connections.json`, openintegrations/openint @ 795654e), with the seeded
connector-config ids and keys substituted for the recorded ones.

Over 400 lines on purpose: one module per vendor API, in the order of the recorded session, so each recorded
exchange has its case next to its neighbours; the input coercions already live apart (`test_openint_inputs.py`).
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fixtures import SeedData, Tenant, load_seed
from mock_server import Settings, create_app
from mock_server.errors import ServiceError
from mock_server.vendors.openint import errors as openint_errors
from tests.support.api import ApiClient, SharedMock, shared_mock
from tests.support.clock import FakeClock
from tests.support.recordings import recorded_answer
from tests.support.spec import conforms_to

SEED: SeedData = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
START = datetime(2026, 11, 22, 22, 26, 56, 954000, tzinfo=UTC)
CONN_ID = re.compile(r"^conn_(?P<name>[a-z0-9-]+)_[0-9A-HJKMNP-TV-Z]{26}$")
PG_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$")
IMPORTED = "Connection was imported without checking its status"
ROW_KEYS = ["id", "customer_id", "connector_config_id", "integration_id", "status_message", "created_at",
            "updated_at", "display_name", "disabled", "status", "metadata", "connector_name"]
SUPPORTED = ["acme-oauth2", "github", "slack", "okta", "salesforce", "acme-apikey", "stripe", "greenhouse",
             "airtable", "sharepoint-onprem"]


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(vendors=("openint",)), START) as mock:
        yield mock


@pytest.fixture
def clock(shared: SharedMock) -> FakeClock:
    return shared.clock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


def auth(tenant: Tenant = ACME) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.openint_api_key}"}


def ccfg(name: str, tenant: Tenant = ACME) -> str:
    return next(c.id for c in SEED.connector_configs(tenant.id) if c.connector_name == name)


def apikey_body(secret: str = "acme_test_api_key_123", customer: str = "cus_local_1", **extra: Any) -> dict[str, Any]:
    return {"connector_config_id": ccfg("acme-apikey"), "customer_id": customer,
            "data": {"connector_name": "acme-apikey", "settings": {"api_key": secret}}, **extra}


def oauth_body(access: str = "at_test_1", refresh: str = "rt_test_1") -> dict[str, Any]:
    return {"connector_config_id": ccfg("acme-oauth2"), "customer_id": "cus_local_2", "metadata": {"source": "import"},
            "data": {"connector_name": "acme-oauth2", "settings": {"oauth": {"credentials": {
                "access_token": access, "refresh_token": refresh, "expires_in": 3600, "token_type": "bearer"}}}}}


def conforms(operation: str, response: httpx.Response) -> Any:
    return conforms_to("openint", operation, response)


def create(api: ApiClient, body: dict[str, Any], tenant: Tenant = ACME) -> dict[str, Any]:
    response = api.post("/openint/connection", headers=auth(tenant), json=body)
    assert response.status_code == 200, response.text
    return conforms("createConnection", response)  # type: ignore[no-any-return]


def trpc(status: int, code: str, message: str, path: str | None, issues: list[Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"code": code, "httpStatus": status}
    if path:
        data["path"] = path
    body: dict[str, Any] = {"message": message, "code": code, "data": data}
    if issues is not None:
        body["issues"] = issues
    return body


def required(path: list[Any], expected: str) -> dict[str, Any]:
    return {"code": "invalid_type", "expected": expected, "received": "undefined", "path": path, "message": "Required"}


def starts_with(path: list[Any], prefix: str) -> dict[str, Any]:
    return {"code": "invalid_string", "validation": {"startsWith": prefix},
            "message": f'Invalid input: must start with "{prefix}"', "path": path}


# --- the recorded error exchanges ------------------------------------------------------------------------------

UNKNOWN_CCFG = "ccfg_acme-apikey_01JZZZZZZZZZZZZZZZZZZZZZZZ"
BAD_REQUEST = "Input validation failed"


def recorded(label: str) -> tuple[int, Any]:
    """The status and body OpenInt answered to the recorded exchange `label` (fixtures/recordings/openint)."""
    return recorded_answer("openint", "connections", label)


CREATE = "POST /connection"


RECORDED_CREATE_ERRORS = [
    pytest.param({"customer_id": None}, *recorded(f"{CREATE} missing customer_id"), id="missing-customer_id"),
    pytest.param({"data": None}, *recorded(f"{CREATE} missing data"), id="missing-data"),
    pytest.param({"connector_config_id": "cfg_acme-apikey_01M82NX7QQ86D3CGH6DXNVH4NY"},
                 *recorded(f"{CREATE} connector_config_id without ccfg_ prefix"), id="ccfg-id-without-prefix"),
    pytest.param({"connector_config_id": UNKNOWN_CCFG}, *recorded(f"{CREATE} unknown ccfg_ id"), id="unknown-ccfg-id"),
    pytest.param({"connector_config_id": ccfg("acme-oauth2")},
                 *recorded(f"{CREATE} connector_name mismatch (config is acme-oauth2, data says acme-apikey)"),
                 id="connector-name-mismatch"),
    pytest.param({"data": {"connector_name": "acme-apikey", "settings": {}}},
                 *recorded(f"{CREATE} settings missing required api_key"), id="settings-missing-api_key"),
    # Built, not recorded: the recorded server lists its ~300 connectors here, the mock the ones it serves.
    pytest.param({"data": {"connector_name": "not-a-connector", "settings": {}}}, 400,
                 trpc(400, "BAD_REQUEST", BAD_REQUEST, "createConnection", [
                     {"code": "invalid_union_discriminator", "options": SUPPORTED, "path": ["data", "connector_name"],
                      "message": "Invalid discriminator value. Expected " + " | ".join(f"'{n}'" for n in SUPPORTED)}]),
                 id="unknown-connector_name"),
]


@pytest.mark.parametrize(("change", "status", "expected"), RECORDED_CREATE_ERRORS)
def test_create_errors_are_the_recorded_ones(api: ApiClient, change: dict[str, Any], status: int,
                                             expected: dict[str, Any]) -> None:
    body = {k: v for k, v in {**apikey_body(), **change}.items() if v is not None}
    response = api.post("/openint/connection", headers=auth(), json=body)
    assert (response.status_code, response.json()) == (status, expected)
    assert "x-should-retry" not in response.headers


def test_empty_body_names_every_missing_field(api: ApiClient) -> None:
    response = api.post("/openint/connection", headers=auth(), json={})
    assert response.status_code == 400
    assert response.json() == trpc(400, "BAD_REQUEST", BAD_REQUEST, "createConnection", [
        required(["connector_config_id"], "string"), required(["customer_id"], "string"), required(["data"], "object")])


def test_malformed_json_is_a_parse_error(api: ApiClient) -> None:
    response = api.post("/openint/connection", headers={**auth(), "Content-Type": "application/json"},
                        content=b'{"connector_config_id":')
    assert response.status_code == 400
    assert response.json() == trpc(400, "PARSE_ERROR", "Failed to parse request body", "createConnection")


AUTH_CASES = [
    pytest.param("post", {}, *recorded(f"{CREATE} without Authorization"), id="create-without-authorization"),
    pytest.param("post", {"Authorization": "Bearer key_thisisnotarealkey"}, *recorded(f"{CREATE} with bad API key"),
                 id="create-unknown-api-key"),
    pytest.param("post", {"Authorization": "Basic Zm9vOmJhcg=="}, *recorded(f"{CREATE} with non-Bearer Authorization"),
                 id="create-basic-scheme"),
    pytest.param("post", {"Authorization": "Bearer aaa.bbb.ccc"}, *recorded(f"{CREATE} with bad JWT-looking token"),
                 id="create-bad-jwt"),
    # Built, not recorded:
    pytest.param("post", {"Authorization": f"bearer {ACME.openint_api_key}"}, 401,
                 trpc(401, "UNAUTHORIZED", "Invalid Authorization header, expecting Bearer with token",
                      "createConnection"), id="create-lowercase-scheme"),
    pytest.param("post", {"Authorization": "Bearer a.b"}, 401,
                 trpc(401, "UNAUTHORIZED", "TRPCError: JWSInvalid: Invalid Compact JWS", "createConnection"),
                 id="create-two-part-token"),
    pytest.param("get", {}, 403, trpc(403, "FORBIDDEN", "Authentication required", "listConnections"),
                 id="list-without-authorization"),
    pytest.param("get", {"Authorization": "Bearer nope"}, 401,
                 trpc(401, "UNAUTHORIZED", "Invalid API key", "listConnections"), id="list-unknown-api-key"),
]


@pytest.mark.parametrize(("method", "headers", "status", "expected"), AUTH_CASES)
def test_auth_failures(api: ApiClient, method: str, headers: dict[str, str], status: int,
                       expected: dict[str, Any]) -> None:
    operation = "createConnection" if method == "post" else "listConnections"
    response = api.request(method.upper(), "/openint/connection", headers=headers,
                           json=apikey_body() if method == "post" else None)
    assert (response.status_code, response.json()) == (status, expected)
    assert conforms(operation, response)


def test_get_without_authorization_and_bad_id_are_recorded_ones(api: ApiClient) -> None:
    response = api.get("/openint/connection/conn_acme-apikey_01M82NX7S2AX8NGD2MBFBY2DK6")
    assert (response.status_code, response.json()) == recorded("GET /connection/{id} without Authorization")
    response = api.get("/openint/connection/abc123", headers=auth())
    assert (response.status_code, response.json()) == recorded("GET /connection/{id} with id lacking conn_ prefix")


# --- the recorded session: create, read, list, delete ----------------------------------------------------------

def test_recorded_session(api: ApiClient) -> None:
    # Given an API-key import and an OAuth2 import (expires_in only, metadata)
    apikey = create(api, apikey_body())
    assert list(apikey) == [*ROW_KEYS, "settings"]
    assert CONN_ID.match(apikey["id"]) and CONN_ID.match(apikey["id"])["name"] == "acme-apikey"  # type: ignore[index]
    assert PG_TIME.match(apikey["created_at"]) and apikey["created_at"] == apikey["updated_at"]
    assert {k: apikey[k] for k in ROW_KEYS[1:5] + ROW_KEYS[7:]} == {
        "customer_id": "cus_local_1", "connector_config_id": ccfg("acme-apikey"), "integration_id": None,
        "status_message": IMPORTED, "display_name": None, "disabled": False, "status": "unknown", "metadata": None,
        "connector_name": "acme-apikey"}
    assert apikey["settings"] == {"api_key": "acme_test_api_key_123"}
    oauth = create(api, oauth_body())
    assert oauth["metadata"] == {"source": "import"}
    credentials = oauth["settings"]["oauth"]["credentials"]
    assert list(credentials) == ["access_token", "refresh_token", "expires_in", "expires_at", "token_type"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", credentials["expires_at"])
    assert oauth["settings"]["access_token"] == "at_test_1"
    # And an import with an empty customer id, which OpenInt accepts
    empty = create(api, apikey_body(customer=""))
    assert empty["customer_id"] == ""

    # When listing, then the newest comes first and no settings are shown
    listed = conforms("listConnections", api.get("/openint/connection", headers=auth()))
    assert [i["id"] for i in listed["items"]] == [empty["id"], oauth["id"], apikey["id"]]
    assert (listed["total"], listed["limit"], listed["offset"], listed["has_next_page"]) == (3, 50, 0, False)
    assert all(list(item) == ROW_KEYS for item in listed["items"])
    with_secrets = conforms("listConnections", api.get("/openint/connection?include_secrets=true", headers=auth()))
    assert [i["settings"] for i in with_secrets["items"]] == [empty["settings"], oauth["settings"], apikey["settings"]]
    filtered = conforms("listConnections", api.get(
        "/openint/connection?customer_id=cus_local_1&connector_names=acme-apikey", headers=auth()))
    assert [i["id"] for i in filtered["items"]] == [apikey["id"]]

    # When reading one, then settings only with include_secrets, the connector only with expand
    path = f"/openint/connection/{apikey['id']}"
    got = conforms("getConnection", api.get(path, headers=auth()))
    assert got == {k: apikey[k] for k in ROW_KEYS}
    assert conforms("getConnection", api.get(path + "?include_secrets=true", headers=auth())) == apikey
    expanded = conforms("getConnection", api.get(path + "?expand=connector", headers=auth()))
    assert expanded["connector"]["name"] == "acme-apikey" and expanded["connector"]["auth_type"] == "API_KEY"
    assert expanded["connector"]["display_name"] == "Acme API Key" and "settings" not in expanded

    # When another organization reads or deletes it, then it does not exist for them
    for method in ("GET", "DELETE"):
        response = api.request(method, path, headers={**auth(GLOBEX), "Content-Type": "application/json"})
        assert (response.status_code, response.json()) == recorded(f"{method} /connection/{{id}} from another org")

    # When deleting it (the SDK sends a Content-Type), then it is gone: get and a second delete are 404
    deleted = api.delete(path, headers={**auth(), "Content-Type": "application/json"})
    assert (deleted.status_code, conforms("deleteConnection", deleted)) == (200, {"id": apikey["id"]})
    gone = api.get(path, headers=auth())
    assert (gone.status_code, gone.json()) == recorded("GET /connection/{id} after delete")
    again = api.delete(path, headers={**auth(), "Content-Type": "application/json"})
    assert (again.status_code, again.json()) == recorded("DELETE /connection/{id} again")
    listed = api.get("/openint/connection", headers=auth()).json()
    assert [i["id"] for i in listed["items"]] == [empty["id"], oauth["id"]]

    # And a DELETE without Content-Type (which crashed the real standalone server) simply works
    victim = create(api, apikey_body())
    response = api.delete(f"/openint/connection/{victim['id']}", headers=auth())
    assert (response.status_code, response.json()) == (200, {"id": victim["id"]})


def test_timestamps_and_expiry_follow_the_clock() -> None:
    client = ApiClient(create_app(Settings(vendors=("openint",)), clock=FakeClock(START, tick=timedelta(0))))
    try:
        oauth = create(client, oauth_body())
        assert oauth["created_at"] == "2026-11-22 22:26:56.954+00"  # PostgreSQL trims trailing zeros
        assert oauth["settings"]["oauth"]["credentials"]["expires_at"] == "2026-11-22T23:26:56.954Z"
        configs = client.get("/openint/connector-config", headers=auth()).json()["items"]
        assert {(c["created_at"], c["updated_at"]) for c in configs} == {(oauth["created_at"],) * 2}
    finally:
        client.close()


@pytest.mark.parametrize(("credentials", "expires_at"), [
    pytest.param({"access_token": "a", "expires_in": 0}, None, id="expires_in-zero-sets-nothing"),
    pytest.param({"access_token": "a", "expires_in": 60, "expires_at": "2030-01-01T00:00:00.000Z"},
                 "2030-01-01T00:00:00.000Z", id="given-expires_at-is-kept"),
    pytest.param({"access_token": "a", "expires_in": 1e300}, "9999-12-31T23:59:59.999Z", id="huge-expires_in-clamped"),
])
def test_expires_at_rules(api: ApiClient, credentials: dict[str, Any], expires_at: str | None) -> None:
    body = oauth_body()
    body["data"]["settings"]["oauth"]["credentials"] = credentials
    settings = create(api, body)["settings"]
    assert settings["oauth"]["credentials"].get("expires_at") == expires_at
    assert settings["access_token"] == "a"


def test_check_connection_marks_the_import_healthy(api: ApiClient) -> None:
    created = create(api, apikey_body(check_connection=True))
    assert (created["status"], created["status_message"]) == ("healthy", None)


def test_undeclared_keys_are_stripped_as_zod_does(api: ApiClient) -> None:
    body = apikey_body(extra_field="x")
    body["data"]["settings"]["unexpected"] = "y"
    created = create(api, body)
    assert "extra_field" not in created and created["settings"] == {"api_key": "acme_test_api_key_123"}


def test_create_in_another_org_cannot_use_acme_configs(api: ApiClient) -> None:
    response = api.post("/openint/connection", headers=auth(GLOBEX), json=apikey_body())
    assert (response.status_code, response.json()["message"]) == (
        404, f"Connector config {ccfg('acme-apikey')} not found")


# --- listing: filters, order and pages -------------------------------------------------------------------------

def test_list_filters(api: ApiClient) -> None:
    a = create(api, apikey_body(customer="cus_A"))
    b = create(api, oauth_body())
    c = create(api, {"connector_config_id": ccfg("github"), "customer_id": "Cus_B",
                     "data": {"connector_name": "github", "settings": {"oauth": {}}}})
    create(api, {**apikey_body(customer="cus_A"), "connector_config_id": ccfg("acme-apikey", GLOBEX)}, tenant=GLOBEX)

    def ids(query: str) -> list[str]:
        body = conforms("listConnections", api.get(f"/openint/connection?{query}", headers=auth()))
        return [item["id"] for item in body["items"]]

    assert ids("") == [c["id"], b["id"], a["id"]]
    assert ids("customer_id=cus_A") == [a["id"]]
    assert ids("connector_names=acme-apikey%2Cgithub") == [c["id"], a["id"]]
    assert ids(f"connector_config_id={ccfg('acme-oauth2')}") == [b["id"]]
    assert ids(f"connection_ids={a['id']},x") == [c["id"], b["id"], a["id"]]  # read by no procedure: no filter
    assert ids("search_query=CUS_B") == [c["id"]]
    assert ids("search_query=oauth2") == [b["id"]]
    assert ids("customer_id=cus_A&connector_names=github") == []


@pytest.mark.parametrize(("query", "issue"), [
    pytest.param("connector_config_id=cfg_1", starts_with(["connector_config_id"], "ccfg_"), id="ccfg-prefix"),
    pytest.param("limit=3001", {"code": "too_big", "maximum": 3000, "type": "number", "inclusive": True,
                                "exact": False, "message": "Number must be less than or equal to 3000",
                                "path": ["limit"]}, id="limit-too-big"),
    # Number("abc") is NaN: what the real server answers (measured), not "received string"
    pytest.param("offset=abc", {"code": "invalid_type", "expected": "number", "received": "nan",
                                "path": ["offset"], "message": "Expected number, received nan"}, id="offset-text"),
    pytest.param("refresh_policy=sometimes", {
        "code": "invalid_enum_value", "options": ["none", "force", "auto"], "received": "sometimes",
        "path": ["refresh_policy"], "message": "Invalid enum value. Expected 'none' | 'force' | 'auto', "
                                               "received 'sometimes'"}, id="refresh-policy-enum"),
])
def test_list_query_errors(api: ApiClient, query: str, issue: dict[str, Any]) -> None:
    response = api.get(f"/openint/connection?{query}", headers=auth())
    assert (response.status_code, response.json()) == (
        400, trpc(400, "BAD_REQUEST", BAD_REQUEST, "listConnections", [issue]))


def test_list_reports_every_bad_query_parameter(api: ApiClient) -> None:
    response = api.get("/openint/connection?limit=-1&connector_names=nope&refresh_policy=", headers=auth())
    paths = [issue["path"] for issue in response.json()["issues"]]
    # zCoerceArray's issues come after the others (measured)
    assert response.status_code == 400 and paths == [["limit"], ["refresh_policy"], ["connector_names", 0]]


def test_pages_and_has_next_page(api: ApiClient) -> None:
    made = [create(api, apikey_body(customer=f"cus_{n}"))["id"] for n in range(5)]
    newest_first = made[::-1]

    def page(limit: int, offset: int) -> dict[str, Any]:
        query = f"/openint/connection?limit={limit}&offset={offset}"
        return conforms("listConnections", api.get(query, headers=auth()))  # type: ignore[no-any-return]

    first = page(2, 0)
    assert [i["id"] for i in first["items"]] == newest_first[:2]
    assert (first["total"], first["limit"], first["offset"], first["has_next_page"]) == (5, 2, 0, True)
    last = page(2, 4)
    assert ([i["id"] for i in last["items"]], last["has_next_page"]) == (newest_first[4:], False)
    assert page(5, 0)["has_next_page"] is False
    assert page(0, 0)["items"] == [] and page(0, 0)["has_next_page"] is True
    # The SDK's auto-paging: offset += len(items) while offset < total
    seen, offset = [], 0
    while True:
        body = page(2, offset)
        seen += [i["id"] for i in body["items"]]
        offset += len(body["items"])
        if offset >= body["total"]:
            break
    assert seen == newest_first


def test_equal_timestamps_order_by_id() -> None:
    client = ApiClient(create_app(Settings(vendors=("openint",)), clock=FakeClock(START, tick=timedelta(0))))
    try:
        made = [create(client, apikey_body())["id"] for _ in range(4)]
        listed = client.get("/openint/connection", headers=auth()).json()
        assert [i["id"] for i in listed["items"]] == sorted(made)
    finally:
        client.close()


# --- connector configs, tenants ---------------------------------------------------------------------------------

@pytest.mark.parametrize("tenant", [ACME, GLOBEX], ids=lambda t: t.id)
def test_list_connector_configs(api: ApiClient, tenant: Tenant) -> None:
    body = conforms("listConnectorConfigs", api.get("/openint/connector-config", headers=auth(tenant)))
    seeded = SEED.connector_configs(tenant.id)
    assert [i["id"] for i in body["items"]] == [c.id for c in reversed(seeded)]  # newest first
    assert {i["org_id"] for i in body["items"]} == {tenant.openint_org_id}
    assert (body["total"], body["has_next_page"]) == (len(seeded), False)
    filtered = api.get("/openint/connector-config?connector_names=github,stripe", headers=auth(tenant)).json()
    assert sorted(i["connector_name"] for i in filtered["items"]) == ["github", "stripe"]


def test_tenants_endpoint_describes_openint(api: ApiClient) -> None:
    tenants = api.get("/__connmock/tenants").json()["tenants"]
    acme = next(t for t in tenants if t["id"] == "acme")["vendors"]["openint"]
    assert acme["api_key"] == ACME.openint_api_key and acme["org_id"] == ACME.openint_org_id
    assert acme["auth"] == f"Authorization: Bearer {ACME.openint_api_key}"
    assert acme["connector_configs"] == [{"id": c.id, "connector_name": c.connector_name}
                                         for c in SEED.connector_configs("acme")]
    assert acme["base_url"].endswith("/openint")


def test_other_org_lists_nothing_of_acme(api: ApiClient) -> None:
    created = create(api, apikey_body())
    assert api.get("/openint/connection", headers=auth(GLOBEX)).json()["items"] == []
    assert api.delete(f"/openint/connection/{created['id']}", headers=auth(GLOBEX)).status_code == 404
    assert api.get(f"/openint/connection/{created['id']}", headers=auth()).status_code == 200


# --- customer tokens --------------------------------------------------------------------------------------------

def token_for(api: ApiClient, customer: str, body: dict[str, Any] | None = None) -> str:
    response = api.post(f"/openint/customer/{customer}/token", headers=auth(), json=body or {})
    assert response.status_code == 200, response.text
    created = conforms("createToken", response)
    assert created["api_key"] is None
    assert created["magic_link_url"] == f"http://testserver/__connmock/pages/openint/connect?token={created['token']}"
    return str(created["token"])


def test_token_is_opaque_to_the_org_key(api: ApiClient) -> None:
    token = token_for(api, "cus_1", {"validity_in_seconds": 3600, "connect_options": {"connector_names": ["github"]}})
    decoded = b"".join(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in token.split("."))
    assert ACME.openint_api_key not in token and ACME.openint_api_key.encode() not in decoded


def test_customer_token_sees_only_its_customer(api: ApiClient) -> None:
    mine = create(api, apikey_body(customer="cus_1"))
    theirs = create(api, apikey_body(customer="cus_2"))
    bearer = {"Authorization": f"Bearer {token_for(api, 'cus_1')}"}
    listed = api.get("/openint/connection", headers=bearer).json()
    assert [i["id"] for i in listed["items"]] == [mine["id"]]
    assert api.get(f"/openint/connection/{theirs['id']}", headers=bearer).status_code == 404
    assert api.get(f"/openint/connection/{mine['id']}", headers=bearer).status_code == 200
    response = api.post("/openint/connection", headers=bearer, json=apikey_body(customer="cus_1"))
    assert (response.status_code, response.json()["message"]) == (403, "Org admin only")
    response = api.post("/openint/customer/cus_2/token", headers=bearer, json={})
    assert (response.status_code, response.json()["message"]) == (
        403, "Current viewer cannot create token for other customer")


@pytest.mark.parametrize(("mangle", "message"), [
    pytest.param(lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
                 "TRPCError: JWSSignatureVerificationFailed: signature verification failed", id="tampered"),
    pytest.param(lambda t: "eyJhbGciOiJub25lIn0." + t.split(".", 1)[1],
                 "TRPCError: JOSEAlgNotAllowed: \"alg\" (Algorithm) Header Parameter value not allowed", id="alg-none"),
])
def test_forged_tokens_are_refused(api: ApiClient, mangle: Any, message: str) -> None:
    forged = mangle(token_for(api, "cus_1"))
    response = api.get("/openint/connection", headers={"Authorization": f"Bearer {forged}"})
    assert (response.status_code, response.json()) == (401, trpc(401, "UNAUTHORIZED", message, "listConnections"))


def test_expired_token_is_refused(api: ApiClient, clock: FakeClock) -> None:
    token = token_for(api, "cus_1", {"validity_in_seconds": 60})
    assert api.get("/openint/connection", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    clock.advance(61)
    response = api.get("/openint/connection", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()["message"]) == (
        401, 'TRPCError: JWTExpired: "exp" claim timestamp check failed')


def test_create_token_without_authorization(api: ApiClient) -> None:
    response = api.post("/openint/customer/cus_1/token", json={})
    assert (response.status_code, response.json()) == (
        403, trpc(403, "FORBIDDEN", "Org admin only", "createToken"))


# --- transport errors, capacity ---------------------------------------------------------------------------------

def test_transport_errors(api: ApiClient) -> None:
    cases = [
        (api.post("/openint/connection", headers={**auth(), "Content-Type": "text/plain"}, content=b"{}"),
         400, "PARSE_ERROR", "createConnection"),
        (api.post("/openint/connection", headers={**auth(), "Content-Type": "application/json"}, content=b"\xff{}"),
         400, "PARSE_ERROR", "createConnection"),
        (api.get("/openint/nothing-here", headers=auth()), 404, "NOT_FOUND", None),
        (api.request("PUT", "/openint/connection", headers=auth()), 405, "METHOD_NOT_SUPPORTED", None),
    ]
    for response, status, code, path in cases:
        body = response.json()
        assert (response.status_code, body["code"], body["data"]) == (
            status, code, {"code": code, "httpStatus": status, **({"path": path} if path else {})})
    assert cases[3][0].headers["allow"] == "GET, POST"


def test_body_too_large() -> None:
    client = ApiClient(create_app(Settings(vendors=("openint",), max_body_bytes=64)))
    try:
        response = client.post("/openint/connection", headers=auth(), json=apikey_body())
        assert (response.status_code, response.json()) == (
            413, trpc(413, "PAYLOAD_TOO_LARGE", "Request body too large", "createConnection"))
    finally:
        client.close()


def test_full_store_is_a_final_400() -> None:
    client = ApiClient(create_app(Settings(vendors=("openint",), store_capacity=1)))
    try:
        assert client.post("/openint/connection", headers=auth(), json=apikey_body()).status_code == 200
        response = client.post("/openint/connection", headers=auth(), json=apikey_body())
        assert (response.status_code, response.json()["code"]) == (400, "BAD_REQUEST")
        assert "store is full" in response.json()["message"]
    finally:
        client.close()


def test_server_errors_tell_the_sdk_not_to_retry() -> None:
    reply = openint_errors.render(ServiceError("boom", status=500), "getConnection", ())
    assert (reply.status, reply.body, reply.headers) == (
        500, trpc(500, "INTERNAL_SERVER_ERROR", "Internal server error", "getConnection"), {"x-should-retry": "false"})


# --- secrets ----------------------------------------------------------------------------------------------------

def test_settings_come_back_only_where_openint_returns_them(api: ApiClient) -> None:
    # Given unique secret values in API-key, OAuth2 and password settings
    key, access, refresh, password = (f"secret_{uuid.uuid4().hex}" for _ in range(4))
    secrets = (key, access, refresh, password)
    sharepoint = {"connector_config_id": ccfg("sharepoint-onprem"), "customer_id": "cus_sp", "data": {
        "connector_name": "sharepoint-onprem",
        "settings": {"username": "u", "password": password, "site_url": "https://sp.example"}}}
    allowed, forbidden = [], []
    allowed.append(api.post("/openint/connection", headers=auth(), json=apikey_body(secret=key)))
    allowed.append(api.post("/openint/connection", headers=auth(), json=oauth_body(access, refresh)))
    allowed.append(api.post("/openint/connection", headers=auth(), json=sharepoint))
    ids = [r.json()["id"] for r in allowed]
    # When the same secrets are sent with mistakes, read back, listed, and deleted
    forbidden.append(api.post("/openint/connection", headers=auth(),
                              json={**apikey_body(secret=key), "customer_id": 7, "metadata": "x"}))
    forbidden.append(api.post("/openint/connection", headers=auth(),
                              json={**oauth_body(access, refresh), "connector_config_id": ccfg("github")}))
    forbidden.append(api.post("/openint/connection", headers=auth(GLOBEX), json=sharepoint))
    okta = {"connector_config_id": ccfg("okta"), "customer_id": "c", "data": {"connector_name": "okta", "settings": {
        "oauth": {"credentials": {"access_token": access}}, "subdomain": refresh}}}
    forbidden.append(api.post("/openint/connection", headers=auth(), json=okta))
    for connection_id in ids:
        allowed.append(api.get(f"/openint/connection/{connection_id}?include_secrets=true", headers=auth()))
        forbidden.append(api.get(f"/openint/connection/{connection_id}", headers=auth()))
        forbidden.append(api.get(f"/openint/connection/{connection_id}?expand=connector", headers=auth()))
        forbidden.append(api.get(f"/openint/connection/{connection_id}", headers=auth(GLOBEX)))
    allowed.append(api.get("/openint/connection?include_secrets=true", headers=auth()))
    forbidden.append(api.get("/openint/connection", headers=auth()))
    forbidden.append(api.get("/openint/connection?include_secrets=true", headers=auth(GLOBEX)))
    forbidden.append(api.delete(f"/openint/connection/{ids[0]}", headers=auth()))
    # Then every secret is in the allowed answers and nowhere else: bodies, headers, the journal
    assert [r.status_code for r in forbidden[:4]] == [400, 400, 404, 400]
    everywhere_allowed = " ".join(r.text for r in allowed)
    assert all(secret in everywhere_allowed for secret in secrets)
    for response in forbidden:
        leaked = [s for s in secrets if s in response.text or s in str(response.headers)]
        assert leaked == [], f"{response.request.method} {response.request.url} leaked"
    assert all(s not in str(r.headers) for r in allowed for s in secrets)
    journal = api.get("/__connmock/requests").text
    assert "[redacted]" in journal and [s for s in secrets if s in journal] == []
