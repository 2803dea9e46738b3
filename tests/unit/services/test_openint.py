"""OpenInt's connection service: settings (the secrets) only when asked, customers see only their own rows."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mock_server.errors import BadRequest, Forbidden, NotFound
from mock_server.vendors.base import Principal
from mock_server.vendors.openint.connectors import ConnectorCatalog
from mock_server.vendors.openint.service import OpenIntService
from mock_server.vendors.openint.tokens import CustomerTokens
from mock_server.world import World


def service(world: World) -> OpenIntService:
    return OpenIntService(world, ConnectorCatalog(world.specs["openint"].spec), CustomerTokens(world.seed.tenants))


def config_id(world: World, connector_name: str) -> str:
    return next(c.id for c in world.seed.connector_configs(world.seed.tenants[0].id)
                if c.connector_name == connector_name)


def apikey_body(world: World, customer: str, key: str = "k-1") -> dict[str, Any]:
    return {"connector_config_id": config_id(world, "acme-apikey"), "customer_id": customer,
            "data": {"connector_name": "acme-apikey", "settings": {"api_key": key}}}


def test_settings_are_shown_only_with_include_secrets(world: World) -> None:
    connections, org = service(world), Principal(world.seed.tenants[0])

    async def scenario() -> None:
        made = await connections.create(org, apikey_body(world, "cus_1", key="the-secret"))
        hidden = await connections.get(org, made["id"], include_secrets=False, expand=[])
        shown = await connections.get(org, made["id"], include_secrets=True, expand=[])
        assert "settings" not in hidden and "the-secret" not in str(hidden)
        assert shown["settings"] == {"api_key": "the-secret"}

    asyncio.run(scenario())


def test_an_oauth2_import_gains_expires_at_and_a_top_level_access_token(world: World) -> None:
    connections, org = service(world), Principal(world.seed.tenants[0])
    body = {"connector_config_id": config_id(world, "acme-oauth2"), "customer_id": "cus_1",
            "data": {"connector_name": "acme-oauth2",
                     "settings": {"oauth": {"credentials": {"access_token": "at-1", "expires_in": 3600}}}}}
    made = asyncio.run(connections.create(org, body))
    assert made["settings"]["access_token"] == "at-1"
    assert made["settings"]["oauth"]["credentials"]["expires_at"].startswith("2026-11-22T13:00:00")


def test_a_customer_sees_only_its_own_connections(world: World) -> None:
    connections, tenant = service(world), world.seed.tenants[0]
    org = Principal(tenant)
    customer = Principal(tenant, kind="customer", customer_id="cus_1")

    async def scenario() -> None:
        own = await connections.create(org, apikey_body(world, "cus_1"))
        other = await connections.create(org, apikey_body(world, "cus_2"))
        assert (await connections.get(customer, own["id"], False, []))["id"] == own["id"]
        with pytest.raises(NotFound):
            await connections.get(customer, other["id"], False, [])
        with pytest.raises(NotFound):  # nor delete it
            await connections.delete(customer, other["id"])
        assert (await connections.get(org, other["id"], False, []))["customer_id"] == "cus_2"

    asyncio.run(scenario())


def test_a_customer_cannot_mint_a_token_for_another(world: World) -> None:
    connections, tenant = service(world), world.seed.tenants[0]
    customer = Principal(tenant, kind="customer", customer_id="cus_1")
    with pytest.raises(Forbidden):
        connections.create_token(customer, "cus_2", None, "http://mock/connect")
    assert connections.create_token(customer, "cus_1", None, "http://mock/connect")["token"]


def test_a_config_of_another_connector_is_refused(world: World) -> None:
    connections, org = service(world), Principal(world.seed.tenants[0])
    body = apikey_body(world, "cus_1")
    body["data"]["connector_name"] = "acme-oauth2"
    with pytest.raises(BadRequest, match="Connector name mismatch"):
        asyncio.run(connections.create(org, body))
