"""`Prefer: code=NNN` / `Prefer: example=NAME`: a documented answer on demand, marked by `Preference-Applied`,
and a preference the operation cannot honour is the vendor's 400 naming what it documents, never the real
operation performed in silence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server import Settings, create_app
from speclib import SchemaValidator, load_spec
from tests.reliability.support import SEED, VENDORS, ErrorShapes, auth_headers, create_path, valid_creates
from tests.support.api import ApiClient, in_process

ACME = SEED.tenant("acme")
NANGO = auth_headers("nango", ACME)


@pytest.fixture
def nango() -> Iterator[ApiClient]:
    with in_process(Settings(vendors=("nango",))) as client:
        yield client


def records(client: ApiClient) -> int:
    return int(client.get("/__connmock/health").json()["records"])


def test_prefer_code_answers_the_documented_response(nango: ApiClient) -> None:
    # Given a valid key, a frontend asks for the documented 401 on purpose
    forced = nango.get("/nango/connections", headers={**NANGO, "Prefer": "code=401"})
    # Then it gets that status with a body in the vendor's error schema, and is told the preference was applied
    assert forced.status_code == 401 and forced.headers["preference-applied"] == "code=401"
    schema = load_spec("nango").operations["listConnections"].response_schema("401")
    assert schema is not None and SchemaValidator(schema).errors(forced.json()) == []


def test_prefer_example_answers_the_named_example(nango: ApiClient) -> None:
    body = {"provider_config_key": "github", "credentials": {"type": "OAUTH2", "access_token": "tok-example"}}
    forced = nango.post("/nango/connections", json=body, headers={**NANGO, "Prefer": "example=apiKey"})
    operation = load_spec("nango").operations["createConnection"]
    example = operation.responses["201"]["content"]["application/json"]["examples"]["apiKey"]["value"]
    assert (forced.status_code, forced.json()) == (201, example)
    assert forced.headers["preference-applied"] == "example=apiKey"
    # and nothing was stored: the state is untouched by a forced answer
    assert nango.get("/nango/connections", headers=NANGO).json() == {"connections": []}


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_code_the_operation_does_not_document_is_a_400_naming_the_documented_ones(vendor: str) -> None:
    client = ApiClient(create_app(Settings(vendors=(vendor,))))
    request = valid_creates(vendor, ACME, 1)[0]
    operation = load_spec(vendor).operation(request.operation_id)
    documented = [status for status in operation.responses if status.isdigit()]
    try:
        # Given a create a frontend stages with a status its operation does not document
        assert "418" not in documented
        refused = client.post(create_path(request), json=request.body,
                              headers={**auth_headers(vendor, ACME), "Prefer": "code=418"})
        # Then the vendor's 400 names the asked code and every documented one, and nothing was created
        assert refused.status_code == 400, refused.text
        assert ErrorShapes(vendor).check(request.operation_id, refused).ok
        assert "preference-applied" not in refused.headers
        assert "code=418" in refused.text and all(status in refused.text for status in documented)
        assert records(client) == 0
        # And a documented code of the same operation is still answered, and says it was applied
        error = next(status for status in documented if status.startswith("4"))
        forced = client.post(create_path(request), json=request.body,
                             headers={**auth_headers(vendor, ACME), "Prefer": f"code={error}"})
        assert forced.status_code == int(error) and forced.headers["preference-applied"] == f"code={error}"
        assert records(client) == 0
    finally:
        client.close()


def test_an_example_the_operation_does_not_have_is_a_400_listing_its_examples(nango: ApiClient) -> None:
    body = {"provider_config_key": "github", "credentials": {"type": "OAUTH2", "access_token": "tok-example"}}
    refused = nango.post("/nango/connections", json=body, headers={**NANGO, "Prefer": "example=nope"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "prefer_not_documented"
    assert "example=nope" in refused.text and "example=apiKey" in refused.text
    assert nango.get("/nango/connections", headers=NANGO).json() == {"connections": []}


def test_a_value_that_is_not_a_status_code_is_not_quoted_back(nango: ApiClient) -> None:
    refused = nango.get("/nango/connections", headers={**NANGO, "Prefer": "code=<b>x</b>"})
    assert refused.status_code == 400 and "<b>" not in refused.text and "not a status code" in refused.text


def test_a_preference_the_mock_does_not_know_performs_the_operation(nango: ApiClient) -> None:
    # `return=minimal` (RFC 7240) is no staging request: the real answer, and no Preference-Applied
    answered = nango.get("/nango/connections", headers={**NANGO, "Prefer": "return=minimal"})
    assert answered.status_code == 200 and "preference-applied" not in answered.headers
