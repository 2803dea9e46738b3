"""xpander.ai on the wire: `x-api-key` per user, FastAPI errors, handlers one line per operation."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from fixtures import Tenant
from mock_server.errors import ServiceError, Unauthorized
from mock_server.vendors.base import Handler, Principal, Reply, RequestContext, VendorAdapter
from mock_server.vendors.xpander import errors
from mock_server.vendors.xpander.service import XpanderService

__all__ = ["XpanderAdapter"]


class XpanderAdapter(VendorAdapter):
    key = "xpander"

    def __init__(self, world: Any) -> None:
        super().__init__(world)
        self.service = XpanderService(world)
        self.users = {user.api_key: (tenant, user) for tenant in world.seed.tenants for user in tenant.xpander_users}

    def authenticate(self, headers: Mapping[str, str], operation_id: str) -> Principal:
        key = headers.get("x-api-key")
        if not key:
            raise Unauthorized("Not authenticated")
        match = None
        for known, owner in self.users.items():
            if hmac.compare_digest(known.encode(), key.encode()):
                match = owner
        if match is None:
            raise Unauthorized("Invalid API key")
        tenant, user = match
        return Principal(tenant=tenant, user_id=user.id)

    def render_error(self, error: ServiceError, operation_id: str | None) -> Reply:
        rules = self.world.rules(self.key, operation_id) if operation_id else ()
        return errors.render(error, rules, self.field_order(operation_id))

    def field_order(self, operation_id: str | None) -> tuple[str, ...]:
        """The request model's fields in declaration order, the order pydantic reports errors in."""
        spec = self.world.specs[self.key].spec
        if operation_id not in spec.operations:
            return ()
        schema = spec.operation(operation_id).body_schema() or {}
        return tuple(schema.get("properties", {}))

    def handlers(self) -> dict[str, Handler]:
        return {
            "connectConnector": self.connect_connector,
            "listConnectors": self.list_connectors,
            "searchConnectors": self.search_connectors,
            "listConnectionOperations": self.list_connection_operations,
        }

    def describe_tenant(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "auth": "header x-api-key (one key per user)",
            "users": [{"id": u.id, "email": u.email, "api_key": u.api_key} for u in tenant.xpander_users],
            "connectors": [{"id": c.id, "name": c.name, "auth_type": c.auth_type}
                           for c in self.world.seed.xpander_connectors],
        }

    async def connect_connector(self, ctx: RequestContext) -> Reply:
        record = await self.service.connect(ctx.principal, ctx.path_params["connector_id"], ctx.body,
                                            f"{ctx.origin}/__connmock/pages/xpander")
        return Reply(200, record)

    async def list_connectors(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.service.list_connectors(ctx.principal, ctx.query["page"], ctx.query["per_page"]))

    async def search_connectors(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.service.search_connectors(ctx.principal, ctx.query["query"]))

    async def list_connection_operations(self, ctx: RequestContext) -> Reply:
        found = await self.service.operations(ctx.principal, ctx.path_params["connector_id"],
                                              ctx.path_params["connection_id"])
        return Reply(200, found)
