"""Many clients creating at once against `connmock serve` (a real process, real sockets, httpx.AsyncClient).

50 clients each send their creates one after another, all clients at the same time, over all four vendors and
both demo tenants. Afterwards every created connection is there (get or list), ids are unique, list totals are
exact, and Nango upserts of the same (connection_id, provider_config_key) from many clients leave exactly one
connection with one id. Default run: 50 x 20 creates; `tox -e fuzz` (CONNMOCK_FUZZ=long): 50 x 200.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fixtures import Tenant
from fixtures.factories import CreateRequest
from tests.reliability.listing import listed_nango, listed_openint, listed_vercel, listed_xpander
from tests.reliability.support import LONG, SEED, VENDORS, Served, auth_headers, create_path, serving, valid_creates

CLIENTS = 50
PER_CLIENT = 20
SHARED_NANGO_IDS = 5  # connection ids every client upserts into, per tenant
NANGO_SHARED_MODE = "API_KEY"


@dataclass(frozen=True, slots=True)
class Planned:
    vendor: str
    tenant: Tenant
    user: int
    request: CreateRequest


@dataclass(slots=True)
class Done:
    planned: Planned
    status: int
    body: Any


def plan(clients: int, per_client: int) -> list[list[Planned]]:
    """Every client's creates: vendors and tenants interleaved, bodies made unique where the vendor needs it."""
    pools: dict[tuple[str, str], list[CreateRequest]] = {}
    for vendor in VENDORS:
        for tenant in SEED.tenants:
            pools[(vendor, tenant.id)] = valid_creates(vendor, tenant, 8)
    shared = next(r for r in pools[("nango", SEED.tenants[0].id)]
              if r.body["credentials"]["type"] == NANGO_SHARED_MODE)
    out: list[list[Planned]] = []
    for i in range(clients):
        calls = []
        for j in range(per_client):
            vendor, tenant = VENDORS[(i + j) % 4], SEED.tenants[(i + j // 4) % 2]
            user = i % len(tenant.xpander_users)
            template = pools[(vendor, tenant.id)][(i * per_client + j) % 8]
            request = CreateRequest(vendor, template.operation_id, template.variant, dict(template.path_params),
                                    dict(template.body))
            if vendor == "vercel":
                request.body["uid"] = f"load/{i}-{j}"
            if vendor == "nango":
                if j % 3 == 0:  # the same few connections, upserted by every client
                    request = CreateRequest(vendor, shared.operation_id, shared.variant, {}, dict(shared.body))
                    request.body["connection_id"] = f"shared-{j % SHARED_NANGO_IDS}"
                else:
                    request.body["connection_id"] = f"own-{i}-{j}"
            calls.append(Planned(vendor, tenant, user, request))
        out.append(calls)
    return out


async def run_client(base: str, calls: list[Planned]) -> list[Done]:
    done = []
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=1)) as client:
        for call in calls:
            response = await client.post(create_path(call.request), json=call.request.body,
                                         headers=auth_headers(call.vendor, call.tenant, call.user))
            done.append(Done(call, response.status_code, response.json()))
    return done


async def run_all(base: str, plans: list[list[Planned]]) -> list[Done]:
    results = await asyncio.gather(*(run_client(base, calls) for calls in plans))
    return [done for client in results for done in client]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serving() as served:
        yield served


def check(served: Served, per_client: int) -> str:
    plans = plan(CLIENTS, per_client)
    started = time.perf_counter()
    done = asyncio.run(run_all(served.base, plans))
    seconds = time.perf_counter() - started
    assert len(done) == CLIENTS * per_client
    assert Counter(d.status for d in done if d.status not in (200, 201)) == Counter()

    by: dict[tuple[str, str], list[Done]] = defaultdict(list)
    for d in done:
        by[(d.planned.vendor, d.planned.tenant.id)].append(d)
    with httpx.Client(base_url=served.base, timeout=30) as client:
        for tenant in SEED.tenants:
            for user, xuser in enumerate(tenant.xpander_users):
                created = [d.body["id"] for d in by[("xpander", tenant.id)] if d.planned.user == user]
                listed = listed_xpander(client, tenant, user)
                assert len(set(created)) == len(created) and sorted(listed) == sorted(created), xuser.id

            created = [d.body["id"] for d in by[("openint", tenant.id)]]
            ids, total = listed_openint(client, tenant)
            assert len(set(created)) == len(created) and sorted(ids) == sorted(created) and total == len(created)

            created = [d.body["id"] for d in by[("vercel", tenant.id)]]
            assert len(set(created)) == len(created) and sorted(listed_vercel(client, tenant)) == sorted(created)

            nango = by[("nango", tenant.id)]
            ids_per_key: dict[tuple[str, str], set[int]] = defaultdict(set)
            for d in nango:
                ids_per_key[(d.body["connection_id"], d.body["provider_config_key"])].add(d.body["id"])
            listed_rows = listed_nango(client, tenant)
            keys = [(c, p) for c, p, _ in listed_rows]
            assert len(keys) == len(set(keys)) == len(ids_per_key)  # nothing lost, nothing twice
            assert {(c, p): {i} for c, p, i in listed_rows} == ids_per_key  # one id per key, whoever upserted
    stores = httpx.get(f"{served.base}/__connmock/health").json()["records"]
    return f"{len(done)} creates by {CLIENTS} clients in {seconds:.1f} s ({len(done) / seconds:.0f}/s); " \
           f"{stores} records in the store"


def test_fifty_concurrent_clients_lose_and_duplicate_nothing(served: Served) -> None:
    httpx.post(f"{served.base}/__connmock/reset", json={})
    print("\nconcurrency:", check(served, PER_CLIENT))


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="the full size: tox -e fuzz (CONNMOCK_FUZZ=long)")
def test_fifty_clients_times_two_hundred_creates(served: Served) -> None:
    httpx.post(f"{served.base}/__connmock/reset", json={})
    print("\nconcurrency (full):", check(served, 200))
