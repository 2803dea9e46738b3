"""What the journal page shows, gathered and made safe to show: the stored objects of every tenant and vendor
(secret-looking fields masked), the armed scenarios, and the journal's own (already redacted) entries.

Nothing here renders HTML (`journal_page.py` does); everything here is plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from fixtures import Tenant
from mock_server.world import World
from speclib.profile import vendor_profile

__all__ = ["SHOWN_OBJECTS", "StoredObjects", "armed_scenarios", "pretty", "stored_objects"]

MASK = "[redacted]"
# A field whose lower-cased name holds one of these is masked on the page, whatever the vendor's spec says: the
# page is for looking, and a stored connection's credentials are not needed to see that it exists.
SECRET_PARTS = ("token", "secret", "password", "credential", "apikey", "api_key", "private", "pem", "raw",
                "authorization", "cookie", "verifier", "signing")
SHOWN_ANYWAY = frozenset({"provider_config_key", "unique_key"})


def object_space(tenant: Tenant, vendor: str) -> tuple[str, str] | None:
    """`vendor`'s stored objects of `tenant`: (what they are, the store space the vendor keeps them in), as its
    profile's `stored` says; None when it says nothing."""
    stored = vendor_profile(vendor).stored
    return None if stored is None else (stored.kind, stored.space_of(tenant.id, tenant.of(vendor)))


def masked(value: Any) -> Any:
    """`value` with every secret-looking field's value replaced by `[redacted]`, at any depth."""
    if isinstance(value, dict):
        return {k: MASK if secret_name(str(k)) and v not in (None, "", {}, []) else masked(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def secret_name(name: str) -> bool:
    lowered = name.lower()
    return lowered not in SHOWN_ANYWAY and any(part in lowered for part in SECRET_PARTS)


SHOWN_OBJECTS = 50  # per tenant and vendor: the page is for looking, not for dumping a large store


@dataclass(frozen=True, slots=True)
class StoredObjects:
    tenant: str
    vendor: str
    kind: str
    count: int
    objects: list[Any]  # the first SHOWN_OBJECTS, masked


async def stored_objects(world: World) -> list[StoredObjects]:
    found = []
    for tenant in world.seed.tenants:
        for vendor in world.settings.vendors:
            where = object_space(tenant, vendor)
            if where is None:
                continue
            kind, space = where
            values = await world.store.values(space)
            objects = [masked(orjson.loads(raw)) for raw in values[:SHOWN_OBJECTS]]
            found.append(StoredObjects(tenant.id, vendor, kind, len(values), objects))
    return found


def armed_scenarios(world: World) -> list[dict[str, Any]]:
    """The armed scenarios, oldest first, as `GET /__connmock/scenarios` lists them."""
    return [masked(s.as_dict()) for s in world.scenarios.listing()]


def pretty(value: Any) -> str:
    """JSON for people: indented, keys in their order."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode()
