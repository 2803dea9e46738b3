"""Nango's `POST`/`PATCH /connections/metadata` and `GET /integrations`, the calls `@nangohq/node` makes around a
connection (`setMetadata`, `updateMetadata`, `listIntegrations`), as the 0.71.4 server answers them (the
recording `fixtures/recordings/nango/metadata.json` holds the real answers; these pin the state they change)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures import load_seed
from mock_server import Settings
from tests.support.api import ApiClient, in_process

SEED = load_seed()
ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
AUTH = {"Authorization": f"Bearer {ACME.nango_secret_key}"}


@pytest.fixture
def nango() -> Iterator[ApiClient]:
    with in_process(Settings(vendors=("nango",), single_vendor_at_root=True)) as client:
        for connection_id in ("m1", "m2"):
            assert client.post("/connections", headers=AUTH, json={
                "provider_config_key": "github", "connection_id": connection_id, "metadata": {"a": 1, "b": 2},
                "credentials": {"type": "OAUTH2", "access_token": "tok"}}).status_code == 201
        yield client


def metadata_of(client: ApiClient, connection_id: str) -> Any:
    return client.get(f"/connections/{connection_id}?provider_config_key=github", headers=AUTH).json()["metadata"]


def test_set_replaces_and_update_merges(nango: ApiClient) -> None:
    body = {"connection_id": ["m1", "m2"], "provider_config_key": "github", "metadata": {"c": 3}}
    answer = nango.post("/connections/metadata", headers=AUTH, json=body)
    assert (answer.status_code, answer.json()) == (201, body)
    assert metadata_of(nango, "m1") == metadata_of(nango, "m2") == {"c": 3}
    body = {"connection_id": "m1", "provider_config_key": "github", "metadata": {"d": 4, "c": None}}
    answer = nango.patch("/connections/metadata", headers=AUTH, json=body)
    assert (answer.status_code, answer.json()) == (200, body)
    assert metadata_of(nango, "m1") == {"c": None, "d": 4} and metadata_of(nango, "m2") == {"c": 3}


def test_one_unknown_connection_changes_none(nango: ApiClient) -> None:
    answer = nango.post("/connections/metadata", headers=AUTH, json={
        "connection_id": ["m1", "nope"], "provider_config_key": "github", "metadata": {}})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_connection"
    assert answer.json()["error"]["message"].endswith("No actions were taken on any of the connections as a "
                                                      "result of this failure.")
    assert metadata_of(nango, "m1") == {"a": 1, "b": 2}


def test_another_environment_cannot_touch_the_metadata(nango: ApiClient) -> None:
    other = {"Authorization": f"Bearer {GLOBEX.nango_secret_key}"}
    answer = nango.patch("/connections/metadata", headers=other, json={
        "connection_id": "m1", "provider_config_key": "github", "metadata": {"x": 1}})
    assert answer.status_code == 404 and metadata_of(nango, "m1") == {"a": 1, "b": 2}


def test_integrations_are_listed_by_provider_and_the_query_is_strict(nango: ApiClient) -> None:
    listed = nango.get("/integrations", headers=AUTH).json()["data"]
    assert [i["unique_key"] for i in listed] == [i.unique_key for i in sorted(
        SEED.nango_integrations, key=lambda i: (i.provider, i.unique_key))]
    assert listed[0]["logo"] == f"http://testserver/images/template-logos/{listed[0]['provider']}.svg"
    strict = nango.get("/integrations?page=1", headers=AUTH)
    assert strict.status_code == 400 and strict.json()["error"]["code"] == "invalid_query_params"
