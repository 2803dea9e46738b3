"""`@nangohq/frontend` 0.71.10 in headless Chromium, from an app page on another origin than the mock: the
Connect UI in its iframe (`openConnectUI`), the API-key `auth()`, and the OAuth popup `auth()` whose result
comes over the WebSocket the SDK opens at the root of its host's origin.

The SDK's own ESM build is served as is from `node/node_modules` (no bundling). Chromium is Debian's
`/usr/bin/chromium` driven by the PyPI `playwright` package (no browser download); without it, or without
the installed node_modules, the test is skipped unless CI is set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from tests.sdk.compat import Checks, Compat
from tests.sdk.support import NODE_DIR, canary, journal, leaks, node_ready, run_node, tenants
from tests.support.browser import QuietFiles, ShiftedClock, require_chromium, static_server
from tests.support.server import running

SDK, VERSION = "@nangohq/frontend", "0.71.10"
APP = Path(__file__).resolve().parent / "browser"
DIST = NODE_DIR / "node_modules" / "@nangohq" / "frontend" / "dist"

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402


class AppFiles(QuietFiles):
    """The app page at `/`, the SDK's ESM build at `/sdk/`."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0]
        if clean.startswith("/sdk/"):
            return str(DIST / clean.removeprefix("/sdk/"))
        return str(APP / clean.lstrip("/"))


@pytest.fixture(scope="module")
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture(scope="module")
def mock(clock: ShiftedClock) -> Iterator[str]:
    with running(create_app(Settings(), clock=clock)) as url:
        yield url


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    node_ready()
    with static_server(AppFiles, host="localhost") as url:  # another origin than http://127.0.0.1:<mock port>
        yield url


@pytest.fixture(scope="module")
def checks(compat: Compat) -> Iterator[Checks]:
    found = Checks(compat, SDK, VERSION)
    yield found
    found.verify()


def secret_key(mock: str) -> str:
    return str(tenants(mock)["acme"]["nango"]["secret_key"])


def session(mock: str, integrations: list[str], user: str) -> str:
    body = {"end_user": {"id": user, "email": f"{user}@example.com"}, "allowed_integrations": integrations}
    answer = httpx.post(f"{mock}/nango/connect/sessions", json=body, timeout=10,
                        headers={"Authorization": f"Bearer {secret_key(mock)}"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["data"]["token"])


def open_app(page: Page, app_url: str, **query: str) -> None:
    page.goto(f"{app_url}/app.html?" + "&".join(f"{k}={httpx.QueryParams({k: v})[k]}" for k, v in query.items()))
    page.wait_for_function("() => document.querySelector('#start') !== null")


def outcome(page: Page, done: str = "true") -> Any:
    page.wait_for_function(f"() => {{ const t = document.getElementById('outcome').textContent; "
                           f"return t && (({done})(JSON.parse(t))); }}")
    return json.loads(page.locator("#outcome").text_content() or "null")


def backend_view(mock: str, integration: str, connection_id: str) -> dict[str, Any]:
    """What the app's backend then sees through @nangohq/node."""
    return run_node("nango_get.mjs", mock, {"secretKey": secret_key(mock), "integration": integration,
                                            "connectionId": connection_id})


def test_connect_ui_in_an_iframe(page: Page, app_url: str, mock: str, checks: Checks) -> None:
    token = session(mock, ["github", "slack"], "u_frontend_ui")
    open_app(page, app_url, mock=mock, flow="connect-ui", token=token)
    page.get_by_role("button", name="Start").click()
    frame = page.frame_locator("#connect-ui")
    frame.get_by_label("Slack").check()  # the user picks one of the session's integrations
    frame.get_by_role("button", name="Continue").click()
    frame.get_by_role("button", name="Connect").click()
    got = outcome(page, "o => o.events.some(e => e.type === 'connect')")
    types = [e["type"] for e in got["events"]]
    connect = next(e for e in got["events"] if e["type"] == "connect")["payload"]
    checks.check("openConnectUI: ready → session_token → connect (onEvent)",
                 types[0] == "ready" and connect["providerConfigKey"] == "slack", str(got)[:300])
    frame.get_by_role("button", name="Finish").click()
    page.wait_for_function("() => document.getElementById('connect-ui') === null")
    closed = outcome(page, "o => o.events.some(e => e.type === 'close')")
    checks.check("openConnectUI: Finish → close (iframe removed)", closed["events"][-1]["type"] == "close")
    seen = backend_view(mock, "slack", connect["connectionId"])["getConnection"]
    checks.check("openConnectUI: connection visible via @nangohq/node getConnection (session's end user)",
                 seen["ok"] and seen["value"]["end_user"]["id"] == "u_frontend_ui", str(seen)[:300])


def test_api_key_auth(page: Page, app_url: str, mock: str, checks: Checks) -> None:
    token, api_key = session(mock, ["stripe"], "u_frontend_key"), canary("nango_frontend_api_key")
    open_app(page, app_url, mock=mock, flow="api-key", token=token, integration="stripe", apiKey=api_key)
    page.get_by_role("button", name="Start").click()
    got = outcome(page, "o => 'ok' in o")
    checks.check("auth(integration, {credentials: {apiKey}})", got["ok"] and
                 got["value"]["providerConfigKey"] == "stripe", str(got)[:300])
    seen = backend_view(mock, "stripe", got["value"]["connectionId"]) if got["ok"] else {}
    conn = seen.get("getConnection", {}).get("value") or {}
    checks.check("auth(apiKey): getConnection returns the key and the session's end user",
                 conn.get("credentials", {}).get("apiKey") == api_key
                 and conn.get("end_user", {}).get("id") == "u_frontend_key", str(conn)[:300])
    checks.check("auth(apiKey): the key never in list or the journal",
                 not leaks(seen.get("listConnections"), [api_key]) and not leaks(journal(mock), [api_key]))
    open_app(page, app_url, mock=mock, flow="api-key", token=token, integration="stripe", apiKey=api_key)
    page.get_by_role("button", name="Start").click()
    again = outcome(page, "o => 'ok' in o")
    # Nango 0.71.4's API-key route does not use the session up (measured): the same token makes another one
    checks.check("auth(apiKey) again with the same session → a second connection",
                 again["ok"] and again["value"]["connectionId"] != got["value"]["connectionId"], str(again)[:300])


def popup_flow(page: Page, app_url: str, mock: str, token: str, decision: str | None) -> Any:
    open_app(page, app_url, mock=mock, flow="oauth", token=token, integration="github")
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Start").click()
    popup = opened.value
    if decision is not None:
        expect(popup.get_by_role("heading", name="Connect GitHub")).to_be_visible()
        popup.get_by_role("button", name=decision).click()
    return outcome(page, "o => 'ok' in o")


def test_oauth_popup_over_the_websocket(page: Page, app_url: str, mock: str, checks: Checks) -> None:
    got = popup_flow(page, app_url, mock, session(mock, ["github"], "u_frontend_oauth"), "Allow")
    checks.check("auth(integration): popup consent → WebSocket success", got["ok"]
                 and got["value"]["providerConfigKey"] == "github" and got["value"]["isPending"] is False,
                 str(got)[:300])
    seen = backend_view(mock, "github", got["value"]["connectionId"]) if got["ok"] else {}
    conn = seen.get("getConnection", {}).get("value") or {}
    checks.check("auth(integration): connection visible via @nangohq/node with the session's end user",
                 conn.get("end_user", {}).get("id") == "u_frontend_oauth", str(conn)[:300])


def test_oauth_popup_denied(page: Page, app_url: str, mock: str, checks: Checks) -> None:
    got = popup_flow(page, app_url, mock, session(mock, ["github"], "u_frontend_deny"), "Deny")
    checks.check("auth(integration): Deny → AuthError access_denied",
                 not got["ok"] and got["name"] == "AuthError" and got["type"] == "access_denied", str(got)[:300])


def test_oauth_popup_expired_session(page: Page, app_url: str, mock: str, clock: ShiftedClock,
                                     checks: Checks) -> None:
    token = session(mock, ["github"], "u_frontend_expired")
    clock.offset = timedelta(minutes=31)
    try:
        got = popup_flow(page, app_url, mock, token, None)
    finally:
        clock.offset = timedelta()
    checks.check("auth(integration) with an expired session → AuthError unknown_connect_session_token",
                 not got["ok"] and got["name"] == "AuthError"
                 and got["type"] == "unknown_connect_session_token", str(got)[:300])
