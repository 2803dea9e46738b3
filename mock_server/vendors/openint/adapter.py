"""OpenInt on the wire: `Authorization: Bearer` with an organization API key (or a customer Connect token),
tRPC/zod errors, handlers one line per operation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fixtures import Tenant
from mock_server.errors import Forbidden, ServiceError, Unauthorized
from mock_server.vendors.base import Handler, Principal, Reply, RequestContext, VendorAdapter
from mock_server.vendors.openint import errors, inputs
from mock_server.vendors.openint.connectors import ConnectorCatalog
from mock_server.vendors.openint.service import OpenIntService
from mock_server.vendors.openint.tokens import CustomerTokens
from mock_server.world import World
from speclib import FieldError
from speclib.loader import Operation

__all__ = ["OpenIntAdapter"]

BEARER = re.compile(r"^Bearer (.+)")  # OpenInt's own test: case-sensitive scheme, one space
ORG_ONLY = frozenset({"createConnection", "createConnectionV1", "createConnectionV2"})  # OpenInt's `orgProcedure`s
# Minting a customer token: no credentials at all is "Org admin only" too (measured), a customer token may mint its own.
TOKEN_MINTING = frozenset({"createToken", "createTokenV1"})

VERSIONED = re.compile(r"V[12]$")


def procedure(operation_id: str | None) -> str | None:
    """The tRPC procedure an operation runs (`data.path` of an error): the versioned paths run the same ones."""
    return VERSIONED.sub("", operation_id) if operation_id else None


class OpenIntAdapter(VendorAdapter):
    key = "openint"
    one_input = True  # path, query and body are one tRPC input object: their issues come in one answer
    empty_json_body_is_malformed = True  # `Content-Type: application/json` and no body: PARSE_ERROR

    def read_query(self, operation: Operation, query_string: str, declared: dict[str, dict[str, Any]]
                   ) -> tuple[dict[str, Any], list[FieldError]]:
        return inputs.read_query(declared, query_string)

    def body_input(self, body: Any, schema: dict[str, Any]) -> Any:
        """trpc-to-openapi spreads the body into the input object (`{...body}`): an array or a string gives
        its indexes as keys, any other non-object nothing -- so `[]` is `{}` and names every required field.
        Its numbers and booleans are then coerced the JavaScript way (`inputs.coerced_object`)."""
        if isinstance(body, list | str):
            body = {str(index): item for index, item in enumerate(body)}
        elif not isinstance(body, dict):
            body = {}
        return inputs.coerced_object(schema, body)

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.tokens = CustomerTokens(world.seed.tenants)
        self.service = OpenIntService(world, ConnectorCatalog(world.specs[self.key].spec), self.tokens)

    def authenticate(self, headers: Mapping[str, str], operation_id: str) -> Principal:
        """OpenInt's order: no header is the anonymous viewer (403), then the scheme, then key or token."""
        header = headers.get("authorization")
        if not header:
            raise Forbidden("Org admin only" if operation_id in ORG_ONLY | TOKEN_MINTING else "Authentication required")
        match = BEARER.match(header)
        if match is None:
            raise Unauthorized("Invalid Authorization header, expecting Bearer with token")
        token = match.group(1)
        if "." not in token:  # OpenInt: a JWT always has a dot; anything else is an API key
            tenant = self.tenant_by_key(token)
            if tenant is None:
                raise Unauthorized("Invalid API key")
            return Principal(tenant=tenant, kind="org")
        claims = self.tokens.verify(token, int(self.world.clock.now().timestamp()))
        if operation_id in ORG_ONLY:
            raise Forbidden("Org admin only")
        return Principal(tenant=claims.tenant, kind="customer", customer_id=claims.customer_id)

    def render_error(self, error: ServiceError, operation_id: str | None) -> Reply:
        rules = self.world.rules(self.key, operation_id) if operation_id else ()
        return errors.render(error, procedure(operation_id), rules)

    def response_headers(self) -> dict[str, str]:
        """OpenInt's CORS plugin answers every request `*`, whether or not it carries an `Origin`."""
        return {"Access-Control-Allow-Origin": "*"} if self.world.settings.cors else {}

    def handlers(self) -> dict[str, Handler]:
        return {
            "createConnection": self.create_connection,
            "listConnections": self.list_connections,
            "getConnection": self.get_connection,
            "deleteConnection": self.delete_connection,
            "createToken": self.create_token,
            "listConnectorConfigs": self.list_connector_configs,
            # The same operations at the paths the Python SDK sends: 2.8.0 `/v1/…`, 2.9.0 `/v2/…` (+ `/v1` token).
            "listConnectionsV1": self.list_connections,
            "createConnectionV1": self.create_connection,
            "getConnectionV1": self.get_connection,
            "deleteConnectionV1": self.delete_connection,
            "createTokenV1": self.create_token,
            "listConnectionsV2": self.list_connections,
            "createConnectionV2": self.create_connection,
            "getConnectionV2": self.get_connection,
            "deleteConnectionV2": self.delete_connection,
        }

    def describe_tenant(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "auth": f"Authorization: Bearer {tenant.openint_api_key}",
            "api_key": tenant.openint_api_key,
            "org_id": tenant.openint_org_id,
            "connector_configs": [{"id": c.id, "connector_name": c.connector_name}
                                  for c in self.world.seed.connector_configs(tenant.id)],
        }

    async def create_connection(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.service.create(ctx.principal, ctx.body))

    async def list_connections(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.service.list(ctx.principal, ctx.query))

    async def get_connection(self, ctx: RequestContext) -> Reply:
        found = await self.service.get(ctx.principal, ctx.path_params["id"], bool(ctx.query.get("include_secrets")),
                                       ctx.query.get("expand") or [])
        return Reply(200, found)

    async def delete_connection(self, ctx: RequestContext) -> Reply:
        return Reply(200, await self.service.delete(ctx.principal, ctx.path_params["id"]))

    async def create_token(self, ctx: RequestContext) -> Reply:
        page = f"{ctx.origin}/__connmock/pages/openint/connect"
        return Reply(200, self.service.create_token(ctx.principal, ctx.path_params["customer_id"], ctx.body, page))

    async def list_connector_configs(self, ctx: RequestContext) -> Reply:
        return Reply(200, self.service.list_connector_configs(ctx.principal, ctx.query))
