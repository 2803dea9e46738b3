"""The store interface.

Values are opaque bytes (the services keep compact JSON there): cheap to hold in memory, and what a shared
backend or a state file stores as is. Keys live in *spaces* (`nango:acme:connections`); a space keeps
insertion order. Every method is atomic with respect to the others.

Lists are served by indexes the store keeps (`query.py`): a service defines an `Indexer` per family of
spaces, and `find` answers a page of a list by decoding only that page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from mock_server.store.query import Found, Indexer, Query

__all__ = ["Index", "Store", "StoreFull", "StoreUnavailable"]


class StoreFull(Exception):
    """The store holds as many records as it is allowed to."""


Index = tuple[str, str]  # (space, key) of a unique secondary index entry pointing at the record's key


class Store(Protocol):
    async def get(self, space: str, key: str) -> bytes | None: ...

    async def insert(self, space: str, key: str, value: bytes, *, index: Index | None = None) -> bool:
        """Add a record; False (and no change) when the key or the unique index entry is already taken."""
        ...

    async def upsert(self, space: str, key: str, change: Callable[[bytes | None], bytes]) -> bytes:
        """Replace a record by `change(old)` (old is None when absent), atomically; returns the new value."""
        ...

    async def update(self, space: str, key: str, change: Callable[[bytes], bytes]) -> bytes | None:
        """Change an existing record atomically; None when absent."""
        ...

    async def patch(self, space: str, key: str, fields: Mapping[str, Any]) -> bytes | None:
        """Set top-level `fields` of an existing record (a JSON object) without a read-modify-write on the
        caller's side, so concurrent writers never retry; returns the record after, None when absent."""
        ...

    async def delete(self, space: str, key: str, *, index: Index | None = None) -> bytes | None:
        """Remove a record (and its index entry); returns what was removed, None when absent."""
        ...

    async def values(self, space: str) -> list[bytes]:
        """Every record of a space, oldest first."""
        ...

    async def find(self, space: str, query: Query) -> Found:
        """A page of a space's list, by the index of its family (`LookupError` when none is defined)."""
        ...

    def define_index(self, family: str, indexer: Indexer) -> None:
        """Index the spaces of `family` (`nango:*:connections`) by `indexer`, the records already there too."""
        ...

    async def next_id(self, space: str) -> int:
        """A counter per space, starting at 1."""
        ...

    async def size(self) -> int: ...

    async def clear(self) -> None: ...


class StoreUnavailable(Exception):
    """The store did not answer (a Redis that is down, unreachable or stalled): worth a retry, unlike `StoreFull`.
    The message names the server by host and port only (never the URL's credentials)."""
