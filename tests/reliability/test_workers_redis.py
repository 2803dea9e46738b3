"""`connmock serve --workers 2 --store redis://…`: two processes, one state.

A real `redis-server` (see `tests/store/redis_server.py`: skipped outside CI when it is not installed) and a
`connmock serve` child process with two uvicorn workers on it. The concurrency check of `test_concurrency.py`
runs unchanged against it (50 clients x 20 creates by default), and a create through one worker is read back
at once through the other: every read a 200, every read after a delete a 404.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fixtures import Tenant
from fixtures.factories import CreateRequest
from tests.reliability.support import LONG, SEED, Served, auth_headers, create_path, serving, valid_creates
from tests.reliability.test_concurrency import PER_CLIENT, check
from tests.store.redis_server import redis_server

WORKERS = 2
BOUND_SECONDS = 120  # the default 50 x 20 run takes a few seconds; far past this something is stuck
ROUNDS = 60  # creates per vendor and direction in the cross-worker check, each read back at once
CROSS_VENDORS = ("openint", "vercel", "nango")  # the vendors with a get by id


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with redis_server() as url, serving("--workers", str(WORKERS), "--store", url) as served:
        yield served


def test_two_workers_on_redis_lose_and_duplicate_nothing(served: Served) -> None:
    httpx.post(f"{served.base}/__connmock/reset", json={})
    started = time.monotonic()
    report = check(served, 200 if LONG else PER_CLIENT)
    assert time.monotonic() - started < BOUND_SECONDS * (10 if LONG else 1)
    print(f"\nconcurrency ({WORKERS} workers, Redis):", report)


def clients_on_each_worker(base: str, tries: int = 64) -> list[httpx.Client]:
    """One keep-alive client per worker. A connection stays with the worker that accepted it, and each worker
    has its own request journal (oldest first): the oldest marker request in the journal a connection reads
    names its worker."""
    tenant = SEED.tenants[0]
    found: dict[str, httpx.Client] = {}
    for _ in range(tries):
        client = httpx.Client(base_url=base, timeout=10, limits=httpx.Limits(max_connections=1))
        marker = f"conn_marker_{uuid.uuid4().hex}"
        client.get(f"/openint/connection/{marker}", headers=auth_headers("openint", tenant))
        journal = client.get("/__connmock/requests").json()["requests"]
        markers = [e["path"].rsplit("/", 1)[-1] for e in journal if "conn_marker_" in e["path"]]
        assert marker in markers, "the marker request is in the journal of the worker that answered it"
        if markers[0] in found or len(found) == WORKERS:
            client.close()
        else:
            found[markers[0]] = client
        if len(found) == WORKERS:
            return list(found.values())
    for client in found.values():
        client.close()
    raise AssertionError(f"{tries} connections all went to {len(found)} of {WORKERS} workers")


def round_trip(writer: httpx.Client, reader: httpx.Client, request: CreateRequest, tenant: Tenant) -> list[int]:
    """Create through `writer`, read through `reader` at once; delete through `writer`, read again."""
    vendor = request.vendor
    headers = auth_headers(vendor, tenant)
    body: dict[str, Any] = dict(request.body)
    if vendor == "nango":
        body["connection_id"] = f"cross-{uuid.uuid4().hex}"
    if vendor == "vercel":
        body["uid"] = f"cross/{uuid.uuid4().hex}"
    created = writer.post(create_path(request), json=body, headers=headers)
    assert created.status_code in (200, 201), created.text
    answer = created.json()
    if vendor == "openint":
        path, params = f"/openint/connection/{answer['id']}", dict[str, str]()
    elif vendor == "vercel":
        path, params = f"/vercel/v1/connect/connectors/{answer['id']}", {}
    else:
        path, params = f"/nango/connections/{answer['connection_id']}", {
            "provider_config_key": answer["provider_config_key"]}
    statuses = [reader.get(path, params=params, headers=headers).status_code]
    assert writer.delete(path, params=params, headers=headers).status_code in (200, 204)
    statuses.append(reader.get(path, params=params, headers=headers).status_code)
    return statuses


def test_a_create_through_one_worker_is_read_through_the_other(served: Served) -> None:
    first, second = clients_on_each_worker(served.base)
    try:
        pools = {(v, t.id): valid_creates(v, t, 8) for v in CROSS_VENDORS for t in SEED.tenants}
        statuses: list[list[int]] = []
        for n in range(ROUNDS):
            tenant = SEED.tenants[n % 2]
            for vendor in CROSS_VENDORS:
                request = pools[(vendor, tenant.id)][n % 8]
                statuses.append(round_trip(first, second, request, tenant))
                statuses.append(round_trip(second, first, request, tenant))
        assert statuses == [[200, 404]] * len(statuses)
        print(f"\ncross-worker: {len(statuses)} creates read back through the other worker, all 200; "
              "deleted ones 404")
    finally:
        first.close()
        second.close()
