"""The write log of `--state-file PATH`: every write to the store, appended to `PATH.log` and made durable
before the write is acknowledged.

One line per write, compact JSON: `[seq, records, change, change, ...]`

- `seq` numbers the records 1, 2, 3... without a gap, continuing the state file's `log_seq`;
- `records` is the store's record count after the write;
- a change is the write's result, never the call (an `upsert` is logged as the value it produced):
  `["p", space, key, value]` put (the value as in the state file: UTF-8 text or `{"base64": ...}`),
  `["d", space, key]` delete, `["n", space, number]` a counter's value, `["c"]` clear everything.

**Group commit.** `append` encodes the line at once, on the event loop, so the log's order is the order in
which the in-memory store changed, and adds it to the open batch. One task writes the batches in order on a
thread of its own (one `write` and one `fdatasync` per batch) and then resolves the batch's future: writers
that arrive while a batch is being synced share the next one, so one sync serves them all, and the event
loop keeps serving requests meanwhile.

**Segments.** A compaction (`PersistentStore.compact`) calls `rotate`: later records go to `PATH.log.next`
while the snapshot is written; once the snapshot is durable, `promote` renames `.next` over `PATH.log`,
dropping the records the snapshot holds. A crash at any point leaves the state file plus `PATH.log` and maybe
`PATH.log.next`; `recovery.py` reads them in that order and skips what the state file already holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mock_server.store.statefile import MODE, StateFileError, decode_value, encode_value, sync_folder

__all__ = ["Change", "Clear", "Count", "Drop", "Entry", "Put", "WriteLog", "log_paths", "read_log"]


@dataclass(frozen=True, slots=True)
class Put:
    space: str
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class Drop:
    space: str
    key: str


@dataclass(frozen=True, slots=True)
class Count:
    space: str
    number: int


@dataclass(frozen=True, slots=True)
class Clear:
    pass


Change = Put | Drop | Count | Clear


@dataclass(frozen=True, slots=True)
class Entry:
    """One record of the log: the write numbered `seq`, after which the store held `records` records."""

    seq: int
    records: int
    changes: tuple[Change, ...]


def log_paths(state: Path) -> tuple[Path, Path]:
    """The log beside a state file, and the segment a compaction writes to meanwhile."""
    return state.with_name(state.name + ".log"), state.with_name(state.name + ".log.next")


# -- the line format ---------------------------------------------------------------------------------------

def encode_change(change: Change) -> list[Any]:
    match change:
        case Put(space, key, value):
            return ["p", space, key, encode_value(value)]
        case Drop(space, key):
            return ["d", space, key]
        case Count(space, number):
            return ["n", space, number]
        case Clear():
            return ["c"]


def encode_entry(entry: Entry) -> bytes:
    return orjson.dumps([entry.seq, entry.records, *map(encode_change, entry.changes)],
                        option=orjson.OPT_APPEND_NEWLINE)


def decode_change(item: Any) -> Change:
    match item:
        case ["p", str(space), str(key), value]:
            return Put(space, key, decode_value(value))
        case ["d", str(space), str(key)]:
            return Drop(space, key)
        case ["n", str(space), int(number)]:
            return Count(space, number)
        case ["c"]:
            return Clear()
    raise ValueError("a change is none of put, delete, counter or clear")


def decode_entry(line: bytes) -> Entry:
    """One line (without its newline); a `ValueError` (orjson's included) when it is not a log record."""
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise ValueError("not JSON") from None
    match document:
        case [int(seq), int(records), *changes]:
            return Entry(seq, records, tuple(decode_change(item) for item in changes))
    raise ValueError("not [seq, records, change...]")


@dataclass(slots=True)
class LogRead:
    entries: list[Entry] = field(default_factory=list)
    torn: int = 0  # bytes of an unfinished last record, dropped


def read_log(paths: Sequence[Path]) -> LogRead:
    """The records of the segments, in order. A crash may cut the last record short: an unfinished last line
    of the last segment holding records is dropped. Anything else that does not read is a `StateFileError`."""
    read, torn_in = LogRead(), None
    for path in paths:
        for number, line, finished in lines_of(path):
            if torn_in is not None:
                raise StateFileError(f"{torn_in} is damaged: a record is cut short before the log goes on")
            if not finished:
                torn_in, read.torn = path, len(line)
                continue
            try:
                read.entries.append(decode_entry(line))
            except ValueError as exc:
                raise StateFileError(f"{path} is damaged at record {number} ({exc})") from exc
    return read


def lines_of(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line without its newline, whether it has one) of a file; nothing when it is absent."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StateFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    lines = data.split(b"\n")  # the last piece is what follows the last newline: empty, or a record cut short
    for number, line in enumerate(lines[:-1], 1):
        yield number, line, True
    if lines[-1]:
        yield len(lines), lines[-1], False


# -- appending ---------------------------------------------------------------------------------------------

class Segment:
    """One log file, open for appending (owner-only, created empty)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0  # bytes appended, written or not yet
        self._announced = False  # its folder entry synced
        try:
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_CLOEXEC, MODE)
        except OSError as exc:
            raise StateFileError(f"cannot write {path}: {exc.strerror or exc}") from exc
        try:
            os.fchmod(self.fd, MODE)  # an existing file keeps its mode through os.open
        except OSError as exc:
            self.close()
            raise StateFileError(f"cannot make {path} owner-only: {exc.strerror or exc}") from exc

    def write(self, data: bytes) -> None:
        """Append `data` and make it durable (run on the log's thread)."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        os.fdatasync(self.fd)
        if not self._announced:  # a record in a file whose name is not durable is not durable either
            sync_folder(self.path.parent)
            self._announced = True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


@dataclass(eq=False, slots=True)
class Batch:
    segment: Segment
    done: asyncio.Future[None]
    lines: list[bytes] = field(default_factory=list)


class WriteLog:
    """`PATH.log`, opened empty (what it held is in the state file by now), numbering on from `seq`."""

    def __init__(self, path: Path, seq: int) -> None:
        self.path = path
        self.next_path = path.with_name(path.name + ".next")
        self.seq = seq  # the last number handed out
        self.syncs = 0  # batches made durable, each one write and one sync
        self.failure: StateFileError | None = None
        self.segment = Segment(path)
        self._queue: deque[Batch] = deque()
        self._writing: Batch | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="connmock-log")

    def append(self, records: int, changes: tuple[Change, ...]) -> asyncio.Future[None]:
        """Number and queue a record; the future is done when it is durable. Await it through `asyncio.shield`:
        it is shared by the whole batch, and a cancelled waiter must not cancel it for the others."""
        if self.failure is not None:
            raise self.failure
        self.seq += 1
        line = encode_entry(Entry(self.seq, records, changes))
        self.segment.size += len(line)
        if self._queue and self._queue[-1].segment is self.segment:
            batch = self._queue[-1]
        else:
            batch = Batch(self.segment, asyncio.get_running_loop().create_future())
            self._queue.append(batch)
        batch.lines.append(line)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return batch.done

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch = self._writing = self._queue.popleft()
                try:
                    await loop.run_in_executor(self._thread, batch.segment.write, b"".join(batch.lines))
                except Exception as exc:  # whatever it is, the batch's writers must hear of it, not hang
                    reason = getattr(exc, "strerror", None) or exc
                    self.fail(StateFileError(f"cannot write {batch.segment.path}: {reason}"))
                    batch.done.set_exception(self.failure or exc)
                    continue
                self.syncs += 1
                batch.done.set_result(None)
                self._writing = None
                self._close_if_retired(batch.segment)
        finally:
            self._writing = self._flusher = None

    def fail(self, failure: StateFileError) -> None:
        """Refuse every later write with `failure`, and every queued one: with a record missing, what follows
        it could not be replayed."""
        self.failure = self.failure or failure
        while self._queue:
            self._queue.popleft().done.set_exception(self.failure)

    def _close_if_retired(self, segment: Segment) -> None:
        if segment is self.segment or (self._writing and self._writing.segment is segment):
            return
        if not any(batch.segment is segment for batch in self._queue):
            segment.close()

    @property
    def size(self) -> int:
        """Bytes in the segment records go to now."""
        return self.segment.size

    def rotate(self) -> None:
        """Send later records to a fresh `PATH.log.next` (or keep them there, when a rotation was not promoted)."""
        if self.segment.path == self.next_path:
            return
        old, self.segment = self.segment, Segment(self.next_path)
        self._close_if_retired(old)

    async def promote(self) -> None:
        """`PATH.log.next` becomes `PATH.log` (once the state file holds everything before it)."""
        if self.segment.path != self.next_path:
            return
        await asyncio.to_thread(replace_durably, self.next_path, self.path)
        self.segment.path = self.path

    async def drain(self) -> None:
        """Until every record appended so far is written (or has failed)."""
        last = self._queue[-1] if self._queue else self._writing
        if last is not None:
            with contextlib.suppress(StateFileError):
                await asyncio.shield(last.done)

    async def close(self) -> None:
        """Drain, then close; a write after this is refused (`StateFileError`)."""
        await self.drain()
        self.failure = self.failure or StateFileError(f"{self.path} is closed: the mock is stopping")
        self.segment.close()
        self._thread.shutdown(wait=True)


def replace_durably(source: Path, target: Path) -> None:
    os.replace(source, target)
    sync_folder(target.parent)
