"""`/__connmock/webhooks…`: each tenant's webhook target, the deliveries, and a failed token refresh on demand.

    GET    /__connmock/webhooks                               every target (signing keys never shown)
    GET    /__connmock/webhooks/deliveries                    every delivery attempt, newest last
    GET    /__connmock/webhooks/{tenant}/{vendor}             one target
    PUT    /__connmock/webhooks/{tenant}/{vendor}             set it: {"url", "secondary_url"?, "signing_key"?,
                                                              "on_auth_creation"?, "on_auth_refresh_error"?}
    DELETE /__connmock/webhooks/{tenant}/{vendor}             remove it (no more webhooks for that tenant)
    POST   /__connmock/webhooks/{tenant}/nango/refresh-failure
           {"provider_config_key", "connection_id", "error"?: {"type", "description"}}: the `refresh` webhook
           Nango sends when a token refresh fails (the mock has no provider to refresh against)

Bad input is a 4xx with `{"error": …, "fields": {…}}`, never a 500.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Receive

from mock_server.pages import read_body
from mock_server.vendors.base import Reply
from mock_server.vendors.nango.service import NangoConnections
from mock_server.webhooks.targets import WEBHOOK_VENDORS, TargetError, target_from
from mock_server.world import World

__all__ = ["ROUTES", "WebhookAdmin"]

PREFIX = "webhooks"
REFRESH_ERROR = {"type": "refresh_token_external_error",  # NangoError of a refresh the provider refused (error.ts)
                 "description": "The external API returned an error when trying to refresh the access token. "
                                "Please try again later."}


# (method, path under /__connmock/) of every route `WebhookAdmin.handle` serves (the admin document lists them)
ROUTES = (("GET", "webhooks"), ("GET", "webhooks/deliveries"), ("GET", "webhooks/{tenant}/{vendor}"),
          ("PUT", "webhooks/{tenant}/{vendor}"), ("DELETE", "webhooks/{tenant}/{vendor}"),
          ("POST", "webhooks/{tenant}/nango/refresh-failure"))


def problem(status: int, message: str, fields: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"error": message, **({"fields": fields} if fields else {})})


class WebhookAdmin:
    def __init__(self, world: World, nango: NangoConnections | None) -> None:
        self.world = world
        self.nango = nango

    async def handle(self, name: str, method: str, receive: Receive) -> Reply | None:
        """The answer for admin path `name` (after `/__connmock/`), or None when it is not a webhooks path."""
        if name != PREFIX and not name.startswith(PREFIX + "/"):
            return None
        parts = name.split("/")[1:]
        if parts == [] and method == "GET":
            served = self.world.settings.vendors
            return Reply(200, {"webhooks": self.world.webhooks.listing(),
                               "vendors_with_webhooks": [v for v in served if v in WEBHOOK_VENDORS],
                               "vendors_without_webhooks": [v for v in served if v not in WEBHOOK_VENDORS]})
        if parts == ["deliveries"] and method == "GET":
            return Reply(200, {"deliveries": [d.as_dict() for d in self.world.journal.deliveries()]})
        if len(parts) == 2:
            return await self.target(parts[0], parts[1], method, receive)
        if len(parts) == 3 and parts[1:] == ["nango", "refresh-failure"] and method == "POST":
            return await self.refresh_failure(parts[0], receive)
        return problem(404, f"no admin endpoint {method} /__connmock/{name}")

    def known(self, tenant: str, vendor: str) -> Reply | None:
        if tenant not in {t.id for t in self.world.seed.tenants}:
            return problem(404, f"no tenant {tenant!r} (GET /__connmock/tenants lists them)")
        if vendor not in WEBHOOK_VENDORS:
            return problem(400, f"{vendor!r} documents no connection webhooks; only "
                                f"{', '.join(WEBHOOK_VENDORS)} sends them (docs/webhooks.md)")
        return None

    async def target(self, tenant: str, vendor: str, method: str, receive: Receive) -> Reply:
        refused = self.known(tenant, vendor)
        if refused is not None:
            return refused
        targets = self.world.webhooks.targets
        if method == "PUT":
            body, error = await self.json(receive)
            if error is not None:
                return error
            try:
                targets[(tenant, vendor)] = target_from(body)
            except TargetError as bad:
                return problem(400, str(bad), bad.fields)
        elif method == "DELETE":
            if targets.pop((tenant, vendor), None) is None:
                return problem(404, f"tenant {tenant!r} has no {vendor} webhook target")
            return Reply(200, {"deleted": True})
        elif method != "GET":
            return Reply(405, {"error": f"{method} not allowed here (GET, PUT, DELETE)"}, headers={
                "allow": "GET, PUT, DELETE"})
        found = targets.get((tenant, vendor))
        if found is None:
            return problem(404, f"tenant {tenant!r} has no {vendor} webhook target")
        return Reply(200, {"tenant": tenant, "vendor": vendor, **found.public()})

    async def refresh_failure(self, tenant_id: str, receive: Receive) -> Reply:
        refused = self.known(tenant_id, "nango")
        if refused is not None:
            return refused
        if self.nango is None:
            return problem(404, "this mock does not serve nango")
        body, error = await self.json(receive)
        if error is not None:
            return error
        fields = {name: "a non-empty string is required" for name in ("provider_config_key", "connection_id")
                  if not isinstance(body.get(name), str) or not body.get(name)}
        failure = body.get("error", REFRESH_ERROR)
        if not (isinstance(failure, dict) and set(failure) == {"type", "description"}
                and all(isinstance(v, str) for v in failure.values())):
            fields["error"] = "an object {\"type\": string, \"description\": string}"
        unknown = set(body) - {"provider_config_key", "connection_id", "error"}
        fields.update({name: "unknown field" for name in unknown})
        if fields:
            return problem(400, "invalid refresh failure", fields)
        tenant = self.world.seed.tenant(tenant_id)
        record = await self.nango.find(tenant, body["provider_config_key"], body["connection_id"])
        if record is None:
            return problem(404, f"tenant {tenant_id!r} has no nango connection {body['connection_id']!r} "
                                f"of integration {body['provider_config_key']!r}")
        queued = self.nango.notify(tenant, record, "refresh", with_end_user=False, error=failure)
        return Reply(202, {"queued": queued})

    async def json(self, receive: Receive) -> tuple[dict[str, Any], Reply | None]:
        raw = await read_body(receive, self.world.settings.max_body_bytes)
        if raw is None:
            return {}, problem(413, "the body is too large")
        try:
            body = orjson.loads(raw or b"null")
        except orjson.JSONDecodeError:
            return {}, problem(400, "the body is not JSON")
        if not isinstance(body, dict):
            return {}, problem(400, "the body must be a JSON object")
        return body, None
