"""`POST` and `PATCH /connections/metadata` (`@nangohq/node` `setMetadata` / `updateMetadata`), as the Nango
0.71.4 server does them: every named connection is looked up before anything changes (an unknown one, or an
unknown integration, is 404 `unknown_connection`), then each one's `metadata` is replaced (POST) or merged key by
key (PATCH); `updated_at` stays; the answer is the request body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from fixtures import Tenant
from mock_server.errors import NotFound
from mock_server.vendors.nango.service import NangoConnections, record_key
from mock_server.world import World

__all__ = ["NangoMetadata"]

UNKNOWN = ("Connection with connection id {} and provider config key {} not found. Please make sure the "
           "connection exists in the Nango dashboard")
NOTHING_DONE = ". No actions were taken on any of the connections as a result of this failure."


def metadata_change(metadata: dict[str, Any], merge: bool) -> Callable[[bytes], bytes]:
    """A store change of one connection record: its metadata replaced, or merged into (top-level keys)."""
    def change(old: bytes) -> bytes:
        record = orjson.loads(old)
        record["metadata"] = {**(record.get("metadata") or {}), **metadata} if merge else metadata
        return orjson.dumps(record)
    return change


class NangoMetadata:
    def __init__(self, world: World) -> None:
        self.world = world

    async def write(self, tenant: Tenant, body: dict[str, Any], merge: bool) -> dict[str, Any]:
        named = body["connection_id"]
        ids: list[str] = named if isinstance(named, list) else [named]
        pck = body["provider_config_key"]
        space = NangoConnections.space(tenant)
        for connection_id in ids:
            if await self.world.store.get(space, record_key(pck, connection_id)) is None:
                message = UNKNOWN.format(connection_id, pck) + (NOTHING_DONE if len(ids) > 1 else "")
                raise NotFound(message, code="unknown_connection")
        change = metadata_change(body["metadata"], merge)
        for connection_id in ids:
            await self.world.store.update(space, record_key(pck, connection_id), change)
        return body
