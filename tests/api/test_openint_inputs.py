"""OpenInt reads its input the JavaScript way (trpc-to-openapi's coercions over zod): each expectation here was
measured on the real server at 795654e with `connmock diff` and curl (see mock_server/vendors/openint/inputs.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mock_server import Settings
from tests.api.test_openint import START, apikey_body, auth, ccfg, create
from tests.support.api import ApiClient, SharedMock, shared_mock


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(vendors=("openint",)), START) as mock:
        yield mock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


def issues(api: ApiClient, url: str, **kwargs: Any) -> list[tuple[list[Any], str, str | None]]:
    response = api.request(kwargs.pop("method", "GET"), url, headers={**auth(), **kwargs.pop("headers", {})},
                           **kwargs)
    assert response.status_code == 400, response.text
    return [(i["path"], i["code"], i.get("received")) for i in response.json().get("issues", [])]


@pytest.mark.parametrize(("query", "found"), [
    # Number(...) of the value: "" is 0, hex and exponents read, a repeated parameter is a list: NaN
    ("limit=", (0, 0)), ("limit=1e1&offset=0x2", (10, 2)), ("limit=%202%20", (2, 0)),
])
def test_numbers_are_read_as_javascript_reads_them(api: ApiClient, query: str, found: tuple[int, int]) -> None:
    body = api.get(f"/openint/connection?{query}", headers=auth()).json()
    assert (body["limit"], body["offset"]) == found


@pytest.mark.parametrize(("query", "expected"), [
    ("limit=1&limit=2", [(["limit"], "invalid_type", "nan")]),
    ("offset=emoji%F0%9F%9A%80", [(["offset"], "invalid_type", "nan")]),
    ("refresh_policy=", [(["refresh_policy"], "invalid_enum_value", "")]),  # an empty string is a string
    ("connector_config_id=", [(["connector_config_id"], "invalid_string", None)]),
    ("customer_id=a&customer_id=b", [(["customer_id"], "invalid_type", "array")]),
])
def test_query_values_fail_as_on_the_server(api: ApiClient, query: str, expected: list[Any]) -> None:
    assert issues(api, f"/openint/connection?{query}") == expected


def test_path_and_query_issues_come_together(api: ApiClient) -> None:
    # tRPC's input is one object: a bad id and a bad query parameter are one answer, in the input's order
    assert [path for path, _, _ in issues(api, "/openint/connection/x?refresh_policy=")] == [["id"],
                                                                                             ["refresh_policy"]]


def test_lists_split_on_commas_unless_repeated(api: ApiClient) -> None:
    # zCoerceArray: blank parts dropped (`expand=` is no expansion); a repeated parameter is taken unsplit
    assert api.get("/openint/connection?expand=connector,,connector", headers=auth()).status_code == 200
    assert api.get("/openint/connector-config?expand=", headers=auth()).status_code == 200
    found = issues(api, "/openint/connector-config?connector_names=github,slack&connector_names=beta")
    assert found == [(["connector_names", 0], "invalid_enum_value", "github,slack"),
                     (["connector_names", 1], "invalid_enum_value", "beta")]


def test_an_empty_connector_names_filter_matches_no_connection(api: ApiClient) -> None:
    create(api, apikey_body())
    assert len(api.get("/openint/connection", headers=auth()).json()["items"]) == 1
    assert api.get("/openint/connection?connector_names=", headers=auth()).json()["items"] == []
    # while the connector-config listing ignores it
    assert api.get("/openint/connector-config?connector_names=", headers=auth()).json()["items"]


def test_an_empty_page_reports_a_total_of_zero(api: ApiClient) -> None:
    create(api, apikey_body())
    body = api.get("/openint/connection?limit=0", headers=auth()).json()
    assert (body["items"], body["total"], body["has_next_page"]) == ([], 0, True)
    assert api.get("/openint/connection?offset=5", headers=auth()).json()["total"] == 0


@pytest.mark.parametrize("value", ["false", "0", "no", "maybe", ""])
def test_include_secrets_opens_only_for_true_and_accepts_any_value(api: ApiClient, value: str) -> None:
    made = create(api, apikey_body())
    shown = api.get(f"/openint/connection/{made['id']}?include_secrets={value}", headers=auth())
    assert shown.status_code == 200 and "settings" not in shown.json()
    repeated = api.get(f"/openint/connection/{made['id']}?include_secrets=true&include_secrets=false",
                       headers=auth())
    assert repeated.status_code == 200 and "settings" not in repeated.json()
    assert "settings" in api.get(f"/openint/connection/{made['id']}?include_secrets=TRUE", headers=auth()).json()


@pytest.mark.parametrize(("sent", "status"), [('"12"', 200), ("[7]", 200), ("true", 200), ("null", 200),
                                              ('"soon"', 400)])
def test_body_numbers_are_coerced(api: ApiClient, sent: str, status: int) -> None:
    response = api.post("/openint/customer/cus_1/token", headers={**auth(), "Content-Type": "application/json"},
                        content=f'{{"validity_in_seconds": {sent}}}')
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["issues"][0]["received"] == "nan"


@pytest.mark.parametrize("body", ["", "  "])
def test_an_empty_json_body_is_unreadable(api: ApiClient, body: str) -> None:
    response = api.post("/openint/customer/cus_1/token", headers={**auth(), "Content-Type": "application/json"},
                        content=body)
    assert (response.status_code, response.json()["code"]) == (400, "PARSE_ERROR")
    # without a Content-Type the body is absent: a token request needs nothing
    assert api.post("/openint/customer/cus_1/token", headers=auth(), content=body).status_code == 200


@pytest.mark.parametrize(("connector", "status"), [("stripe", 501), ("airtable", 501), ("acme-apikey", 200)])
def test_check_connection_of_a_connector_without_a_check_is_not_implemented(api: ApiClient, connector: str,
                                                                            status: int) -> None:
    settings = {"stripe": {"secretKey": "sk"}, "airtable": {"apiKey": "k", "airtableBase": "b"},
                "acme-apikey": {"api_key": "k"}}[connector]
    response = api.post("/openint/connection", headers=auth(), json={
        "connector_config_id": ccfg(connector), "customer_id": "c", "check_connection": True,
        "data": {"connector_name": connector, "settings": settings}})
    assert response.status_code == status, response.text
    if status == 501:
        assert response.json() == {"message": f"Connector {connector} does not support check_connection",
                                   "code": "NOT_IMPLEMENTED", "data": {"code": "NOT_IMPLEMENTED", "httpStatus": 501,
                                                                       "path": "createConnection"}}


def test_an_enum_given_a_list_names_its_values(api: ApiClient) -> None:
    response = api.get("/openint/connection?refresh_policy=a&refresh_policy=b", headers=auth())
    assert response.json()["issues"] == [{
        "code": "invalid_type", "expected": "'none' | 'force' | 'auto'", "received": "array",
        "path": ["refresh_policy"], "message": "Expected 'none' | 'force' | 'auto', received array"}]


def test_a_body_list_the_server_coerces_takes_a_comma_separated_string(api: ApiClient) -> None:
    response = api.post("/openint/customer/cus_1/token", headers=auth(),
                        json={"connect_options": {"connector_names": "github,nope"}})
    assert response.status_code == 400
    assert [(i["path"], i["received"]) for i in response.json()["issues"]] == [
        (["connect_options", "connector_names", 1], "nope")]


@pytest.mark.parametrize(("settings", "expected"), [
    ({"oauth": {}, "access_token": ""}, None),  # no credentials: the empty token is dropped
    ({"oauth": {"credentials": {"access_token": "at"}}, "access_token": ""}, "at"),
    ({"oauth": {"credentials": {"access_token": "at"}}, "access_token": "mine"}, "mine"),
])
def test_a_falsy_top_level_access_token_comes_from_the_credentials(api: ApiClient, settings: dict[str, Any],
                                                                   expected: str | None) -> None:
    made = create(api, {"connector_config_id": ccfg("acme-oauth2"), "customer_id": "c",
                        "data": {"connector_name": "acme-oauth2", "settings": settings}})
    assert made["settings"].get("access_token") == expected


@pytest.mark.parametrize("path", ["/openint/connection", "/openint/connector-config"])
@pytest.mark.parametrize(("offset", "echoed"), [("9007199254740993", 9007199254740992), ("1e19", 1e19)])
def test_an_offset_past_the_safe_integers_is_an_empty_page(api: ApiClient, path: str, offset: str,
                                                           echoed: float) -> None:
    # measured: 2^53 + 1 is read as the double 2^53; from 2^63 up the server fails in PostgreSQL (not copied)
    body = api.get(f"{path}?offset={offset}&limit=1", headers=auth()).json()
    assert (body["items"], body["offset"]) == ([], echoed)
