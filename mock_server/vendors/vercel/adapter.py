"""Vercel Connect on the wire: `Authorization: Bearer <token>` for one team, an optional `teamId` or `slug`
that must name that team, `{"error":{"code","message"}}` errors, handlers one line per operation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fixtures import Tenant, VercelTeam
from mock_server.errors import Forbidden, InvalidRequest, ServiceError
from mock_server.vendors.base import Handler, Principal, Reply, RequestContext, VendorAdapter
from mock_server.vendors.vercel import catalog, errors
from mock_server.vendors.vercel.bodies import BodyRules
from mock_server.vendors.vercel.flows import FlowService
from mock_server.vendors.vercel.service import ConnectorService
from mock_server.world import World

__all__ = ["VercelAdapter"]

PAGES = "/__connmock/pages/vercel"
# Vercel's answers without a usable token (a 403 with a flag, not a 401), as its API sends them.
MISSING_TOKEN = ("The request is missing an authentication token", {"missingToken": True})
INVALID_TOKEN = ("Not authorized", {"invalidToken": True})


def forbidden(message: str, flags: dict[str, Any] | None = None) -> Forbidden:
    return Forbidden(message, code="forbidden", extra={errors.ENVELOPE_KEY: flags or {}})


def imported_fields(world: World) -> tuple[str, ...]:
    schema = world.specs["vercel"].spec.operation("importConnectorTokens").response_schema(200) or {}
    item = schema.get("properties", {}).get("tokens", {}).get("items", {})
    return tuple(name for name in item.get("properties", {}) if name != "succeeded")


class VercelAdapter(VendorAdapter):
    key = "vercel"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.bodies = BodyRules(world.specs[self.key].spec)
        self.connectors = ConnectorService(world, world.rules(self.key, "createConnector"))
        self.update_rules = world.rules(self.key, "updateConnector")
        self.flows = FlowService(world, self.connectors, imported_fields(world))

    def authenticate(self, headers: Mapping[str, str], operation_id: str) -> Principal:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise forbidden(*MISSING_TOKEN)
        tenant = self.tenant_by_key(token.strip())
        if tenant is None:
            raise forbidden(*INVALID_TOKEN)
        return Principal(tenant=tenant)

    def render_error(self, error: ServiceError, operation_id: str | None) -> Reply:
        if isinstance(error, InvalidRequest):
            error = self.bodies.completed(error, operation_id)
        return errors.render(error)

    def handlers(self) -> dict[str, Handler]:
        return {
            "createConnector": self.create_connector,
            "listConnectors": self.list_connectors,
            "getConnector": self.get_connector,
            "deleteConnector": self.delete_connector,
            "updateConnector": self.update_connector,
            "createConnectorAuthorizationRequest": self.authorize,
            "createConnectorInstallationRequest": self.install,
            "getConnectorToken": self.get_token,
            "importConnectorTokens": self.import_tokens,
        }

    def describe_tenant(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "auth": f"Authorization: Bearer {tenant.vercel_token}",
            "token": tenant.vercel_token,
            "team_id": tenant.vercel_team.id,
            "team_slug": tenant.vercel_team.slug,
        }

    @staticmethod
    def team(ctx: RequestContext) -> VercelTeam:
        """The caller's team; `teamId` and `slug` may name it (never required), but not another one."""
        team = ctx.principal.tenant.vercel_team
        team_id, slug = ctx.query.get("teamId"), ctx.query.get("slug")
        if (team_id is not None and team_id != team.id) or (slug is not None and slug != team.slug):
            raise forbidden("Not authorized")
        return team

    def connector(self, ctx: RequestContext) -> str:
        return ctx.path_params["connector"]

    async def create_connector(self, ctx: RequestContext) -> Reply:
        team = self.team(ctx)
        body = catalog.resolved(self.bodies.require(ctx.operation_id, ctx.body))
        return Reply(201, await self.connectors.create(team, body))

    async def list_connectors(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.connectors.list_page(self.team(ctx), ctx.query))

    async def get_connector(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.connectors.get(self.team(ctx), self.connector(ctx)))

    async def update_connector(self, ctx: RequestContext) -> Reply:
        changes = self.bodies.require(ctx.operation_id, ctx.body)
        updated = await self.connectors.update(self.team(ctx), self.connector(ctx), changes, self.update_rules)
        return Reply(200, {"connector": updated, "reinstallNeeded": False})

    async def delete_connector(self, ctx: RequestContext) -> Reply:
        await self.connectors.delete(self.team(ctx), self.connector(ctx))
        return Reply(204)

    async def authorize(self, ctx: RequestContext) -> Reply:
        started = await self.flows.start(self.team(ctx), self.connector(ctx), "authorize", ctx.body or {},
                                         f"{ctx.origin}{PAGES}/authorize")
        return Reply(200, started)

    async def install(self, ctx: RequestContext) -> Reply:
        started = await self.flows.start(self.team(ctx), self.connector(ctx), "install", ctx.body or {},
                                         f"{ctx.origin}{PAGES}/install")
        return Reply(200, started)

    async def get_token(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.flows.token(self.team(ctx), self.connector(ctx), ctx.body or {}))

    async def import_tokens(self, ctx: RequestContext) -> Reply:
        team = self.team(ctx)
        body = self.bodies.require(ctx.operation_id, ctx.body)
        return Reply(200, await self.flows.import_tokens(team, self.connector(ctx), body))
