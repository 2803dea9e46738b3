"""`PersistentStore`: a snapshot-capable store whose state survives restarts, a crash included.

- **Start** (construction, so a bad file stops `connmock serve` before it binds): the state file is loaded and
  the write log replayed on top (`recovery.py`); the result is saved at once when the log added anything
  (or when there was no file: an unwritable path fails at start), temporary files a crash left are removed,
  and the log starts empty.
- **Writes**: each write goes to the in-memory store, then its result is appended to the log
  (`writelog.py`) and the write returns only once that record is durable. The record is taken right after
  the in-memory change, with no `await` that could let another write run in between (the in-memory store
  never suspends), so the log's order is the store's order. Concurrent writers share one sync (group commit).
- **Compaction**: the log is folded into the state file once it holds as many bytes as the last snapshot
  (at least `COMPACT_BYTES`), and after `idle` seconds without writes; so a restart replays little, and the
  state file alone is current whenever the mock is quiet. The snapshot is taken on the event loop (consistent)
  and encoded and written on a worker thread while later writes go on into the log's next segment.
- **Stop** (the app's lifespan shutdown, which uvicorn runs on SIGTERM): the log is drained and compacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Protocol

from mock_server.store.base import Index, Store, StoreFull
from mock_server.store.query import Found, Indexer, Query
from mock_server.store.recovery import recover
from mock_server.store.snapshot import Snapshotting
from mock_server.store.statefile import StateFile, StateFileError, encode
from mock_server.store.writelog import Change, Clear, Count, Drop, Put, WriteLog, log_paths

__all__ = ["PersistentStore", "persisting"]

DEFAULT_IDLE = 0.5  # seconds without writes after which the log is compacted
COMPACT_BYTES = 1024 * 1024  # a log this large is compacted even while writes go on (or the snapshot's size)

logger = logging.getLogger("connmock")


class SnapshotStore(Store, Snapshotting, Protocol):
    """A store that can also be snapshotted (the in-memory store)."""


class PersistentStore:
    def __init__(self, inner: SnapshotStore, file: StateFile, idle: float = DEFAULT_IDLE) -> None:
        self.inner = inner
        self.file = file
        self.idle = idle
        self.compactions = 0
        recovered = recover(file)
        try:
            inner.restore(recovered.saved.image)
        except StoreFull as exc:
            raise StateFileError(f"{file.path}: {exc}; start with a larger --store-capacity") from exc
        self.snapshot_bytes = recovered.snapshot_bytes
        if recovered.replayed or not recovered.found:
            data = encode(recovered.saved.image, recovered.saved.log_seq)
            file.write(data)
            self.snapshot_bytes = len(data)
        file.remove_temporaries()
        log, following = log_paths(file.path)
        following.unlink(missing_ok=True)  # what it held is in the state file now
        self.log = WriteLog(log, recovered.saved.log_seq)
        self._compacted = recovered.saved.log_seq  # the last record the state file holds
        self._compaction: asyncio.Task[StateFileError | None] | None = None
        self._quiet: asyncio.Task[None] | None = None
        self._wrote = asyncio.Event()

    # -- reads: passed through ------------------------------------------------------------------------------
    async def get(self, space: str, key: str) -> bytes | None:
        return await self.inner.get(space, key)

    async def values(self, space: str) -> list[bytes]:
        return await self.inner.values(space)

    async def size(self) -> int:
        return await self.inner.size()

    async def find(self, space: str, query: Query) -> Found:
        return await self.inner.find(space, query)

    def define_index(self, family: str, indexer: Indexer) -> None:
        self.inner.define_index(family, indexer)  # the index is in memory only: rebuilt from the records

    # -- writes: passed through, then logged; each returns once its record is durable -------------------------
    async def insert(self, space: str, key: str, value: bytes, *, index: Index | None = None) -> bool:
        if not await self.inner.insert(space, key, value, index=index):
            return False
        index_entry = Put(index[0], index[1], key.encode()) if index is not None else None
        await self._logged(Put(space, key, value), index_entry)
        return True

    async def upsert(self, space: str, key: str, change: Callable[[bytes | None], bytes]) -> bytes:
        new = await self.inner.upsert(space, key, change)
        await self._logged(Put(space, key, new))
        return new

    async def update(self, space: str, key: str, change: Callable[[bytes], bytes]) -> bytes | None:
        new = await self.inner.update(space, key, change)
        if new is not None:
            await self._logged(Put(space, key, new))
        return new

    async def patch(self, space: str, key: str, fields: Mapping[str, Any]) -> bytes | None:
        new = await self.inner.patch(space, key, fields)
        if new is not None:
            await self._logged(Put(space, key, new))
        return new

    async def delete(self, space: str, key: str, *, index: Index | None = None) -> bytes | None:
        removed = await self.inner.delete(space, key, index=index)
        if removed is not None:
            await self._logged(Drop(space, key), Drop(*index) if index is not None else None)
        return removed

    async def next_id(self, space: str) -> int:
        number = await self.inner.next_id(space)
        await self._logged(Count(space, number))
        return number

    async def clear(self) -> None:
        await self.inner.clear()
        await self._logged(Clear())

    async def _logged(self, *changes: Change | None) -> None:
        """Log the write just made in memory and wait until the record is durable. Everything up to `append`
        runs without suspending (the in-memory store's `size` never awaits), so no other write comes between."""
        durable = self.log.append(await self.inner.size(), tuple(c for c in changes if c is not None))
        self._wrote.set()
        if self.log.size >= max(COMPACT_BYTES, self.snapshot_bytes):
            self._start_compaction()
        await asyncio.shield(durable)  # shared by the batch: a cancelled request must not cancel it for others

    # -- compaction ------------------------------------------------------------------------------------------
    def _start_compaction(self) -> asyncio.Task[StateFileError | None]:
        if self._compaction is None or self._compaction.done():
            self._compaction = asyncio.get_running_loop().create_task(self._compact())
        return self._compaction

    async def _compact(self) -> StateFileError | None:
        """Fold the log into the state file. Never cancelled (callers shield it): a write abandoned halfway
        could land after a newer one."""
        if self.log.seq == self._compacted:
            return None
        image, seq = self.inner.snapshot(), self.log.seq  # together, and with the rotation: nothing between
        try:
            self.log.rotate()
            data = await asyncio.to_thread(encode, image, seq)
            await asyncio.to_thread(self.file.write, data)
            await self.log.promote()
        except (StateFileError, OSError) as exc:
            failure = exc if isinstance(exc, StateFileError) else StateFileError(f"{self.file.path}: {exc}")
            logger.error("state file not saved, writes refused from now on: %s", failure)
            self.log.fail(failure)
            return failure
        self._compacted, self.snapshot_bytes = seq, len(data)
        self.compactions += 1
        return None

    async def compact(self) -> None:
        """Fold everything written so far into the state file (waits for a compaction under way first)."""
        if self._compaction is not None and not self._compaction.done():
            await asyncio.shield(self._compaction)
        failure = await asyncio.shield(self._start_compaction())
        if failure is not None:
            raise failure

    async def _compact_when_quiet(self) -> None:
        while True:
            await self._wrote.wait()
            self._wrote.clear()
            await asyncio.sleep(self.idle)
            if not self._wrote.is_set():
                await asyncio.shield(self._start_compaction())

    async def start(self) -> None:
        if self._quiet is None:
            self._quiet = asyncio.create_task(self._compact_when_quiet())

    async def stop(self) -> None:
        """Stop compacting in the background, then make the state file hold everything and close the log."""
        if self._quiet is not None:
            self._quiet.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._quiet
            self._quiet = None
        await self.log.drain()
        try:
            await self.compact()
        finally:
            await self.log.close()


@contextlib.asynccontextmanager
async def persisting(store: Store) -> AsyncIterator[None]:
    """The app's lifespan part: compaction while serving, a final one at shutdown (no-op for other stores)."""
    if not isinstance(store, PersistentStore):
        yield
        return
    await store.start()
    try:
        yield
    finally:
        await store.stop()
