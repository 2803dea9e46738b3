"""A record many requests write at once (Redis): the writers of one process take turns instead of colliding
in Redis, and a `patch` (Nango's `last_fetched_at` on every get) is one script, never a retried
compare-and-set, and never makes the upserts of the record fail."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping

import orjson

from mock_server.store.batching import PatchBatches
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


def test_concurrent_patches_of_one_key_are_sent_as_two_calls(redis_url: str) -> None:
    async def body(store: RedisStore) -> None:
        await store.insert(SPACE, "hot", orjson.dumps({"id": 1, "last_fetched_at": None}))
        sent: list[dict[str, object]] = []
        real = store._patch_once

        async def counted(space: str, key: str, fields: Mapping[str, object]) -> bytes | None:
            sent.append(dict(fields))
            return await real(space, key, fields)

        store._batches = PatchBatches(counted)
        # When 300 gets write `last_fetched_at` at once
        results = await asyncio.gather(*(store.patch(SPACE, "hot", {"last_fetched_at": f"t{n:03d}"})
                                         for n in range(300)))
        # Then the first is sent alone, the 299 that came while it was in flight as one call with the last value
        assert sent == [{"last_fetched_at": "t000"}, {"last_fetched_at": "t299"}]
        assert [orjson.loads(r or b"{}")["last_fetched_at"] for r in results] == ["t000"] + ["t299"] * 299
        assert await store.get(SPACE, "hot") == orjson.dumps({"id": 1, "last_fetched_at": "t299"})
        # and a patch on its own afterwards is sent on its own, as are those of other keys
        assert await store.patch(SPACE, "hot", {"seen": 1}) == orjson.dumps({"id": 1, "last_fetched_at": "t299",
                                                                              "seen": 1})
        assert await store.patch(SPACE, "absent", {"seen": 1}) is None
        assert len(sent) == 4 and not store._batches._open and not store._batches._busy

    run(redis_url, body)


def test_a_batch_whose_sender_went_away_is_sent_by_the_patches_that_joined_it(redis_url: str) -> None:
    async def body(store: RedisStore) -> None:
        await store.insert(SPACE, "hot", orjson.dumps({"id": 1}))
        first = asyncio.ensure_future(store.patch(SPACE, "hot", {"a": 1}))
        await asyncio.sleep(0)  # in flight
        leader = asyncio.ensure_future(store.patch(SPACE, "hot", {"b": 2}))  # opens the next batch, waits
        await asyncio.sleep(0)
        joined = asyncio.ensure_future(store.patch(SPACE, "hot", {"c": 3}))
        await asyncio.sleep(0)
        leader.cancel()
        assert await first == orjson.dumps({"id": 1, "a": 1})
        assert await joined == orjson.dumps({"id": 1, "a": 1, "c": 3})  # it went again; the cancelled one never ran
        assert leader.cancelled()

    run(redis_url, body)
