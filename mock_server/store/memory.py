"""The in-memory store: dicts of bytes. Safe under concurrent requests because the server runs its
handlers on one event loop and no method here awaits: each call runs to completion before another starts.

Spaces of a family with a defined `Indexer` also have a `SpaceIndex`, changed in the same call as the record
(and rebuilt from the records when the indexer is defined or a snapshot restored)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson

from mock_server.store.base import Index, StoreFull
from mock_server.store.index import SpaceIndex
from mock_server.store.query import Found, Indexer, Query, family_of
from mock_server.store.snapshot import Image

__all__ = ["MemoryStore"]

Indexed = tuple[Indexer, SpaceIndex]


def compact(value: bytes) -> bytes:
    """`value` in a bytes object of its own length. orjson's output keeps its whole write buffer (about 8 KB
    whatever the length): kept as it is, a 600-byte record would hold 8 KB of memory."""
    return bytes(memoryview(value))


class MemoryStore:
    def __init__(self, capacity: int = 1_000_000) -> None:
        self.capacity = capacity
        self._spaces: dict[str, dict[str, bytes]] = {}
        self._counters: dict[str, int] = {}
        self._records = 0
        self._indexers: dict[str, Indexer] = {}  # by family
        self._indexed: dict[str, Indexed | None] = {}  # by space: its index, or None when not indexed

    def _space(self, space: str) -> dict[str, bytes]:
        return self._spaces.setdefault(space, {})

    def _reserve(self) -> None:
        if self._records >= self.capacity:
            raise StoreFull(f"the store holds its maximum of {self.capacity} records")

    async def get(self, space: str, key: str) -> bytes | None:
        records = self._spaces.get(space)
        return records.get(key) if records else None

    async def insert(self, space: str, key: str, value: bytes, *, index: Index | None = None) -> bool:
        records = self._space(space)
        if key in records:
            return False
        if index is not None and index[1] in self._space(index[0]):
            return False
        self._reserve()
        records[key] = compact(value)
        self._records += 1
        if index is not None:
            self._space(index[0])[index[1]] = key.encode()
        self._reindex(space, key, value)
        return True

    async def upsert(self, space: str, key: str, change: Callable[[bytes | None], bytes]) -> bytes:
        records = self._space(space)
        old = records.get(key)
        if old is None:
            self._reserve()
        new = compact(change(old))
        if old is None:
            self._records += 1
        records[key] = new
        self._reindex(space, key, new)
        return new

    async def update(self, space: str, key: str, change: Callable[[bytes], bytes]) -> bytes | None:
        records = self._spaces.get(space)
        if not records or key not in records:
            return None
        records[key] = new = compact(change(records[key]))
        self._reindex(space, key, new)
        return new

    async def patch(self, space: str, key: str, fields: Mapping[str, Any]) -> bytes | None:
        records = self._spaces.get(space)
        old = records.get(key) if records else None
        if records is None or old is None:
            return None
        records[key] = new = compact(orjson.dumps({**orjson.loads(old), **fields}))
        indexed = self._index(space)
        if indexed is not None and not indexed[0].fields.isdisjoint(fields):
            indexed[1].put(key, indexed[0].entry(new))
        return new

    async def delete(self, space: str, key: str, *, index: Index | None = None) -> bytes | None:
        records = self._spaces.get(space)
        if not records or key not in records:
            return None
        if index is not None:
            self._space(index[0]).pop(index[1], None)
        self._records -= 1
        indexed = self._index(space)
        if indexed is not None:
            indexed[1].remove(key)
        return records.pop(key)

    async def values(self, space: str) -> list[bytes]:
        return list(self._spaces.get(space, {}).values())

    async def find(self, space: str, query: Query) -> Found:
        indexed = self._index(space)
        if indexed is None:
            raise LookupError(f"no index is defined for {family_of(space)}")
        keys, total = indexed[1].find(query)
        records = self._spaces.get(space, {})
        return Found([records[key] for key in keys], total)

    def define_index(self, family: str, indexer: Indexer) -> None:
        self._indexers[family] = indexer
        self._build_indexes()

    def _build_indexes(self) -> None:
        """Index every space from its records now (at start-up), so that no request pays for it."""
        self._indexed.clear()
        for space in self._spaces:
            self._index(space)

    def _index(self, space: str) -> Indexed | None:
        """The space's index (None when its family has none), built from its records the first time."""
        if space in self._indexed:
            return self._indexed[space]
        indexer = self._indexers.get(family_of(space))
        indexed = None
        if indexer is not None:
            indexed = (indexer, SpaceIndex())
            for key, value in self._spaces.get(space, {}).items():
                indexed[1].put(key, indexer.entry(value))
        self._indexed[space] = indexed
        return indexed

    def _reindex(self, space: str, key: str, value: bytes) -> None:
        indexed = self._index(space)
        if indexed is not None:
            indexed[1].put(key, indexed[0].entry(value))

    async def next_id(self, space: str) -> int:
        self._counters[space] = self._counters.get(space, 0) + 1
        return self._counters[space]

    async def size(self) -> int:
        return self._records

    async def clear(self) -> None:
        self._spaces.clear()
        self._counters.clear()
        self._records = 0
        self._indexed.clear()

    def snapshot(self) -> Image:
        return Image(spaces={name: dict(records) for name, records in self._spaces.items() if records},
                     counters=dict(self._counters), records=self._records)

    def restore(self, image: Image) -> None:
        if image.records > self.capacity:
            raise StoreFull(f"the saved state holds {image.records} records, over the capacity of {self.capacity}")
        self._spaces = {name: dict(records) for name, records in image.spaces.items()}
        self._counters = dict(image.counters)
        self._records = image.records
        self._build_indexes()
