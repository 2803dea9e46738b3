"""The browser connect flows in a real headless Chromium: the demo frontend (`examples/demo.html`, served from
another origin) calls the mock with each vendor's auth header (so every call is a CORS preflight first),
opens the vendor's consent/connect page, the user approves, and the demo lists the new connection. Another
site can neither frame a consent page nor post its form.

Chromium is Debian's `/usr/bin/chromium`, driven by the PyPI `playwright` package (no browser download).
Without it these tests are skipped, except in CI (env `CI` set), where they must run. A screenshot of each
finished flow goes to `artifacts/screenshots/`.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures import load_seed
from mock_server import Settings, create_app
from tests.support.browser import QuietFiles, ShiftedClock, require_chromium, static_server
from tests.support.pages import form_token
from tests.support.server import running

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SHOTS = ROOT / "artifacts" / "screenshots"
SEED = load_seed()
ACME = SEED.tenant("acme")
DRIVE = next(c for c in SEED.xpander_connectors if c.name == "Google Drive")

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture(scope="module")
def mock_url(clock: ShiftedClock) -> Iterator[str]:
    with running(create_app(Settings(), clock=clock)) as url:
        yield url


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    """`examples/` on another port: another origin than the mock's."""
    with static_server(functools.partial(QuietFiles, directory=str(EXAMPLES))) as url:
        yield url


KEYS = {"xpander": ACME.xpander_users[0].api_key, "openint": ACME.openint_api_key, "vercel": ACME.vercel_token,
        "nango": ACME.nango_secret_key}


def open_demo(page: Page, demo_url: str, mock_url: str, vendor: str) -> None:
    page.goto(f"{demo_url}/demo.html?mock={mock_url}&vendor={vendor}")
    expect(page.get_by_role("status")).to_contain_text("Paste the vendor's API key")
    page.get_by_label("API key").fill(KEYS[vendor])  # as a developer pastes it from the banner


def test_another_origin_cannot_read_the_admin_endpoints(page: Page, demo_url: str, mock_url: str) -> None:
    # The demo page's origin is not the mock's: the browser refuses it the tenants (and their keys) and the
    # journal, but lets it call the vendor APIs
    open_demo(page, demo_url, mock_url, "nango")
    read = """async ([url, headers]) => {
        try { const r = await fetch(url, { headers }); return "read " + r.status; } catch (e) { return "refused"; }
    }"""
    assert page.evaluate(read, [f"{mock_url}/__connmock/tenants", {}]) == "refused"
    assert page.evaluate(read, [f"{mock_url}/__connmock/requests", {}]) == "refused"
    api = page.evaluate(read, [f"{mock_url}/nango/connections", {"Authorization": f"Bearer {KEYS['nango']}"}])
    assert api == "read 200"


def start_flow(page: Page) -> Page:
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Connect", exact=True).click()
    popup = opened.value
    popup.wait_for_load_state()
    return popup


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def connections(page: Page) -> Any:
    return page.get_by_role("table", name="Connections").locator("tbody tr")


def test_the_demo_calls_the_mock_cross_origin(demo_url: str, mock_url: str) -> None:
    assert demo_url != mock_url
    preflight = httpx.options(f"{mock_url}/xpander/v1/connectors", headers={
        "Origin": demo_url, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-api-key"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()


def test_xpander_approve(page: Page, demo_url: str, mock_url: str) -> None:
    open_demo(page, demo_url, mock_url, "xpander")
    popup = start_flow(page)
    expect(popup.get_by_role("heading", name="Authorize Google Drive")).to_be_visible()
    expect(popup.get_by_text("Demo Google Drive")).to_be_visible()
    popup.get_by_role("button", name="Approve").click()
    expect(popup.get_by_role("status")).to_have_text("Google Drive is connected.")
    shot(popup, "xpander-consent-result")
    expect(page.get_by_role("status")).to_contain_text("Connected:")
    expect(connections(page).filter(has_text="Demo Google Drive")).to_contain_text("active")
    shot(page, "xpander-demo")


def test_xpander_deny(page: Page, demo_url: str, mock_url: str) -> None:
    open_demo(page, demo_url, mock_url, "xpander")
    popup = start_flow(page)
    popup.get_by_role("button", name="Deny").click()
    expect(popup.get_by_role("heading", name="Access denied")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Not connected:")
    expect(connections(page).filter(has_text="denied")).to_have_count(1)
    shot(page, "xpander-denied-demo")


def test_nango_connect_ui_and_reused_link(page: Page, demo_url: str, mock_url: str) -> None:
    open_demo(page, demo_url, mock_url, "nango")
    popup = start_flow(page)
    link = popup.url
    expect(popup.get_by_role("heading", name="Connect an integration")).to_be_visible()
    popup.get_by_role("radio", name="Slack").check()
    popup.get_by_role("button", name="Continue").click()
    expect(popup.get_by_role("heading", name="Connect Slack")).to_be_visible()
    popup.get_by_role("button", name="Connect", exact=True).click()
    expect(popup.get_by_role("status")).to_have_text("Slack is connected.")
    shot(popup, "nango-connect-result")
    expect(page.get_by_role("status")).to_contain_text("Connected:")
    expect(connections(page).filter(has_text="slack")).to_contain_text("demo-user")
    shot(page, "nango-demo")
    popup.goto(link)  # the connect link works once
    expect(popup.get_by_role("alert")).to_contain_text("does not match any account")
    expect(popup.get_by_text("unknown_connect_session_token")).to_be_visible()


def test_nango_expired_session(page: Page, mock_url: str, clock: ShiftedClock) -> None:
    made = httpx.post(f"{mock_url}/nango/connect/sessions", json={"tags": {"source": "browser-test"}},
                      headers={"Authorization": f"Bearer {ACME.nango_secret_key}"})
    assert made.status_code == 201, made.text
    clock.offset += timedelta(minutes=31)
    try:
        page.goto(made.json()["data"]["connect_link"])
        expect(page.get_by_role("heading", name="Session not valid")).to_be_visible()
        expect(page.get_by_text("unknown_connect_session_token")).to_be_visible()
        expect(page.get_by_role("button")).to_have_count(0)
    finally:
        clock.offset -= timedelta(minutes=31)


def test_openint_connect_and_return_url(page: Page, demo_url: str, mock_url: str) -> None:
    open_demo(page, demo_url, mock_url, "openint")
    popup = start_flow(page)
    expect(popup.get_by_role("heading", name="Choose an integration")).to_be_visible()
    popup.get_by_role("radio", name="GitHub").check()
    popup.get_by_role("button", name="Continue").click()
    expect(popup.get_by_role("heading", name="Connect GitHub")).to_be_visible()
    shot(popup, "openint-connect-page")
    with popup.expect_event("close"):  # back on the demo's return_url, which reports to the opener and closes
        popup.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status")).to_contain_text("Connected:")
    expect(connections(page).filter(has_text="github · demo-user")).to_contain_text("healthy")
    shot(page, "openint-demo")


def test_vercel_allow_then_token(page: Page, demo_url: str, mock_url: str) -> None:
    open_demo(page, demo_url, mock_url, "vercel")
    popup = start_flow(page)
    expect(popup.get_by_role("heading", name="Authorize demo-bot")).to_be_visible()
    shot(popup, "vercel-consent-page")
    url = popup.url
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("status")).to_contain_text('"status":"approved"')
    expect(connections(page).filter(has_text="slack/demo-bot")).to_contain_text("authorized")
    shot(page, "vercel-demo")
    again = page.context.new_page()  # the request is used up
    again.goto(url)
    expect(again.get_by_role("heading", name="Already decided")).to_be_visible()


def test_another_site_can_neither_frame_nor_post_a_consent_page(page: Page, mock_url: str, tmp_path: Path) -> None:
    # Given a pending xpander connection, and a site that knows its consent link (and took the page's form token)
    user = {"x-api-key": ACME.xpander_users[0].api_key}
    made = httpx.post(f"{mock_url}/xpander/v1/connectors/{DRIVE.id}/connect", json={"name": "Framed"}, headers=user)
    link = made.json()["connector_page_url"]
    token = form_token(httpx.get(link))
    assert token
    (tmp_path / "frame.html").write_text(f'<iframe id="framed" src="{html.escape(link)}"></iframe>')
    (tmp_path / "post.html").write_text(
        f'<form method="post" action="{html.escape(link)}"><input name="decision" value="approve">'
        f'<input name="form_token" value="{token}"></form><script>document.forms[0].submit()</script>')
    with static_server(functools.partial(QuietFiles, directory=str(tmp_path)), host="localhost") as evil:
        # When it frames the page, Then Chromium shows no page in the frame
        page.goto(f"{evil}/frame.html", wait_until="load")
        framed = next(f for f in page.frames if f.parent_frame is not None)
        for _ in range(100):  # a frame's URL stays empty until its navigation commits (the page or an error)
            if framed.url not in ("", "about:blank"):
                break
            page.wait_for_timeout(50)
        assert framed.url.startswith("chrome-error://"), framed.url
        # When it posts the Approve form, Then the mock refuses it and the connection stays pending
        page.goto(f"{evil}/post.html")
        expect(page.get_by_role("heading", name="Not sent from this page")).to_be_visible()
    listed = httpx.get(f"{mock_url}/xpander/v1/connectors?page=1&per_page=50", headers=user).json()["items"]
    status = [c["status"] for item in listed for c in item["connections"] if c["id"] == made.json()["id"]]
    assert status == ["pending"]
