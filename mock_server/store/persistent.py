"""`PersistentStore`: a snapshot-capable store whose state survives restarts in a state file.

- At construction the file is loaded (or, when absent, created at once, so an unwritable path fails at start).
- Every write marks the state dirty; a background task saves it `delay` seconds after the first unsaved
  write (debounced: a burst of writes costs one save).
- `stop()` (the app's lifespan shutdown, which uvicorn runs on SIGTERM) saves whatever is still unsaved.

The snapshot is taken on the event loop (consistent: the in-memory store never awaits), and written to disk
on a worker thread so requests keep being served meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from mock_server.store.base import Index, Store, StoreFull
from mock_server.store.snapshot import Image, Snapshotting
from mock_server.store.statefile import StateFile, StateFileError, encode

DEFAULT_DELAY = 0.5  # seconds between the first unsaved write and its save


class SnapshotStore(Store, Snapshotting, Protocol):
    """A store that can also be snapshotted (the in-memory store)."""


class PersistentStore:
    def __init__(self, inner: SnapshotStore, file: StateFile, delay: float = DEFAULT_DELAY) -> None:
        self.inner = inner
        self.file = file
        self.delay = delay
        self.saves = 0
        self._dirty = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._writing: asyncio.Future[None] | None = None
        saved = file.read()
        if saved is None:
            file.write(encode(Image()))
        else:
            try:
                inner.restore(saved.image)
            except StoreFull as exc:
                raise StateFileError(f"{file.path}: {exc}; start with a larger --store-capacity") from exc

    # -- reads: passed through ------------------------------------------------------------------------------
    async def get(self, space: str, key: str) -> bytes | None:
        return await self.inner.get(space, key)

    async def values(self, space: str) -> list[bytes]:
        return await self.inner.values(space)

    async def size(self) -> int:
        return await self.inner.size()

    # -- writes: passed through, then marked for saving ----------------------------------------------------
    async def insert(self, space: str, key: str, value: bytes, *, index: Index | None = None) -> bool:
        inserted = await self.inner.insert(space, key, value, index=index)
        if inserted:
            self.changed()
        return inserted

    async def upsert(self, space: str, key: str, change: Callable[[bytes | None], bytes]) -> bytes:
        new = await self.inner.upsert(space, key, change)
        self.changed()
        return new

    async def update(self, space: str, key: str, change: Callable[[bytes], bytes]) -> bytes | None:
        new = await self.inner.update(space, key, change)
        if new is not None:
            self.changed()
        return new

    async def delete(self, space: str, key: str, *, index: Index | None = None) -> bytes | None:
        removed = await self.inner.delete(space, key, index=index)
        if removed is not None:
            self.changed()
        return removed

    async def next_id(self, space: str) -> int:
        number = await self.inner.next_id(space)
        self.changed()
        return number

    async def clear(self) -> None:
        await self.inner.clear()
        self.changed()

    # -- saving ----------------------------------------------------------------------------------------------
    def changed(self) -> None:
        self._dirty = True
        self._wake.set()

    async def save(self) -> None:
        """Write the current state (waits for a write already under way, so saves never overlap)."""
        if self._writing is not None:
            await self._writing
        self._dirty = False
        data = encode(self.inner.snapshot())
        # Shielded: a cancelled caller must not leave a half-finished write behind another one.
        self._writing = asyncio.ensure_future(asyncio.to_thread(self.file.write, data))
        await asyncio.shield(self._writing)
        self.saves += 1

    async def autosave(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.delay)
            self._wake.clear()
            if self._dirty:
                await self.save()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.autosave())

    async def stop(self) -> None:
        """Stop autosaving and save what is still unsaved."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._writing is not None:
            await self._writing
        if self._dirty:
            await self.save()


@contextlib.asynccontextmanager
async def persisting(store: Store) -> AsyncIterator[None]:
    """The app's lifespan part: autosave while serving, final save at shutdown (no-op for other stores)."""
    if not isinstance(store, PersistentStore):
        yield
        return
    await store.start()
    try:
        yield
    finally:
        await store.stop()
