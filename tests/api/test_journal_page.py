"""The journal page at `/__connmock/` in-process: what it lists, that everything users sent is escaped, that no
secret reaches it, the JSON answer for JSON clients, and the hook for armed scenarios."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures import load_seed
from mock_server import Settings
from mock_server.journal_view import SHOWN_OBJECTS
from tests.support.api import ApiClient, in_process

SEED = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
HTML = {"accept": "text/html,application/xhtml+xml"}
TOKEN = "gho_canary_journal_page_0123456789"


@pytest.fixture
def api() -> Iterator[ApiClient]:
    with in_process(Settings()) as client:
        yield client


def nango(api: ApiClient, method: str, path: str, key: str = ACME.nango_secret_key, **kwargs: Any) -> int:
    return api.request(method, f"/nango{path}", headers={"Authorization": f"Bearer {key}"}, **kwargs).status_code


def page(api: ApiClient) -> str:
    answer = api.get("/__connmock/", headers=HTML)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    return answer.text


def test_requests_objects_and_deliveries_are_listed(api: ApiClient) -> None:
    assert nango(api, "POST", "/connections", json={"provider_config_key": "github", "connection_id": "jp-1",
                                                    "credentials": {"type": "OAUTH2", "access_token": TOKEN}}) == 201
    assert nango(api, "GET", "/connections", key=GLOBEX.nango_secret_key) == 200
    assert api.get("/nango/no-such-route").status_code == 404
    text = page(api)
    assert "<td>POST</td><td class=path>/nango/connections" in text
    assert '<td class="s2">201</td><td>nango</td><td>acme</td><td>createConnection</td>' in text
    assert '<td>nango</td><td>globex</td><td>listConnections</td>' in text
    assert '<span class="flag">not mocked</span>' in text
    assert "<td>acme</td><td>nango</td><td>1 connections" in text and "jp-1" in text
    assert "No scenario armed." in text and "No webhook sent" in text


def test_no_secret_reaches_the_page(api: ApiClient) -> None:
    body = {"provider_config_key": "github", "connection_id": "jp-secret",
            "credentials": {"type": "OAUTH2", "access_token": TOKEN, "refresh_token": TOKEN + "_r"}}
    assert nango(api, "POST", "/connections", json=body) == 201
    assert nango(api, "POST", "/connections/x", json=body) in (404, 405)
    text = page(api)
    assert "jp-secret" in text and TOKEN not in text
    assert ACME.nango_secret_key not in text


def test_what_users_sent_is_escaped(api: ApiClient) -> None:
    script = "<script>alert(1)</script>"
    assert nango(api, "GET", "/connections/" + script, params={"provider_config_key": "github"}) in (400, 404)
    assert nango(api, "POST", "/connections", json={"provider_config_key": "github", "connection_id": script,
                                                    "credentials": {"type": "OAUTH2", "access_token": "t"},
                                                    "tags": {"note": "</pre><img src=x onerror=alert(2)>"}}) == 201
    text = page(api)
    assert "<script>alert" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;/pre&gt;&lt;img src=x onerror=alert(2)&gt;" in text


def test_the_page_runs_no_inline_script(api: ApiClient) -> None:
    answer = api.get("/__connmock/", headers=HTML)
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in answer.text  # works without JS
    script = api.get("/__connmock/journal.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "setInterval(refresh" in script.text


def test_json_clients_get_an_index_of_the_admin_endpoints(api: ApiClient) -> None:
    answer = api.get("/__connmock/", headers={"accept": "application/json"})
    assert answer.status_code == 200 and answer.json()["requests"] == "/__connmock/requests"


def test_armed_scenarios_are_listed(api: ApiClient) -> None:
    armed = api.post("/__connmock/scenarios", json={"kind": "error", "vendor": "nango",
                                                    "operation": "createConnection", "status": 500, "times": 2})
    assert armed.status_code == 201, armed.text
    text = page(api)
    assert "createConnection" in text and "No scenario armed." not in text



def test_a_large_store_shows_its_count_and_the_first_objects(api: ApiClient) -> None:
    for index in range(SHOWN_OBJECTS + 2):
        body = {"provider_config_key": "stripe", "connection_id": f"many-{index}",
                "credentials": {"type": "API_KEY", "apiKey": "k"}}
        assert nango(api, "POST", "/connections", json=body) == 201
    text = page(api)
    assert f"{SHOWN_OBJECTS + 2} connections" in text and f"the first {SHOWN_OBJECTS} (secrets masked)" in text


def test_the_index_links_the_page_and_the_path_without_slash_leads_to_it(api: ApiClient) -> None:
    assert api.get("/").json()["journal_page"] == "http://testserver/__connmock/"
    moved = api.get("/__connmock")
    assert moved.status_code == 308 and moved.headers["location"] == "/__connmock/"
