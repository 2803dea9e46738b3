"""Relay on the wire: a bearer key per tenant, `{"error": {"code", "message"}}`, links kept in the world's store.

Everything a vendor needs beyond its files (auth lookup, validation, routing, leak-free errors) comes from the
mock's shared layers; this file is the vendor's behaviour only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from fixtures import Tenant
from mock_server.errors import BadRequest, InvalidRequest, NotFound, ServiceError, Unauthorized
from mock_server.vendors.base import Handler, Principal, Reply, RequestContext, VendorAdapter

__all__ = ["RelayAdapter"]

CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "not_allowed",
         409: "conflict", 413: "too_large", 503: "unavailable"}


def message_of(error: ServiceError) -> str:
    """The error's text; a validation error names every offending field by its dotted path."""
    if isinstance(error, InvalidRequest) and error.errors:
        return "; ".join(f"{'.'.join(map(str, e.path)) or error.location}: {e.kind}" for e in error.errors)
    return error.message or CODES.get(error.status, "error")


class RelayAdapter(VendorAdapter):
    key = "relay"

    def authenticate(self, headers: Mapping[str, str], operation_id: str) -> Principal:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        tenant = self.tenant_by_key(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if tenant is None:
            raise Unauthorized("a valid Bearer key is required")
        return Principal(tenant=tenant)

    def render_error(self, error: ServiceError, operation_id: str | None) -> Reply:
        status = error.status if error.status in CODES else 500
        return Reply(status, {"error": {"code": error.code or CODES.get(status, "internal"),
                                        "message": message_of(error)}})

    def handlers(self) -> dict[str, Handler]:
        return {"createLink": self.create, "listLinks": self.list, "getLink": self.get, "updateLink": self.update,
                "deleteLink": self.delete}

    def describe_tenant(self, tenant: Tenant) -> dict[str, Any]:
        return {"auth": f"Authorization: Bearer {tenant.key(self.key)}"}

    @staticmethod
    def space(ctx: RequestContext) -> str:
        return f"relay:{ctx.principal.tenant.id}:links"

    async def create(self, ctx: RequestContext) -> Reply:
        body, now = ctx.body, self.world.clock.now().isoformat()
        provider = next((p for p in self.world.seed.records("relay_providers") if p["id"] == body["provider_id"]),
                        None)
        if provider is None or provider["kind"] != body["credentials"]["kind"]:
            raise BadRequest("provider_id: no provider takes these credentials", code="unknown_provider")
        link = {"id": f"lnk_{self.world.ids.ulid()}", "provider_id": provider["id"], "name": body["name"],
                "kind": provider["kind"], "created_at": now, "updated_at": now}
        await self.world.store.insert(self.space(ctx), link["id"], orjson.dumps(link))
        return Reply(201, link)

    async def list(self, ctx: RequestContext) -> Reply:
        wanted = ctx.query.get("provider_id")
        links = [orjson.loads(raw) for raw in await self.world.store.values(self.space(ctx))]
        links = [link for link in links if wanted in (None, link["provider_id"])]
        cursor, limit = ctx.query.get("cursor"), int(ctx.query.get("limit") or 20)
        start = int(cursor) if cursor and cursor.isdigit() else 0
        more = start + limit < len(links)
        return Reply(200, {"data": links[start:start + limit], "next_cursor": str(start + limit) if more else None})

    async def get(self, ctx: RequestContext) -> Reply:
        raw = await self.world.store.get(self.space(ctx), ctx.path_params["link_id"])
        if raw is None:
            raise NotFound("no such link")
        return Reply(200, orjson.loads(raw))

    async def update(self, ctx: RequestContext) -> Reply:
        fields = {**ctx.body, "updated_at": self.world.clock.now().isoformat()}
        raw = await self.world.store.patch(self.space(ctx), ctx.path_params["link_id"], fields)
        if raw is None:
            raise NotFound("no such link")
        return Reply(200, orjson.loads(raw))

    async def delete(self, ctx: RequestContext) -> Reply:
        if await self.world.store.delete(self.space(ctx), ctx.path_params["link_id"]) is None:
            raise NotFound("no such link")
        return Reply(204)
