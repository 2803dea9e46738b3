"""How Nango 0.71.4 reads what it is sent, as measured on the real server with `connmock diff` and curl:
`z.coerce.number()` query numbers, tag keys of a `tags[key]` filter, bodies without a Content-Type, the API-key
route's order of checks, and the tags a PATCH derives from an end user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from mock_server import Settings
from tests.api.test_nango import START, auth, create, oauth2_body
from tests.support.api import ApiClient, SharedMock, shared_mock


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(vendors=("nango",)), START) as mock:
        yield mock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    shared.clock.current += timedelta(minutes=5)  # a new rate-limit window for every test
    return shared.reset(rewind=False)


def query_errors(api: ApiClient, query: str) -> list[tuple[str, str, list[Any]]]:
    response = api.get(f"/nango/connections?{query}", headers=auth())
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_query_params"
    return [(e["code"], e["message"], e["path"]) for e in response.json()["error"]["errors"]]


@pytest.mark.parametrize("query", ["page=1.5", "limit=0x10", "limit=1e3", "page=", "page=1152921504606846975"])
def test_list_numbers_are_javascript_numbers(api: ApiClient, query: str) -> None:
    assert api.get(f"/nango/connections?{query}", headers=auth()).status_code == 200


@pytest.mark.parametrize(("query", "expected"), [
    ("page=abc", [("invalid_type", "Invalid input: expected number, received NaN", ["page"])]),
    ("limit=1&limit=2", [("invalid_type", "Invalid input: expected number, received NaN", ["limit"])]),
    ("limit=%20", [("too_small", "Too small: expected number to be >=1", ["limit"])]),  # Number(" ") is 0
    ("tags%5B9%3D-7%5D=n&limit=0", [("invalid_key", "Invalid key in record", ["tags", "9=-7"]),
                                    ("too_small", "Too small: expected number to be >=1", ["limit"])]),
    ("tags%5Bab%5D=n&tags%5BAB%5D=m",
     [("custom", 'Duplicate tag key after case normalization: "ab"', ["tags"])]),
])
def test_list_query_errors_are_the_servers(api: ApiClient, query: str, expected: list[Any]) -> None:
    assert query_errors(api, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("limit=1.4&page=1.6", ["conn-0"]),  # LIMIT parseInt(1.4) = 1, OFFSET parseInt(2.24) = 2
    ("limit=1.6&page=0", ["conn-2"]),  # truncated, not rounded
    ("limit=1&page=1.5", ["conn-1"]),
    ("page=1e300", ["conn-1", "conn-0"]),  # OFFSET parseInt("1e+304") = 1
    ("limit=1&page=2.5e21", ["conn-0"]),  # parseInt("2.5e+21") = 2
    ("page=Infinity", ["conn-2", "conn-1", "conn-0"]),  # NaN: no OFFSET at all
    ("page=1e15", []),  # past PostgreSQL's bigint: the server's 500, an empty page here
])
def test_fractional_and_huge_pages_read_rows_as_knex_does(api: ApiClient, query: str, expected: list[str]) -> None:
    # measured on Nango 0.71.4 with three connections, newest first
    for n in range(3):
        create(api, oauth2_body(f"conn-{n}"))
    response = api.get(f"/nango/connections?{query}", headers=auth())
    assert response.status_code == 200, response.text
    assert [c["connection_id"] for c in response.json()["connections"]] == expected


@pytest.mark.parametrize("path", ["/nango/connect/sessions", "/nango/connections/metadata", "/nango/connections"])
def test_a_body_without_content_type_is_not_read(api: ApiClient, path: str) -> None:
    response = api.post(path, headers=auth(), content=b'{"tags": {"end_user_id": "u1"}}')
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_body", "errors": [{
        "code": "invalid_type", "message": "Invalid input: expected object, received undefined", "path": []}]}}


def session_token(api: ApiClient, **body: Any) -> str:
    response = api.post("/nango/connect/sessions", headers=auth(), json={"end_user": {"id": "u1"}, **body})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["token"])


@pytest.mark.parametrize(("integration", "status", "error"), [
    ("nope", 404, {"code": "unknown_provider_config"}),
    ("github", 400, {"code": "invalid_auth_mode"}),  # before the session's allowed integrations
    ("stripe", 200, None),
])
def test_the_api_key_route_checks_the_integration_before_the_session_allows_it(
        api: ApiClient, integration: str, status: int, error: dict[str, Any] | None) -> None:
    token = session_token(api, allowed_integrations=["stripe"])
    response = api.post(f"/nango/api-auth/api-key/{integration}?connect_session_token={token}",
                        json={"apiKey": "k"})
    assert response.status_code == status, response.text
    if error is not None:
        assert response.json() == {"error": error}


def test_the_api_key_route_refuses_a_non_json_content_type_before_the_token(api: ApiClient) -> None:
    response = api.post("/nango/api-auth/api-key/stripe?connect_session_token=bad",
                        headers={"Content-Type": "text/plain"}, content=b"{}")
    assert (response.status_code, response.json()["error"]["code"]) == (415, "invalid_content_type")


def test_patching_an_end_user_sets_the_tags_it_implies(api: ApiClient) -> None:
    create(api, oauth2_body("conn-tags", tags={"team": "a"}))
    patched = api.patch("/nango/connections/conn-tags?provider_config_key=github", headers=auth(),
                        json={"end_user": {"id": "u-9", "email": "u9@example.com"}, "tags": {"Team": "b"}})
    assert patched.status_code == 200, patched.text
    found = api.get("/nango/connections/conn-tags?provider_config_key=github", headers=auth()).json()
    assert found["tags"] == {"end_user_id": "u-9", "end_user_email": "u9@example.com", "team": "b"}


@pytest.mark.parametrize(("body", "headers", "expected"), [
    (b'{" ": null, "apiKey": "5"}', {"Content-Type": "application/json"},
     {"code": "unrecognized_keys", "message": 'Unrecognized key: " "', "path": []}),
    (b"", {"Content-Type": "application/json", "Content-Length": "0"},  # an empty body is `{}` (measured)
     {"code": "invalid_type", "message": "Invalid input: expected string, received undefined", "path": ["apiKey"]}),
    (b'{"apiKey": "k"}', {}, {"code": "invalid_type", "message": "Invalid input: expected object, received undefined",
                              "path": []}),
])
def test_the_api_key_route_judges_the_body_after_the_session(api: ApiClient, body: bytes, headers: dict[str, str],
                                                             expected: dict[str, Any]) -> None:
    token = session_token(api)
    response = api.post(f"/nango/api-auth/api-key/stripe?connect_session_token={token}&zz=1", headers=headers,
                        content=body)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_body"), response.text
    assert response.json()["error"]["errors"] == [expected]
    # a session that does not exist is a 401 whatever the body and the query
    unknown = "nango_connect_session_" + "0" * 64
    refused = api.post(f"/nango/api-auth/api-key/stripe?connect_session_token={unknown}&zz=1", headers=headers,
                       content=body)
    assert refused.status_code == 401


def test_the_oauth_route_reads_its_query_unvalidated(api: ApiClient) -> None:
    token = session_token(api)
    for query in ("ws_client_id=a&ws_client_id=b", "user_scope=1&user_scope=2"):
        response = api.get(f"/nango/oauth/connect/github?connect_session_token={token}&{query}")
        assert response.status_code == 302, response.text


def test_the_api_key_route_drops_unknown_query_parameters_and_checks_connection_id(api: ApiClient) -> None:
    token = session_token(api)
    unknown = api.post(f"/nango/api-auth/api-key/github?connect_session_token={token}&zz_unknown=1",
                       json={"apiKey": "k"})
    assert unknown.json() == {"error": {"code": "invalid_auth_mode"}}  # not invalid_query_params
    empty = api.post(f"/nango/api-auth/api-key/github?connect_session_token={token}&connection_id=",
                     json={"apiKey": "k"})
    assert empty.json()["error"]["code"] == "invalid_query_params"


def test_a_repeated_stringbool_is_not_a_string(api: ApiClient) -> None:
    url = "/nango/connections/x?provider_config_key=github&refresh_token=true&refresh_token=1"
    assert query_errors_of(api, url) == [("invalid_type", "Invalid input: expected string, received array",
                                          ["refresh_token"])]


def query_errors_of(api: ApiClient, url: str) -> list[tuple[str, str, list[Any]]]:
    response = api.get(url, headers=auth())
    return [(e["code"], e["message"], e["path"]) for e in response.json()["error"]["errors"]]


def test_one_session_token_authorizes_several_api_key_connections(api: ApiClient) -> None:
    token = session_token(api)
    made = [api.post(f"/nango/api-auth/api-key/stripe?connect_session_token={token}", json={"apiKey": key})
            for key in ("k1", "k2")]
    assert [r.status_code for r in made] == [200, 200]
    assert made[0].json()["connectionId"] != made[1].json()["connectionId"]


def test_a_malformed_json_body_on_the_api_key_route_is_read_before_the_token(api: ApiClient) -> None:
    response = api.post("/nango/api-auth/api-key/stripe?connect_session_token=bad",
                        headers={"Content-Type": "application/json"}, content=b'{"a":}')
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_json")
    assert "access-control-allow-origin" not in response.headers  # body-parser answers before the CORS middleware



@pytest.mark.parametrize(("query", "code"), [
    ("params%5Bff%5D=2&params%5B%5D=u", "invalid_auth_mode"),  # qs: mixed with keys, the list's item is key "0"
    ("params%5B%5D=u&params%5Bk%5D=v", "invalid_auth_mode"),
    ("params%5B%5D=u", "invalid_query_params"),  # a list alone is not the params object
])
def test_params_are_read_as_qs_reads_them(api: ApiClient, query: str, code: str) -> None:
    token = session_token(api)
    response = api.post(f"/nango/api-auth/api-key/github?connect_session_token={token}&{query}", json={"apiKey": "k"})
    assert response.json()["error"]["code"] == code, response.text
    if code == "invalid_query_params":
        assert response.json()["error"]["errors"][0]["message"] == "Invalid input: expected object, received array"
