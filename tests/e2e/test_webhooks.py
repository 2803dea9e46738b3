"""Nango's `auth` webhooks from a served mock to a receiver on a real socket: every webhook's signatures are
checked the way `@nangohq/node` checks them (its code, in Python, below), retries are timed and journalled.

Retry delays are shortened through `Settings.webhook_retry_delays` (Nango's are 3 s and 6 s).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import load_seed
from mock_server import Settings, create_app
from tests.support.pages import Forms
from tests.support.receiver import Received, Receiver, webhook_receiver
from tests.support.server import free_port, running

SEED = load_seed()
ACME = SEED.tenant("acme")
DELAYS = (0.3, 0.6)
SIGNING_KEY = "3f9d7c1e-5b2a-4e8f-9c6d-0a1b2c3d4e5f"
NANGO = {"Authorization": f"Bearer {ACME.nango_secret_key}"}


# -- @nangohq/node 0.71 (packages/node-client/lib/index.ts), in Python ---------------------------------------

def verify_incoming_webhook_request(body: str, headers: dict[str, Any], signing_key: str) -> bool:
    """`verifyIncomingWebhookRequest(body, headers)`: HMAC-SHA256 of the raw body in `X-Nango-Hmac-Sha256`."""
    name = next((key for key in headers if key.lower() == "x-nango-hmac-sha256"), None)
    if name is None:
        return False
    expected = hmac.new(signing_key.encode(), body.encode(), hashlib.sha256).hexdigest()
    actual = headers[name]
    if not isinstance(actual, str) or len(expected) != len(actual):
        return False
    try:
        return hmac.compare_digest(bytes.fromhex(expected), bytes.fromhex(actual))
    except ValueError:
        return False


def verify_webhook_signature(signature_in_header: str, json_payload: Any, signing_key: str) -> bool:
    """`verifyWebhookSignature(signature, jsonPayload)` (deprecated): SHA-256 of the key and `JSON.stringify` of
    the parsed body, in `X-Nango-Signature`."""
    stringified = json.dumps(json_payload, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{signing_key}{stringified}".encode()).hexdigest() == signature_in_header


def verified(hook: Received, signing_key: str) -> dict[str, Any]:
    """The webhook's body, once both of its signatures hold for `signing_key`."""
    text = hook.body.decode()
    assert verify_incoming_webhook_request(text, hook.headers, signing_key), hook.headers
    assert verify_webhook_signature(hook.headers["X-Nango-Signature"], json.loads(text), signing_key)
    body: dict[str, Any] = json.loads(text)
    return body


# -- fixtures -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with running(create_app(Settings(vendors=("nango",), webhook_retry_delays=DELAYS))) as url:
        yield url


@pytest.fixture
def admin(mock: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock, timeout=10) as client:
        assert client.post("/__connmock/reset", json={}).status_code == 200
        removed = client.request("DELETE", "/__connmock/webhooks/acme/nango", json={})
        assert removed.status_code in (200, 404), removed.text
        yield client


def target(admin: httpx.Client, receiver: Receiver, **extra: Any) -> None:
    put = admin.put("/__connmock/webhooks/acme/nango", json={"url": receiver.url, **extra})
    assert put.status_code == 200, put.text


def create(admin: httpx.Client, connection_id: str, **extra: Any) -> httpx.Response:
    body = {"provider_config_key": "github", "connection_id": connection_id,
            "credentials": {"type": "OAUTH2", "access_token": "gho_webhook_test"}, **extra}
    answer = admin.post("/nango/connections", headers=NANGO, json=body)
    assert answer.status_code == 201, answer.text
    return answer


def deliveries(admin: httpx.Client, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found: list[dict[str, Any]] = admin.get("/__connmock/webhooks/deliveries").json()["deliveries"]
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} deliveries journalled")


# -- the webhooks ---------------------------------------------------------------------------------------------

def test_creation_override_and_refresh_each_signed_as_the_sdk_verifies(admin: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        # Given the tenant's webhook URL and a signing key of its own
        target(admin, receiver, signing_key=SIGNING_KEY)
        # When a connection is created, created again (Nango's upsert) and its token refresh fails
        create(admin, "wh-1", tags={"end_user_id": "u1"})
        receiver.wait_for(1)
        create(admin, "wh-1", tags={"end_user_id": "u1"})
        receiver.wait_for(2)
        failed = admin.post("/__connmock/webhooks/acme/nango/refresh-failure",
                            json={"provider_config_key": "github", "connection_id": "wh-1"})
        assert failed.status_code == 202 and failed.json() == {"queued": True}
        hooks = receiver.wait_for(3)
    # Then each is signed with the key, as Nango's SDK checks it, and says what happened
    bodies = [verified(hook, SIGNING_KEY) for hook in hooks]
    assert [b["operation"] for b in bodies] == ["creation", "override", "refresh"]
    assert bodies[0] == {"from": "nango", "type": "auth", "connectionId": "wh-1", "providerConfigKey": "github",
                         "authMode": "OAUTH2", "provider": "github", "environment": "dev",
                         "operation": "creation", "success": True, "tags": {"end_user_id": "u1"}}
    assert bodies[2]["success"] is False
    assert bodies[2]["error"] == {"type": "refresh_token_external_error", "description": (
        "The external API returned an error when trying to refresh the access token. Please try again later.")}
    for hook in hooks:
        assert hook.path == "/hooks/nango"
        assert hook.headers["content-type"] == "application/json"
        assert hook.headers["user-agent"].startswith("nango/0.71.4 (")
        assert hook.body == json.dumps(json.loads(hook.body), sort_keys=True, separators=(",", ":")).encode()
        assert not verify_incoming_webhook_request(hook.body.decode(), hook.headers, ACME.nango_secret_key)
        assert b"gho_webhook_test" not in hook.body  # no credentials in an auth webhook


def test_without_a_signing_key_the_tenants_secret_key_signs(admin: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        target(admin, receiver)
        create(admin, "wh-default-key")
        hook = receiver.wait_for(1)[0]
    assert verified(hook, ACME.nango_secret_key)["connectionId"] == "wh-default-key"


def test_a_failing_receiver_gets_the_webhook_again_after_the_backoff(admin: httpx.Client) -> None:
    with webhook_receiver(500) as receiver:
        target(admin, receiver)
        create(admin, "wh-retry")
        first, second = receiver.wait_for(2)
    assert second.at - first.at >= DELAYS[0] * 0.9
    assert first.body == second.body and first.headers["X-Nango-Hmac-Sha256"] == second.headers["X-Nango-Hmac-Sha256"]
    attempts = deliveries(admin, 2)
    assert [(a["attempt"], a["status"], a["outcome"]) for a in attempts] == [(1, 500, "retrying"),
                                                                              (2, 200, "delivered")]
    assert attempts[0]["delivery"] == attempts[1]["delivery"]
    assert {a["event"] for a in attempts} == {"auth.creation"} and attempts[0]["url"] == receiver.url
    assert attempts[0]["body"]["connectionId"] == "wh-retry"


def test_retries_stop_after_three_attempts_and_a_4xx_is_not_retried(admin: httpx.Client) -> None:
    with webhook_receiver(503, 502, 500) as failing, webhook_receiver(410) as gone:
        target(admin, failing)
        create(admin, "wh-exhausted")
        hooks = failing.wait_for(3)
        target(admin, gone)
        create(admin, "wh-gone")
        gone.wait_for(1)
        time.sleep(DELAYS[0] * 2)
        assert len(gone.received) == 1 and len(failing.received) == 3
    assert hooks[2].at - hooks[1].at >= DELAYS[1] * 0.9  # the wait doubles
    outcomes = [(a["attempt"], a["status"], a["outcome"]) for a in deliveries(admin, 4)]
    assert outcomes == [(1, 503, "retrying"), (2, 502, "retrying"), (3, 500, "failed"), (1, 410, "failed")]


def test_a_receiver_that_does_not_answer_is_retried_and_journalled(admin: httpx.Client) -> None:
    closed = f"http://127.0.0.1:{free_port()}/nobody"
    assert admin.put("/__connmock/webhooks/acme/nango", json={"url": closed}).status_code == 200
    create(admin, "wh-refused")
    attempts = deliveries(admin, 3)
    assert [(a["status"], a["outcome"]) for a in attempts] == [(None, "retrying"), (None, "retrying"),
                                                               (None, "failed")]
    assert "ConnectError" in attempts[0]["error"]


def test_the_hosted_flow_sends_creation_with_the_sessions_end_user(admin: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        target(admin, receiver)
        session = admin.post("/nango/connect/sessions", headers=NANGO, json={
            "end_user": {"id": "u_42", "email": "u42@example.com"}, "organization": {"id": "org_7"},
            "tags": {"team": "blue"}}).json()["data"]
        made = admin.post("/nango/api-auth/api-key/stripe",
                          params={"connect_session_token": session["token"]}, json={"apiKey": "sk_test_hosted"})
        assert made.status_code == 200, made.text
        body = verified(receiver.wait_for(1)[0], ACME.nango_secret_key)
    assert body["operation"] == "creation" and body["authMode"] == "API_KEY"
    assert body["connectionId"] == made.json()["connectionId"]
    assert body["endUser"] == {"endUserId": "u_42", "endUserEmail": "u42@example.com", "organizationId": "org_7",
                               "tags": {}}
    assert b"sk_test_hosted" not in receiver.received[0].body


def test_a_connections_webhook_url_override_replaces_the_tenants_urls(admin: httpx.Client) -> None:
    with webhook_receiver() as tenant_url, webhook_receiver() as own_url:
        target(admin, tenant_url, secondary_url=tenant_url.url + "/second")
        create(admin, "wh-override", webhook_url_override=own_url.url)
        own_url.wait_for(1)
        create(admin, "wh-plain")
        both = tenant_url.wait_for(2)
    assert [h.path for h in both] == ["/hooks/nango", "/hooks/nango/second"]
    assert json.loads(own_url.received[0].body)["connectionId"] == "wh-override"
    assert all(json.loads(h.body)["connectionId"] == "wh-plain" for h in both)


def test_no_target_no_webhook_and_switches_are_obeyed(admin: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        create(admin, "wh-nobody")  # no target yet: nothing is sent
        target(admin, receiver, on_auth_creation=False, on_auth_refresh_error=False)
        create(admin, "wh-quiet")
        create(admin, "wh-quiet")  # an override always goes (Nango's shouldSend)
        assert admin.post("/__connmock/webhooks/acme/nango/refresh-failure", json={
            "provider_config_key": "github", "connection_id": "wh-quiet"}).json() == {"queued": False}
        receiver.wait_for(1)
        time.sleep(0.2)
    assert [json.loads(h.body)["operation"] for h in receiver.received] == ["override"]


# -- the admin API --------------------------------------------------------------------------------------------

def test_the_signing_key_is_never_shown(admin: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with webhook_receiver(500) as receiver:
        put = admin.put("/__connmock/webhooks/acme/nango", json={"url": receiver.url, "signing_key": SIGNING_KEY})
        create(admin, "wh-secret")
        receiver.wait_for(2)
    shown = [put.text, admin.get("/__connmock/webhooks").text, admin.get("/__connmock/webhooks/acme/nango").text,
             admin.get("/__connmock/webhooks/deliveries").text, admin.get("/__connmock/requests").text,
             admin.get("/__connmock/", headers={"accept": "text/html"}).text, caplog.text]
    assert "webhook nango auth.creation" in caplog.text  # the log lines were captured
    assert all(SIGNING_KEY not in text for text in shown)
    assert put.json()["signing_key"] == "custom (write-only)"


def test_urls_are_shown_without_their_credentials(admin: httpx.Client) -> None:
    put = admin.put("/__connmock/webhooks/acme/nango", json={"url": "https://bob:pw123@hooks.example/in?token=t0k"})
    assert put.json()["url"] == "https://hooks.example/in?token=[redacted]"


@pytest.mark.parametrize(("path", "body", "status", "fields"), [
    ("acme/nango", {"url": "ftp://x"}, 400, {"url"}),
    ("acme/nango", {"url": "http://127.0.0.1:99999/h", "secondary_url": "http://[::1/x"}, 400,
     {"url", "secondary_url"}),
    ("acme/nango", {"url": "http://127.0.0.1:1/h", "colour": "red", "on_auth_creation": "yes"}, 400,
     {"colour", "on_auth_creation"}),
    ("acme/nango", {}, 400, {"url"}),
    ("acme/nango", ["http://127.0.0.1:1/h"], 400, set()),
    ("acme/nango", {"url": "http://127.0.0.1:1/h", "signing_key": ""}, 400, {"signing_key"}),
    ("nobody/nango", {"url": "http://127.0.0.1:1/h"}, 404, set()),
    ("acme/openint", {"url": "http://127.0.0.1:1/h"}, 400, set()),
], ids=["scheme", "bad-port-and-host", "unknown-and-mistyped", "no-url", "not-an-object", "empty-key", "unknown-tenant",
        "vendor-without-webhooks"])
def test_bad_targets_get_a_clear_4xx(admin: httpx.Client, path: str, body: Any, status: int,
                                     fields: set[str]) -> None:
    answer = admin.put(f"/__connmock/webhooks/{path}", json=body)
    assert answer.status_code == status and answer.json()["error"]
    assert set(answer.json().get("fields", {})) == fields


def test_bad_refresh_failures_get_a_clear_4xx(admin: httpx.Client) -> None:
    url = "/__connmock/webhooks/acme/nango/refresh-failure"
    assert admin.post(url, content=b"{nope", headers={"content-type": "application/json"}).status_code == 400
    missing = admin.post(url, json={"error": {"type": "x"}})
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"provider_config_key", "connection_id", "error"}
    unknown = admin.post(url, json={"provider_config_key": "github", "connection_id": "none"})
    assert unknown.status_code == 404


def test_a_target_is_read_and_removed_and_other_methods_are_refused(admin: httpx.Client) -> None:
    assert admin.get("/__connmock/webhooks/acme/nango").status_code == 404
    assert admin.put("/__connmock/webhooks/acme/nango", json={"url": "http://127.0.0.1:1/h"}).status_code == 200
    assert admin.get("/__connmock/webhooks/acme/nango").json()["url"] == "http://127.0.0.1:1/h"
    refused = admin.post("/__connmock/webhooks/acme/nango", json={})
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, PUT, DELETE"
    assert admin.delete("/__connmock/webhooks/acme/nango").status_code == 403  # no JSON type, no token: refused
    assert admin.request("DELETE", "/__connmock/webhooks/acme/nango", json={}).json() == {"deleted": True}
    assert admin.get("/__connmock/webhooks").json()["webhooks"] == []


def test_the_connect_ui_page_sends_creation_then_a_reconnect_override(admin: httpx.Client) -> None:
    with webhook_receiver() as receiver:
        target(admin, receiver)
        # Given a connect session, the user picks GitHub on the mock's Connect UI page and approves
        made = admin.post("/nango/connect/sessions", headers=NANGO, json={
            "end_user": {"id": "u_9", "email": "u9@example.com", "tags": {"plan": "pro"}},
            "organization": {"id": "org_9"}, "allowed_integrations": ["github"]}).json()["data"]
        forms = Forms(admin)  # type: ignore[arg-type]  # the pages' user, on a real socket
        forms.post(made["connect_link"], data={"step": "connect", "integration": "github"})
        created = verified(receiver.wait_for(1)[0], ACME.nango_secret_key)
        # When the same connection is re-authorised through a reconnect session
        again = admin.post("/nango/connect/sessions/reconnect", headers=NANGO, json={
            "connection_id": created["connectionId"], "integration_id": "github"}).json()["data"]
        Forms(admin).post(again["connect_link"], data={"step": "connect", "integration": "github"})  # type: ignore[arg-type]
        overridden = verified(receiver.wait_for(2)[1], ACME.nango_secret_key)
    # Then: creation, then override, both with the session's end user
    assert (created["operation"], overridden["operation"]) == ("creation", "override")
    assert created["endUser"] == {"endUserId": "u_9", "endUserEmail": "u9@example.com", "organizationId": "org_9",
                                  "tags": {"plan": "pro"}}
    assert overridden["connectionId"] == created["connectionId"] and overridden["endUser"]["endUserId"] == "u_9"
