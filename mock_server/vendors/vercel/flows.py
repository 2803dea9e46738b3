"""Connect token flows, framework-free: authorization and installation requests, their approval by the
hosted page, tokens, and token imports.

    vercel:<team>:requests   request id -> a pending or approved authorization/installation request
    vercel:<team>:grants     connector id -> [grant], newest last; a grant is what getConnectorToken hands out

A request becomes a grant only when the browser flow approves it (`approve`, called by the consent page with
nothing but the request id); until then, and for a subject nobody authorized, there is no token (422, the
status Connect documents for `user_authorization_required` / `connector_installation_required`).
"""

from __future__ import annotations

from typing import Any

import orjson

from fixtures import VercelTeam
from mock_server.errors import BadRequest, ServiceError
from mock_server.vendors.vercel import catalog
from mock_server.vendors.vercel.service import ConnectorService, now_ms
from mock_server.world import World

__all__ = ["FlowService"]

REQUEST_TTL_MS = 10 * 60 * 1000
TOKEN_TTL_MS = 60 * 60 * 1000
USER, APP = {"type": "user"}, {"type": "app"}


def no_token(code: str, message: str) -> ServiceError:
    return ServiceError(message, code=code, status=422)


def same_subject(grant: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """A grant for a user without an id serves any user; otherwise type and id must agree."""
    have = grant.get("subject") or APP
    if have.get("type") != wanted.get("type"):
        return False
    return not have.get("id") or not wanted.get("id") or have["id"] == wanted["id"]


class FlowService:
    def __init__(self, world: World, connectors: ConnectorService, imported_fields: tuple[str, ...]) -> None:
        self.world = world
        self.connectors = connectors
        self.imported_fields = imported_fields  # the keys of an ImportedToken (the spec's response schema)

    def space(self, team: VercelTeam, kind: str) -> str:
        return self.connectors.space(team, kind)

    async def start(self, team: VercelTeam, reference: str, kind: str, body: dict[str, Any], page: str
                    ) -> dict[str, Any]:
        """An authorization (`kind="authorize"`) or installation (`"install"`) request, stored as pending."""
        connector = await self.connectors.get(team, reference)
        subject = body.get("subject") or (APP if kind == "install" else USER)
        derived = catalog.kind_of(connector["type"])
        if kind == "install" and not derived.installation:
            raise BadRequest(f"Connectors of type {connector['type']} cannot be installed.")
        if subject.get("type") in (APP["type"], USER["type"]) and subject["type"] not in derived.subjects:
            raise BadRequest(f"Connectors of type {connector['type']} issue no {subject['type']} tokens.")
        now = now_ms(self.world)
        request_id = f"creq_{self.world.ids.hex(24)}"
        expires = now + int(body.get("expiresInMs") or REQUEST_TTL_MS)
        pending = {"id": request_id, "kind": kind, "connectorId": connector["id"], "subject": subject,
                   "scopes": body.get("scopes") or [], "installationId": body.get("installationId"),
                   "returnUrl": body.get("returnUrl"), "expiresAt": expires, "status": "pending"}
        await self.world.store.insert(self.space(team, "requests"), request_id, orjson.dumps(pending))
        reply: dict[str, Any] = {"url": f"{page}?request={request_id}", "request": request_id,
                                 "verifier": self.world.ids.hex(43), "expiresAt": pending["expiresAt"],
                                 "connector": self.flow_connector(connector)}
        if body.get("deviceCode"):
            code = self.world.ids.hex(8).upper()
            reply["deviceCode"] = f"{code[:4]}-{code[4:]}"
        return reply

    @staticmethod
    def flow_connector(connector: dict[str, Any]) -> dict[str, Any]:
        shown = {key: connector[key] for key in ("id", "uid", "type", "name", "service")}
        if catalog.kind_of(connector["type"]).service:  # a curated service (Slack, GitHub…) has a display name
            shown["serviceName"] = connector["typeName"]
        return shown

    async def approve(self, request_id: str) -> dict[str, Any] | None:
        """What the consent page's "Allow" does: the pending request becomes a grant. None when there is no
        such pending, unexpired request (or its connector is gone)."""
        found = await self.claim(request_id)
        if found is None:
            return None
        team, pending = found
        grant = {"token": f"ctk_{self.world.ids.hex(40)}", "expiresAt": now_ms(self.world) + TOKEN_TTL_MS,
                 "subject": pending["subject"], "scopes": pending["scopes"],
                 "installationId": pending["installationId"] or f"inst_{self.world.ids.hex(16)}"}
        if not await self.add_grants(team, pending["connectorId"], [grant]):
            return None
        return {"request": request_id, "connectorId": pending["connectorId"], "returnUrl": pending["returnUrl"]}

    async def claim(self, request_id: str) -> tuple[VercelTeam, dict[str, Any]] | None:
        """Mark a pending, unexpired request approved, atomically (a request is approved at most once)."""
        now, claimed = now_ms(self.world), []

        def approved(raw: bytes) -> bytes:
            pending = orjson.loads(raw)
            if pending["status"] != "pending" or pending["expiresAt"] <= now:
                return raw
            claimed.append(pending)
            return orjson.dumps({**pending, "status": "approved"})

        for tenant in self.world.seed.tenants:
            await self.world.store.update(self.space(tenant.vercel_team, "requests"), request_id, approved)
            if claimed:
                return tenant.vercel_team, claimed[0]
        return None

    async def find(self, request_id: str) -> tuple[VercelTeam, dict[str, Any]] | None:
        """A request as the consent page shows it, in whatever state (None when no team has it)."""
        for tenant in self.world.seed.tenants:
            raw = await self.world.store.get(self.space(tenant.vercel_team, "requests"), request_id)
            if raw is not None:
                return tenant.vercel_team, orjson.loads(raw)
        return None

    async def deny(self, request_id: str) -> dict[str, Any] | None:
        """What the consent page's "Deny" does: a pending, unexpired request is closed without a grant.
        None when there is no such request (or it was already decided, or it expired)."""
        now, denied = now_ms(self.world), []

        def closed(raw: bytes) -> bytes:
            pending = orjson.loads(raw)
            if pending["status"] != "pending" or pending["expiresAt"] <= now:
                return raw
            denied.append(pending)
            return orjson.dumps({**pending, "status": "denied"})

        for tenant in self.world.seed.tenants:
            await self.world.store.update(self.space(tenant.vercel_team, "requests"), request_id, closed)
            if denied:
                return {"request": request_id, "connectorId": denied[0]["connectorId"],
                        "returnUrl": denied[0]["returnUrl"]}
        return None

    async def add_grants(self, team: VercelTeam, connector_id: str, grants: list[dict[str, Any]]) -> bool:
        """Append grants to a connector that still exists."""
        if await self.world.store.get(self.space(team, "connectors"), connector_id) is None:
            return False

        def appended(old: bytes | None) -> bytes:
            return orjson.dumps([*(orjson.loads(old) if old else []), *grants])

        await self.world.store.upsert(self.space(team, "grants"), connector_id, appended)
        return True

    async def token(self, team: VercelTeam, reference: str, body: dict[str, Any]) -> dict[str, Any]:
        connector = await self.connectors.get(team, reference)
        wanted = body.get("subject") or APP
        grant = await self.find_grant(team, connector, wanted, body.get("installationId"))
        reply: dict[str, Any] = {"token": grant["token"], "expiresAt": grant["expiresAt"],
                                 "connector": {k: connector[k] for k in ("id", "uid", "type")}}
        reply.update({k: grant[k] for k in ("name", "installationId", "tenantId", "externalSubject") if grant.get(k)})
        return reply

    async def find_grant(self, team: VercelTeam, connector: dict[str, Any], wanted: dict[str, Any],
                         installation: str | None) -> dict[str, Any]:
        now = now_ms(self.world)
        raw = await self.world.store.get(self.space(team, "grants"), connector["id"])
        grants = [*(orjson.loads(raw) if raw else []), *await self.key_grants(team, connector, now)]
        for grant in reversed(grants):
            if grant["expiresAt"] > now and same_subject(grant, wanted) and \
                    (not installation or grant.get("installationId") == installation):
                return dict(grant)
        if wanted.get("type") == "user":
            raise no_token("user_authorization_required", "The user has not authorized this connector.")
        if catalog.kind_of(connector["type"]).installation:
            raise no_token("connector_installation_required", "The connector is not installed.")
        raise no_token("no_token", "No valid token is available for this connector.")

    async def key_grants(self, team: VercelTeam, connector: dict[str, Any], now: int) -> list[dict[str, Any]]:
        """An api-key connector's keys are its app tokens (first listed, first served)."""
        values = await self.connectors.api_keys(team, connector["id"])
        return [{"token": v["value"], "expiresAt": v.get("expiresAt") or now + TOKEN_TTL_MS, "subject": APP}
                for v in reversed(values)]

    async def import_tokens(self, team: VercelTeam, reference: str, body: dict[str, Any]) -> dict[str, Any]:
        """Import tokens as grants; an already expired one is reported and not imported. Refresh tokens are
        write-only and the mock never refreshes, so they are not kept."""
        connector = await self.connectors.get(team, reference)
        now = now_ms(self.world)
        grants, results = [], []
        for item in body["tokens"]:
            succeeded = item["expiresAt"] > now
            if succeeded:
                grants.append({"token": item["accessToken"], **{k: item[k] for k in (
                    "expiresAt", "subject", "environment", "scopes", "name", "installationId", "externalSubject")
                    if k in item}})
            shown = {k: item[k] for k in self.imported_fields if k in item}
            if "authorizationDetails" in shown:
                shown["authorizationDetails"] = [d for d in shown["authorizationDetails"] if d.get("type")]
            results.append({**shown, "succeeded": succeeded})
        if grants:
            await self.add_grants(team, connector["id"], grants)
        return {"accepted": len(results), "imported": len(grants), "tokens": results}
