"""xpander.ai domain logic, framework-free: connections to catalog connectors, personal or organizational."""

from __future__ import annotations

import math
from typing import Any

import orjson

from fixtures import XpanderConnector
from mock_server.errors import NotFound
from mock_server.vendors.base import Principal
from mock_server.vendors.xpander import listing
from mock_server.world import World

__all__ = ["XpanderService"]

SUMMARY_FIELDS = ("id", "name", "access_scope", "is_service_account", "owner", "version", "open_api_spec_id",
                  "created_at", "status")
OPERATION_VERBS = (("list", "GET", "List"), ("get", "GET", "Get"), ("create", "POST", "Create"))


def iso(world: World) -> str:
    return world.clock.now().isoformat(timespec="microseconds").replace("+00:00", "Z")


class XpanderService:
    def __init__(self, world: World) -> None:
        self.world = world
        world.store.define_index(listing.FAMILY, listing.INDEXER)

    def space(self, principal: Principal) -> str:
        return f"xpander:{principal.tenant.id}:connections"

    def connector(self, connector_id: str) -> XpanderConnector:
        found = self.world.seed.xpander_connector(connector_id)
        if found is None:
            raise NotFound("Connector not found")
        return found

    async def connect(self, principal: Principal, connector_id: str, body: dict[str, Any], page_base: str
                      ) -> dict[str, Any]:
        """Create a connection; OAuth2 connectors answer with a consent page and stay pending until it is done."""
        connector = self.connector(connector_id)
        now = iso(self.world)
        connection_id = self.world.ids.uuid4()
        record: dict[str, Any] = {
            "id": connection_id,
            "connector_id": connector.id,
            "name": body["name"],
            "version": body.get("version"),
            "access_scope": body.get("access_scope") or "personal",
            "is_service_account": bool(body.get("is_service_account") or False),
            "owner": principal.user_id,
            "general_params": body.get("general_params"),
            "target_system_servers": body.get("target_system_servers"),
            "open_api_spec_id": None,
            "status": "active",
            "created_at": now,
            "updated_at": now,
        }
        if connector.auth_type == "oauth2":
            record.update(
                status="pending",
                oauth2_required=True,
                message=f"Open connector_page_url in a browser to authorize {connector.name}.",
                connector_page_url=f"{page_base}/connect/{connector.id}/{connection_id}",
            )
        await self.world.store.insert(self.space(principal), connection_id, orjson.dumps(record))
        return record

    async def connector_items(self, principal: Principal, connectors: list[XpanderConnector]
                              ) -> list[dict[str, Any]]:
        """The connectors, each with the connections the caller sees (read from the index: only those)."""
        shown: dict[str, list[dict[str, Any]]] = {c.id: [] for c in connectors}
        if shown:
            found = await self.world.store.find(self.space(principal), listing.visible_to(principal.user_id, shown))
            for raw in found.values:
                record = orjson.loads(raw)
                shown[record["connector_id"]].append(record)
        return [self.connector_item(c, shown[c.id]) for c in connectors]

    def connector_item(self, connector: XpanderConnector, connections: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": connector.id,
            "name": connector.name,
            "description": connector.description,
            "logo": None,
            "status": "ready",
            "version": "1",
            "open_api_spec_id": None,
            "organization_id": None,
            "total_operations": len(OPERATION_VERBS),
            "readiness_score": 100,
            "using_built_in_auth": connector.auth_type == "oauth2",
            "connection_hint": "OAuth2 in the browser" if connector.auth_type == "oauth2" else "API key in `security`",
            "server_url": None,
            "auth_type": connector.auth_type,
            "connections": [{k: c.get(k) for k in SUMMARY_FIELDS} for c in connections],
        }

    async def list_connectors(self, principal: Principal, page: int, per_page: int) -> dict[str, Any]:
        catalog = list(self.world.seed.xpander_connectors)
        window = catalog[(page - 1) * per_page: page * per_page]
        return {
            "items": await self.connector_items(principal, window),
            "total": len(catalog),
            "page": page,
            "per_page": per_page,
            "total_pages": math.ceil(len(catalog) / per_page) if catalog else 0,
        }

    async def search_connectors(self, principal: Principal, query: str) -> list[dict[str, Any]]:
        needle = query.lower()
        hits = [c for c in self.world.seed.xpander_connectors
                if needle in c.name.lower() or needle in c.description.lower()]
        return await self.connector_items(principal, hits)

    async def operations(self, principal: Principal, connector_id: str, connection_id: str) -> list[dict[str, Any]]:
        connector = self.connector(connector_id)
        raw = await self.world.store.get(self.space(principal), connection_id)
        connection = orjson.loads(raw) if raw is not None else None
        if connection is None or connection["connector_id"] != connector_id \
                or not listing.visible(connection, principal.user_id):
            raise NotFound("Connection not found")
        if connection["status"] != "active":
            raise NotFound(f"Connection is {connection['status']}: complete the OAuth2 flow first")
        slug = connector.name.lower().replace(" ", "_")
        return [
            {
                "id": f"{slug}_{verb}_items",
                "operationId": f"{slug}_{verb}_items",
                "path": "/items" if verb != "get" else "/items/{id}",
                "method": method,
                "summary": f"{label} {connector.name} items",
                "description": f"{label} items in {connector.name}.",
                "tags": [slug],
                "pretty_name": f"{label} items",
                "pretty_description": f"{label} items in {connector.name}",
            }
            for verb, method, label in OPERATION_VERBS
        ]

    async def set_status(self, tenant_id: str, connection_id: str, status: str) -> dict[str, Any] | None:
        """Finish a pending OAuth2 connection (the consent page's Approve or Deny)."""

        def change(raw: bytes) -> bytes:
            record = orjson.loads(raw)
            if record["status"] == "pending":
                record.update(status=status, updated_at=iso(self.world))
                for key in ("oauth2_required", "message", "connector_page_url"):
                    record.pop(key, None)
            return orjson.dumps(record)

        raw = await self.world.store.update(f"xpander:{tenant_id}:connections", connection_id, change)
        return orjson.loads(raw) if raw else None

    async def find_connection(self, connection_id: str) -> tuple[str, dict[str, Any]] | None:
        """The connection a consent link names, with its organization's id (the link carries no tenant)."""
        for tenant in self.world.seed.tenants:
            raw = await self.world.store.get(f"xpander:{tenant.id}:connections", connection_id)
            if raw is not None:
                return tenant.id, orjson.loads(raw)
        return None
