"""The `Store` protocol's behaviour, the same test for every backend (in memory, Redis on a real server).

What the services rely on: records in named spaces kept in insertion order, `insert` refusing a taken key or
unique index entry without changing anything, `upsert`/`update` applying a function of the old value
atomically, the capacity counted across spaces (index entries are not records), per-space counters, `clear`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
import pytest

from mock_server.store import Store, StoreFull
from tests.store.conftest import Backend

SPACE = "nango:acme:connections"
OTHER = "nango:globex:connections"


def appended(item: int) -> Callable[[bytes | None], bytes]:
    """A change that appends `item` to a JSON list (a fresh list when the record is absent)."""

    def change(old: bytes | None) -> bytes:
        return orjson.dumps([*(orjson.loads(old) if old else []), item])

    return change


def test_get_insert_and_a_taken_key(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        assert await store.get(SPACE, "a") is None
        assert await store.insert(SPACE, "a", b"1")
        assert not await store.insert(SPACE, "a", b"2")
        assert await store.get(SPACE, "a") == b"1"
        assert await store.get(OTHER, "a") is None  # spaces (tenants) are separate
        assert await store.insert(OTHER, "a", b"3")
        assert await store.get(SPACE, "a") == b"1"
        assert await store.size() == 2

    backend.run(body)


def test_values_are_bytes_kept_as_given(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        odd = bytes(range(256)) + b"\x00tail"
        keys = ["", "with:colons", "ünïcödé/slash", "x" * 1000]
        for key in keys:
            assert await store.insert(SPACE, key, odd + key.encode())
        for key in keys:
            assert await store.get(SPACE, key) == odd + key.encode()

    backend.run(body)


def test_unique_index(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        uids = "vercel:team:uids"
        assert await store.insert(SPACE, "c1", b"one", index=(uids, "slack/bot"))
        assert await store.get(uids, "slack/bot") == b"c1"
        assert not await store.insert(SPACE, "c2", b"two", index=(uids, "slack/bot"))  # entry taken
        assert await store.get(SPACE, "c2") is None
        assert not await store.insert(SPACE, "c1", b"again", index=(uids, "other"))  # key taken
        assert await store.get(uids, "other") is None
        assert await store.size() == 1  # index entries are not records
        assert await store.delete(SPACE, "c1", index=(uids, "slack/bot")) == b"one"
        assert await store.get(uids, "slack/bot") is None
        assert await store.insert(SPACE, "c2", b"two", index=(uids, "slack/bot"))
        assert await store.get(uids, "slack/bot") == b"c2"

    backend.run(body)


def test_upsert(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        seen: list[bytes | None] = []

        def change(old: bytes | None) -> bytes:
            seen.append(old)
            return (old or b"") + b"+"

        assert await store.upsert(SPACE, "k", change) == b"+"
        assert await store.upsert(SPACE, "k", change) == b"++"
        assert seen == [None, b"+"]
        assert await store.get(SPACE, "k") == b"++"
        assert await store.size() == 1

    backend.run(body)


def test_update(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        calls: list[bytes] = []

        def change(old: bytes) -> bytes:
            calls.append(old)
            return old * 2

        assert await store.update(SPACE, "k", change) is None
        assert calls == []  # never called for an absent record, and nothing is created
        assert await store.get(SPACE, "k") is None and await store.size() == 0
        await store.insert(SPACE, "k", b"ab")
        assert await store.update(SPACE, "k", change) == b"abab"
        assert await store.get(SPACE, "k") == b"abab"

    backend.run(body)


def test_a_failing_change_changes_nothing(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()

        def broken(_: bytes | None) -> bytes:
            raise ValueError("no")

        with pytest.raises(ValueError):
            await store.upsert(SPACE, "k", broken)
        assert await store.get(SPACE, "k") is None and await store.size() == 0
        await store.insert(SPACE, "k", b"v")
        with pytest.raises(ValueError):
            await store.update(SPACE, "k", broken)
        assert await store.get(SPACE, "k") == b"v"

    backend.run(body)


def test_delete(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        assert await store.delete(SPACE, "k") is None
        await store.insert(SPACE, "k", b"v")
        await store.insert(OTHER, "k", b"w")
        assert await store.delete(SPACE, "k") == b"v"
        assert await store.delete(SPACE, "k") is None
        assert await store.get(SPACE, "k") is None
        assert await store.get(OTHER, "k") == b"w"
        assert await store.size() == 1
        assert await store.values(SPACE) == []

    backend.run(body)


def test_insertion_order(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        for key in ["m", "z", "a", "q"]:
            await store.insert(SPACE, key, key.encode())
        await store.upsert(SPACE, "b", lambda _: b"b")
        await store.upsert(SPACE, "z", lambda old: (old or b"") + b"2")  # changing a record keeps its place
        await store.update(SPACE, "m", lambda old: old + b"2")
        assert await store.values(SPACE) == [b"m2", b"z2", b"a", b"q", b"b"]
        await store.delete(SPACE, "z")
        await store.insert(SPACE, "z", b"z3")  # back in: now the newest
        assert await store.values(SPACE) == [b"m2", b"a", b"q", b"b", b"z3"]
        assert await store.values(OTHER) == []

    backend.run(body)


def test_many_values_in_order(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        expected = [f"{i:05}".encode() for i in range(2500)]  # more than one chunk of the Redis script
        for value in reversed(expected):
            await store.insert(SPACE, f"k{value.decode()}", value)
        assert await store.values(SPACE) == list(reversed(expected))

    backend.run(body)


def test_next_id_per_space(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        assert [await store.next_id("a") for _ in range(3)] == [1, 2, 3]
        assert await store.next_id("b") == 1
        assert await store.next_id("a") == 4
        assert await store.size() == 0  # counters are not records

    backend.run(body)


def test_clear(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        await store.insert(SPACE, "k", b"v", index=("idx", "e"))
        await store.upsert(OTHER, "k", lambda _: b"w")
        await store.next_id("ids")
        await store.clear()
        assert await store.size() == 0
        assert await store.values(SPACE) == [] and await store.values(OTHER) == []
        assert await store.get("idx", "e") is None
        assert await store.next_id("ids") == 1
        assert await store.insert(SPACE, "k", b"again", index=("idx", "e"))

    backend.run(body)


def test_capacity(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store(capacity=3)
        await store.insert(SPACE, "a", b"1", index=("idx", "a"))  # the index entry does not count
        await store.insert(OTHER, "b", b"2")
        await store.upsert(SPACE, "c", lambda _: b"3")
        with pytest.raises(StoreFull):
            await store.insert(SPACE, "d", b"4")
        called: list[bytes | None] = []

        def change(old: bytes | None) -> bytes:
            called.append(old)
            return b"4"

        with pytest.raises(StoreFull):
            await store.upsert(SPACE, "d", change)
        assert called == []
        assert await store.get(SPACE, "d") is None
        # changing what is there still works when full
        assert await store.upsert(SPACE, "c", lambda old: (old or b"") + b"!") == b"3!"
        assert await store.update(OTHER, "b", lambda old: old + b"!") == b"2!"
        assert not await store.insert(SPACE, "a", b"x")  # a taken key is a False, not a StoreFull
        assert await store.size() == 3
        await store.delete(OTHER, "b")
        assert await store.insert(SPACE, "d", b"4")
        assert await store.size() == 3

    backend.run(body)


# -- concurrency: many writers at once, from two clients of the same state ----------------------------------


def test_concurrent_upserts_of_one_key_lose_nothing(backend: Backend) -> None:
    async def body() -> None:
        first = backend.store()
        second = backend.twin(first)
        writers = 200
        results = await asyncio.gather(*(
            (first if i % 2 else second).upsert(SPACE, "hot", appended(i)) for i in range(writers)))
        final = orjson.loads(await first.get(SPACE, "hot") or b"[]")
        assert sorted(final) == list(range(writers))  # every change applied exactly once
        assert sorted(len(orjson.loads(r)) for r in results) == list(range(1, writers + 1))  # one at a time
        assert await first.values(SPACE) == [await second.get(SPACE, "hot")]
        assert await first.size() == await second.size() == 1

    backend.run(body)


def test_concurrent_updates_and_inserts(backend: Backend) -> None:
    async def body() -> None:
        first = backend.store()
        second = backend.twin(first)
        # the Nango create: update the record, or insert it with a fresh id when absent; retried on a lost race
        async def create(store: Store, key: str, item: int) -> None:
            while True:
                if await store.update(SPACE, key, appended(item)) is not None:
                    return
                number = await store.next_id("ids")
                if await store.insert(SPACE, key, orjson.dumps([item]), index=("by-id", str(number))):
                    return

        await asyncio.gather(*(create(first if i % 2 else second, f"k{i % 5}", i) for i in range(300)))
        rows = [orjson.loads(raw) for raw in await second.values(SPACE)]
        assert len(rows) == 5 and await first.size() == 5  # one record per key, none twice
        assert sorted(item for row in rows for item in row) == list(range(300))

    backend.run(body)


def test_concurrent_inserts_of_one_key_or_index_entry(backend: Backend) -> None:
    async def body() -> None:
        first = backend.store()
        second = backend.twin(first)
        same_key = await asyncio.gather(*(
            (first if i % 2 else second).insert(SPACE, "one", str(i).encode()) for i in range(100)))
        assert same_key.count(True) == 1
        same_entry = await asyncio.gather(*(
            (first if i % 2 else second).insert(OTHER, f"k{i}", b"v", index=("uids", "shared")) for i in range(100)))
        assert same_entry.count(True) == 1
        assert len(await first.values(OTHER)) == 1 and await second.size() == 2

    backend.run(body)


def test_capacity_holds_under_concurrent_writers(backend: Backend) -> None:
    async def body() -> None:
        first = backend.store(capacity=50)
        second = backend.twin(first)

        async def write(i: int) -> bool:
            store = first if i % 2 else second
            try:
                if i % 3:
                    return await store.insert(SPACE, f"i{i}", b"v")
                await store.upsert(SPACE, f"u{i}", lambda _: b"v")
                return True
            except StoreFull:
                return False

        written = await asyncio.gather(*(write(i) for i in range(200)))
        assert written.count(True) == 50
        assert await first.size() == 50 and len(await second.values(SPACE)) == 50

    backend.run(body)


def test_ids_are_unique_across_clients(backend: Backend) -> None:
    async def body() -> None:
        first = backend.store()
        second = backend.twin(first)
        numbers = await asyncio.gather(*((first if i % 2 else second).next_id("ids") for i in range(500)))
        assert sorted(numbers) == list(range(1, 501))

    backend.run(body)
