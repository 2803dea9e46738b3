"""Everything a tenant has, read back through each vendor's list endpoint (every page)."""

from __future__ import annotations

from typing import Any

import httpx

from fixtures import Tenant
from tests.reliability.support import auth_headers


def listed_xpander(client: httpx.Client, tenant: Tenant, user: int) -> list[str]:
    page = client.get("/xpander/v1/connectors", params={"per_page": 50}, headers=auth_headers("xpander", tenant, user))
    return [c["id"] for item in page.json()["items"] for c in item["connections"]]


def listed_openint(client: httpx.Client, tenant: Tenant) -> tuple[list[str], int]:
    ids: list[str] = []
    total = -1
    while True:
        page = client.get("/openint/connection", params={"limit": 3000, "offset": len(ids)},
                          headers=auth_headers("openint", tenant)).json()
        ids += [item["id"] for item in page["items"]]
        total = page["total"]
        if not page["has_next_page"]:
            return ids, total


def listed_vercel(client: httpx.Client, tenant: Tenant) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/vercel/v2/connect/connectors", params=params, headers=auth_headers("vercel", tenant)).json()
        ids += [c["id"] for c in page["connectors"]]
        cursor = page["pagination"].get("next")
        if not cursor:
            return ids


def listed_nango(client: httpx.Client, tenant: Tenant) -> list[tuple[str, str, int]]:
    page = client.get("/nango/connections", headers=auth_headers("nango", tenant)).json()
    return [(c["connection_id"], c["provider_config_key"], c["id"]) for c in page["connections"]]
