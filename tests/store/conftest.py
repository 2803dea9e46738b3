"""The backends every store test runs against: the in-memory store and a Redis store on a real server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from mock_server.store import MemoryStore, Store
from tests.store.redis_server import redis_server

T = TypeVar("T")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


class Backend:
    """Makes stores of one backend for one test. For Redis every store made in a test shares one namespace,
    like the workers of one `connmock serve` (each has its own connection pool); in memory each store is its
    own, except `twin` which is the same store (one process has one)."""

    def __init__(self, name: str, url: str | None = None) -> None:
        self.name = name
        self.url = url
        self.namespace = uuid.uuid4().hex
        self.made: list[Store] = []

    def store(self, capacity: int = 1_000_000, namespace: str | None = None) -> Store:
        if self.url is None:
            store: Store = MemoryStore(capacity)
        else:
            from mock_server.store.redis import RedisStore

            store = RedisStore(self.url, namespace=namespace or self.namespace, capacity=capacity)
        self.made.append(store)
        return store

    def twin(self, store: Store) -> Store:
        """Another client of the same state (for a store of the default namespace): a second Redis
        connection pool, or the same store in memory (one process has one)."""
        if self.url is None:
            return store
        return self.store(getattr(store, "capacity", 1_000_000))

    def run(self, body: Callable[[], Awaitable[T]]) -> T:
        """Run a test body on a fresh event loop, then clear and close every store it made on that loop
        (a Redis client's connections belong to the loop that opened them)."""

        async def main() -> T:
            try:
                return await body()
            finally:
                for store in self.made:
                    await store.clear()
                    close = getattr(store, "close", None)
                    if close is not None:
                        await close()
                self.made.clear()

        return asyncio.run(main())


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        return Backend("memory")
    url: str = request.getfixturevalue("redis_url")
    return Backend("redis", url)
