"""Vercel Connect connectors, framework-free: create, resolve by id or uid, list, delete.

Every team has its own store spaces, so isolation is structural:

    vercel:<team>:connectors   id -> {"connector": <as returned>, "projects": [{projectId, environments}]}
    vercel:<team>:uids         uid -> id (the unique index that makes a second uid a 409)
    vercel:<team>:keys         id -> the api-key `values` (secrets: only getConnectorToken hands them out)

The stored connector is already without its secret `data` fields; the secrets that Connect hands back as
tokens live in their own space and never pass through a connector response.
"""

from __future__ import annotations

from typing import Any

import orjson

from fixtures import VercelTeam
from mock_server.errors import Conflict, NotFound
from mock_server.vendors.vercel import catalog, listing
from mock_server.world import World
from speclib.secrets import SecretRule

__all__ = ["ConnectorService", "now_ms"]

REDIRECT_URI = "https://connect.vercel.com/callback"
BRANDING = ("icon", "backgroundColor", "accentColor")
UPDATABLE = ("uid", "name", "events", *BRANDING)  # what updateConnector replaces as sent


def now_ms(world: World) -> int:
    return int(world.clock.now().timestamp() * 1000)


def not_found(reference: str) -> NotFound:
    return NotFound(f"Could not find the connector: {reference}", code="not_found")


class ConnectorService:
    def __init__(self, world: World, rules: tuple[SecretRule, ...]) -> None:
        self.world = world
        self.rules = rules  # the secret marks of the create body
        world.store.define_index(listing.FAMILY, listing.INDEXER)

    @staticmethod
    def space(team: VercelTeam, kind: str) -> str:
        return f"vercel:{team.id}:{kind}"

    def build(self, team: VercelTeam, body: dict[str, Any], connector_id: str) -> dict[str, Any]:
        """The connector as Vercel returns it: both SDK generations' fields, `data` without secrets."""
        now = now_ms(self.world)
        name = body.get("name") or catalog.default_name(body, connector_id.removeprefix("scl_")[:8])
        connector: dict[str, Any] = {
            "id": connector_id,
            "ownerId": team.id,
            "createdAt": now,
            "updatedAt": now,
            "public": False,
            "uid": body.get("uid") or f"{body['type']}/{name}",
            "type": body["type"],
            "service": catalog.service_of(body),
            "name": name,
            "displayName": body.get("name") or body["data"].get("appName") or name,
            "clientUrl": None,
            "redirectUri": REDIRECT_URI,
            "data": catalog.without_secrets(body["data"], self.rules, ("data",)),
            **catalog.derived_fields(body["type"]),
            "events": list(body.get("events") or []),
        }
        if body.get("triggers"):
            connector["triggers"] = {"enabled": True}
        connector.update({key: body[key] for key in BRANDING if body.get(key)})
        return connector

    async def create(self, team: VercelTeam, body: dict[str, Any]) -> dict[str, Any]:
        store, uids = self.world.store, self.space(team, "uids")
        projects = [{"projectId": body["projectId"], "environments": body.get("environments") or []}] \
            if body.get("projectId") else []
        while True:
            connector = self.build(team, body, f"scl_{self.world.ids.hex(24)}")
            record = orjson.dumps({"connector": connector, "projects": projects})
            if await store.insert(self.space(team, "connectors"), connector["id"], record,
                                  index=(uids, connector["uid"])):
                break
            if await store.get(uids, connector["uid"]) is not None:
                raise Conflict(f"A connector with uid {connector['uid']} already exists.", code="conflict")
        values = body["data"].get("values") if body["type"] == "api-key" else None
        if values:
            await self.world.store.insert(self.space(team, "keys"), connector["id"], orjson.dumps(values))
        return connector

    async def record(self, team: VercelTeam, reference: str) -> dict[str, Any]:
        """The stored record for a connector id (`scl_…`) or a team-scoped uid (`slack/my-bot`)."""
        store = self.world.store
        raw = await store.get(self.space(team, "connectors"), reference)
        if raw is None:
            key = await store.get(self.space(team, "uids"), reference)
            raw = await store.get(self.space(team, "connectors"), key.decode()) if key else None
        if raw is None:
            raise not_found(reference)
        found: dict[str, Any] = orjson.loads(raw)
        return found

    async def get(self, team: VercelTeam, reference: str) -> dict[str, Any]:
        connector: dict[str, Any] = (await self.record(team, reference))["connector"]
        return connector

    async def delete(self, team: VercelTeam, reference: str) -> str:
        """Remove a connector with its project links, its keys and its tokens; returns its id."""
        connector = await self.get(team, reference)
        removed = await self.world.store.delete(self.space(team, "connectors"), connector["id"],
                                                index=(self.space(team, "uids"), connector["uid"]))
        if removed is None:  # deleted by a concurrent call
            raise not_found(reference)
        for kind in ("keys", "grants"):
            await self.world.store.delete(self.space(team, kind), connector["id"])
        return str(connector["id"])

    async def update(self, team: VercelTeam, reference: str, changes: dict[str, Any],
                     rules: tuple[SecretRule, ...]) -> dict[str, Any]:
        """Apply `updateConnector`: the fields sent replace the stored ones (`data` merged key by key, without
        its secrets); a new `uid` must be free in the team (409), and moves the uid index with it."""
        connector = await self.get(team, reference)
        uids = self.space(team, "uids")
        new_uid = str(changes.get("uid") or "")
        moved = bool(new_uid) and new_uid != connector["uid"]
        if moved and not await self.world.store.insert(uids, new_uid, connector["id"].encode()):
            raise Conflict(f"A connector with uid {new_uid} already exists.", code="conflict")
        data = {**connector["data"], **catalog.without_secrets(changes.get("data") or {}, rules, ("data",))}
        fields = {key: changes[key] for key in UPDATABLE if key in changes}
        if "name" in changes:
            fields["displayName"] = changes["name"]

        def changed(raw: bytes) -> bytes:
            record = orjson.loads(raw)
            shown = {**record["connector"], **fields, "data": data, "updatedAt": now_ms(self.world)}
            if "triggers" in changes:  # shown only while enabled, as on create
                shown.pop("triggers", None)
                if changes["triggers"]:
                    shown["triggers"] = {"enabled": True}
            record["connector"] = shown
            return orjson.dumps(record)

        updated = await self.world.store.update(self.space(team, "connectors"), connector["id"], changed)
        if updated is None:  # deleted by a concurrent call
            if moved:
                await self.world.store.delete(uids, new_uid)
            raise not_found(reference)
        if moved:
            await self.world.store.delete(uids, connector["uid"])
        result: dict[str, Any] = orjson.loads(updated)["connector"]
        return result

    async def list_page(self, team: VercelTeam, query: dict[str, Any]) -> dict[str, Any]:
        found = await self.world.store.find(self.space(team, "connectors"), listing.query_of(query))
        return listing.page([orjson.loads(raw)["connector"] for raw in found.values], query)

    async def api_keys(self, team: VercelTeam, connector_id: str) -> list[dict[str, Any]]:
        raw = await self.world.store.get(self.space(team, "keys"), connector_id)
        values: list[dict[str, Any]] = orjson.loads(raw) if raw else []
        return values
