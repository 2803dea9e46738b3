"""Nango's connections service: `POST /connections` is an upsert keyed by integration and connection id."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fixtures import Tenant
from mock_server.errors import BadRequest, NotFound
from mock_server.vendors.nango.credentials import CredentialCatalog
from mock_server.vendors.nango.service import NangoConnections
from mock_server.world import World


def service(world: World) -> NangoConnections:
    return NangoConnections(world, CredentialCatalog(world.specs["nango"].spec))


def body(connection_id: str, token: str, **extra: Any) -> dict[str, Any]:
    return {"provider_config_key": "github", "connection_id": connection_id,
            "credentials": {"type": "OAUTH2", "access_token": token}, **extra}


def test_the_same_key_twice_overrides_and_keeps_the_id(world: World) -> None:
    connections, tenant = service(world), world.seed.tenants[0]

    async def scenario() -> None:
        # Given a connection made by an import
        first, made = await connections.imported(tenant, body("c-1", "token-1", tags={"team": "a"}))
        # When the same integration and connection id are imported again, without tags
        second, again = await connections.imported(tenant, body("c-1", "token-2"))
        # Then it is the same record, its credentials replaced and its tags kept
        assert (made, again) == ("creation", "override")
        assert second["id"] == first["id"] == 1
        assert second["credentials"]["access_token"] == "token-2"
        assert second["tags"] == {"team": "a"}
        # and a new connection id draws the next id, without a gap
        third, _ = await connections.imported(tenant, body("c-2", "token-3"))
        assert third["id"] == 2

    asyncio.run(scenario())


def test_environments_are_apart(world: World) -> None:
    connections = service(world)
    acme, globex = world.seed.tenants[:2]

    async def scenario() -> None:
        await connections.imported(acme, body("shared-id", "acme-token"))
        other, made = await connections.imported(globex, body("shared-id", "globex-token"))
        assert made == "creation" and other["id"] == 1
        assert (await connections.find(acme, "github", "shared-id") or {})["credentials"]["access_token"] \
            == "acme-token"

    asyncio.run(scenario())


def test_get_hides_the_refresh_token_unless_asked_and_touches_last_fetched(world: World) -> None:
    connections, tenant = service(world), world.seed.tenants[0]

    async def scenario() -> None:
        made, _ = await connections.imported(tenant, body("c-1", "t", credentials={
            "type": "OAUTH2", "access_token": "t", "refresh_token": "r"}))
        plain = await connections.get(tenant, "c-1", {"provider_config_key": "github"})
        asked = await connections.get(tenant, "c-1", {"provider_config_key": "github", "refresh_token": True})
        assert "refresh_token" not in plain["credentials"] and asked["credentials"]["refresh_token"] == "r"
        assert plain["last_fetched_at"] != made["last_fetched_at"]
        assert plain["created_at"].endswith("+00:00")

    asyncio.run(scenario())


@pytest.mark.parametrize(("change", "error", "code"), [
    ({"provider_config_key": "no-such-integration"}, NotFound, "not_found"),
    ({"credentials": {"type": "API_KEY", "apiKey": "k"}}, BadRequest, "invalid_body"),
], ids=["unknown-integration", "wrong-auth-mode"])
def test_an_import_nango_refuses(world: World, change: dict[str, Any], error: type[Exception], code: str) -> None:
    connections, tenant = service(world), world.seed.tenants[0]
    with pytest.raises(error) as raised:
        asyncio.run(connections.imported(tenant, {**body("c-1", "t"), **change}))
    assert getattr(raised.value, "code", None) == code


def test_delete_of_an_unknown_connection_is_a_400(world: World) -> None:
    connections, tenant = service(world), world.seed.tenants[0]

    async def scenario(who: Tenant) -> None:
        await connections.imported(who, body("c-1", "t"))
        assert await connections.delete(who, "c-1", "github") == {"success": True}
        with pytest.raises(BadRequest) as raised:
            await connections.delete(who, "c-1", "github")
        assert raised.value.code == "unknown_connection"

    asyncio.run(scenario(tenant))
