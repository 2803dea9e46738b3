"""xpander's connection service: personal connections are their owner's, organizational ones the whole org's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mock_server.errors import NotFound
from mock_server.vendors.base import Principal
from mock_server.vendors.xpander.service import XpanderService
from mock_server.world import World

PAGES = "http://mock/__connmock/pages/xpander"


def principals(world: World) -> tuple[Principal, Principal, Principal]:
    """Alice and Bob of the first organization, and a user of the second."""
    acme, globex = world.seed.tenants[:2]
    alice, bob = acme.xpander_users[:2]
    return (Principal(acme, user_id=alice.id), Principal(acme, user_id=bob.id),
            Principal(globex, user_id=globex.xpander_users[0].id))


def connector(world: World, auth_type: str) -> str:
    return next(c.id for c in world.seed.xpander_connectors if c.auth_type == auth_type)


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {c["id"] for item in items for c in item["connections"]}


def test_personal_is_the_owners_organizational_the_orgs(world: World) -> None:
    xpander = XpanderService(world)
    alice, bob, stranger = principals(world)
    api_key = connector(world, "api_key")

    async def scenario() -> None:
        # Given Alice's personal connection and an organizational one of hers
        personal = await xpander.connect(alice, api_key, {"name": "mine"}, PAGES)
        shared = await xpander.connect(alice, api_key, {"name": "ours", "access_scope": "organizational"}, PAGES)
        catalog = list(world.seed.xpander_connectors)
        # Then Alice sees both, Bob only the organizational one, the other organization neither
        assert ids(await xpander.connector_items(alice, catalog)) == {personal["id"], shared["id"]}
        assert ids(await xpander.connector_items(bob, catalog)) == {shared["id"]}
        assert ids(await xpander.connector_items(stranger, catalog)) == set()
        # and Bob cannot list the operations of Alice's personal connection
        with pytest.raises(NotFound):
            await xpander.operations(bob, api_key, personal["id"])
        assert await xpander.operations(bob, api_key, shared["id"])

    asyncio.run(scenario())


def test_an_oauth2_connection_waits_for_consent(world: World) -> None:
    xpander = XpanderService(world)
    alice = principals(world)[0]
    oauth2 = connector(world, "oauth2")

    async def scenario() -> None:
        pending = await xpander.connect(alice, oauth2, {"name": "crm"}, PAGES)
        assert pending["status"] == "pending"
        assert pending["connector_page_url"] == f"{PAGES}/connect/{oauth2}/{pending['id']}"
        with pytest.raises(NotFound, match="complete the OAuth2 flow first"):
            await xpander.operations(alice, oauth2, pending["id"])
        done = await xpander.set_status(alice.tenant.id, pending["id"], "active") or {}
        assert done["status"] == "active" and "connector_page_url" not in done
        assert await xpander.operations(alice, oauth2, pending["id"])

    asyncio.run(scenario())
