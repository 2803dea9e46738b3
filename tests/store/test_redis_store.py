"""What only the Redis store has: key prefixes (several mocks on one Redis), bounded retries, its own keys."""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from collections.abc import Awaitable, Callable

import pytest

from tests.store.redis_server import require_redis

if importlib.util.find_spec("redis") is None:
    require_redis()  # skips this module outside CI, fails in CI

from mock_server.store.redis import RedisStore, StoreContention, key_prefix

SPACE = "openint:acme:connections"


@pytest.fixture
def url(redis_url: str) -> str:
    return redis_url


def run_with(url: str, body: Callable[[RedisStore, RedisStore], Awaitable[None]]) -> None:
    """Run `body(a, b)` with two stores in two fresh namespaces, closed on the same loop."""

    async def main() -> None:
        first = RedisStore(url, namespace=uuid.uuid4().hex)
        second = RedisStore(url, namespace=uuid.uuid4().hex)
        try:
            await body(first, second)
        finally:
            for store in (first, second):
                await store.clear()
                await store.close()

    asyncio.run(main())


def test_namespaces_keep_mocks_apart(url: str) -> None:
    async def body(first: RedisStore, second: RedisStore) -> None:
        await first.insert(SPACE, "k", b"first")
        await second.insert(SPACE, "k", b"second")
        assert await first.next_id("ids") == await second.next_id("ids") == 1
        await first.clear()
        assert await first.get(SPACE, "k") is None and await first.size() == 0
        assert await second.get(SPACE, "k") == b"second" and await second.size() == 1

    run_with(url, body)


def test_clear_removes_only_its_own_keys(url: str) -> None:
    async def body(first: RedisStore, _: RedisStore) -> None:
        await first.client.set("someone-else:key", b"kept")
        await first.client.set("connmock-other", b"kept")
        try:
            await first.insert(SPACE, "k", b"v")
            await first.clear()
            assert await first.client.get("someone-else:key") == b"kept"
            assert await first.client.get("connmock-other") == b"kept"
            assert await first.client.keys(f"{first.prefix}*") == []
        finally:
            await first.client.delete("someone-else:key", "connmock-other")

    run_with(url, body)


def test_a_record_changed_under_every_attempt_raises(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mock_server.store.redis.MAX_ATTEMPTS", 5)

    async def body(first: RedisStore, _: RedisStore) -> None:
        await first.insert(SPACE, "k", b"0")
        calls = 0
        writes: list[asyncio.Future[int]] = []

        def meddling(old: bytes) -> bytes:
            nonlocal calls
            calls += 1
            # another client changes the record between this read and the commit, every time
            writes.append(asyncio.ensure_future(first.client.hset(f"{first.prefix}h:{SPACE}", "k", str(calls))))
            return old + b"!"

        real = first._commit

        async def slow_commit(space: str, key: str, old: bytes | None, new: bytes) -> bool:
            await asyncio.sleep(0.01)  # lets the meddling write land first
            return await real(space, key, old, new)

        first._commit = slow_commit  # type: ignore[method-assign]
        with pytest.raises(StoreContention):
            await first.update(SPACE, "k", meddling)
        assert calls == 5
        assert not (await first.get(SPACE, "k") or b"").endswith(b"!")

    run_with(url, body)


def test_namespace_is_checked() -> None:
    assert key_prefix() == "connmock:"
    assert key_prefix("team-a.1") == "connmock:team-a.1:"
    for bad in ("a*", "a:b", "x" * 65, "sp ace"):
        with pytest.raises(ValueError):
            key_prefix(bad)
