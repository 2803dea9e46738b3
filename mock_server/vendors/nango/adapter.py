"""Nango on the wire: `Authorization: Bearer <secret key>` (a UUID v4), zod v4 validation errors, strict
query strings, rate-limit headers on every authenticated answer, handlers one line per operation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from fixtures import Tenant
from mock_server.errors import MalformedRequest, ServiceError, Unauthorized
from mock_server.query import parse_query
from mock_server.vendors.base import Handler, Principal, Reply, RequestContext, VendorAdapter
from mock_server.vendors.nango import errors
from mock_server.vendors.nango.browser import BrowserAuth
from mock_server.vendors.nango.credentials import CredentialCatalog
from mock_server.vendors.nango.inputs import tag_errors
from mock_server.vendors.nango.integrations import NangoIntegrations
from mock_server.vendors.nango.metadata import NangoMetadata
from mock_server.vendors.nango.ratelimit import RateWindows
from mock_server.vendors.nango.service import NangoConnections
from mock_server.vendors.nango.sessions import ConnectSessions
from mock_server.world import World
from speclib import FieldError
from speclib.loader import Operation

__all__ = ["NangoAdapter"]

UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
CONNECT_PAGE = "/__connmock/pages/nango/connect"
# @nangohq/frontend's routes: the connect session token in the query is the credential (checked by the handler).
SESSION_AUTH = frozenset({"startOAuth", "createApiKeyConnection"})
LENIENT_QUERY = frozenset({"createApiKeyConnection"})  # a plain z.object(): unknown parameters are dropped
CONTENT_TYPE_CHECKED = frozenset({"createConnection", "listConnections", "getConnection", "updateConnection",
                                  "deleteConnection", "setConnectionMetadata", "updateConnectionMetadata",
                                  "listIntegrations", "createApiKeyConnection"})  # routes.public.ts; measured


def unauthorized(code: str) -> Unauthorized:
    return Unauthorized(errors.AUTH_MESSAGES[code], code=code)


class NangoAdapter(VendorAdapter):
    key = "nango"
    strict_query = True  # Nango's zod `.strict()` query schemas: an unknown parameter is a 400
    unread_bodies_are_undefined = True  # express: no body, or one not labelled JSON, leaves req.body undefined
    validated_by_handler = frozenset({"createApiKeyConnection"})  # the session (401) before the body and query

    def read_query(self, operation: Operation, query_string: str, declared: dict[str, dict[str, Any]]
                   ) -> tuple[dict[str, Any], list[FieldError]]:
        """The spec's reading, plus the tag-key rules of a `tags[key]=value` filter (connectionTagsSchema), in
        the place zod reports them: after the parameters declared before `tags`."""
        if operation.operation_id == "startOAuth":  # oauth.controller.ts reads its query unvalidated
            return parse_query(operation, query_string, False, declared)[0], []
        strict = self.strict_query and operation.operation_id not in LENIENT_QUERY
        values, found = parse_query(operation, query_string, strict, declared)
        tags = values.get("tags")
        if "tags" not in declared or not isinstance(tags, dict):
            return values, found  # a list (`tags[]=x`) already failed the record's type
        order = list(declared)
        later = [e for e in found if e.path and e.path[0] in order and order.index(e.path[0]) > order.index("tags")]
        earlier = [e for e in found if e not in later]
        return values, [*earlier, *tag_errors(tags, ("tags",)), *later]

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.rates = RateWindows(world.clock)
        self.connections = NangoConnections(world, CredentialCatalog(world.specs[self.key].spec))
        self.sessions = ConnectSessions(world, self.connections)
        self.browser = BrowserAuth(world, self.sessions, self.rates.count)
        self.metadata = NangoMetadata(world)
        self.integrations = NangoIntegrations(world)

    def authenticate(self, headers: Mapping[str, str], operation_id: str) -> Principal:
        """access.middleware.ts: no header, then the key's shape (whatever the scheme), then the account."""
        self.rates.forget()
        if operation_id in SESSION_AUTH:  # the tenant is the session's, found by the handler
            return Principal(tenant=self.world.seed.tenants[0], kind="connect_session")
        header = headers.get("authorization")
        if not header:
            raise unauthorized("missing_auth_header")
        secret = header.split("Bearer ")[-1]  # Nango takes what follows `Bearer `, or the whole header
        if not UUID_V4.match(secret):
            raise unauthorized("invalid_secret_key_format")
        tenant = self.tenant_by_key(secret)
        if tenant is None:
            raise unauthorized("unknown_account")
        self.rates.count(tenant.id)
        return Principal(tenant=tenant)

    def body_input(self, body: Any, schema: dict[str, Any]) -> Any:
        """body-parser's strict mode: only an object or an array is JSON to Nango; `"text"` or `null` is
        `invalid_json`, answered before CORS and the rate limiter as any unreadable body."""
        if not isinstance(body, dict | list):
            raise MalformedRequest("JSON body must be an object or an array", reason="invalid_json")
        return body

    def screen(self, headers: Mapping[str, str], operation_id: str, query_string: str) -> None:
        """json.middleware.ts on the public routes, before the key is read: any Content-Type but JSON is 415,
        whatever the method and whether or not a body follows (on the API-key route before the session token
        too, measured). Then, on the OAuth route, the session token's shape (its middleware), before the query
        is read; the API-key route checks it in its handler, after express has read the JSON body (a malformed
        body is `invalid_json` first, measured)."""
        content_type = headers.get("content-type")
        if operation_id in CONTENT_TYPE_CHECKED and content_type and not content_type.startswith("application/json"):
            raise MalformedRequest("Content-Type header must be application/json", reason="content_type")
        if operation_id == "startOAuth":  # the API-key route checks it after express has parsed the JSON body
            self.browser.check_format(dict(parse_qsl(query_string, keep_blank_values=True)))

    def cors(self) -> dict[str, str]:
        """Nango's CORS middleware answers `*` to every request it reaches, whether or not it has an `Origin`."""
        return {"Access-Control-Allow-Origin": "*"} if self.world.settings.cors else {}

    def reply(self, status: int, body: Any) -> Reply:
        return Reply(status, body, headers={**self.cors(), **self.rates.headers()})

    def render_error(self, error: ServiceError, operation_id: str | None) -> Reply:
        rules = self.world.rules(self.key, operation_id) if operation_id else ()
        rendered = errors.render(error, rules)
        # Nango parses JSON before its CORS and rate-limit middlewares run: a body it cannot read gets neither.
        # Its Content-Type check comes after CORS and before the key (so no rate-limit headers).
        if isinstance(error, MalformedRequest) and error.reason == "content_type":
            rendered.headers.update(self.cors())
        elif not isinstance(error, MalformedRequest):
            rendered.headers.update(self.cors())
            if operation_id:
                rendered.headers.update(self.rates.headers())
        return rendered

    def handlers(self) -> dict[str, Handler]:
        return {
            "createConnection": self.create_connection,
            "listConnections": self.list_connections,
            "getConnection": self.get_connection,
            "updateConnection": self.update_connection,
            "deleteConnection": self.delete_connection,
            "createConnectSession": self.create_connect_session,
            "createReconnectSession": self.create_reconnect_session,
            "startOAuth": self.start_oauth,
            "createApiKeyConnection": self.create_api_key_connection,
            "setConnectionMetadata": self.set_connection_metadata,
            "updateConnectionMetadata": self.update_connection_metadata,
            "listIntegrations": self.list_integrations,
        }

    def describe_tenant(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "auth": f"Authorization: Bearer {tenant.nango_secret_key}",
            "secret_key": tenant.nango_secret_key,
            "integrations": [{"unique_key": i.unique_key, "provider": i.provider, "auth_mode": i.auth_mode}
                             for i in self.world.seed.nango_integrations],
        }

    async def create_connection(self, ctx: RequestContext) -> Reply:
        return self.reply(201, await self.connections.create(ctx.principal.tenant, ctx.body))

    async def list_connections(self, ctx: RequestContext) -> Reply:
        return self.reply(200, await self.connections.list(ctx.principal.tenant, ctx.query))

    async def get_connection(self, ctx: RequestContext) -> Reply:
        found = await self.connections.get(ctx.principal.tenant, ctx.path_params["connectionId"], ctx.query)
        return self.reply(200, found)

    async def update_connection(self, ctx: RequestContext) -> Reply:
        updated = await self.connections.update(ctx.principal.tenant, ctx.path_params["connectionId"],
                                                ctx.query["provider_config_key"], ctx.body)
        return self.reply(200, updated)

    async def delete_connection(self, ctx: RequestContext) -> Reply:
        deleted = await self.connections.delete(ctx.principal.tenant, ctx.path_params["connectionId"],
                                                ctx.query["provider_config_key"])
        return self.reply(200, deleted)

    async def set_connection_metadata(self, ctx: RequestContext) -> Reply:
        return self.reply(201, await self.metadata.write(ctx.principal.tenant, ctx.body, merge=False))

    async def update_connection_metadata(self, ctx: RequestContext) -> Reply:
        return self.reply(200, await self.metadata.write(ctx.principal.tenant, ctx.body, merge=True))

    async def list_integrations(self, ctx: RequestContext) -> Reply:
        return self.reply(200, self.integrations.listing(ctx.origin))

    async def create_connect_session(self, ctx: RequestContext) -> Reply:
        created = await self.sessions.create(ctx.principal.tenant, ctx.body, ctx.origin + CONNECT_PAGE)
        return self.reply(201, created)

    async def create_reconnect_session(self, ctx: RequestContext) -> Reply:
        created = await self.sessions.create_reconnect(ctx.principal.tenant, ctx.body, ctx.origin + CONNECT_PAGE)
        return self.reply(201, created)

    async def start_oauth(self, ctx: RequestContext) -> Reply:
        location = await self.browser.start_oauth(ctx.path_params["providerConfigKey"], ctx.query, ctx.origin)
        # Express's `res.redirect`: a short text body beside the Location header.
        return Reply(302, f"Found. Redirecting to {location}".encode(), content_type="text/plain",
                     headers={**self.cors(), **self.rates.headers(), "location": location})

    async def create_api_key_connection(self, ctx: RequestContext) -> Reply:
        created = await self.browser.api_key(ctx.path_params["providerConfigKey"], ctx.query, ctx.body,
                                             ctx.deferred)
        return self.reply(200, created)
