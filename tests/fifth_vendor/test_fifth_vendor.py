"""A fifth vendor made of this folder's files only gets a stateful mock, fixtures and a passing `connmock check`.

Relay (fictional) is registered from `tests/fifth_vendor/` (spec with its profile, seed, adapter); nothing of
the product names it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connmock.cli import banner, main
from fixtures import load_seed
from fixtures.factories import create_requests
from mock_server import Settings, create_app
from openapi import register, registry, unregister, vendors
from tests.fifth_vendor import RELAY
from tests.fifth_vendor.adapter import RelayAdapter
from tests.support.api import ApiClient


@pytest.fixture
def relay() -> Iterator[str]:
    register(RELAY)
    yield RELAY.name
    unregister(RELAY.name)


@pytest.fixture
def api(relay: str) -> Iterator[ApiClient]:
    """A mock of every known vendor: the bundled four and Relay."""
    client = ApiClient(create_app(Settings()))
    yield client
    client.close()


def headers(tenant_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {load_seed().tenant(tenant_id).key(RELAY.name)}"}


def test_only_a_registered_vendor_is_known() -> None:
    assert RELAY.name not in vendors()
    register(RELAY)
    try:
        assert vendors()[-1] == RELAY.name and RELAY.name in Settings().vendors
    finally:
        unregister(RELAY.name)
    assert RELAY.name not in vendors()


def test_an_installed_entry_point_registers_relay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a package whose metadata names Relay in the `connmock.vendors` entry-point group
    dist = tmp_path / "relay_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: relay-plugin\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(f"[{registry.ENTRY_POINT_GROUP}]\nrelay = tests.fifth_vendor:RELAY\n",
                                           encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.rediscover()
    try:
        # Then the vendor is known without a call to register
        assert RELAY.name in vendors()
    finally:
        unregister(RELAY.name)
        monkeypatch.undo()
        registry.rediscover()
    assert RELAY.name not in vendors()


def test_the_seed_gives_every_tenant_its_relay_key(relay: str) -> None:
    seed = load_seed()
    assert [t.key(relay) for t in seed.tenants] == ["rly_acme_6d0f5b1e9a7c43d2b8e1f0a9",
                                                   "rly_globex_2b9e4c7a1d6f08e3c5a7b9d1"]
    assert seed.tenants[0].key("nango") == seed.tenants[0].nango_secret_key  # the bundled keys are kept


def test_fixtures_bind_each_variant_to_its_seeded_provider(relay: str) -> None:
    requests = create_requests(relay, 4)
    kinds = [r.body["credentials"]["kind"] for r in requests]
    assert kinds == ["api_key", "basic", "api_key", "basic"]
    assert [r.body["provider_id"] for r in requests[:2]] == ["prv_mailer", "prv_filebox"]
    out = io.StringIO()
    assert main(["fixtures", relay, "--count", "2"], out=out) == 0
    assert [item["operation"] for item in json.loads(out.getvalue())] == ["createLink", "createLink"]


def test_the_mock_keeps_each_tenants_links(api: ApiClient, relay: str) -> None:
    # Given a link created as acme from the fixtures
    request = create_requests(relay, 1)[0]
    created = api.post(f"/{relay}/links", headers=headers("acme"), json=request.body)
    assert created.status_code == 201, created.text
    link: dict[str, Any] = created.json()
    assert "credentials" not in link and request.body["credentials"]["api_key"] not in created.text
    # When it is read, listed, renamed and deleted, Then each answer reflects the state so far
    assert api.get(f"/{relay}/links/{link['id']}", headers=headers("acme")).json() == link
    assert [item["id"] for item in api.get(f"/{relay}/links", headers=headers("acme")).json()["data"]] == [link["id"]]
    renamed = api.patch(f"/{relay}/links/{link['id']}", headers=headers("acme"), json={"name": "renamed"})
    assert renamed.json()["name"] == "renamed"
    assert api.get(f"/{relay}/links/{link['id']}", headers=headers("globex")).status_code == 404
    assert api.get(f"/{relay}/links", headers=headers("globex")).json()["data"] == []
    assert api.delete(f"/{relay}/links/{link['id']}", headers=headers("acme")).status_code == 204
    assert api.get(f"/{relay}/links/{link['id']}", headers=headers("acme")).status_code == 404


def test_the_index_tenants_and_journal_page_show_relay(api: ApiClient, relay: str) -> None:
    created = api.post(f"/{relay}/links", headers=headers("acme"), json=create_requests(relay, 1)[0].body).json()
    assert relay in [v["vendor"] for v in api.get("/").json()["vendors"]]
    assert api.get(f"/{relay}/openapi.json").json()["info"]["x-connmock-vendor"] == relay
    tenants = api.get("/__connmock/tenants").json()["tenants"]
    assert all(relay in t["vendors"] for t in tenants)
    assert created["id"] in api.get("/__connmock/").text  # the journal page lists the stored link (profile `stored`)


def test_the_mock_validates_and_authenticates_from_the_spec(api: ApiClient, relay: str) -> None:
    missing = api.post(f"/{relay}/links", headers=headers("acme"), json={"name": "x"})
    assert missing.status_code == 400
    assert "provider_id" in missing.json()["error"]["message"]
    assert api.get(f"/{relay}/links", headers={"Authorization": "Bearer rly_nobody"}).status_code == 401


def test_the_banner_shows_the_relay_keys(relay: str) -> None:
    text = banner("http://mock", vendors(), False, None)
    assert f"  relay    http://mock/{relay}" in text
    assert "  relay    Authorization: Bearer rly_acme_6d0f5b1e9a7c43d2b8e1f0a9" in text


def check(relay: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["check", "--vendor", relay, "--max-examples", "6"], out=out)
    return code, out.getvalue()


def test_connmock_check_passes_against_the_relay_mock(relay: str) -> None:
    code, report = check(relay)
    assert code == 0, report
    assert "operations covered: 5/5" in report and "0 failure(s)" in report
    assert "lifecycle ok" in report and "cross-tenant ok" in report


def test_connmock_check_catches_a_relay_mock_that_leaks_a_credential(relay: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    create = RelayAdapter.create

    async def leaky(self: RelayAdapter, ctx: Any) -> Any:
        reply = await create(self, ctx)
        reply.body = {**reply.body, "name": json.dumps(ctx.body["credentials"])}
        return reply

    monkeypatch.setattr(RelayAdapter, "create", leaky)
    code, report = check(relay)
    assert code == 1 and "canary" in report, report
