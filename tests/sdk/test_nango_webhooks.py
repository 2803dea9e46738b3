"""Nango's `auth` webhooks from the mock, verified by `@nangohq/node` itself (`verifyIncomingWebhookRequest`
and the deprecated `verifyWebhookSignature`): creation through the API and through a connect session,
override, and a failed refresh; signed with a key of the tenant's own and with the default (its secret key)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from fixtures import load_seed
from tests.sdk.support import NODE_DIR, node_ready, run_json
from tests.support.receiver import Received, webhook_receiver

SEED = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
SIGNING_KEY = "7e0c2a9b-1d4f-4c3a-8b5e-6f7a8b9c0d1e"


def sdk_verdicts(base_url: str, hooks: list[Received], secret_key: str, signing_key: str | None) -> list[Any]:
    payload = {"secretKey": secret_key, "hooks": [{"body": h.body.decode(), "headers": h.headers} for h in hooks],
               **({"webhookSigningKey": signing_key} if signing_key else {})}
    result: list[Any] = run_json(["node", "nango_webhooks.mjs", base_url, json.dumps(payload)], NODE_DIR)
    return result


def every_kind_of_webhook(client: httpx.Client, tenant_key: str, receiver_url: str, signing_key: str | None
                          ) -> None:
    tenant = "acme" if tenant_key == ACME.nango_secret_key else "globex"
    headers = {"Authorization": f"Bearer {tenant_key}"}
    assert client.put(f"/__connmock/webhooks/{tenant}/nango", json={
        "url": receiver_url, **({"signing_key": signing_key} if signing_key else {})}).status_code == 200
    body = {"provider_config_key": "github", "connection_id": f"sdk-wh-{tenant}",
            "credentials": {"type": "OAUTH2", "access_token": "gho_sdk"}, "tags": {"note": "ünïcode ✓"}}
    for _ in range(2):  # creation, then override
        assert client.post("/nango/connections", headers=headers, json=body).status_code == 201
    assert client.post(f"/__connmock/webhooks/{tenant}/nango/refresh-failure", json={
        "provider_config_key": "github", "connection_id": f"sdk-wh-{tenant}"}).status_code == 202
    session = client.post("/nango/connect/sessions", headers=headers, json={
        "end_user": {"id": "u_sdk", "email": "sdk@example.com"}}).json()["data"]
    assert client.post("/nango/api-auth/api-key/stripe", params={"connect_session_token": session["token"]},
                       json={"apiKey": "sk_sdk"}).status_code == 200


def test_the_nango_sdk_verifies_every_webhook(mock_url: str) -> None:
    node_ready()
    with httpx.Client(base_url=mock_url, timeout=10) as client, webhook_receiver() as own, \
            webhook_receiver() as default:
        every_kind_of_webhook(client, ACME.nango_secret_key, own.url, SIGNING_KEY)
        every_kind_of_webhook(client, GLOBEX.nango_secret_key, default.url, None)
        signed, unsigned = own.wait_for(4), default.wait_for(4)
    assert {json.loads(h.body)["operation"] for h in signed} == {"creation", "override", "refresh"}
    ok = {"incoming": True, "legacy": True}
    assert sdk_verdicts(mock_url, signed, ACME.nango_secret_key, SIGNING_KEY) == [ok] * 4
    assert sdk_verdicts(mock_url, unsigned, GLOBEX.nango_secret_key, None) == [ok] * 4
    refused = {"incoming": False, "legacy": False}  # the same check with another key says no
    assert sdk_verdicts(mock_url, signed, ACME.nango_secret_key, None) == [refused] * 4
