"""Vercel Connect through the whole app in-process: auth and team selection, create/get/list/delete,
authorization, installation, tokens and imports, tenant isolation, and secrets that never come back.

What the responses must look like is what @vercel/sdk 1.27.0 to 1.28.35 accept (reference/sdks.md §2): the
exact success status, `application/json`, `type` from the 1.27.0 enum, `supportsIcon` a string, both SDK
generations' fields, and errors as `{"error":{"code","message"}}`.

Over 400 lines on purpose: one module per vendor API, its sections in the order of the operations of the spec.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from fixtures import SeedData, Tenant, load_seed
from fixtures.factories import PayloadFactory, create_requests
from mock_server import Settings, create_app
from mock_server.store import MemoryStore
from mock_server.vendors.vercel import VercelAdapter
from mock_server.world import build_world
from speclib import load_spec, secret_rules
from speclib.secrets import secret_values
from tests.support.api import ApiClient
from tests.support.clock import FakeClock
from tests.support.spec import conforms_to

SEED: SeedData = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
SPEC = load_spec("vercel")
RULES = secret_rules(SPEC)["createConnector"]
START = datetime(2026, 6, 8, 9, 30, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)
CONNECTORS = "/vercel/v1/connect/connectors"
LIST = "/vercel/v2/connect/connectors"
SDK_1_27_TYPES = {"api-key", "custom", "github", "oauth", "salesforce", "slack", "snowflake"}
VARIANTS = PayloadFactory("vercel").variants()


class Mock:
    """The app, plus what the hosted consent page does (`approve`), on the same store and clock."""

    def __init__(self) -> None:
        self.clock = FakeClock(START)
        store = MemoryStore()
        settings = Settings(vendors=("vercel",))
        self.client = ApiClient(create_app(settings, store=store, clock=self.clock))
        self.flows = VercelAdapter(build_world(settings, store=store, clock=self.clock)).flows

    def approve(self, request_id: str) -> dict[str, Any] | None:
        return self.client.loop.run_until_complete(self.flows.approve(request_id))


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    """One app for the module (building one takes a while); every test starts from a reset."""
    built = Mock()
    yield built
    built.client.close()


@pytest.fixture
def api(mock: Mock) -> ApiClient:
    assert mock.client.post("/__connmock/reset", json={}).status_code == 200
    mock.clock.current = START
    return mock.client


def auth(tenant: Tenant = ACME) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.vercel_token}"}


def conforms(operation: str, response: httpx.Response) -> Any:
    return conforms_to("vercel", operation, response)


def vercel_error(response: httpx.Response, status: int, code: str) -> str:
    """The message of a Vercel error envelope with this status and code (ConnectError needs both strings)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code and isinstance(body["error"]["message"], str)
    return str(body["error"]["message"])


def slack(uid: str = "slack/my-bot", **extra: Any) -> dict[str, Any]:
    return {"type": "slack", "service": "slack", "uid": uid, "name": uid.split("/")[-1], "projectId": "prj_1",
            "environments": ["production"], "data": {"appId": "A0123456789", "appName": "My Bot",
            "clientId": "1234567890.9876543210", "clientSecret": "slack-secret-1", "signingSecret": "sign-1"},
            **extra}


def create(api: ApiClient, body: dict[str, Any], tenant: Tenant = ACME) -> dict[str, Any]:
    response = api.post(CONNECTORS, headers=auth(tenant), json=body)
    assert response.status_code == 201, response.text
    return conforms("createConnector", response)  # type: ignore[no-any-return]


# --- create -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("request_", create_requests("vercel", len(VARIANTS)), ids=lambda r: r.variant)
def test_create_every_data_variant(api: ApiClient, request_: Any) -> None:
    # Given a valid payload of one `data` variant, every secret field filled
    body = request_.body
    # When it is created
    connector = create(api, body)
    # Then it has what both SDK generations need, and its data carries no secret
    assert re.match(r"^scl_[0-9a-f]{24}$", connector["id"])
    assert (connector["ownerId"], connector["type"], connector["public"]) == (ACME.vercel_team.id, body["type"], False)
    assert connector["createdAt"] == connector["updatedAt"] == START_MS
    assert connector["type"] in SDK_1_27_TYPES and connector["supportsIcon"] in ("false", "maybe", "true")
    assert isinstance(connector["supportedSubjectTypes"], list) and isinstance(connector["data"], dict)
    assert connector["displayName"] and connector["service"] and connector["typeName"]
    assert connector["uid"] == f"{body['type']}/{connector['name']}"
    planted = [value for _, value, _ in secret_values(RULES, body)]
    assert planted or body["type"] == "custom"
    assert [value for value in planted if value in str(connector)] == []


def test_slack_example_as_the_sdk_sends_it(api: ApiClient) -> None:
    connector = create(api, slack())
    assert {k: connector[k] for k in ("uid", "name", "displayName", "service", "typeName")} == {
        "uid": "slack/my-bot", "name": "my-bot", "displayName": "my-bot", "service": "slack", "typeName": "Slack"}
    assert connector["data"] == {"appId": "A0123456789", "appName": "My Bot", "clientId": "1234567890.9876543210"}
    assert (connector["supportedSubjectTypes"], connector["supportsInstallation"], connector["supportsIcon"]) == (
        ["app", "user"], True, "false")


@pytest.mark.parametrize(("body", "uid", "service"), [
    pytest.param({"type": "slack", "data": {"appId": "A1", "appName": "Ops Bot", "clientId": "c", "clientSecret": "s"}},
                 "slack/ops-bot", "slack", id="slack-name-from-appName"),
    pytest.param({"type": "oauth", "data": {"clientId": "c", "serverUrl": "https://mcp.linear.app/sse"}},
                 None, "mcp.linear.app", id="oauth-service-from-serverUrl"),
    pytest.param({"type": "custom", "service": "internal.example.com", "name": "internal", "data": {"a": 1}},
                 "custom/internal", "internal.example.com", id="custom-service-given"),
])
def test_defaults_of_uid_name_and_service(api: ApiClient, body: dict[str, Any], uid: str | None,
                                          service: str) -> None:
    connector = create(api, body)
    assert connector["service"] == service
    assert connector["uid"] == (uid or f"oauth/{connector['name']}")


def test_duplicate_uid_in_a_team_is_a_conflict(api: ApiClient) -> None:
    create(api, slack())
    response = api.post(CONNECTORS, headers=auth(), json=slack())
    assert vercel_error(response, 409, "conflict") == "A connector with uid slack/my-bot already exists."
    assert conforms("createConnector", response)
    # And another team may use the same uid
    assert create(api, slack(), GLOBEX)["uid"] == "slack/my-bot"


# --- validation -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "fields"), [
    pytest.param({}, ["type", "data"], id="empty-object"),
    pytest.param({"name": "x"}, ["type", "data"], id="no-type-no-data"),
    pytest.param({"type": "slack"}, ["data"], id="slack-without-data"),
    pytest.param({"type": "slack", "data": {}}, ["data.appId", "data.appName", "data.clientId", "data.clientSecret"],
                 id="slack-data-empty"),
    pytest.param({"type": "salesforce", "data": {"consumerKey": "k"}}, ["data.consumerSecret", "data.loginHost"],
                 id="salesforce-data-partial"),
    pytest.param({"type": "api-key", "data": {"values": [{"scope": "read"}]}}, ["data.values.0.value"],
                 id="api-key-value-missing"),
])
def test_missing_fields_are_all_named(api: ApiClient, body: dict[str, Any], fields: list[str]) -> None:
    response = api.post(CONNECTORS, headers=auth(), json=body)
    message = vercel_error(response, 400, "bad_request")
    assert message == "Invalid request: " + "; ".join(f"missing required property `{f}`" for f in fields) + "."
    assert conforms("createConnector", response)


def test_empty_body_with_json_content_type(api: ApiClient) -> None:
    # The SDK's `createConnector()` with no argument: no bytes, `Content-Type: application/json` all the same
    response = api.post(CONNECTORS, headers={**auth(), "Content-Type": "application/json"}, content=b"")
    assert vercel_error(response, 400, "bad_request") == (
        "Invalid request: missing required property `type`; missing required property `data`.")


@pytest.mark.parametrize(("body", "message"), [
    pytest.param({"type": "notion", "data": {}},
                 "`type` should be one of: api-key, custom, github, oauth, salesforce, slack, snowflake",
                 id="type-outside-the-enum"),
    pytest.param({**slack(), "backgroundColor": "red", "environments": "production"},
                 '`environments` should be array; `backgroundColor` should match pattern "^#[0-9a-fA-F]{6}$"',
                 id="two-bad-fields"),
])
def test_invalid_fields(api: ApiClient, body: dict[str, Any], message: str) -> None:
    response = api.post(CONNECTORS, headers=auth(), json=body)
    assert vercel_error(response, 400, "bad_request") == f"Invalid request: {message}."


def test_transport_errors(api: ApiClient) -> None:
    bad_json = api.post(CONNECTORS, headers={**auth(), "Content-Type": "application/json"}, content=b'{"type":')
    assert "not valid JSON" in vercel_error(bad_json, 400, "bad_request")
    text = api.post(CONNECTORS, headers={**auth(), "Content-Type": "text/plain"}, content=b"{}")
    assert "Content-Type" in vercel_error(text, 400, "bad_request")
    vercel_error(api.get("/vercel/v1/connect/nothing", headers=auth()), 404, "not_found")
    put = api.request("PUT", f"{CONNECTORS}/scl_x", headers=auth())
    assert vercel_error(put, 405, "method_unknown") and put.headers["allow"] == "DELETE, GET"


# --- auth and teams ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "flag", "message"), [
    pytest.param({}, "missingToken", "The request is missing an authentication token", id="no-authorization"),
    pytest.param({"Authorization": "Basic Zm9vOmJhcg=="}, "missingToken",
                 "The request is missing an authentication token", id="basic-scheme"),
    pytest.param({"Authorization": "Bearer "}, "missingToken", "The request is missing an authentication token",
                 id="empty-bearer"),
    pytest.param({"Authorization": "Bearer vct_not_a_token"}, "invalidToken", "Not authorized", id="unknown-token"),
])
def test_bad_tokens_are_forbidden(api: ApiClient, headers: dict[str, str], flag: str, message: str) -> None:
    response = api.post(CONNECTORS, headers=headers, json=slack())
    assert response.status_code == 403
    assert conforms("createConnector", response) == {"error": {"code": "forbidden", "message": message, flag: True}}


@pytest.mark.parametrize(("query", "status"), [
    pytest.param(f"teamId={ACME.vercel_team.id}", 200, id="own-teamId"),
    pytest.param(f"slug={ACME.vercel_team.slug}", 200, id="own-slug"),
    pytest.param(f"teamId={GLOBEX.vercel_team.id}", 403, id="other-teamId"),
    pytest.param(f"slug={GLOBEX.vercel_team.slug}", 403, id="other-slug"),
    pytest.param(f"teamId={ACME.vercel_team.id}&slug={ACME.vercel_team.slug}", 200, id="both-own"),
    pytest.param(f"teamId={ACME.vercel_team.id}&slug={GLOBEX.vercel_team.slug}", 403, id="both-one-other"),
])
def test_team_selection(api: ApiClient, query: str, status: int) -> None:
    response = api.get(f"{LIST}?{query}", headers=auth())
    assert response.status_code == status
    conforms("listConnectors", response)
    if status == 403:
        assert response.json() == {"error": {"code": "forbidden", "message": "Not authorized"}}


def test_another_team_never_sees_or_changes_a_connector(api: ApiClient) -> None:
    made = create(api, slack())
    other = auth(GLOBEX)
    assert api.get(LIST, headers=other).json()["connectors"] == []
    for reference in (made["id"], "slack%2Fmy-bot"):
        assert api.get(f"{CONNECTORS}/{reference}", headers=other).status_code == 404
        assert api.delete(f"{CONNECTORS}/{reference}", headers=other).status_code == 404
        assert api.post(f"/vercel/v1/connect/authorize/{reference}", headers=other, json={}).status_code == 404
        assert api.post(f"/vercel/v1/connect/token/{reference}", headers=other, json={}).status_code == 404
    assert api.get(f"{CONNECTORS}/{made['id']}", headers=auth()).status_code == 200


def test_tenants_endpoint_describes_vercel(api: ApiClient) -> None:
    tenants = api.get("/__connmock/tenants").json()["tenants"]
    acme = next(t for t in tenants if t["id"] == "acme")["vendors"]["vercel"]
    assert acme == {"base_url": "http://testserver/vercel", "auth": f"Authorization: Bearer {ACME.vercel_token}",
                    "token": ACME.vercel_token, "team_id": ACME.vercel_team.id, "team_slug": ACME.vercel_team.slug}


# --- get, delete ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reference", ["id", "slack%2Fmy-bot"], ids=["by-id", "by-encoded-uid"])
def test_get(api: ApiClient, reference: str) -> None:
    made = create(api, slack())
    path = made["id"] if reference == "id" else reference
    response = api.get(f"{CONNECTORS}/{path}", headers=auth())
    assert response.status_code == 200 and conforms("getConnector", response) == made


def test_get_unknown_is_not_found(api: ApiClient) -> None:
    response = api.get(f"{CONNECTORS}/slack%2Fnobody", headers=auth())
    assert vercel_error(response, 404, "not_found") == "Could not find the connector: slack/nobody"
    assert conforms("getConnector", response)


def test_delete_is_204_then_gone(api: ApiClient) -> None:
    # Given a connector
    made = create(api, slack())
    # When it is deleted by its uid
    response = api.delete(f"{CONNECTORS}/slack%2Fmy-bot", headers=auth())
    # Then the answer is a bare 204 (the only success @vercel/sdk 1.28.35 accepts)
    assert (response.status_code, response.content, response.headers.get("content-type")) == (204, b"", None)
    # And it is gone by id and by uid, a second delete is a 404, and its uid is free again
    assert api.get(f"{CONNECTORS}/{made['id']}", headers=auth()).status_code == 404
    assert vercel_error(api.delete(f"{CONNECTORS}/{made['id']}", headers=auth()), 404, "not_found")
    assert api.get(LIST, headers=auth()).json()["connectors"] == []
    assert create(api, slack())["id"] != made["id"]


# --- list -------------------------------------------------------------------------------------------------------

def listed(api: ApiClient, query: str = "") -> dict[str, Any]:
    return conforms("listConnectors", api.get(f"{LIST}?{query}", headers=auth()))  # type: ignore[no-any-return]


def test_pages_follow_next_until_null(api: ApiClient) -> None:
    made = [create(api, slack(f"slack/bot-{n}"))["id"] for n in range(5)]
    first = listed(api, "limit=2")
    assert [c["id"] for c in first["connectors"]] == made[::-1][:2]
    seen, cursor = [], ""
    while True:
        page = listed(api, f"limit=2&cursor={cursor}" if cursor else "limit=2")
        seen += [c["id"] for c in page["connectors"]]
        cursor = page["pagination"]["next"]
        if cursor is None:
            break
    assert seen == made[::-1]
    assert listed(api)["pagination"] == {"next": None} and len(listed(api)["connectors"]) == 5


def test_a_cursor_survives_a_deletion(api: ApiClient) -> None:
    made = [create(api, slack(f"slack/bot-{n}"))["id"] for n in range(4)]
    first = listed(api, "limit=2")
    assert api.delete(f"{CONNECTORS}/{made[1]}", headers=auth()).status_code == 204
    rest = listed(api, f"limit=2&cursor={first['pagination']['next']}")
    assert [c["id"] for c in rest["connectors"]] == [made[0]]


def test_filters_and_sort(api: ApiClient) -> None:
    a = create(api, slack("slack/zeta"))
    b = create(api, {"type": "github", "name": "alpha", "data": {"appId": 1, "appSlug": "alpha", "appName": "Alpha",
                                                                 "clientId": "Iv1.x"}})
    c = create(api, {"type": "oauth", "name": "linear", "data": {"clientId": "c", "serverUrl": "https://mcp.linear.app"}})

    def ids(query: str) -> list[str]:
        return [item["id"] for item in listed(api, query)["connectors"]]

    assert ids("") == [c["id"], b["id"], a["id"]]
    assert ids("type=slack%2Cgithub") == [b["id"], a["id"]]
    assert ids("service=mcp.linear.app") == [c["id"]]
    assert ids("search=ZET") == [a["id"]]
    assert ids("projectId=prj_1") == [a["id"]]
    assert ids("sort=name") == [b["id"], c["id"], a["id"]]
    assert ids("sort=name&limit=1&cursor=" + listed(api, "sort=name&limit=1")["pagination"]["next"]) == [c["id"]]


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("limit=0", "Invalid query parameters: `limit` should be >= 1.", id="limit-0"),
    pytest.param("limit=101", "Invalid query parameters: `limit` should be <= 100.", id="limit-101"),
    pytest.param("sort=size", "Invalid query parameters: `sort` should be equal to one of the allowed values.",
                 id="sort-unknown"),
    pytest.param("cursor=bm90LWEtY3Vyc29y", "Invalid request: `cursor` is not a cursor of this listing.",
                 id="cursor-forged"),
])
def test_list_query_errors(api: ApiClient, query: str, message: str) -> None:
    assert vercel_error(api.get(f"{LIST}?{query}", headers=auth()), 400, "bad_request") == message


# --- authorization, installation, tokens ------------------------------------------------------------------------

def start(api: ApiClient, kind: str, connector: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    operation = {"authorize": "createConnectorAuthorizationRequest", "install": "createConnectorInstallationRequest"}
    response = api.post(f"/vercel/v1/connect/{kind}/{connector}", headers=auth(), json=body)
    assert response.status_code == 200, response.text
    return conforms(operation[kind], response)  # type: ignore[no-any-return]


def token(api: ApiClient, connector: str, subject: dict[str, Any] | None = None) -> httpx.Response:
    return api.post(f"/vercel/v1/connect/token/{connector}", headers=auth(),
                    json={"subject": subject} if subject else None)


def test_authorization_flow(api: ApiClient, mock: Mock) -> None:
    # Given a Slack connector and an authorization request for user u1 (the call of SDKs 1.27.0 to 1.28.8)
    made = create(api, slack())
    flow = start(api, "authorize", "slack%2Fmy-bot", {"subject": {"type": "user", "id": "u1"},
                                                       "scopes": ["chat:write"], "returnUrl": "https://app.example/cb"})
    assert flow["url"] == f"http://testserver/__connmock/pages/vercel/authorize?request={flow['request']}"
    assert flow["request"].startswith("creq_") and flow["verifier"] and flow["expiresAt"] > START_MS
    assert flow["connector"] == {"id": made["id"], "uid": "slack/my-bot", "type": "slack", "name": "my-bot",
                                 "service": "slack", "serviceName": "Slack"}
    # When a token is asked for before the user approved, then there is none yet (422)
    before = token(api, made["id"], {"type": "user", "id": "u1"})
    assert vercel_error(before, 422, "user_authorization_required") and conforms("getConnectorToken", before)
    # When the consent page approves, then u1 has a token, u2 still none, and the request is used up
    assert mock.approve(flow["request"]) == {"request": flow["request"], "connectorId": made["id"],
                                             "returnUrl": "https://app.example/cb"}
    granted = conforms("getConnectorToken", token(api, "slack%2Fmy-bot", {"type": "user", "id": "u1"}))
    assert granted["token"].startswith("ctk_") and granted["connector"] == {k: made[k] for k in ("id", "uid", "type")}
    assert vercel_error(token(api, made["id"], {"type": "user", "id": "u2"}), 422, "user_authorization_required")
    assert mock.approve(flow["request"]) is None


def test_installation_flow(api: ApiClient, mock: Mock) -> None:
    made = create(api, slack())
    flow = start(api, "install", made["id"], {"scopes": ["chat:write"], "deviceCode": True})
    assert flow["url"].startswith("http://testserver/__connmock/pages/vercel/install?request=creq_")
    assert re.match(r"^[0-9A-F]{4}-[0-9A-F]{4}$", flow["deviceCode"])
    assert vercel_error(token(api, made["id"]), 422, "connector_installation_required")
    assert mock.approve(flow["request"]) is not None
    granted = conforms("getConnectorToken", token(api, made["id"], {"type": "app"}))
    assert granted["installationId"].startswith("inst_") and granted["expiresAt"] > START_MS


def test_flow_requests_without_a_body_and_their_limits(api: ApiClient, mock: Mock) -> None:
    made = create(api, slack())
    assert start(api, "authorize", made["id"])["connector"]["id"] == made["id"]
    oauth = create(api, {"type": "oauth", "name": "linear", "data": {"clientId": "c"}})
    assert "cannot be installed" in vercel_error(
        api.post(f"/vercel/v1/connect/install/{oauth['id']}", headers=auth(), json={}), 400, "bad_request")
    expiring = start(api, "authorize", made["id"], {"expiresInMs": 1000})
    mock.clock.advance(2)
    assert mock.approve(expiring["request"]) is None and mock.approve("creq_unknown") is None
    assert vercel_error(api.post("/vercel/v1/connect/authorize/scl_none", headers=auth(), json={}), 404, "not_found")


def test_api_key_connector_hands_out_its_key(api: ApiClient) -> None:
    key = f"key_{uuid.uuid4().hex}"
    made = create(api, {"type": "api-key", "name": "my-api", "data": {"values": [{"value": key, "scope": "read"}]}})
    assert made["data"] == {"values": [{"scope": "read"}]}
    assert conforms("getConnectorToken", token(api, "api-key%2Fmy-api"))["token"] == key


def test_import_tokens(api: ApiClient) -> None:
    # Given a connector and two imported user tokens, one of them already expired
    made = create(api, slack())
    live, dead = f"at_{uuid.uuid4().hex}", f"at_{uuid.uuid4().hex}"
    tokens = [{"accessToken": live, "expiresAt": START_MS + 3_600_000, "refreshToken": "rt_1",
               "subject": {"type": "user", "id": "u1"}, "environment": "production", "scopes": ["chat:write"]},
              {"accessToken": dead, "expiresAt": START_MS - 1, "subject": {"type": "user", "id": "u2"},
               "environment": "preview"}]
    response = api.post(f"/vercel/v1/connect/token/{made['id']}/import", headers=auth(), json={"tokens": tokens})
    # Then both are accepted, the live one imported, and no token value is echoed
    assert conforms("importConnectorTokens", response) == {"accepted": 2, "imported": 1, "tokens": [
        {"expiresAt": START_MS + 3_600_000, "subject": {"type": "user", "id": "u1"}, "environment": "production",
         "scopes": ["chat:write"], "succeeded": True},
        {"expiresAt": START_MS - 1, "subject": {"type": "user", "id": "u2"}, "environment": "preview",
         "succeeded": False}]}
    # And the imported access token is what getConnectorToken hands u1
    assert token(api, made["id"], {"type": "user", "id": "u1"}).json()["token"] == live
    assert token(api, made["id"], {"type": "user", "id": "u2"}).status_code == 422


def test_import_without_tokens(api: ApiClient) -> None:
    made = create(api, slack())
    empty: tuple[dict[str, Any] | None, ...] = (None, {})
    for body in empty:
        response = api.post(f"/vercel/v1/connect/token/{made['id']}/import", headers=auth(), json=body)
        assert vercel_error(response, 400, "bad_request") == "Invalid request: missing required property `tokens`."


# --- secrets ----------------------------------------------------------------------------------------------------

def canary(path: tuple[str, ...]) -> str:
    return f"canary_{'_'.join(path)}_{uuid.uuid4().hex}"


def test_secret_canaries_never_come_back(api: ApiClient, mock: Mock) -> None:
    # Given every variant created with a unique canary in every secret field, and an imported token pair
    factory = PayloadFactory("vercel", seed=7)
    bodies = [factory.create(ACME, SEED, variant, secret=canary).body for variant in VARIANTS]
    made = [create(api, body) for body in bodies]
    secrets = [str(v) for body in bodies for v in body["data"].values() if str(v).startswith("canary_")]
    secrets += [v["value"] for body in bodies for v in body["data"].get("values", [])]
    access, refresh = canary(("access",)), canary(("refresh",))
    slack_id = next(c["id"] for c in made if c["type"] == "slack")
    imported = {"tokens": [{"accessToken": access, "refreshToken": refresh, "expiresAt": START_MS + 60_000,
                            "subject": {"type": "user", "id": "u9"}, "environment": "production"}]}
    seen = [api.post(f"/vercel/v1/connect/token/{slack_id}/import", headers=auth(), json=imported)]
    assert len(secrets) >= 8 and seen[0].status_code == 200
    # When they are read, listed, sent again with mistakes or by another team, used in flows, and deleted
    for body, connector in zip(bodies, made, strict=True):
        seen.append(api.post(CONNECTORS, headers=auth(), json={**body, "uid": connector["uid"]}))  # 409
        seen.append(api.post(CONNECTORS, headers=auth(), json={**body, "backgroundColor": "red"}))  # 400
        seen.append(api.post(CONNECTORS, headers=auth(), json={**body, "type": "notion"}))  # 400
        seen.append(api.post(CONNECTORS, headers=auth(GLOBEX), json={**body, "teamId": "x"}))  # another team
        seen.append(api.get(f"{CONNECTORS}/{connector['id']}", headers=auth()))
        seen.append(api.post(f"/vercel/v1/connect/authorize/{connector['id']}", headers=auth(), json={}))
        if connector["type"] != "api-key":
            seen.append(token(api, connector["id"], {"type": "app"}))
    seen += [api.get(LIST, headers=auth()), api.get(f"{LIST}?limit=1", headers=auth())]
    seen += [api.delete(f"{CONNECTORS}/{c['id']}", headers=auth()) for c in made]
    # Then no secret is in any of those bodies or headers, nor in the journal
    assert {r.status_code for r in seen} >= {200, 201, 204, 400, 409, 422}
    for response in seen:
        leaked = [s for s in [*secrets, access, refresh] if s in response.text or s in str(response.headers)]
        assert leaked == [], f"{response.request.method} {response.request.url} leaked"
    journal = api.get("/__connmock/requests").text
    assert "[redacted]" in journal and [s for s in [*secrets, access, refresh] if s in journal] == []
