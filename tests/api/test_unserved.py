"""A call the mock's spec does not have (an SDK's `setMetadata` or `listIntegrations`, say) is never silent: the
vendor's 404/405 is journalled and logged, naming vendor, method and path, and neither holds what the request
carried (its body is not read, secret-looking query values are redacted, the log has no query)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from fixtures import load_seed
from mock_server import Settings, create_app
from tests.support.api import ApiClient

NANGO = {"Authorization": f"Bearer {load_seed().tenant('acme').nango_secret_key}"}
CANARY = "canary-unserved-5f3e"


@pytest.fixture
def nango() -> Iterator[ApiClient]:
    client = ApiClient(create_app(Settings(vendors=("nango",))))
    yield client
    client.close()


def test_unserved_sdk_calls_are_journalled_and_logged(nango: ApiClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="connmock"):
        # @nangohq/node's setMetadata and listIntegrations
        metadata = nango.post("/nango/connections/metadata", headers=NANGO, json={
            "connection_id": "c1", "provider_config_key": "github", "metadata": {"token": CANARY}})
        integrations = nango.get(f"/nango/integrations?secret_key={CANARY}&page=2", headers=NANGO)
    assert metadata.status_code == 405 and integrations.status_code == 404
    journal = nango.get("/__connmock/requests").json()["requests"]
    unserved = [(e["vendor"], e["operation"], e["method"], e["path"], e["query"], e["status"]) for e in journal]
    assert unserved == [
        ("nango", None, "POST", "/nango/connections/metadata", "", 405),
        ("nango", None, "GET", "/nango/integrations", "secret_key=[redacted]&page=2", 404),
    ]
    assert journal[0]["response_body"] == metadata.json()
    lines = [r.getMessage() for r in caplog.records]
    assert "nango POST /nango/connections/metadata -> 405: not a method of the mock's nango spec" in lines
    assert "nango GET /nango/integrations -> 404: not an operation of the mock's nango spec" in lines
    assert CANARY not in str(journal) + "\n".join(lines)
