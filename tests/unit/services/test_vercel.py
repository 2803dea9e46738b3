"""Vercel's connector service: a uid is unique in its team (409), a connector is found by id or uid."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mock_server.errors import Conflict, NotFound
from mock_server.vendors.vercel.service import ConnectorService
from mock_server.world import World


def service(world: World) -> ConnectorService:
    return ConnectorService(world, world.rules("vercel", "createConnector"))


def body(uid: str, secret: str = "s3cret") -> dict[str, Any]:
    return {"type": "slack", "uid": uid, "name": "bot",
            "data": {"clientId": "client-1", "clientSecret": secret}}


def test_a_second_connector_with_the_same_uid_is_a_409(world: World) -> None:
    connectors, team = service(world), world.seed.tenants[0].vercel_team

    async def scenario() -> None:
        made = await connectors.create(team, body("slack/bot"))
        with pytest.raises(Conflict) as raised:
            await connectors.create(team, body("slack/bot"))
        assert raised.value.message == "A connector with uid slack/bot already exists."
        # the first one is unchanged, found by its id and by its uid
        assert await connectors.get(team, made["id"]) == await connectors.get(team, "slack/bot") == made

    asyncio.run(scenario())


def test_the_same_uid_in_another_team_is_free(world: World) -> None:
    connectors = service(world)
    acme, globex = (tenant.vercel_team for tenant in world.seed.tenants[:2])

    async def scenario() -> None:
        ours = await connectors.create(acme, body("slack/bot"))
        theirs = await connectors.create(globex, body("slack/bot"))
        assert ours["id"] != theirs["id"] and theirs["ownerId"] == globex.id

    asyncio.run(scenario())


def test_renaming_onto_a_taken_uid_is_a_409_and_a_delete_frees_the_uid(world: World) -> None:
    connectors, team = service(world), world.seed.tenants[0].vercel_team
    rules = world.rules("vercel", "updateConnector")

    async def scenario() -> None:
        first = await connectors.create(team, body("slack/one"))
        await connectors.create(team, body("slack/two"))
        with pytest.raises(Conflict):
            await connectors.update(team, first["id"], {"uid": "slack/two"}, rules)
        assert await connectors.delete(team, "slack/two")
        moved = await connectors.update(team, first["id"], {"uid": "slack/two"}, rules)
        assert moved["uid"] == "slack/two"
        with pytest.raises(NotFound):
            await connectors.get(team, "slack/one")

    asyncio.run(scenario())


def test_the_secret_of_the_data_is_never_kept_on_the_connector(world: World) -> None:
    connectors, team = service(world), world.seed.tenants[0].vercel_team
    made = asyncio.run(connectors.create(team, body("slack/bot", secret="do-not-keep")))
    assert "do-not-keep" not in str(made) and made["data"]["clientId"] == "client-1"
