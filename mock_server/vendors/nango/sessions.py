"""Connect sessions: 30-minute tokens for the Connect UI, a link to the mock's own connect page, and the
session kept in the tenant's store space so that the browser flow can finish it later.

A token is `nango_connect_session_` + 64 random hex digits and reveals nothing of its tenant; `find`
looks it up in each seeded tenant's space (a handful), which keeps every record inside its tenant.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import orjson

from fixtures import Tenant
from mock_server.errors import BadRequest, InvalidRequest
from mock_server.vendors.nango.credentials import js_date
from mock_server.vendors.nango.inputs import checked_tags, public_end_user
from mock_server.vendors.nango.service import NangoConnections, merged_with, record_key
from mock_server.vendors.nango.sockets import AuthSockets
from mock_server.world import World
from speclib import FieldError

__all__ = ["TOKEN", "ConnectSessions"]

TOKEN_PREFIX = "nango_connect_session_"
TOKEN = re.compile(rf"^{TOKEN_PREFIX}[a-f0-9]{{64}}$")
LIFETIME = timedelta(minutes=30)
NO_INTEGRATION = "Integration does not exist"
NO_CONNECTION = "ConnectionID or IntegrationId does not exists"


class ConnectSessions:
    def __init__(self, world: World, connections: NangoConnections) -> None:
        self.world = world
        self.connections = connections
        self.sockets = AuthSockets()  # the browser SDK's auth sockets, told how a popup flow ended

    @staticmethod
    def space(tenant: Tenant) -> str:
        return f"nango:{tenant.id}:connect_sessions"

    def unknown_integrations(self, body: dict[str, Any]) -> list[FieldError]:
        """postSessions.ts: every integration the body names must exist (one issue per unknown one)."""
        errors = [FieldError(("allowed_integrations", str(index)), "custom", NO_INTEGRATION)  # Nango: "0", text
                  for index, key in enumerate(body.get("allowed_integrations") or [])
                  if self.connections.integration(key) is None]
        for field in ("integrations_config_defaults", "overrides"):
            errors += [FieldError((field, key), "custom", NO_INTEGRATION)
                       for key in body.get(field) or {} if self.connections.integration(key) is None]
        return errors

    async def create(self, tenant: Tenant, body: dict[str, Any], page_url: str) -> dict[str, Any]:
        tags = checked_tags(body, body.get("organization"))
        errors = self.unknown_integrations(body)
        if errors:
            raise InvalidRequest("Invalid request body", errors=errors, location="body")
        end_user = public_end_user(body.get("end_user"), body.get("organization"))
        return await self.open(tenant, body, page_url, end_user=end_user, tags=tags,
                               allowed_integrations=body.get("allowed_integrations") or None)

    async def create_reconnect(self, tenant: Tenant, body: dict[str, Any], page_url: str) -> dict[str, Any]:
        """A session limited to one existing connection's integration, which re-authorises that connection."""
        tags = checked_tags(body, body.get("organization"))
        connection = None
        if self.connections.integration(body["integration_id"]) is not None:
            connection = await self.connections.find(tenant, body["integration_id"], body["connection_id"])
        if connection is None:
            raise BadRequest(NO_CONNECTION, code="invalid_body")  # postReconnect.ts answers 400, not 404
        errors = [e for e in self.unknown_integrations(body) if e.path[0] != "allowed_integrations"]
        if errors:
            raise InvalidRequest("Invalid request body", errors=errors, location="body")
        end_user = public_end_user(body.get("end_user"), body.get("organization")) or connection["end_user"]
        return await self.open(tenant, body, page_url, end_user=end_user, tags=tags or {},
                               allowed_integrations=[body["integration_id"]],
                               connection_id=connection["connection_id"])

    async def open(self, tenant: Tenant, body: dict[str, Any], page_url: str, **session: Any) -> dict[str, Any]:
        now = self.world.clock.now()
        expires_at = js_date(now + LIFETIME)
        record = {"token": "", "created_at": js_date(now), "expires_at": expires_at, **session,
                  "integrations_config_defaults": body.get("integrations_config_defaults"),
                  "overrides": body.get("overrides"), "webhook_url_override": body.get("webhook_url_override") or None}
        inserted = False
        while not inserted:  # 256 random bits never collide in practice; never overwrite a session if they do
            record["token"] = f"{TOKEN_PREFIX}{self.world.ids.hex(64)}"
            inserted = await self.world.store.insert(self.space(tenant), record["token"], orjson.dumps(record))
        token = record["token"]
        return {"data": {"token": token, "connect_link": f"{page_url}?session_token={token}", "expires_at": expires_at}}

    async def find(self, token: str, now: datetime) -> tuple[Tenant, dict[str, Any]] | None:
        """The live session a token opens, with its tenant; None when unknown or expired."""
        if not TOKEN.match(token):
            return None
        for tenant in self.world.seed.tenants:
            raw = await self.world.store.get(self.space(tenant), token)
            if raw is not None:
                session: dict[str, Any] = orjson.loads(raw)
                return (tenant, session) if session["expires_at"] > js_date(now) else None
        return None

    async def finish(self, tenant: Tenant, token: str, integration_key: str, credentials: dict[str, Any],
                     connection_config: dict[str, Any] | None = None, *, consume: bool = True
                     ) -> dict[str, Any] | None:
        """A session's connection is created, or for a reconnect session updated, with the session's tags and end
        user. `consume`: the connect page's last step also uses the session up (deleted, as the Connect UI's
        `DELETE /connect/session` does, so the token then answers `unknown_connect_session_token`); the API-key
        route leaves it, as Nango 0.71.4 does (measured: one token authorizes several API-key connections). None
        when the token is no longer there.
        """
        space = self.space(tenant)
        raw = await (self.world.store.delete(space, token) if consume else self.world.store.get(space, token))
        if raw is None:
            return None
        session = orjson.loads(raw)
        body: dict[str, Any] = {"provider_config_key": integration_key, "credentials": credentials,
                                "connection_config": connection_config or {}}
        if session.get("connection_id"):
            body["connection_id"] = session["connection_id"]
        if session.get("tags") is not None:
            body["tags"] = session["tags"]
        if session.get("webhook_url_override"):  # the session's override goes to its connection
            body["webhook_url_override"] = session["webhook_url_override"]
        created, operation = await self.connections.imported(tenant, body)
        if session.get("end_user"):  # kept as the session shows it (organization included)
            key = record_key(integration_key, created["connection_id"])
            await self.world.store.update(self.connections.space(tenant), key,
                                          merged_with({"end_user": session["end_user"]}))
            created["end_user"] = session["end_user"]
        self.connections.notify(tenant, created, operation, with_end_user=True)  # postApiKey.ts & co: the end user
        return created

