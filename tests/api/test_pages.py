"""The hosted browser pages in-process: every vendor's consent/connect page renders, its approve, deny and
finish paths change what the vendor's API then answers, and expired, reused or foreign links are refused.
No page ever shows a secret: not a tenant key, not the link's own token, not a minted credential. (Framing,
cross-site posts and return URLs: test_page_security.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fixtures import SeedData, Tenant, load_seed
from mock_server import Settings, create_app
from tests.support.api import ApiClient, SharedMock, shared_mock
from tests.support.clock import FakeClock
from tests.support.pages import Forms

SEED: SeedData = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
ALICE, BOB = ACME.xpander_users
CAROL = GLOBEX.xpander_users[0]
DRIVE = next(c for c in SEED.xpander_connectors if c.name == "Google Drive")
SLACK_XP = next(c for c in SEED.xpander_connectors if c.name == "Slack")
START = datetime(2026, 6, 8, 9, 30, tzinfo=UTC)
SECRETS = [v for t in SEED.tenants for v in (t.nango_secret_key, t.openint_api_key, t.vercel_token)] + \
          [u.api_key for t in SEED.tenants for u in t.xpander_users]


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(admin_token="admin-only"), START) as mock:
        yield mock


@pytest.fixture
def clock(shared: SharedMock) -> FakeClock:
    return shared.clock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


def local(url: str) -> str:
    assert url.startswith("http://testserver/__connmock/pages/"), url
    return url.removeprefix("http://testserver")


def html(response: httpx.Response, status: int = 200, *hidden: str) -> str:
    """The page's HTML, checked: status, type, the shared layout, and none of the given or seeded secrets."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["referrer-policy"] == "same-origin" and response.headers["cache-control"] == "no-store"
    text = response.text
    assert text.startswith("<!doctype html>") and '<html lang="en">' in text and "<h1>" in text
    for secret in [*SECRETS, *hidden]:
        assert secret not in text
    return text


def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


# xpander.ai ----------------------------------------------------------------------------------------------------

def xp(user: Any = ALICE) -> dict[str, str]:
    return {"x-api-key": user.api_key}


def xp_connect(api: ApiClient, name: str = "Team drive", user: Any = ALICE) -> dict[str, Any]:
    return json_of(api.post(f"/xpander/v1/connectors/{DRIVE.id}/connect", headers=xp(user), json={"name": name}))  # type: ignore[no-any-return]


def xp_status(api: ApiClient, connection_id: str, user: Any = ALICE) -> str | None:
    items = json_of(api.get("/xpander/v1/connectors?page=1&per_page=50", headers=xp(user)))["items"]
    found = [c for item in items for c in item["connections"] if c["id"] == connection_id]
    return found[0]["status"] if found else None


def operations(api: ApiClient, connection_id: str) -> httpx.Response:
    return api.get(f"/xpander/v1/connectors/{DRIVE.id}/{connection_id}/operations", headers=xp())


def test_xpander_consent_page_shows_connector_and_connection(api: ApiClient) -> None:
    made = xp_connect(api, name="<script>alert(1)</script>")
    text = html(api.get(local(made["connector_page_url"])))
    assert "Authorize Google Drive" in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(1)" not in text
    assert '<form method="post">' in text
    assert 'value="approve"' in text and ">Approve</button>" in text and ">Deny</button>" in text


def test_xpander_approve_makes_the_connection_active(api: ApiClient, forms: Forms) -> None:
    made = xp_connect(api)
    assert xp_status(api, made["id"]) == "pending" and operations(api, made["id"]).status_code == 404
    text = html(forms.post(local(made["connector_page_url"]), data={"decision": "approve"}))
    assert "Google Drive is connected." in text and '"type":"connmock:result"' in text
    assert xp_status(api, made["id"]) == "active"
    assert len(json_of(operations(api, made["id"]))) == 3
    # The link works once; another user of the org does not see Alice's personal connection, nor another org
    html(api.get(local(made["connector_page_url"])), 409)
    html(forms.post(local(made["connector_page_url"]), data={"decision": "deny"}), 409)
    assert xp_status(api, made["id"]) == "active"
    assert xp_status(api, made["id"], BOB) is None and xp_status(api, made["id"], CAROL) is None


def test_xpander_deny_leaves_it_denied_and_unusable(api: ApiClient, forms: Forms) -> None:
    made = xp_connect(api)
    text = html(forms.post(local(made["connector_page_url"]), data={"decision": "deny"}))
    assert "Access denied" in text
    assert xp_status(api, made["id"]) == "denied"
    assert "denied" in json_of(operations(api, made["id"]), 404)["detail"]


def test_xpander_bad_links_and_decisions(api: ApiClient, forms: Forms) -> None:
    made = xp_connect(api)
    url = local(made["connector_page_url"])
    html(api.get(url.replace(DRIVE.id, SLACK_XP.id)), 404)
    html(api.get(url[:-4] + "0000"), 404)
    html(forms.post(url, data={"decision": "maybe"}), 400)
    assert api.post(url, json={"decision": "approve"}).status_code == 415
    assert api.request("PUT", url).status_code == 405
    assert xp_status(api, made["id"]) == "pending"


# Nango -------------------------------------------------------------------------------------------------------

def nango(tenant: Tenant = ACME) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.nango_secret_key}"}


def session(api: ApiClient, tenant: Tenant = ACME, **body: Any) -> dict[str, Any]:
    if "end_user" not in body:
        body.setdefault("tags", {"source": "test"})  # a session names its end user, or tags
    return json_of(api.post("/nango/connect/sessions", headers=nango(tenant), json=body), 201)["data"]  # type: ignore[no-any-return]


def nango_connections(api: ApiClient, tenant: Tenant = ACME) -> list[dict[str, Any]]:
    return json_of(api.get("/nango/connections", headers=nango(tenant)))["connections"]  # type: ignore[no-any-return]


def test_nango_connect_ui_lists_the_allowed_integrations(api: ApiClient) -> None:
    made = session(api, allowed_integrations=["github", "stripe"])
    text = html(api.get(local(made["connect_link"])), 200, made["token"])
    assert 'type="radio" name="integration" value="github"' in text and 'value="stripe"' in text
    assert 'value="slack"' not in text
    everything = session(api)
    text = html(api.get(local(everything["connect_link"])), 200, everything["token"])
    assert all(f'value="{i.unique_key}"' in text for i in SEED.nango_integrations)


def test_nango_finish_creates_a_tagged_connection_and_uses_up_the_token(api: ApiClient, forms: Forms) -> None:
    made = session(api, end_user={"id": "u_42", "email": "u42@example.com", "display_name": "Ada"},
                   organization={"id": "org_9", "display_name": "Nine"}, tags={"Plan": "pro"},
                   allowed_integrations=["github", "stripe"])
    link = local(made["connect_link"])
    step = html(forms.post(link, data={"step": "choose", "integration": "github"}), 200, made["token"])
    assert "Allow access to your GitHub account?" in step and "Ada" in step
    done = html(forms.post(link, data={"step": "connect", "integration": "github"}), 200, made["token"])
    assert "GitHub is connected." in done and '"type":"connect"' in done and "mock_" not in done
    [connection] = nango_connections(api)
    assert connection["provider_config_key"] == "github" and connection["connection_id"] in done
    assert connection["end_user"]["id"] == "u_42" and connection["end_user"]["organization"]["id"] == "org_9"
    assert connection["tags"] == {"end_user_id": "u_42", "end_user_email": "u42@example.com",
                                  "end_user_display_name": "Ada", "organization_id": "org_9",
                                  "organization_display_name": "Nine", "plan": "pro"}
    full = json_of(api.get(f"/nango/connections/{connection['connection_id']}?provider_config_key=github",
                           headers=nango()))
    assert full["credentials"]["type"] == "OAUTH2" and full["credentials"]["access_token"] not in done
    # Reused: Nango's unknown-token error, on GET and POST alike
    for reused in (api.get(link), forms.post(link, data={"step": "connect", "integration": "github"})):
        assert "unknown_connect_session_token" in html(reused, 401)
    assert nango_connections(api, GLOBEX) == [] and len(nango_connections(api)) == 1


def test_nango_api_key_integration_asks_for_the_key_and_never_echoes_it(api: ApiClient, forms: Forms) -> None:
    made = session(api, allowed_integrations=["stripe"])
    link = local(made["connect_link"])
    text = html(api.get(link))  # one integration: straight to its form
    assert '<input type="password" name="credential.apiKey" required autocomplete="off">' in text
    assert "<label>API key<input" in text
    html(forms.post(link, data={"step": "connect", "integration": "stripe"}), 400)
    html(forms.post(link, data={"step": "connect", "integration": "github"}), 400)  # not offered by the session
    done = html(forms.post(link, data={"step": "connect", "integration": "stripe",
                                     "credential.apiKey": "sk_live_typed_by_user"}), 200, "sk_live_typed_by_user")
    [connection] = nango_connections(api)
    assert connection["provider_config_key"] == "stripe" and connection["connection_id"] in done


def test_nango_expired_unknown_and_malformed_tokens(api: ApiClient, clock: FakeClock, forms: Forms) -> None:
    made = session(api)
    forms.open(local(made["connect_link"]))  # the page was open when the session expired
    clock.advance(31 * 60)
    for response in (api.get(local(made["connect_link"])),
                     forms.post(local(made["connect_link"]), data={"step": "connect", "integration": "github"})):
        text = html(response, 401, made["token"])
        assert "unknown_connect_session_token" in text and "does not match any account" in text
    assert "invalid_connect_session_token_format" in html(api.get("/__connmock/pages/nango/connect?session_token=x"),
                                                          401)
    assert nango_connections(api) == []


def test_nango_cancel_keeps_the_session(api: ApiClient, forms: Forms) -> None:
    made = session(api)
    link = local(made["connect_link"])
    assert '{"type":"close"}' in html(forms.post(link, data={"step": "cancel"}))
    html(api.get(link))


# OpenInt ----------------------------------------------------------------------------------------------------

def openint(tenant: Tenant = ACME) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.openint_api_key}"}


def magic(api: ApiClient, customer: str = "cus_1", tenant: Tenant = ACME, **body: Any) -> dict[str, Any]:
    return json_of(api.post(f"/openint/customer/{customer}/token", headers=openint(tenant), json=body))  # type: ignore[no-any-return]


def config_id(name: str, tenant: Tenant = ACME) -> str:
    return next(c.id for c in SEED.connector_configs(tenant.id) if c.connector_name == name)


def test_openint_connect_page_lists_the_org_configs(api: ApiClient) -> None:
    made = magic(api)
    text = html(api.get(local(made["magic_link_url"])), 200, made["token"])
    assert all(f'value="{c.id}"' in text for c in SEED.connector_configs("acme"))
    assert all(f'value="{c.id}"' not in text for c in SEED.connector_configs("globex"))
    assert "<legend>Integration</legend>" in text and ">Continue</button>" in text


def test_openint_connector_names_restrict_and_finish_creates_a_connection(api: ApiClient, forms: Forms) -> None:
    made = magic(api, connect_options={"connector_names": ["github", "acme-apikey"],
                                       "return_url": "https://app.example/done?x=1"})
    link = local(made["magic_link_url"])
    text = html(api.get(link), 200, made["token"])
    assert text.count('type="radio"') == 2 and config_id("github") in text and config_id("slack") not in text
    step = html(forms.post(link, data={"step": "choose", "connector_config_id": config_id("acme-apikey")}))
    assert '<input type="password" name="setting.api_key" required autocomplete="off">' in step
    assert html(forms.post(link, data={"step": "connect", "connector_config_id": config_id("slack")}), 404)
    done = forms.post(link, data={"step": "connect", "connector_config_id": config_id("acme-apikey"),
                                "setting.api_key": "typed_key_123"})
    assert done.status_code == 303 and done.text == ""
    location = urlsplit(done.headers["location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert location.netloc == "app.example" and location.path == "/done"
    assert query["x"] == "1" and query["customer_id"] == "cus_1" and query["connector_name"] == "acme-apikey"
    record = json_of(api.get(f"/openint/connection/{query['connection_id']}?include_secrets=true", headers=openint()))
    assert record["customer_id"] == "cus_1" and record["status"] == "healthy"
    assert record["settings"] == {"api_key": "typed_key_123"}


def test_openint_oauth_connector_without_return_url_shows_the_result(api: ApiClient, forms: Forms) -> None:
    made = magic(api, "cus_2", connect_options={"connector_names": ["github"]})
    link = local(made["magic_link_url"])
    assert "Authorize GitHub" in html(api.get(link))  # one config: straight to its page
    done = html(forms.post(link, data={"step": "connect", "connector_config_id": config_id("github")}), 200,
                made["token"])
    listed = json_of(api.get("/openint/connection?customer_id=cus_2", headers=openint()))["items"]
    assert len(listed) == 1 and listed[0]["id"] in done and listed[0]["connector_name"] == "github"
    secret = json_of(api.get(f"/openint/connection/{listed[0]['id']}?include_secrets=true", headers=openint()))
    assert secret["settings"]["oauth"]["credentials"]["access_token"] not in done
    # The customer's own token sees it, the other organization does not
    mine = {"Authorization": f"Bearer {made['token']}"}
    assert json_of(api.get("/openint/connection", headers=mine))["total"] == 1
    assert json_of(api.get("/openint/connection", headers=openint(GLOBEX)))["total"] == 0


def test_openint_foreign_expired_and_forged_tokens(api: ApiClient, clock: FakeClock, forms: Forms) -> None:
    made = magic(api, validity_in_seconds=60)
    link = local(made["magic_link_url"])
    # Wrong tenant: Acme's token cannot connect Globex's config
    html(forms.post(link, data={"step": "connect", "connector_config_id": config_id("github", GLOBEX)}), 404)
    forged = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    assert "JWSSignatureVerificationFailed" in html(api.get(forged), 401)
    clock.advance(61)
    assert "JWTExpired" in html(api.get(link), 401, made["token"])
    assert "JWTExpired" in html(forms.post(link, data={"step": "connect", "connector_config_id": config_id("github")}),
                                401)
    assert json_of(api.get("/openint/connection", headers=openint()))["total"] == 0


# Vercel Connect ---------------------------------------------------------------------------------------------

def vercel(tenant: Tenant = ACME) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.vercel_token}"}


def slack_connector(api: ApiClient, tenant: Tenant = ACME) -> dict[str, Any]:
    body = {"type": "slack", "uid": "slack/my-bot", "name": "my-bot", "data": {
        "appId": "A0123456789", "appName": "My Bot", "clientId": "1.2", "clientSecret": "slack-secret-1"}}
    return json_of(api.post("/vercel/v1/connect/connectors", headers=vercel(tenant), json=body), 201)  # type: ignore[no-any-return]


def start(api: ApiClient, kind: str, connector: str, **body: Any) -> dict[str, Any]:
    return json_of(api.post(f"/vercel/v1/connect/{kind}/{connector}", headers=vercel(), json=body))  # type: ignore[no-any-return]


def user_token(api: ApiClient, connector: str, tenant: Tenant = ACME) -> httpx.Response:
    return api.post(f"/vercel/v1/connect/token/{connector}", headers=vercel(tenant),
                    json={"subject": {"type": "user", "id": "u1"}})


def test_vercel_consent_page_approve_redirects_and_the_token_answers(api: ApiClient, forms: Forms) -> None:
    made = slack_connector(api)
    flow = start(api, "authorize", made["id"], subject={"type": "user", "id": "u1"}, scopes=["chat:write"],
                 returnUrl="http://localhost:3000/callback")
    text = html(api.get(local(flow["url"])), 200, flow["verifier"], "slack-secret-1")
    assert "Authorize my-bot" in text and "chat:write" in text and "user u1" in text and ">Allow</button>" in text
    assert user_token(api, made["id"]).status_code == 422
    done = forms.post(local(flow["url"]), data={"decision": "approve"})
    assert done.status_code == 303
    assert done.headers["location"] == (f"http://localhost:3000/callback?request={flow['request']}"
                                        f"&connector={made['id']}&status=approved")
    granted = json_of(user_token(api, made["id"]))
    assert granted["token"].startswith("ctk_") and granted["connector"]["id"] == made["id"]
    assert "Already decided" in html(api.get(local(flow["url"])), 409)
    html(forms.post(local(flow["url"]), data={"decision": "approve"}), 409)


def test_vercel_deny_and_install_without_return_url(api: ApiClient, forms: Forms) -> None:
    made = slack_connector(api)
    flow = start(api, "authorize", made["id"], subject={"type": "user", "id": "u1"}, returnUrl="https://a.example/cb")
    denied = forms.post(local(flow["url"]), data={"decision": "deny"})
    assert denied.status_code == 303 and denied.headers["location"].endswith("&error=access_denied")
    assert json_of(user_token(api, made["id"]), 422)["error"]["code"] == "user_authorization_required"
    html(forms.post(local(flow["url"]), data={"decision": "approve"}), 409)
    install = start(api, "install", made["id"])
    assert "Install my-bot" in html(api.get(local(install["url"])))
    html(api.get(local(install["url"]).replace("/install?", "/authorize?")), 404)  # the page must match the kind
    done = html(forms.post(local(install["url"]), data={"decision": "approve"}), 200)
    assert "my-bot is connected." in done and install["request"] in done
    app = api.post(f"/vercel/v1/connect/token/{made['id']}", headers=vercel(), json={"subject": {"type": "app"}})
    assert json_of(app)["token"] not in done


def test_vercel_expired_unknown_and_foreign_requests(api: ApiClient, clock: FakeClock, forms: Forms) -> None:
    made = slack_connector(api)
    flow = start(api, "authorize", made["id"], expiresInMs=1000)
    html(api.get("/__connmock/pages/vercel/authorize?request=creq_unknown"), 404)
    html(api.get("/__connmock/pages/vercel/authorize"), 404)
    # Another team's token gets nothing from Acme's approval
    theirs = slack_connector(api, GLOBEX)
    forms.open(local(flow["url"]))  # the page was open when the request expired
    clock.advance(2)
    assert "expired" in html(api.get(local(flow["url"])), 410)
    html(forms.post(local(flow["url"]), data={"decision": "approve"}), 410)
    assert user_token(api, made["id"]).status_code == 422
    fresh = start(api, "authorize", made["id"], subject={"type": "user", "id": "u1"})
    html(forms.post(local(fresh["url"]), data={"decision": "approve"}))
    assert user_token(api, made["id"]).status_code == 200
    assert user_token(api, theirs["id"], GLOBEX).status_code == 422
    assert user_token(api, made["id"], GLOBEX).status_code == 404


# Shared ---------------------------------------------------------------------------------------------------

def test_pages_need_no_admin_token_but_admin_endpoints_do(api: ApiClient) -> None:
    assert api.get("/__connmock/tenants").status_code == 401
    html(api.get("/__connmock/pages/nango/connect?session_token=x"), 401)
    html(api.get("/__connmock/pages/unknown/page"), 404)
    html(api.get("/__connmock/pages/nango/elsewhere"), 404)


def test_finishing_a_flow_in_a_full_mock_is_a_page_not_a_500() -> None:
    # Given a mock that may hold no record at all
    client = ApiClient(create_app(Settings(vendors=("openint",), store_capacity=0), clock=FakeClock(START)))
    try:
        made = magic(client, connect_options={"connector_names": ["github"]})
        # When the user finishes the flow, Then the page says the mock is full
        done = Forms(client).post(local(made["magic_link_url"]),
                                  data={"step": "connect", "connector_config_id": config_id("github")})
        assert "Mock is full" in html(done, 507)
    finally:
        client.close()
