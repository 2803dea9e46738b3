"""The list indexes of the `Store` protocol, for every backend: `find` answers what a plain dict of the records,
decoded, filtered and sorted (`naive_find`), answers, after any sequence of writes; and `patch` sets fields in
place, the same bytes in every backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.store import MemoryStore, PersistentStore, StateFile, Store, index
from mock_server.store.query import Entry, Indexer, Query, naive_find, term
from tests.store.conftest import Backend

FAMILY = "toy:*:items"
SPACE = "toy:acme:items"
OTHER = "toy:globex:items"


def toy_entry(raw: bytes) -> Entry:
    """Three list orders: by date, by name (a name may be a prefix of another, or hold a \\x01: the bytes just
    above the NUL that ends an order in a Redis member), and by category."""
    record = orjson.loads(raw)
    return Entry(order=f"{record['at']}|{record['id']:04d}",
                 terms=frozenset({term("cat", record["cat"]), *(term("tag", t) for t in record["tags"])}),
                 text=(record["name"].lower(),),
                 also=(f"{record['name'].lower()}\x01{record['id']:04d}", f"{record['cat']}{record['id']:04d}"))


INDEXER = Indexer(entry=toy_entry, fields=frozenset({"id", "at", "cat", "tags", "name"}))

KEYS = st.sampled_from([f"k{n}" for n in range(12)])
CATS = st.sampled_from(["a", "b", "c"])
TAGS = st.sampled_from(["x", "y", "z"])
RECORDS = st.fixed_dictionaries({
    "id": st.integers(0, 30), "at": st.sampled_from(["2026-01-01", "2026-01-02", "2026-01-03"]), "cat": CATS,
    "tags": st.lists(TAGS, max_size=2, unique=True),
    "name": st.sampled_from(["Alpha", "Al", "al\x01pha", "beta", "GAMMA", "déjà"]),
    "seen": st.integers(0, 9),
})
WRITES = st.one_of(
    st.tuples(st.just("insert"), KEYS, RECORDS),
    st.tuples(st.just("upsert"), KEYS, RECORDS),
    st.tuples(st.just("update"), KEYS, RECORDS),
    st.tuples(st.just("patch"), KEYS, st.fixed_dictionaries({"seen": st.integers(0, 9)})),
    st.tuples(st.just("patch"), KEYS, st.fixed_dictionaries({"cat": CATS, "name": st.just("Beta")})),
    st.tuples(st.just("delete"), KEYS, st.just({})),
)
QUERIES = st.builds(
    Query,
    where=st.lists(st.frozensets(st.one_of(CATS.map(lambda c: term("cat", c)), TAGS.map(lambda t: term("tag", t))),
                                 min_size=1, max_size=3), max_size=2).map(tuple),
    search=st.sampled_from(["", "a", "et", "zzz", "é"]),
    descending=st.booleans(),
    offset=st.one_of(st.integers(0, 5), st.just(2**63 - 1)),  # Nango's `page=1e300`: past any list
    limit=st.one_of(st.none(), st.integers(0, 4), st.just(2**63 - 1)),
    count=st.booleans(),
    sort=st.integers(0, 2),
    after=st.one_of(st.none(), st.sampled_from(["", "2026-01-02", "2026-01-02|0004", "al", "al\x01", "al\x010003",
                                               "b0005", "beta\x01", "\uffff"]),
                    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=5)),
)


ELSEWHERE = {"id": 0, "at": "2026-01-01", "cat": "a", "tags": ["x"], "name": "Alpha", "seen": 0}


def unique_order(record: dict[str, Any], key: str) -> dict[str, Any]:
    """Two records never share an order string: the toy's id is the key's number."""
    return {**record, "id": int(key[1:])}


async def write(store: Store, model: dict[str, bytes], op: str, key: str, fields: dict[str, Any]) -> None:
    """One write to the store and the same to the plain dict model."""
    value = orjson.dumps(unique_order(fields, key)) if op != "patch" else b""
    if op == "insert" and await store.insert(SPACE, key, value):
        model[key] = value
    elif op == "upsert":
        model[key] = await store.upsert(SPACE, key, lambda old: value)
    elif op == "update" and await store.update(SPACE, key, lambda old: value) is not None:
        model[key] = value
    elif op == "patch" and key in model:
        model[key] = orjson.dumps({**orjson.loads(model[key]), **fields})
        assert await store.patch(SPACE, key, fields) == model[key]
    elif op == "patch":
        assert await store.patch(SPACE, key, fields) is None
    elif op == "delete":
        assert await store.delete(SPACE, key) == model.pop(key, None)


def forbid_full_reads(store: Store) -> None:
    """Make reading every record of a space fail: `find` must answer from the index (never fall back to a
    scan or an index rebuild, which would hide an index not kept up to date)."""

    async def refused(*args: object) -> None:
        raise AssertionError("find read every record")

    for name in ("values", "_rebuild"):
        setattr(store, name, refused)


@pytest.mark.parametrize("few", [index.FEW, 0], ids=["sorted-candidates", "walked-order"])
# A fixed count below the profiles': each example runs on both backends, Redis included (a round trip per write)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITES, max_size=25), queries=st.lists(QUERIES, min_size=1, max_size=4))
def test_find_answers_what_the_records_say(backend: Backend, few: int, writes: list[tuple[str, str, dict[str, Any]]],
                                          queries: list[Query], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "FEW", few)  # the in-memory index's two ways to find filtered records

    async def body() -> None:
        store = backend.store()
        store.define_index(FAMILY, INDEXER)
        forbid_full_reads(store)
        model: dict[str, bytes] = {}
        await store.insert(OTHER, "k0", orjson.dumps(ELSEWHERE))  # another tenant's record is never listed
        for op, key, fields in writes:
            await write(store, model, op, key, fields)
            assert await store.find(SPACE, Query(count=True)) == naive_find(model.values(), INDEXER,
                                                                             Query(count=True))
        for query in queries:
            assert await store.find(SPACE, query) == naive_find(model.values(), INDEXER, query)
            for raw in list(model.values())[:3]:  # a cursor at a record: the page starts just past it
                at = replace(query, after=INDEXER.entry(raw).place(query.sort))
                assert await store.find(SPACE, at) == naive_find(model.values(), INDEXER, at)

    backend.run(body)


def test_an_index_defined_late_holds_the_records_already_there(backend: Backend) -> None:
    async def body() -> None:
        store = backend.store()
        record = {"id": 1, "at": "2026-01-01", "cat": "a", "tags": ["x"], "name": "One", "seen": 0}
        await store.insert(SPACE, "k1", orjson.dumps(record))
        store.define_index(FAMILY, INDEXER)
        found = await store.find(SPACE, Query(where=(frozenset({term("tag", "x")}),), count=True))
        assert found.values == [orjson.dumps(record)] and found.total == 1

    backend.run(body)


def test_a_space_without_an_index_is_an_error(backend: Backend) -> None:
    async def body() -> None:
        with pytest.raises(LookupError, match="toy:\\*:other"):
            await backend.store().find("toy:acme:other", Query())

    backend.run(body)


@pytest.mark.parametrize("fields", [
    {"seen": "2026-12-07T12:00:00.000Z"},
    {"new": None, "seen": 3},
    {"nested": {"a": [1, {"b": "}\\\"]"}], "c": ""}, "name": "quote \" brace } bracket ] back \\"},
    {"名前": "ünï", "seen": [], "empty": {}},
], ids=["one-string", "a-new-field-goes-last", "json-punctuation-in-values", "unicode-and-empties"])
def test_patch_sets_fields_in_place(backend: Backend, fields: dict[str, Any]) -> None:
    async def body() -> None:
        store = backend.store()
        old = {"id": 1, "name": "a \"q\" {x} [y] \\", "seen": None, "deep": {"seen": 1, "l": [[], {}]}, "z": 1.5}
        await store.insert(SPACE, "k", orjson.dumps(old))
        expected = orjson.dumps({**old, **fields})
        assert await store.patch(SPACE, "k", fields) == expected
        assert await store.get(SPACE, "k") == expected
        assert await store.patch(SPACE, "absent", fields) is None
        assert await store.get(SPACE, "absent") is None

    backend.run(body)


def restarted(path: Path, writes: Callable[[PersistentStore], Awaitable[None]]) -> PersistentStore:
    """The persistent store that starts on `path` after one that made `writes` and crashed right after (its
    write log holds them, the state file does not)."""

    async def first() -> None:
        store = PersistentStore(MemoryStore(), StateFile(path))
        store.define_index(FAMILY, INDEXER)
        await writes(store)
        await store.log.drain()
        await store.log.close()

    asyncio.run(first())
    return PersistentStore(MemoryStore(), StateFile(path))


def test_the_index_is_rebuilt_after_a_restart(tmp_path: Path) -> None:
    one = {"id": 1, "at": "2026-01-01", "cat": "a", "tags": [], "name": "One", "seen": 0}
    two = {**one, "id": 2, "at": "2026-01-02", "cat": "b"}

    async def writes(store: PersistentStore) -> None:
        await store.insert(SPACE, "k1", orjson.dumps(one))
        await store.insert(SPACE, "k2", orjson.dumps(two))
        await store.patch(SPACE, "k2", {"cat": "a", "seen": 5})

    store = restarted(tmp_path / "state.json", writes)
    store.define_index(FAMILY, INDEXER)
    found = asyncio.run(store.find(SPACE, Query(where=(frozenset({term("cat", "a")}),), descending=True)))
    assert found.values == [orjson.dumps({**two, "cat": "a", "seen": 5}), orjson.dumps(one)]
