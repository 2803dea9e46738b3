"""xpander.ai through the whole app in-process: connect, list, search, operations, auth, FastAPI errors, secrets.

Expected error bodies are what FastAPI 0.165 with pydantic 2.14 answers for a request model shaped like the
connect body of `openapi/xpander.yaml` (`name: str` with `min_length=1`, `access_scope` a str enum, ...), except
where connmock leaves `input` out because it could carry a write-only `security` or `headers` value.

Over 400 lines on purpose: one module per vendor API; most of its length is the table of FastAPI error cases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from fixtures import SeedData, Tenant, XpanderConnector, XpanderUser, load_seed
from fixtures.factories import PayloadFactory, create_requests
from mock_server import Settings, create_app
from mock_server.errors import BadRequest, Conflict, ServiceError
from mock_server.vendors.xpander import errors as xpander_errors
from mock_server.vendors.xpander.uuids import uuid_problem
from tests.support.api import ApiClient, SharedMock, shared_mock
from tests.support.spec import conforms_to

SEED: SeedData = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
ALICE, BOB = ACME.xpander_users
CAROL = GLOBEX.xpander_users[0]
START = datetime(2026, 11, 22, 22, 26, 56, 954000, tzinfo=UTC)
BASE = "/xpander/v1/connectors"


def connector_named(name: str) -> XpanderConnector:
    return next(c for c in SEED.xpander_connectors if c.name == name)


SLACK, GITHUB, DRIVE = connector_named("Slack"), connector_named("GitHub"), connector_named("Google Drive")
UNKNOWN_CONNECTOR = "00000000-0000-4000-8000-000000000000"
CONNECTION_KEYS = {"id", "connector_id", "name", "version", "access_scope", "is_service_account", "owner",
                   "general_params", "target_system_servers", "status", "created_at", "updated_at"}
SUMMARY_KEYS = ["id", "name", "access_scope", "is_service_account", "owner", "version", "open_api_spec_id",
                "created_at", "status"]


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(vendors=("xpander",)), START) as mock:
        yield mock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


def key(user: XpanderUser = ALICE) -> dict[str, str]:
    return {"x-api-key": user.api_key}


def connect_url(connector: XpanderConnector | str) -> str:
    return f"{BASE}/{connector if isinstance(connector, str) else connector.id}/connect"


def operations_url(connector: XpanderConnector, connection_id: str) -> str:
    return f"{BASE}/{connector.id}/{connection_id}/operations"


def conforms(operation: str, response: httpx.Response) -> Any:
    return conforms_to("xpander", operation, response)


def connect(api: ApiClient, body: dict[str, Any], connector: XpanderConnector = SLACK,
            user: XpanderUser = ALICE) -> dict[str, Any]:
    response = api.post(connect_url(connector), headers=key(user), json=body)
    assert response.status_code == 200, response.text
    return conforms("connectConnector", response)  # type: ignore[no-any-return]


def listed(api: ApiClient, user: XpanderUser, query: str = "per_page=50") -> dict[str, Any]:
    return conforms("listConnectors", api.get(f"{BASE}?{query}", headers=key(user)))  # type: ignore[no-any-return]


def connections_of(api: ApiClient, user: XpanderUser) -> dict[str, list[str]]:
    """Connector name -> ids of the connections `user` sees in `GET /v1/connectors`."""
    return {item["name"]: [c["id"] for c in item["connections"]] for item in listed(api, user)["items"]}


def canaries(count: int) -> list[str]:
    return [f"canary_{n}_{uuid.uuid4().hex}" for n in range(count)]


# --- connect ----------------------------------------------------------------------------------------------------

def test_connect_api_key_connector_returns_the_connection_without_secrets(api: ApiClient) -> None:
    # Given a factory-made API-key payload whose `security` and `headers` hold unique canaries
    secrets = iter(canaries(2))
    request = PayloadFactory("xpander").create(ACME, SEED, "api_key", secret=lambda _path: next(secrets))
    sent = [v for part in ("security", "headers") for v in request.body[part].values()]
    assert len(sent) == 2 and request.path_params["connector_id"] == SLACK.id

    # When connecting with Alice's key
    response = api.post(connect_url(request.path_params["connector_id"]), headers=key(ALICE), json=request.body)

    # Then the connection comes back: a UUID, the defaults, Alice as owner, active at once, no secret anywhere
    assert response.status_code == 200, response.text
    created = conforms("connectConnector", response)
    assert set(created) == CONNECTION_KEYS | {"open_api_spec_id"}
    assert str(uuid.UUID(created["id"])) == created["id"]
    assert {k: created[k] for k in ("connector_id", "name", "access_scope", "is_service_account", "owner",
                                    "status")} == {
        "connector_id": SLACK.id, "name": request.body["name"], "access_scope": "personal",
        "is_service_account": False, "owner": ALICE.id, "status": "active"}
    assert created["created_at"] == created["updated_at"] == "2026-11-22T22:26:56.954000Z"
    assert datetime.fromisoformat(created["created_at"]) == START
    assert "oauth2_required" not in created and "connector_page_url" not in created
    assert [s for s in sent if s in response.text or s in str(response.headers)] == []


def test_connect_keeps_every_non_secret_field(api: ApiClient) -> None:
    body = {"name": "Staging Jira", "version": "3", "security": {"apiKey": "k"}, "headers": {"X-Tenant": "t"},
            "general_params": [{"name": "workspace_id", "in": "query", "value": "W1"}],
            "target_system_servers": [{"url": "https://jira.staging.example.com", "description": "Staging"}],
            "access_scope": "organizational", "is_service_account": True}
    created = connect(api, body, GITHUB)
    kept = {k: v for k, v in body.items() if k not in ("security", "headers")}
    assert {k: created[k] for k in kept} == kept
    assert "security" not in created and "headers" not in created


@pytest.mark.parametrize(("sent", "scope", "service"), [
    pytest.param({}, "personal", False, id="omitted-defaults"),
    pytest.param({"access_scope": None, "is_service_account": None}, "personal", False, id="null-defaults"),
    pytest.param({"access_scope": "organizational"}, "organizational", False, id="organizational"),
])
def test_scope_and_service_account_defaults(api: ApiClient, sent: dict[str, Any], scope: str,
                                            service: bool) -> None:
    created = connect(api, {"name": "n", **sent})
    assert (created["access_scope"], created["is_service_account"]) == (scope, service)


def test_connect_oauth2_connector_answers_with_a_consent_page_of_the_mock(api: ApiClient) -> None:
    # Given the factory's OAuth2 call (it points at an OAuth2 connector of the catalog)
    request = create_requests("xpander", 2)[1]
    assert request.variant == "oauth2" and request.path_params["connector_id"] == DRIVE.id
    # When connecting
    created = connect(api, request.body, DRIVE)
    # Then the connection is pending, and the page to finish it is on the mock itself
    assert (created["status"], created["oauth2_required"]) == ("pending", True)
    assert isinstance(created["message"], str) and "connector_page_url" in created["message"]
    page = created["connector_page_url"]
    assert page.startswith("http://testserver/") and created["id"] in page and DRIVE.id in page
    summary = next(i for i in listed(api, ALICE)["items"] if i["id"] == DRIVE.id)["connections"]
    assert [(c["id"], c["status"]) for c in summary] == [(created["id"], "pending")]


def test_each_connect_makes_a_new_connection(api: ApiClient) -> None:
    first, second = connect(api, {"name": "same"}), connect(api, {"name": "same"})
    assert first["id"] != second["id"]
    assert sorted(connections_of(api, ALICE)["Slack"]) == sorted([first["id"], second["id"]])


@pytest.mark.parametrize("connector_id", [UNKNOWN_CONNECTOR, str(uuid.uuid4())], ids=["nil-like", "random"])
def test_connect_to_unknown_connector_is_404(api: ApiClient, connector_id: str) -> None:
    response = api.post(connect_url(connector_id), headers=key(), json={"name": "n"})
    assert (response.status_code, conforms("connectConnector", response)) == (404, {"detail": "Connector not found"})


# --- validation: FastAPI's 422 ----------------------------------------------------------------------------------

def item(loc: list[Any], type_: str, msg: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "loc": ["body", *loc], "msg": msg, **extra}


BODY_ERRORS = [
    pytest.param({"access_scope": "personal"}, [item(["name"], "missing", "Field required",
                                                     input={"access_scope": "personal"})], id="missing-name"),
    pytest.param({"name": ""}, [item(["name"], "string_too_short", "String should have at least 1 character",
                                     input="", ctx={"min_length": 1})], id="empty-name"),
    pytest.param({"name": 5}, [item(["name"], "string_type", "Input should be a valid string", input=5)],
                 id="name-not-a-string"),
    pytest.param({"name": None}, [item(["name"], "string_type", "Input should be a valid string", input=None)],
                 id="name-null"),
    pytest.param({"name": "n", "version": 3}, [item(["version"], "string_type", "Input should be a valid string",
                                                    input=3)], id="version-not-a-string"),
    pytest.param({"name": "n", "access_scope": "team"}, [item(
        ["access_scope"], "enum", "Input should be 'personal' or 'organizational'", input="team",
        ctx={"expected": "'personal' or 'organizational'"})], id="access-scope-not-in-enum"),
    pytest.param({"name": "n", "is_service_account": "maybe"}, [item(
        ["is_service_account"], "bool_parsing", "Input should be a valid boolean, unable to interpret input",
        input="maybe")], id="service-account-unreadable-string"),
    pytest.param({"name": "n", "is_service_account": []}, [item(
        ["is_service_account"], "bool_type", "Input should be a valid boolean", input=[])],
        id="service-account-list"),
    pytest.param({"name": "n", "general_params": {"workspace_id": "W1"}}, [item(
        ["general_params"], "list_type", "Input should be a valid list", input={"workspace_id": "W1"})],
        id="general-params-object"),
    pytest.param({"name": "n", "target_system_servers": [{"description": "d"}]}, [item(
        ["target_system_servers", 0, "url"], "missing", "Field required", input={"description": "d"})],
        id="server-without-url"),
    pytest.param({"name": "n", "security": "plain"}, [item(["security"], "dict_type",
                                                           "Input should be a valid dictionary")],
                 id="security-not-an-object-no-input"),
    pytest.param({"name": "n", "headers": {"X-A": 1}}, [item(["headers", "X-A"], "string_type",
                                                             "Input should be a valid string")],
                 id="header-value-not-a-string-no-input"),
]


@pytest.mark.parametrize(("body", "detail"), BODY_ERRORS)
def test_body_errors_are_fastapi_422(api: ApiClient, body: dict[str, Any], detail: list[dict[str, Any]]) -> None:
    response = api.post(connect_url(SLACK), headers=key(), json=body)
    assert (response.status_code, conforms("connectConnector", response)) == (422, {"detail": detail})


def test_every_offending_field_has_its_item_in_model_order(api: ApiClient) -> None:
    body = {"is_service_account": "maybe", "access_scope": "x", "headers": {"H": 1}, "security": 7, "version": 1}
    response = api.post(connect_url(SLACK), headers=key(), json=body)
    detail = conforms("connectConnector", response)["detail"]
    assert response.status_code == 422
    assert [(d["loc"], d["type"]) for d in detail] == [
        (["body", "name"], "missing"), (["body", "version"], "string_type"), (["body", "security"], "dict_type"),
        (["body", "headers", "H"], "string_type"), (["body", "access_scope"], "enum"),
        (["body", "is_service_account"], "bool_parsing")]
    assert detail[0]["input"] == {"is_service_account": "maybe", "access_scope": "x", "version": 1}


UNREADABLE = [
    pytest.param({"Content-Type": "application/json"}, b'{"name":', 422, {"detail": [{
        "type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error", "input": {},
        "ctx": {"error": "unexpected end of data"}}]}, id="malformed-json"),
    pytest.param({"Content-Type": "application/json"}, b'\xff{"name": "n"}', 400,
                 {"detail": "There was an error parsing the body"}, id="not-utf8"),
    pytest.param({"Content-Type": "text/plain"}, b'{"name": "n"}', 422, {"detail": [{
        "type": "model_attributes_type", "loc": ["body"],
        "msg": "Input should be a valid dictionary or object to extract fields from"}]}, id="text-plain"),
    pytest.param({}, b"", 422, {"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required",
                                            "input": None}]}, id="no-body"),
    pytest.param({"Content-Type": "application/json"}, b"[]", 422, {"detail": [{
        "type": "model_attributes_type", "loc": ["body"],
        "msg": "Input should be a valid dictionary or object to extract fields from", "input": []}]},
        id="json-array"),
]


@pytest.mark.parametrize(("headers", "content", "status", "expected"), UNREADABLE)
def test_unreadable_bodies(api: ApiClient, headers: dict[str, str], content: bytes, status: int,
                           expected: dict[str, Any]) -> None:
    response = api.post(connect_url(SLACK), headers={**key(), **headers}, content=content)
    assert (response.status_code, conforms("connectConnector", response)) == (status, expected)


def test_a_body_without_content_type_is_read_as_json(api: ApiClient) -> None:
    response = api.post(connect_url(SLACK), headers=key(), content=b'{"name": "n"}')
    assert (response.status_code, response.json()["name"]) == (200, "n")


@pytest.mark.parametrize(("url", "loc", "value", "problem"), [
    pytest.param(connect_url("not-a-uuid"), "connector_id", "not-a-uuid", "invalid character: found `n` at 0",
                 id="connector-id-word"),
    pytest.param(connect_url(SLACK.id[:-1]), "connector_id", SLACK.id[:-1],
                 "invalid group length in group 4: expected 12, found 11", id="connector-id-short"),
    pytest.param(operations_url(SLACK, "1234"), "connection_id", "1234", "invalid length: found 4",
                 id="connection-id-short"),
])
def test_malformed_uuid_path_parameters(api: ApiClient, url: str, loc: str, value: str, problem: str) -> None:
    method = "POST" if url.endswith("/connect") else "GET"
    response = api.request(method, url, headers=key(), json={"name": "n"} if method == "POST" else None)
    assert response.status_code == 422
    assert response.json() == {"detail": [{"type": "uuid_parsing", "loc": ["path", loc],
                                           "msg": f"Input should be a valid UUID, {problem}", "input": value,
                                           "ctx": {"error": problem}}]}


@pytest.mark.parametrize(("value", "problem"), [
    pytest.param("abc", "invalid length: found 3", id="too-short"),
    pytest.param("8a119b9e-16bc-4732-8f7b-7676d015b0dcc", "invalid group length in group 4: expected 12, found 13",
                 id="last-group-long"),
    pytest.param("8a119b9e-16bc-4732-8f7b7676d015b0dc", "invalid group count: expected 5, found 4",
                 id="group-missing"),
    pytest.param("8a119b9e_16bc_4732_8f7b_7676d015b0dc", "invalid character: found `_` at 8", id="underscores"),
    pytest.param("8a119b9e-16bc-4732-8f7b-7676d015b0dc ", "invalid character: found ` ` at 36",
                 id="trailing-space"),
    pytest.param("\u00e9", "invalid character: found `\u00e9` at 0", id="non-ascii"),
])
def test_uuid_problems_are_pydantics(value: str, problem: str) -> None:
    assert uuid_problem(value) == problem


# --- listing, visibility, search --------------------------------------------------------------------------------

def test_personal_connections_belong_to_their_user_and_organizational_ones_to_the_org(api: ApiClient) -> None:
    # Given Alice's personal and organizational connections, Bob's personal one, and Carol's in Globex
    alice_own = connect(api, {"name": "Alice's Slack"})
    shared_org = connect(api, {"name": "Team Slack", "access_scope": "organizational"})
    bob_own = connect(api, {"name": "Bob's GitHub"}, GITHUB, user=BOB)
    carol_org = connect(api, {"name": "Globex Slack", "access_scope": "organizational"}, user=CAROL)

    # Then each key's user sees their own personal ones and the organization's, never another org's
    assert connections_of(api, ALICE)["Slack"] == [alice_own["id"], shared_org["id"]]
    assert connections_of(api, ALICE)["GitHub"] == []
    assert connections_of(api, BOB)["Slack"] == [shared_org["id"]]
    assert connections_of(api, BOB)["GitHub"] == [bob_own["id"]]
    assert connections_of(api, CAROL)["Slack"] == [carol_org["id"]]
    assert connections_of(api, CAROL)["GitHub"] == []

    # And each summary is the documented one, with no secret field
    summary = next(i for i in listed(api, BOB)["items"] if i["id"] == SLACK.id)["connections"][0]
    assert list(summary) == SUMMARY_KEYS
    assert {k: summary[k] for k in ("name", "access_scope", "owner", "status")} == {
        "name": "Team Slack", "access_scope": "organizational", "owner": ALICE.id, "status": "active"}

    # And search filters the same way
    found = conforms("searchConnectors", api.get(f"{BASE}/search?query=slack", headers=key(BOB)))
    assert [[c["id"] for c in i["connections"]] for i in found] == [[shared_org["id"]]]


def test_list_shows_the_catalog_with_auth_types(api: ApiClient) -> None:
    body = conforms("listConnectors", api.get(BASE, headers=key()))
    assert (body["page"], body["per_page"], body["total"], body["total_pages"]) == (1, 20, 5, 1)
    assert [(i["id"], i["name"], i["auth_type"]) for i in body["items"]] == [
        (c.id, c.name, c.auth_type) for c in SEED.xpander_connectors]
    assert all(i["connections"] == [] for i in body["items"])


@pytest.mark.parametrize(("page", "per_page", "names", "total_pages"), [
    pytest.param(1, 2, ["Slack", "GitHub"], 3, id="first-page"),
    pytest.param(3, 2, ["HubSpot"], 3, id="last-page-partial"),
    pytest.param(4, 2, [], 3, id="past-the-end"),
    pytest.param(1, 50, [c.name for c in SEED.xpander_connectors], 1, id="all-at-once"),
])
def test_pages(api: ApiClient, page: int, per_page: int, names: list[str], total_pages: int) -> None:
    body = listed(api, ALICE, f"page={page}&per_page={per_page}")
    assert [i["name"] for i in body["items"]] == names
    assert (body["page"], body["per_page"], body["total"], body["total_pages"]) == (page, per_page, 5, total_pages)


@pytest.mark.parametrize(("query", "detail"), [
    pytest.param("page=0&per_page=51", [
        {"type": "greater_than_equal", "loc": ["query", "page"], "msg": "Input should be greater than or equal to 1",
         "input": "0", "ctx": {"ge": 1}},
        {"type": "less_than_equal", "loc": ["query", "per_page"], "msg": "Input should be less than or equal to 50",
         "input": "51", "ctx": {"le": 50}}], id="out-of-bounds"),
    pytest.param("page=1.5&per_page=abc", [
        {"type": "int_parsing", "loc": ["query", "page"],
         "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "1.5"},
        {"type": "int_parsing", "loc": ["query", "per_page"],
         "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "abc"}],
        id="not-integers"),
])
def test_list_query_errors(api: ApiClient, query: str, detail: list[dict[str, Any]]) -> None:
    response = api.get(f"{BASE}?{query}", headers=key())
    assert (response.status_code, conforms("listConnectors", response)) == (422, {"detail": detail})


@pytest.mark.parametrize(("query", "names"), [
    pytest.param("slack", ["Slack"], id="name-any-case"),
    pytest.param("STORAGE", ["Google Drive"], id="description"),
    pytest.param("o", ["GitHub", "Notion", "Google Drive", "HubSpot"], id="many"),
    pytest.param("salesforce", [], id="none"),
])
def test_search(api: ApiClient, query: str, names: list[str]) -> None:
    found = conforms("searchConnectors", api.get(f"{BASE}/search?query={query}", headers=key()))
    assert [i["name"] for i in found] == names


def test_search_needs_a_query(api: ApiClient) -> None:
    response = api.get(f"{BASE}/search", headers=key())
    assert (response.status_code, conforms("searchConnectors", response)) == (422, {"detail": [
        {"type": "missing", "loc": ["query", "query"], "msg": "Field required", "input": None}]})


# --- operations of a connection ---------------------------------------------------------------------------------

def test_operations_of_an_active_connection(api: ApiClient) -> None:
    created = connect(api, {"name": "n", "access_scope": "organizational"})
    for user in (ALICE, BOB):
        response = api.get(operations_url(SLACK, created["id"]), headers=key(user))
        operations = conforms("listConnectionOperations", response)
        assert response.status_code == 200 and len(operations) == 3
        assert {o["method"] for o in operations} == {"GET", "POST"}
        assert all(o["tags"] == ["slack"] for o in operations)


def test_operations_are_not_found_for_connections_the_key_cannot_use(api: ApiClient) -> None:
    # Given Alice's personal Slack connection, Carol's organizational one, and Alice's pending OAuth2 one
    alice_own = connect(api, {"name": "mine"})
    carol_org = connect(api, {"name": "globex", "access_scope": "organizational"}, user=CAROL)
    pending = connect(api, {"name": "drive"}, DRIVE)
    cases = [
        (BOB, SLACK, alice_own["id"], "Connection not found"),  # another user's personal connection
        (ALICE, SLACK, carol_org["id"], "Connection not found"),  # another organization's
        (CAROL, SLACK, alice_own["id"], "Connection not found"),
        (ALICE, GITHUB, alice_own["id"], "Connection not found"),  # under another connector
        (ALICE, SLACK, str(uuid.uuid4()), "Connection not found"),  # never made
        (ALICE, DRIVE, pending["id"], "Connection is pending: complete the OAuth2 flow first"),
    ]
    for user, connector, connection_id, detail in cases:
        response = api.get(operations_url(connector, connection_id), headers=key(user))
        assert (response.status_code, conforms("listConnectionOperations", response)) == (404, {"detail": detail})
    unknown = XpanderConnector(UNKNOWN_CONNECTOR, "Nothing", "api_key", "")
    response = api.get(operations_url(unknown, alice_own["id"]), headers=key())
    assert (response.status_code, response.json()) == (404, {"detail": "Connector not found"})
    assert api.get(operations_url(SLACK, alice_own["id"]), headers=key()).status_code == 200


# --- auth, routing ----------------------------------------------------------------------------------------------

REQUESTS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("connectConnector", "POST", connect_url(SLACK), {"name": "n"}),
    ("listConnectors", "GET", BASE, None),
    ("searchConnectors", "GET", f"{BASE}/search?query=s", None),
    ("listConnectionOperations", "GET", operations_url(SLACK, str(uuid.uuid4())), None),
]


@pytest.mark.parametrize(("headers", "detail"), [
    pytest.param({}, "Not authenticated", id="no-key"),
    pytest.param({"x-api-key": ""}, "Not authenticated", id="empty-key"),
    pytest.param({"x-api-key": "xpk_acme_alice_0000000000000000000000"}, "Invalid API key", id="unknown-key"),
    pytest.param({"x-api-key": ACME.openint_api_key}, "Invalid API key", id="another-vendors-key"),
    pytest.param({"Authorization": f"Bearer {ALICE.api_key}"}, "Not authenticated", id="bearer-instead"),
])
@pytest.mark.parametrize(("operation", "method", "url", "body"), REQUESTS, ids=[r[0] for r in REQUESTS])
def test_auth_failures_are_401(api: ApiClient, headers: dict[str, str], detail: str, operation: str, method: str,
                               url: str, body: dict[str, Any] | None) -> None:
    response = api.request(method, url, headers=headers, json=body)
    assert (response.status_code, conforms(operation, response)) == (401, {"detail": detail})


def test_auth_comes_before_validation(api: ApiClient) -> None:
    response = api.post(connect_url("not-a-uuid"), json={})
    assert (response.status_code, response.json()) == (401, {"detail": "Not authenticated"})


def test_unrouted_requests_are_fastapi_404_and_405(api: ApiClient) -> None:
    missing = api.get("/xpander/v1/nothing", headers=key())
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    wrong_method = api.request("PUT", BASE, headers=key())
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"detail": "Method Not Allowed"})
    assert wrong_method.headers["allow"] == "GET"


@pytest.mark.parametrize(("error", "status", "detail"), [
    pytest.param(BadRequest("Connector is disabled"), 400, "Connector is disabled", id="business-rule"),
    pytest.param(Conflict(""), 409, "Conflict", id="no-message"),
    pytest.param(ServiceError("boom", status=418), 500, "Internal Server Error", id="unknown-status"),
    pytest.param(ServiceError("Internal server error", status=500), 500, "Internal Server Error", id="crash"),
])
def test_other_errors_keep_the_fastapi_shape(error: ServiceError, status: int, detail: str) -> None:
    reply = xpander_errors.render(error, ())
    assert (reply.status, reply.body) == (status, {"detail": detail})


def test_a_full_store_is_not_a_500() -> None:
    client = ApiClient(create_app(Settings(vendors=("xpander",), store_capacity=1)))
    try:
        assert client.post(connect_url(SLACK), headers=key(), json={"name": "a"}).status_code == 200
        response = client.post(connect_url(SLACK), headers=key(), json={"name": "b"})
        assert response.status_code == 400 and isinstance(response.json()["detail"], str)
    finally:
        client.close()


# --- connmock's own endpoints, secrets --------------------------------------------------------------------------

@pytest.mark.parametrize("tenant", [ACME, GLOBEX], ids=lambda t: t.id)
def test_tenants_endpoint_describes_xpander(api: ApiClient, tenant: Tenant) -> None:
    tenants = api.get("/__connmock/tenants").json()["tenants"]
    described = next(t for t in tenants if t["id"] == tenant.id)["vendors"]["xpander"]
    assert described["base_url"] == "http://testserver/xpander"
    assert described["users"] == [{"id": u.id, "email": u.email, "api_key": u.api_key} for u in tenant.xpander_users]
    assert described["connectors"] == [{"id": c.id, "name": c.name, "auth_type": c.auth_type}
                                       for c in SEED.xpander_connectors]


def sends(api: ApiClient, secret: str, header: str) -> list[Callable[[], httpx.Response]]:
    """Requests that carry `secret` in `security` and `header` in `headers`, right or wrong in other ways."""
    good = {"name": "n", "security": {"api_token": secret}, "headers": {"X-Secret": header}}
    url = connect_url(SLACK)
    raw = f'{{"name": "n", "security": {{"api_token": "{secret}"}}, "headers": {{"X-Secret": "{header}"}}'

    def post(body: Any, **kwargs: Any) -> Callable[[], httpx.Response]:
        return lambda: api.post(kwargs.pop("url", url), headers=kwargs.pop("headers", key()), json=body, **kwargs)

    def content(data: bytes, media: str) -> Callable[[], httpx.Response]:
        return lambda: api.post(url, headers={**key(), "Content-Type": media}, content=data)

    return [
        post(good), post(good, url=connect_url(DRIVE)), post({**good, "access_scope": "organizational"}),
        post({k: v for k, v in good.items() if k != "name"}),
        post({**good, "name": 7, "is_service_account": "maybe"}),
        post({**good, "security": secret, "headers": [header]}),
        post({**good, "headers": {"X-Secret": header, "X-Number": 5}}),
        post({**good, "security": {"api_token": secret, "nested": [secret]}, "version": 1}),
        post([good]), post({**good, "target_system_servers": [{"description": "d"}]}),
        post(good, url=connect_url(UNKNOWN_CONNECTOR)), post(good, url=connect_url("not-a-uuid")),
        post(good, headers={"x-api-key": "wrong"}), post(good, headers={}),
        content(raw.encode(), "application/json"), content((raw + "}").encode(), "text/plain"),
        content(b"\xff" + raw.encode() + b"}", "application/json"),
    ]


def test_no_response_and_no_journal_entry_ever_shows_a_write_only_value(api: ApiClient) -> None:
    # Given unique canaries in `security` and `headers`, sent right and wrong in many ways
    secret, header = canaries(2)
    responses = [send() for send in sends(api, secret, header)]
    assert [r.status_code for r in responses] == [200, 200, 200] + [422] * 7 + [404, 422, 401, 401, 422, 422, 400]
    # When reading everything back
    made = [r.json() for r in responses[:3]]
    responses += [api.get(f"{BASE}?per_page=50", headers=key(u)) for u in (ALICE, BOB, CAROL)]
    responses.append(api.get(f"{BASE}/search?query=s", headers=key()))
    responses += [api.get(operations_url(SLACK, c["id"]), headers=key()) for c in (made[0], made[2])]
    responses.append(api.get("/__connmock/tenants"))
    # Then no body and no header holds either canary, and neither does the journal
    for response in responses:
        leaked = [s for s in (secret, header) if s in response.text or s in str(response.headers)]
        assert leaked == [], f"{response.request.method} {response.request.url} leaked"
    journal = api.get("/__connmock/requests")
    entries = journal.json()["requests"]
    assert len(entries) == len(responses) - 1 and "[redacted]" in journal.text
    assert secret not in journal.text and header not in journal.text
