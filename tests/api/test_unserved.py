"""A call the mock's spec does not have (an SDK's `createIntegration` or `getIntegration`, say) is never silent: the
vendor's 404/405 is journalled and logged, naming vendor, method and path, and neither holds what the request
carried (its body is not read, secret-looking query values are redacted, the log has no query)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from fixtures import load_seed
from mock_server import Settings
from tests.support.api import ApiClient, in_process

NANGO = {"Authorization": f"Bearer {load_seed().tenant('acme').nango_secret_key}"}
CANARY = "canary-unserved-5f3e"


@pytest.fixture
def nango() -> Iterator[ApiClient]:
    with in_process(Settings(vendors=("nango",))) as client:
        yield client


def test_unserved_sdk_calls_are_journalled_and_logged(nango: ApiClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="connmock"):
        # @nangohq/node's createIntegration and getIntegration
        created = nango.post("/nango/integrations", headers=NANGO, json={
            "provider": "github", "unique_key": "gh2", "credentials": {"type": "OAUTH2", "client_secret": CANARY}})
        read = nango.get(f"/nango/integrations/github?secret_key={CANARY}&include=webhook", headers=NANGO)
    assert created.status_code == 405 and read.status_code == 404
    journal = nango.get("/__connmock/requests").json()["requests"]
    unserved = [(e["vendor"], e["operation"], e["method"], e["path"], e["query"], e["status"]) for e in journal]
    assert unserved == [
        ("nango", None, "POST", "/nango/integrations", "", 405),
        ("nango", None, "GET", "/nango/integrations/github", "secret_key=[redacted]&include=webhook", 404),
    ]
    assert journal[0]["response_body"] == created.json()
    lines = [r.getMessage() for r in caplog.records]
    assert "nango POST /nango/integrations -> 405: not a method of the mock's nango spec" in lines
    assert "nango GET /nango/integrations/github -> 404: not an operation of the mock's nango spec" in lines
    assert CANARY not in str(journal) + "\n".join(lines)
