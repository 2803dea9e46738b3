"""The journal page in a real headless Chromium: it lists what happened, shows a redacted body on click,
renders a `<script>` someone sent as text (no dialog ever opens), updates itself while open, and works with
JavaScript off. A screenshot goes to `artifacts/screenshots/journal-page.png` (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures import load_seed
from mock_server import Settings, create_app
from tests.support.browser import require_chromium
from tests.support.receiver import webhook_receiver
from tests.support.server import running

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
ACME = load_seed().tenant("acme")
NANGO = {"Authorization": f"Bearer {ACME.nango_secret_key}"}
SCRIPT = "<script>alert('xss')</script>"
TOKEN = "gho_canary_in_the_browser_0123456789"

require_chromium()

from playwright.sync_api import Browser, Dialog, Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running(create_app(Settings(webhook_retry_delays=(0.1, 0.2)))) as url:
        yield url


def activity(client: httpx.Client, receiver_url: str) -> None:
    """A bit of everything: a webhook target, a create (with a script in its tags), a 404 with a script in its
    path, another vendor's list, and a call to nothing the spec has."""
    assert client.put("/__connmock/webhooks/acme/nango", json={"url": receiver_url}).status_code == 200
    created = client.post("/nango/connections", headers=NANGO, json={
        "provider_config_key": "github", "connection_id": "journal-1", "tags": {"note": SCRIPT},
        "credentials": {"type": "OAUTH2", "access_token": TOKEN}})
    assert created.status_code == 201
    client.get(f"/nango/connections/{SCRIPT}", headers=NANGO, params={"provider_config_key": "github"})
    client.get("/openint/connection", headers={"Authorization": f"Bearer {ACME.openint_api_key}"})
    client.post("/nango/integrations/nothing-here", headers=NANGO, json={})


def test_the_journal_page_in_chromium(page: Page, mock_url: str) -> None:
    dialogs: list[Dialog] = []

    def dismissed(dialog: Dialog) -> None:
        dialogs.append(dialog)
        dialog.dismiss()

    page.on("dialog", dismissed)
    with httpx.Client(base_url=mock_url, timeout=10) as client, webhook_receiver(500) as receiver:
        activity(client, receiver.url)
        receiver.wait_for(2)
        # When a developer opens the page
        page.goto(f"{mock_url}/__connmock/")
        expect(page.get_by_role("heading", name="connmock journal")).to_be_visible()
        # Then the requests, objects and deliveries are there, the script sent is shown as text
        requests = page.locator("table").first
        expect(requests).to_contain_text("createConnection")
        expect(requests).to_contain_text(f"/nango/connections/{SCRIPT}")
        expect(page.get_by_text("not mocked").first).to_be_visible()
        expect(page.locator("body")).to_contain_text("1 connections")
        expect(page.locator("body")).to_contain_text("auth.creation")
        expect(page.locator("body")).to_contain_text("retrying")
        # And the create's redacted body opens on click
        page.get_by_text("request body (redacted)").first.click()
        expect(page.locator("details[open] pre").first).to_contain_text('"connection_id": "journal-1"')
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "journal-page.png"), full_page=True)
        page.locator("details[open] summary").first.click()  # closed again: live updates resume
        # When another request comes in, the open page shows it without a reload
        client.get("/nango/connections", headers=NANGO, params={"search": "live-update-probe"})
        expect(page.locator("table").first).to_contain_text("live-update-probe", timeout=10_000)
        assert TOKEN not in page.content() and ACME.nango_secret_key not in page.content()
    assert dialogs == []  # no script ran


def test_the_page_works_without_javascript(browser: Browser, mock_url: str) -> None:
    with httpx.Client(base_url=mock_url, timeout=10) as client:
        assert client.post("/nango/connections", headers=NANGO, json={
            "provider_config_key": "stripe", "connection_id": "no-js-1",
            "credentials": {"type": "API_KEY", "apiKey": "sk_no_js"}}).status_code == 201
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{mock_url}/__connmock/")
        expect(page.get_by_role("heading", name="connmock journal")).to_be_visible()
        expect(page.get_by_role("link", name="Reload")).to_have_attribute("href", "/__connmock/")
        expect(page.locator("#live")).to_have_text("refreshes every few seconds")  # the script did not run
        page.get_by_text("request body (redacted)").first.click()  # <details> needs no script
        expect(page.locator("details[open] pre").first).to_contain_text("no-js-1")
        assert "sk_no_js" not in page.content()
    finally:
        context.close()
