"""Nango connections, framework-free: upsert (import), get, list, update and delete, per environment.

A stored record is the connection exactly as `POST /connections` answers it (`ConnectionFull`, timestamps
in `Z` form); GET re-dresses it (`+00:00`, no `refresh_token` unless asked) and list shows the simple
form. Records live in the tenant's own space under `<provider_config_key>/<connection_id>` (a provider
config key cannot hold a `/`), so isolation is structural and the upsert key is the store key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from fixtures import NangoIntegration, Tenant
from mock_server.errors import BadRequest, NotFound
from mock_server.javascript import parse_int
from mock_server.vendors.nango.credentials import CredentialCatalog, js_date, shown_on_get, with_offset
from mock_server.vendors.nango.inputs import checked_tags, end_user_tags, lowered, public_end_user, webhook_override
from mock_server.vendors.nango.listing import FAMILY, INDEXER, query_of
from mock_server.world import World

__all__ = ["NangoConnections", "merged_with", "record_key"]

NO_INTEGRATION = "Integration does not exist"
NO_CONNECTION = "Failed to find connection"
MISSING_ACCOUNT_ID = "Missing accountId in connection_config. This is required to create a TBA connection."
DEFAULT_LIMIT = 10_000
SIMPLE_KEYS = ("id", "connection_id", "provider_config_key", "provider", "errors", "end_user", "tags", "metadata")


def record_key(provider_config_key: str, connection_id: str) -> str:
    return f"{provider_config_key}/{connection_id}"


def on_get(record: dict[str, Any], with_refresh_token: bool) -> dict[str, Any]:
    for stamp in ("created_at", "updated_at", "last_fetched_at"):
        record[stamp] = with_offset(record[stamp])
    record["credentials"] = shown_on_get(record["credentials"], with_refresh_token)
    return record


def simple(record: dict[str, Any]) -> dict[str, Any]:
    """A listed connection (`connectionSimpleToPublicApi`): no credentials, `created` instead of `created_at`."""
    return {**{k: record[k] for k in SIMPLE_KEYS}, "created": with_offset(record["created_at"])}


class NangoConnections:
    def __init__(self, world: World, catalog: CredentialCatalog) -> None:
        self.world = world
        self.catalog = catalog
        world.store.define_index(FAMILY, INDEXER)

    @staticmethod
    def space(tenant: Tenant) -> str:
        return f"nango:{tenant.id}:connections"

    def integration(self, unique_key: str) -> NangoIntegration | None:
        """Every environment holds the seeded integrations."""
        return self.world.seed.nango_integration(unique_key)

    def known_integration(self, unique_key: str) -> NangoIntegration:
        """The integration a read or change names (Nango: 400 `unknown_provider_config` otherwise)."""
        integration = self.integration(unique_key)
        if integration is None:
            raise BadRequest("Provider does not exists", code="unknown_provider_config")
        return integration

    async def create(self, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /connections`: the import, then the `auth` webhook (postConnection.ts: no end user)."""
        record, operation = await self.imported(tenant, body)
        self.notify(tenant, record, operation, with_end_user=False)
        return record

    def notify(self, tenant: Tenant, record: dict[str, Any], operation: str, *, with_end_user: bool,
               error: dict[str, str] | None = None) -> bool:
        """Nango's `auth` webhook of `operation` (creation, override, refresh) on `record`, if the tenant has one."""
        integration = self.integration(record["provider_config_key"])
        auth_mode = integration.auth_mode if integration else "NONE"
        return self.world.webhooks.nango_auth(tenant, record, auth_mode, operation, with_end_user=with_end_user,
                                              error=error)

    async def imported(self, tenant: Tenant, body: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The connection made or replaced, and which (`creation` or `override`, as the server's upsert says).

        Nango's order: schema rules (tags, webhook) → integration (404) → auth mode → TBA account id."""
        tags = checked_tags(body)
        integration = self.integration(body["provider_config_key"])
        if integration is None:
            raise NotFound(NO_INTEGRATION, code="not_found")
        kind = body["credentials"]["type"]
        if integration.auth_mode != kind:
            raise BadRequest(f"Provider {integration.auth_mode} does not support {kind} auth", code="invalid_body")
        config = body.get("connection_config") or {}
        if kind == "TBA" and not config.get("accountId"):
            raise BadRequest(MISSING_ACCOUNT_ID, code="invalid_body")
        if kind == "TBA":  # postConnection.ts: the integration's client id and secret join the config (null here)
            config = {**config, "oauth_client_id": None, "oauth_client_secret": None}
        now = self.world.clock.now()
        # An upsert replaces credentials, metadata and config; tags and end user only when given.
        fields: dict[str, Any] = {
            "metadata": body.get("metadata") or {},
            "connection_config": config,
            "credentials": self.catalog.stored(body["credentials"], now, self.world.ids),
            **({"tags": tags} if tags is not None else {}),
            **({"end_user": public_end_user(body["end_user"])} if body.get("end_user") else {}),
            **webhook_override(body),
        }
        connection_id = body.get("connection_id") or self.world.ids.uuid4()
        stamp = js_date(now)
        fresh: dict[str, Any] = {
            "connection_id": connection_id, "provider_config_key": integration.unique_key,
            "provider": integration.provider, "errors": [], "end_user": None, "tags": {}, "metadata": {},
            "connection_config": {}, "webhook_url_override": None, "created_at": stamp, "updated_at": stamp,
            "last_fetched_at": None if kind == "NONE" else stamp, "credentials": {},
        }
        return await self.upsert(tenant, record_key(integration.unique_key, connection_id), fields, fresh)

    async def upsert(self, tenant: Tenant, key: str, fields: dict[str, Any], fresh: dict[str, Any]
                     ) -> tuple[dict[str, Any], str]:
        """Overwrite `fields` of the record at `key` (`override`), or insert a new one with the tenant's next
        integer id (`creation`).

        The id is only drawn when no record exists, so upserts leave no gaps (the recorded ids are 1, 1, 2).
        """
        space = self.space(tenant)
        while True:
            updated = await self.world.store.update(space, key, merged_with(fields))
            if updated is not None:
                return dict(orjson.loads(updated)), "override"
            record = {"id": await self.world.store.next_id(f"nango:{tenant.id}:connection_ids"), **fresh, **fields}
            if await self.world.store.insert(space, key, orjson.dumps(record)):
                return record, "creation"

    async def get(self, tenant: Tenant, connection_id: str, query: dict[str, Any]) -> dict[str, Any]:
        pck = self.known_integration(query["provider_config_key"]).unique_key
        touched = {"last_fetched_at": js_date(self.world.clock.now())}
        raw = await self.world.store.patch(self.space(tenant), record_key(pck, connection_id), touched)
        if raw is None:
            raise NotFound(NO_CONNECTION, code="not_found")
        # force_refresh would refresh at the provider: the mock keeps the imported token as it is.
        return on_get(orjson.loads(raw), bool(query.get("refresh_token")))

    async def find(self, tenant: Tenant, provider_config_key: str, connection_id: str) -> dict[str, Any] | None:
        raw = await self.world.store.get(self.space(tenant), record_key(provider_config_key, connection_id))
        return dict(orjson.loads(raw)) if raw else None

    async def update(self, tenant: Tenant, connection_id: str, provider_config_key: str, body: dict[str, Any]
                     ) -> dict[str, Any]:
        """PATCH: tags (with those an `end_user` implies) replace the tags, `end_user` the end user, `""` clears
        the webhook override."""
        checked_tags(body)
        pck = self.known_integration(provider_config_key).unique_key
        fields: dict[str, Any] = {**webhook_override(body), "updated_at": js_date(self.world.clock.now())}
        if body.get("end_user") or body.get("tags") is not None:  # shared/connections/patchConnection.ts
            fields["tags"] = {**end_user_tags(body.get("end_user")), **lowered(body.get("tags"))}
        if body.get("end_user"):
            fields["end_user"] = public_end_user(body["end_user"])
        key = record_key(pck, connection_id)
        if await self.world.store.update(self.space(tenant), key, merged_with(fields)) is None:
            raise NotFound(NO_CONNECTION, code="not_found")
        return {"success": True}

    async def delete(self, tenant: Tenant, connection_id: str, provider_config_key: str) -> dict[str, Any]:
        """Nango looks the connection up first: unknown (or gone) is a 400 without a message."""
        removed = await self.world.store.delete(self.space(tenant), record_key(provider_config_key, connection_id))
        if removed is None:
            raise BadRequest(code="unknown_connection")
        return {"success": True}

    async def list(self, tenant: Tenant, query: dict[str, Any]) -> dict[str, Any]:
        rows = page_rows(query)
        if rows is None:
            return {"connections": []}
        found = await self.world.store.find(self.space(tenant), query_of(query, *rows))
        return {"connections": [simple(orjson.loads(raw)) for raw in found.values]}


MAX_ROWS = 2**63 - 1  # PostgreSQL's bigint: a larger OFFSET is the server's 500 (not copied: an empty page)


def page_rows(query: dict[str, Any]) -> tuple[int | None, int] | None:
    """(LIMIT, OFFSET) of a list's `limit` and `page` as the server sets them: z.coerce.number() lets fractions
    and huge numbers through and knex reads them with parseInt (None: no LIMIT). None for an OFFSET past
    PostgreSQL's bigint (the server's 500; an empty page here)."""
    asked = query.get("limit") or DEFAULT_LIMIT
    offset = knex_rows((query.get("page") or 0) * asked) or 0
    return None if offset > MAX_ROWS else (knex_rows(asked), offset)


def knex_rows(value: float) -> int | None:
    """A LIMIT or OFFSET as knex sets it: `parseInt(String(value))`, so 1.6 is 1 and 1e+21 is 1 (JavaScript
    writes numbers from 1e21 up with an exponent); None (NaN, `Infinity`) sets none. Measured on Nango 0.71.4."""
    return parse_int(value)


def merged_with(fields: dict[str, Any]) -> Callable[[bytes], bytes]:
    """A store change that overwrites `fields` of a record, keeping its key order."""
    return lambda old: orjson.dumps({**orjson.loads(old), **fields})


def matches(record: dict[str, Any], query: dict[str, Any]) -> bool:
    """The list filters of `connectionService.listConnections`, every given one must hold, on a decoded record:
    what `listing.py` serves from the index (and the reference its tests compare with)."""
    tags, end_user = record.get("tags") or {}, record.get("end_user") or {}
    organization = end_user.get("organization") or {}
    wanted_integrations = [i.strip() for i in (query.get("integrationId") or "").split(",") if i.strip()]
    checks = [
        not query.get("connectionId") or record["connection_id"] == query["connectionId"],
        not wanted_integrations or record["provider_config_key"] in wanted_integrations,
        not query.get("endUserId") or query["endUserId"] in (end_user.get("id"), tags.get("end_user_id")),
        not query.get("endUserOrganizationId")
        or query["endUserOrganizationId"] in (organization.get("id"), tags.get("organization_id")),
        all(tags.get(key.lower()) == value for key, value in (query.get("tags") or {}).items()),
    ]
    return all(checks) and searched(record, tags, end_user, query.get("search"))


def searched(record: dict[str, Any], tags: dict[str, str], end_user: dict[str, Any], search: str | None) -> bool:
    """`search`: a case-insensitive part of the connection id or of the end user's id, email or name."""
    if not search:
        return True
    haystack = [record["connection_id"], end_user.get("id"), end_user.get("email"), end_user.get("display_name"),
                tags.get("end_user_id"), tags.get("end_user_email"), tags.get("end_user_display_name")]
    return any(search.lower() in str(field).lower() for field in haystack if field)
