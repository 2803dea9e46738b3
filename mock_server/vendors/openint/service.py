"""OpenInt domain logic, framework-free: import connections into an organization's connector configs, read,
list and delete them, list the configs, and mint customer Connect tokens.

A stored record is the connection row as OpenInt returns it on create, `settings` included; reads drop
`settings` unless asked for it. Every organization has its own store space, so isolation is structural.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from fixtures import OpenIntConnectorConfig
from mock_server.errors import BadRequest, Forbidden, NotFound, NotImplementedByVendor
from mock_server.vendors.base import Principal
from mock_server.vendors.openint.connectors import ConnectorCatalog, strip_undeclared
from mock_server.vendors.openint.listing import FAMILY, INDEXER, query_of
from mock_server.vendors.openint.pages import Page, page_from, page_of
from mock_server.vendors.openint.tokens import CustomerTokens
from mock_server.world import World

__all__ = ["OpenIntService"]

IMPORTED = "Connection was imported without checking its status"
CONNECTION_NOT_FOUND = "Connection not found"


def pg_timestamp(moment: datetime) -> str:
    """PostgreSQL's text for a `timestamptz` in UTC: `2026-11-22 22:26:56.934984+00`, trailing zeros trimmed."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")
    return f"{text}+00"


def js_iso(moment: datetime) -> str:
    """JavaScript's `Date.toISOString()`: milliseconds and `Z`."""
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m:%H:%M:%S}.{m.microsecond // 1000:03d}Z"


def expiry(now: datetime, seconds: float) -> str:
    """`now + expires_in` as OpenInt stores it, clamped to what a datetime can hold."""
    try:
        return js_iso(now + timedelta(seconds=seconds))
    except OverflowError:
        return js_iso(datetime.max.replace(tzinfo=UTC) if seconds > 0 else datetime.min.replace(tzinfo=UTC))


def newest_first(record: dict[str, Any]) -> tuple[float, str]:
    """Sort key for `ORDER BY updated_at DESC, id ASC`."""
    return -datetime.fromisoformat(record["updated_at"]).timestamp(), record["id"]


class OpenIntService:
    def __init__(self, world: World, catalog: ConnectorCatalog, tokens: CustomerTokens) -> None:
        self.world = world
        self.catalog = catalog
        self.tokens = tokens
        world.store.define_index(FAMILY, INDEXER)
        self.seeded_at = pg_timestamp(world.clock.now())  # connector configs exist from the start

    def space(self, principal: Principal) -> str:
        return f"openint:{principal.tenant.id}:connections"

    def connector_config(self, principal: Principal, config_id: str) -> OpenIntConnectorConfig:
        for config in self.world.seed.connector_configs(principal.tenant.id):
            if config.id == config_id:
                return config
        raise NotFound(f"Connector config {config_id} not found")

    def enrich_settings(self, connector_name: str, settings: dict[str, Any], now: datetime) -> dict[str, Any]:
        """What OpenInt adds to imported OAuth2 settings: `expires_at` from `expires_in`, top-level `access_token`.

        The result is re-read through the connector's schema, so keys come out in zod's (declaration) order.
        """
        settings = copy.deepcopy(settings)
        oauth = settings.get("oauth")
        credentials = oauth.get("credentials") if isinstance(oauth, dict) else None
        if isinstance(credentials, dict) and credentials.get("expires_in") and not credentials.get("expires_at"):
            credentials["expires_at"] = expiry(now, credentials["expires_in"])
        if self.catalog.is_oauth(connector_name) and not settings.get("access_token"):
            # auth-oauth2/schemas.ts: a falsy `access_token` becomes `oauth.credentials?.access_token` (undefined,
            # so left out, when there are no credentials)
            token = credentials.get("access_token") if isinstance(credentials, dict) else None
            if token is None:
                settings.pop("access_token", None)
            else:
                settings["access_token"] = token
        return dict(strip_undeclared(self.catalog.settings_schema(connector_name), settings))

    async def create(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        body = strip_undeclared(self.catalog.body_schema, body)
        config = self.connector_config(principal, body["connector_config_id"])
        name = body["data"]["connector_name"]
        if config.connector_name != name:
            raise BadRequest(f"Connector name mismatch: config is {config.connector_name} but input is {name}")
        now = self.world.clock.now()
        checked = bool(body.get("check_connection"))
        if checked and not self.catalog.checks_connection(name):
            raise NotImplementedByVendor(f"Connector {name} does not support check_connection")
        record: dict[str, Any] = {
            "id": "",
            "customer_id": body["customer_id"],
            "connector_config_id": config.id,
            "integration_id": None,
            # The mock cannot reach the provider: a checked import is healthy, as OpenInt reports a passing check.
            "status_message": None if checked else IMPORTED,
            "created_at": pg_timestamp(now),
            "updated_at": pg_timestamp(now),
            "display_name": None,
            "disabled": False,
            "status": "healthy" if checked else "unknown",
            "metadata": body.get("metadata"),
            "connector_name": name,
            "settings": self.enrich_settings(name, body["data"].get("settings") or {}, now),
        }
        inserted = False
        while not inserted:  # a ULID collision is next to impossible; never overwrite a row if it happens
            record["id"] = f"conn_{name}_{self.world.ids.ulid()}"
            inserted = await self.world.store.insert(self.space(principal), record["id"], orjson.dumps(record))
        return record

    def visible(self, principal: Principal, record: dict[str, Any]) -> bool:
        """An organization key sees its whole organization; a customer token only that customer's rows."""
        return principal.kind != "customer" or record["customer_id"] == principal.customer_id

    def shown(self, record: dict[str, Any], include_secrets: bool, expand: list[str]) -> dict[str, Any]:
        if not include_secrets:
            record.pop("settings", None)
        if "connector" in expand:
            record["connector"] = self.catalog.connector(record["connector_name"])
        return record

    async def get(self, principal: Principal, connection_id: str, include_secrets: bool, expand: list[str]
                  ) -> dict[str, Any]:
        raw = await self.world.store.get(self.space(principal), connection_id)
        record = orjson.loads(raw) if raw else None
        if record is None or not self.visible(principal, record):
            raise NotFound(CONNECTION_NOT_FOUND)
        return self.shown(record, include_secrets, expand)

    async def delete(self, principal: Principal, connection_id: str) -> dict[str, Any]:
        await self.get(principal, connection_id, False, [])
        if await self.world.store.delete(self.space(principal), connection_id) is None:
            raise NotFound(CONNECTION_NOT_FOUND)
        return {"id": connection_id}

    async def list(self, principal: Principal, query: dict[str, Any]) -> dict[str, Any]:
        found = await self.world.store.find(self.space(principal), query_of(principal, query))
        page = page_from([orjson.loads(raw) for raw in found.values], found.total or 0, query["limit"], query["offset"])
        shown = [self.shown(r, bool(query.get("include_secrets")), query.get("expand") or []) for r in page.items]
        return page.body(shown)

    def list_connector_configs(self, principal: Principal, query: dict[str, Any]) -> dict[str, Any]:
        names = query.get("connector_names") or []
        configs = [c for c in self.world.seed.connector_configs(principal.tenant.id)
                   if not names or c.connector_name in names]
        # Newest first, as the server orders them: the seed's configs were created in the seed's order.
        page: Page[OpenIntConnectorConfig] = page_of(configs[::-1], query["limit"], query["offset"])
        return page.body([self.config_row(c) for c in page.items])

    def config_row(self, config: OpenIntConnectorConfig) -> dict[str, Any]:
        return {"id": config.id, "created_at": self.seeded_at, "updated_at": self.seeded_at, "org_id": config.org_id,
                "display_name": None, "disabled": False, "metadata": None, "connector_name": config.connector_name}

    def create_token(self, principal: Principal, customer_id: str, body: dict[str, Any] | None, page_url: str
                     ) -> dict[str, Any]:
        if principal.kind == "customer" and principal.customer_id != customer_id:
            raise Forbidden("Current viewer cannot create token for other customer")
        body = body or {}
        now = int(self.world.clock.now().timestamp())
        validity = body.get("validity_in_seconds", 2592000)
        token = self.tokens.sign(principal.tenant, customer_id, now, validity, body.get("connect_options") or {})
        return {"token": token, "magic_link_url": f"{page_url}?token={token}", "api_key": None}


def matches(record: dict[str, Any], query: dict[str, Any]) -> bool:
    """The list filters on a decoded record (what `listing.py` serves from the index, and the reference its
    tests compare with); `search_query` is OpenInt's case-insensitive match on id, customer and connector.
    `connection_ids` is not one: the server at 795654e reads no such input (the published spec lists it)."""
    if query.get("customer_id") and record["customer_id"] != query["customer_id"]:
        return False
    if query.get("connector_config_id") and record["connector_config_id"] != query["connector_config_id"]:
        return False
    # `any(connector_names)` in SQL: a given but empty list (`?connector_names=`) matches nothing
    if "connector_names" in query and record["connector_name"] not in query["connector_names"]:
        return False
    needle = (query.get("search_query") or "").lower()
    haystack = (record["id"], record["customer_id"] or "", record["connector_name"])
    return not needle or any(needle in field.lower() for field in haystack)
