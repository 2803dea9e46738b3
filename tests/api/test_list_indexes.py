"""Vercel's and xpander's lists through the whole app, on both store backends, with a store that refuses to
read every record of a space: a list must be served by the store's index (order, filters, keyset cursors that
hold still while connectors are added), never by decoding the tenant's every record."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from fixtures import load_seed
from mock_server import Settings, create_app
from mock_server.store import MemoryStore, Store
from tests.store.redis_server import redis_server
from tests.support.api import ApiClient
from tests.support.clock import FakeClock

SEED = load_seed()
ACME = SEED.tenant("acme")
ALICE, BOB = ACME.xpander_users
START = datetime(2026, 6, 8, 9, 30, tzinfo=UTC)
CONNECTORS = "/vercel/v1/connect/connectors"
LIST = "/vercel/v2/connect/connectors"
XPANDER = "/xpander/v1/connectors"


def unscanned(store: Store) -> Store:
    """`store`, except that reading every record of a space fails the test."""

    async def refused(space: str) -> list[bytes]:
        raise AssertionError(f"a request read every record of {space}")

    setattr(store, "values", refused)  # noqa: B010 (an instance attribute over the method, for this test only)
    return store


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def api(request: pytest.FixtureRequest) -> Iterator[ApiClient]:
    """A fresh app with Vercel and xpander on a fresh store of each backend that lists only by its index."""
    if request.param == "memory":
        store: Store = MemoryStore()
    else:
        from mock_server.store.redis import RedisStore

        store = RedisStore(request.getfixturevalue("redis_url"), namespace=uuid.uuid4().hex)
    client = ApiClient(create_app(Settings(vendors=("vercel", "xpander")), store=unscanned(store),
                                  clock=FakeClock(START)))
    try:
        yield client
    finally:
        client.loop.run_until_complete(store.clear())
        close = getattr(store, "close", None)
        if close is not None:
            client.loop.run_until_complete(close())
        client.close()


# --- Vercel -----------------------------------------------------------------------------------------------------

def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {ACME.vercel_token}"}


def create(api: ApiClient, name: str, kind: str = "slack", project: str = "prj_1") -> str:
    body = {"type": "slack", "uid": f"slack/{name}", "name": name, "projectId": project,
            "data": {"appId": "A0123456789", "appName": name, "clientId": "1.2", "clientSecret": "s",
                     "signingSecret": "g"}}
    if kind == "oauth":
        body = {"type": "oauth", "uid": f"oauth/{name}", "name": name, "projectId": project,
                "data": {"clientId": "c", "serverUrl": "https://mcp.linear.app"}}
    response = api.post(CONNECTORS, headers=auth(), json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def page(api: ApiClient, query: str) -> tuple[list[str], str | None]:
    """The names on one page of the list and its `pagination.next`."""
    response = api.get(f"{LIST}?{query}", headers=auth())
    assert response.status_code == 200, response.text
    body = response.json()
    return [c["name"] for c in body["connectors"]], body["pagination"]["next"]


def every_page(api: ApiClient, query: str, cursor: str | None) -> list[str]:
    names: list[str] = []
    for _ in range(20):  # more pages than any test lists: a cursor that leads nowhere fails, never loops
        if cursor is None:
            return names
        shown, cursor = page(api, f"{query}&cursor={cursor}")
        names += shown
    raise AssertionError(f"the pages never end: {names}")


@pytest.mark.parametrize(("sort", "first", "added", "rest"), [
    pytest.param("createdAt", ["e", "d"], ["f", "a0", "z"], ["c", "b", "a"], id="createdAt"),
    pytest.param("updatedAt", ["e", "d"], ["f", "a0", "z"], ["c", "b", "a"], id="updatedAt"),
    pytest.param("name", ["a", "b"], ["a0", "b0", "bz", "Ca"], ["b0", "bz", "c", "Ca", "d", "e"], id="name"),
])
def test_vercel_pages_hold_still_while_connectors_are_added(api: ApiClient, sort: str, first: list[str],
                                                            added: list[str], rest: list[str]) -> None:
    # Given five connectors and the first page of two
    for name in ("a", "b", "c", "d", "e"):
        create(api, name)
    shown, cursor = page(api, f"sort={sort}&limit=2")
    assert shown == first
    # When more are created before the next page is asked for
    for name in added:
        create(api, name)
    # Then the pages go on after the first page's last connector: none repeated, none skipped (by name: the new
    # connectors that sort after the cursor are listed; newer ones come before it, so on no later page)
    assert every_page(api, f"sort={sort}&limit=2", cursor) == rest


def test_vercel_filters_with_a_cursor(api: ApiClient) -> None:
    for name in ("s1", "s2", "s3"):
        create(api, name)
    for name in ("o1", "o2"):
        create(api, name, kind="oauth")
    create(api, "s4", project="prj_2")
    shown, cursor = page(api, "type=oauth%2C%20slack&projectId=prj_1&limit=3")
    assert shown == ["o2", "o1", "s3"]
    assert every_page(api, "type=oauth%2C%20slack&projectId=prj_1&limit=3", cursor) == ["s2", "s1"]
    assert page(api, "service=mcp.linear.app&search=O") == (["o2", "o1"], None)
    assert page(api, "type=oauth&search=s") == ([], None)


# --- xpander ----------------------------------------------------------------------------------------------------

def connect(api: ApiClient, user: Any, connector: Any, name: str, scope: str = "personal") -> str:
    response = api.post(f"{XPANDER}/{connector.id}/connect", headers={"x-api-key": user.api_key},
                        json={"name": name, "access_scope": scope})
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def shown_to(api: ApiClient, user: Any, query: str = "per_page=50") -> dict[str, list[str]]:
    response = api.get(f"{XPANDER}?{query}", headers={"x-api-key": user.api_key})
    assert response.status_code == 200, response.text
    return {item["id"]: [c["name"] for c in item["connections"]] for item in response.json()["items"]}


def test_xpander_shows_the_connections_each_user_sees_oldest_first(api: ApiClient) -> None:
    one, two = SEED.xpander_connectors[0], SEED.xpander_connectors[1]
    connect(api, ALICE, one, "alice-1")
    connect(api, BOB, one, "bob-org", "organizational")
    bobs = connect(api, BOB, one, "bob-own")
    connect(api, ALICE, two, "alice-2")
    connect(api, ALICE, one, "alice-3", "organizational")
    assert shown_to(api, ALICE)[one.id] == ["alice-1", "bob-org", "alice-3"]
    assert shown_to(api, BOB)[one.id] == ["bob-org", "bob-own", "alice-3"]
    assert shown_to(api, ALICE)[two.id] == ["alice-2"] and shown_to(api, BOB)[two.id] == []
    assert shown_to(api, ALICE, "per_page=1&page=2") == {two.id: ["alice-2"]}
    # a personal connection of another user is not found, not even by its id
    hidden = api.get(f"{XPANDER}/{one.id}/{bobs}/operations", headers={"x-api-key": ALICE.api_key})
    assert hidden.status_code == 404
    assert api.get(f"{XPANDER}/{one.id}/{bobs}/operations", headers={"x-api-key": BOB.api_key}).status_code == 200
