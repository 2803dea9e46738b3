"""A record many requests write at once (Redis): the writers of one process take turns instead of colliding
in Redis, and a `patch` (Nango's `last_fetched_at` on every get) is one script, never a retried
compare-and-set, and never makes the upserts of the record fail."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import orjson

from mock_server.store.redis import RedisStore
from tests.store.test_store_contract import appended

SPACE = "nango:acme:connections"


def run(url: str, body: Callable[[RedisStore], Awaitable[None]]) -> None:
    async def main() -> None:
        store = RedisStore(url, namespace=uuid.uuid4().hex)
        try:
            await body(store)
        finally:
            await store.clear()
            await store.close()

    asyncio.run(main())


def test_upserts_of_one_key_in_one_process_commit_at_the_first_attempt(redis_url: str) -> None:
    async def body(store: RedisStore) -> None:
        commits = 0
        real = store._commit

        async def counted(space: str, key: str, old: bytes | None, new: bytes) -> bool:
            nonlocal commits
            commits += 1
            return await real(space, key, old, new)

        store._commit = counted  # type: ignore[method-assign]
        await asyncio.gather(*(store.upsert(SPACE, "hot", appended(n)) for n in range(300)))
        assert sorted(orjson.loads(await store.get(SPACE, "hot") or b"[]")) == list(range(300))
        assert commits == 300  # none retried
        assert not store._turns  # the turns of a key are dropped once nobody waits

    run(redis_url, body)


def test_patches_and_upserts_of_one_key_all_land(redis_url: str) -> None:
    async def body(store: RedisStore) -> None:
        await store.insert(SPACE, "hot", orjson.dumps({"items": [], "last_fetched_at": None}))

        def added(n: int) -> Callable[[bytes | None], bytes]:
            def change(old: bytes | None) -> bytes:
                record = orjson.loads(old or b"{}")
                return orjson.dumps({**record, "items": [*record["items"], n]})

            return change

        patches = [store.patch(SPACE, "hot", {"last_fetched_at": f"t{n:03d}"}) for n in range(300)]
        upserts = [store.upsert(SPACE, "hot", added(n)) for n in range(100)]
        await asyncio.gather(*patches, *upserts)
        final = orjson.loads(await store.get(SPACE, "hot") or b"{}")
        assert sorted(final["items"]) == list(range(100))
        assert list(final) == ["items", "last_fetched_at"]

    run(redis_url, body)
