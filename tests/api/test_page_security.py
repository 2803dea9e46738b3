"""The hosted pages against another site: no page can be framed (but the Connect UI Nango's SDK frames), and
a form posted from anywhere but the page itself changes nothing. Every hosted page has these headers; no API
answer has them. (OpenInt's return URL: test_page_return_url.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from mock_server import Settings
from tests.api.test_pages import (
    START,
    config_id,
    json_of,
    local,
    magic,
    nango,
    nango_connections,
    openint,
    session,
    slack_connector,
    start,
    user_token,
    xp_connect,
    xp_status,
)
from tests.support.api import ApiClient, SharedMock, shared_mock
from tests.support.pages import Forms, form_token

OWN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}  # what a browser sends from the page


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(), START) as mock:
        yield mock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


# One decision per flow: the page's link, what its button posts, and whether nothing was decided yet -----------

@dataclass(frozen=True)
class Flow:
    link: str
    form: dict[str, str]
    undecided: Callable[[], bool]


def xpander_flow(api: ApiClient) -> Flow:
    made = xp_connect(api)
    return Flow(local(made["connector_page_url"]), {"decision": "approve"},
                lambda: xp_status(api, made["id"]) == "pending")


def vercel_flow(api: ApiClient) -> Flow:
    made = slack_connector(api)
    flow = start(api, "authorize", made["id"], subject={"type": "user", "id": "u1"})
    return Flow(local(flow["url"]), {"decision": "approve"},
                lambda: user_token(api, made["id"]).status_code == 422)


def openint_flow(api: ApiClient) -> Flow:
    made = magic(api, connect_options={"connector_names": ["acme-apikey"]})
    form = {"step": "connect", "connector_config_id": config_id("acme-apikey"), "setting.api_key": "typed_key"}
    return Flow(local(made["magic_link_url"]), form,
                lambda: json_of(api.get("/openint/connection", headers=openint()))["total"] == 0)


def nango_flow(api: ApiClient) -> Flow:
    made = session(api, allowed_integrations=["github"])
    return Flow(local(made["connect_link"]), {"step": "connect", "integration": "github"},
                lambda: nango_connections(api) == [])


def nango_popup_flow(api: ApiClient) -> Flow:
    made = session(api, allowed_integrations=["github"])
    link = f"/__connmock/pages/nango/oauth?connect_session_token={made['token']}&ws_client_id=ws_1&integration=github"
    return Flow(link, {"decision": "approve"}, lambda: nango_connections(api) == [])


FLOWS = {"xpander": xpander_flow, "vercel": vercel_flow, "openint": openint_flow, "nango-connect-ui": nango_flow,
         "nango-oauth-popup": nango_popup_flow}
# How another site's post differs from the page's own: the headers a browser sends with it, and its token
HOSTILE: dict[str, tuple[dict[str, str], str]] = {
    "origin-evil": ({"origin": "https://evil.example"}, "page"),
    "cross-site": ({"sec-fetch-site": "cross-site", "origin": "https://evil.example"}, "page"),
    "same-site": ({"sec-fetch-site": "same-site"}, "page"),
    "opaque-origin": ({"origin": "null"}, "page"),
    "no-token": (OWN, "none"),
    "another-flows-token": (OWN, "other"),
    "forged-token": (OWN, "forged"),
}


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("flow_of", FLOWS.values(), ids=FLOWS.keys())
def test_a_post_not_from_the_page_is_refused_and_the_pages_own_is_taken(
        api: ApiClient, forms: Forms, flow_of: Callable[[ApiClient], Flow], hostile: str) -> None:
    # Given a flow waiting for the user's decision, its page open (and another flow's page)
    flow = flow_of(api)
    token, other_token = form_token(forms.open(flow.link)), form_token(forms.open(xpander_flow(api).link))
    assert token and other_token and token != other_token
    # When the decision is posted from elsewhere, Then it is a 403 page and nothing is decided
    headers, which = HOSTILE[hostile]
    sent = {"page": token, "none": None, "other": other_token, "forged": "A" * len(token)}[which]
    refused = api.post(flow.link, data={**flow.form, **({"form_token": sent} if sent else {})}, headers=headers)
    assert refused.status_code == 403 and refused.headers["content-type"] == "text/html; charset=utf-8"
    assert "Not sent from this page" in refused.text and "cross_site_form" in refused.text
    assert flow.undecided()
    # And the page's own form, posted from the page, still decides it
    taken = api.post(flow.link, data={**flow.form, "form_token": token}, headers=OWN)
    assert taken.status_code in (200, 303), taken.text
    assert not flow.undecided()


def test_a_post_from_the_public_url_is_the_pages_own() -> None:
    # Behind a proxy the browser's origin is the public URL, not the host the mock sees
    with shared_mock(Settings(public_url="https://mock.example"), START) as mock:
        made = xp_connect(mock.client)
        flow = Flow(made["connector_page_url"].removeprefix("https://mock.example"), {"decision": "approve"},
                    lambda: xp_status(mock.client, made["id"]) == "pending")
        token = form_token(mock.client.get(flow.link)) or ""
        foreign = mock.client.post(flow.link, data={**flow.form, "form_token": token},
                                   headers={"origin": "https://other.example"})
        assert foreign.status_code == 403 and flow.undecided()
        taken = mock.client.post(flow.link, data={**flow.form, "form_token": token},
                                 headers={"origin": "https://mock.example"})
        assert taken.status_code == 200 and not flow.undecided()


# Framing and the other headers, on every hosted page --------------------------------------------------------

def decided(forms: Forms, flow: Flow) -> httpx.Response:
    return forms.post(flow.link, data=flow.form)


PAGES: dict[str, Callable[[ApiClient, Forms], httpx.Response]] = {
    "xpander-consent": lambda api, forms: forms.open(xpander_flow(api).link),
    "xpander-result": lambda api, forms: decided(forms, xpander_flow(api)),
    "xpander-unknown-link": lambda api, forms: api.get("/__connmock/pages/xpander/connect/x/y"),
    "vercel-consent": lambda api, forms: forms.open(vercel_flow(api).link),
    "vercel-used": lambda api, forms: (lambda f: (decided(forms, f), api.get(f.link))[1])(vercel_flow(api)),
    "openint-connect": lambda api, forms: forms.open(openint_flow(api).link),
    "openint-result": lambda api, forms: decided(forms, openint_flow(api)),
    "openint-bad-token": lambda api, forms: api.get("/__connmock/pages/openint/connect?token=x"),
    "nango-oauth-popup": lambda api, forms: forms.open(nango_popup_flow(api).link),
    "nango-oauth-result": lambda api, forms: decided(forms, nango_popup_flow(api)),
    "unknown-vendor": lambda api, forms: api.get("/__connmock/pages/unknown/page"),
    "method-not-allowed": lambda api, forms: api.request("PUT", xpander_flow(api).link),
    "not-a-form": lambda api, forms: api.post(xpander_flow(api).link, json={"decision": "approve"}),
    "refused-post": lambda api, forms: api.post(xpander_flow(api).link, data={"decision": "approve"}),
}
# Nango's Connect UI, which `@nangohq/frontend`'s openConnectUI puts in an iframe on the app's site
FRAMED: dict[str, Callable[[ApiClient, Forms], httpx.Response]] = {
    "nango-handshake": lambda api, forms: api.get("/__connmock/pages/nango/connect"),
    "nango-connect-ui": lambda api, forms: forms.open(nango_flow(api).link),
    "nango-connect-result": lambda api, forms: decided(forms, nango_flow(api)),
    "nango-bad-session": lambda api, forms: api.get("/__connmock/pages/nango/connect?session_token=x"),
    "nango-refused-post": lambda api, forms: api.post(nango_flow(api).link, data={"step": "cancel"}),
}


def assert_page_headers(response: httpx.Response) -> str:
    """The headers every page has; the page's CSP."""
    assert response.headers["cache-control"] == "no-store" and response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "base-uri 'none'" in policy
    assert re.search(r"<script\b[^>]*\bsrc=", response.text) is None  # inline code only, which the CSP allows
    return policy


@pytest.mark.parametrize("name", PAGES)
def test_no_site_may_frame_a_page(api: ApiClient, forms: Forms, name: str) -> None:
    response = PAGES[name](api, forms)
    policy = assert_page_headers(response)
    assert response.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("name", FRAMED)
def test_nangos_connect_ui_may_be_framed(api: ApiClient, forms: Forms, name: str) -> None:
    response = FRAMED[name](api, forms)
    policy = assert_page_headers(response)
    assert "x-frame-options" not in response.headers and "frame-ancestors" not in policy


def test_api_answers_carry_no_page_headers(api: ApiClient) -> None:
    answer = api.get("/nango/connections", headers=nango())
    assert answer.status_code == 200
    assert not {"x-frame-options", "content-security-policy", "referrer-policy"} & set(answer.headers)
