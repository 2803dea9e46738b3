"""OpenInt's Connect page sends the customer back to the return URL its token carries (the one the backend
signed into `connect_options`), or to another page on that URL's origin; never to one the link's query names
alone, which would make the page an open redirect handing out the new connection's ids."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import httpx
import pytest

from mock_server import Settings
from tests.api.test_pages import ACME, START, config_id, json_of, local, magic, openint
from tests.support.api import ApiClient, SharedMock, shared_mock
from tests.support.pages import Forms


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(vendors=("openint",)), START) as mock:
        yield mock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


# OpenInt's return URL: the token's, never merely the query's --------------------------------------------

SIGNED = "https://app.example/done"
FOREIGN = ["https://evil.example/steal", "//evil.example/steal", "https://app.example@evil.example/steal",
           "https://app.example.evil.example/steal", "http://app.example/done", "javascript:alert(1)"]


def finish_openint(forms: Forms, customer: str, query_return_url: str, **options: str) -> httpx.Response:
    made = magic(forms.api, customer, connect_options={"connector_names": ["acme-apikey"], **options})
    link = f"{local(made['magic_link_url'])}&return_url={quote(query_return_url, safe='')}"
    assert "location" not in forms.open(link).headers
    return forms.post(link, data={"step": "connect", "connector_config_id": config_id("acme-apikey"),
                                  "setting.api_key": "typed_key"})


@pytest.mark.parametrize("foreign", FOREIGN)
def test_a_foreign_return_url_in_the_query_is_never_followed(forms: Forms, foreign: str) -> None:
    # Given a token that carries its return URL, the browser goes there and nowhere else
    done = finish_openint(forms, "cus_1", foreign, return_url=SIGNED)
    location = urlsplit(done.headers["location"])
    assert done.status_code == 303 and (location.scheme, location.netloc, location.path) == ("https", "app.example",
                                                                                              "/done")
    # Given a token that carries none, there is no redirect at all: the result page says why
    shown = finish_openint(forms, "cus_2", foreign)
    assert shown.status_code == 200 and "location" not in shown.headers
    assert "was not followed" in shown.text and "evil.example" not in shown.text
    assert json_of(forms.api.get("/openint/connection", headers=openint()))["total"] == 2


def test_a_return_url_on_the_tokens_origin_is_followed(forms: Forms) -> None:
    # `@openint/connect` passes its returnUrl in the query: another page of the app the token was made for
    done = finish_openint(forms, "cus_1", "https://app.example/other?tab=2", return_url=SIGNED)
    location = urlsplit(done.headers["location"])
    assert done.status_code == 303 and (location.netloc, location.path) == ("app.example", "/other")
    assert location.query.startswith("tab=2&connection_id=conn_acme-apikey_") and ACME.openint_api_key not in \
        done.headers["location"]
