"""The write log behind `--state-file`: a write returns once its record is durable, concurrent writers share
one sync, a torn last record is dropped and anything else damaged refused, compaction (finished or cut short
by a crash) leaves the state exactly as it was, stale temporary files go, every file is owner-only."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_server.store import MemoryStore, PersistentStore, StateFile, StateFileError, persistent
from mock_server.store.snapshot import Image
from mock_server.store.statefile import encode

SPACE, UIDS, IDS = "vercel:t:connectors", "vercel:t:uids", "nango:acme:connection_ids"


def opened(path: Path, idle: float = 60) -> PersistentStore:
    """The store `connmock serve --state-file PATH` builds (a long quiet time: compaction only when asked)."""
    return PersistentStore(MemoryStore(), StateFile(path), idle=idle)


def ordered(image: Image) -> dict[str, Any]:
    """An image compared with its order: lists are in insertion order, and so are the spaces."""
    spaces = [(name, list(records.items())) for name, records in image.spaces.items() if records]
    return {"spaces": sorted(spaces), "counters": image.counters, "records": image.records}


def state_of(store: PersistentStore) -> dict[str, Any]:
    return ordered(store.inner.snapshot())


async def every_kind_of_write(store: PersistentStore) -> None:
    """Inserts with an index entry, upserts (new and existing), an update, deletes, a deleted key put again (it
    goes last), counters, a clear, and binary values."""
    await store.insert(SPACE, "scl_x", b"x")
    await store.clear()
    for n in range(5):
        await store.insert(SPACE, f"scl_{n}", b'{"n":%d}' % n, index=(UIDS, f"slack/{n}"))
        await store.next_id(IDS)
    await store.upsert(SPACE, "scl_1", lambda old: (old or b"") + b"+")
    await store.upsert(SPACE, "fresh", lambda old: b"\xff\x00binary")
    await store.update(SPACE, "scl_2", lambda old: old.upper())
    await store.delete(SPACE, "scl_0", index=(UIDS, "slack/0"))
    await store.delete(SPACE, "scl_3")
    await store.insert(SPACE, "scl_0", b"again", index=(UIDS, "slack/0"))
    await store.next_id("other")


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(body())  # type: ignore[arg-type]


def test_a_write_returns_once_its_record_is_in_the_log(tmp_path: Path) -> None:
    path = tmp_path / "state.json"

    async def body() -> None:
        store = opened(path)
        await store.insert(SPACE, "scl_1", b"one")
        assert b'"scl_1","one"' in (tmp_path / "state.json.log").read_bytes()  # before anything else runs
        await store.next_id(IDS)
        assert b'"n","nango:acme:connection_ids",1' in (tmp_path / "state.json.log").read_bytes()
        # no stop: a crash now keeps both
        again = opened(path)
        assert await again.get(SPACE, "scl_1") == b"one" and await again.next_id(IDS) == 2

    run(body)


def test_concurrent_writers_share_one_sync(tmp_path: Path) -> None:
    async def body() -> None:
        store = opened(tmp_path / "state.json")
        await asyncio.gather(*(store.insert(SPACE, f"k{n}", b"v") for n in range(100)))
        assert store.log.seq == 100 and store.log.syncs == 1
        assert (await asyncio.gather(*(store.next_id(IDS) for _ in range(50)))) == list(range(1, 51))
        assert store.log.syncs == 2
        await store.stop()

    run(body)


def test_the_event_loop_serves_reads_while_the_log_syncs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sync = os.fdatasync
    syncing = threading.Event()

    def slow_sync(fd: int) -> None:
        syncing.set()
        time.sleep(0.3)
        sync(fd)

    monkeypatch.setattr(os, "fdatasync", slow_sync)

    async def body() -> None:
        store = opened(tmp_path / "state.json")
        write = asyncio.create_task(store.insert(SPACE, "k", b"v"))
        reads = 0
        while not write.done():
            if syncing.is_set():
                assert await store.get(SPACE, "k") == b"v"
                reads += 1
            await asyncio.sleep(0.01)
        assert reads >= 10  # the loop went on while the sync took its 0.3 s

    run(body)


@pytest.fixture
def crashed(tmp_path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A state file and a log of every kind of write, left as a `kill -9` leaves them; and the state then."""
    path = tmp_path / "state.json"

    async def body() -> None:
        store = opened(path)
        await every_kind_of_write(store)
        state.update(state_of(store))

    state: dict[str, Any] = {}
    run(body)
    yield path, state


def test_the_log_is_replayed_at_start(crashed: tuple[Path, dict[str, Any]]) -> None:
    path, state = crashed
    assert state_of(opened(path)) == state


def test_a_torn_last_record_is_dropped(crashed: tuple[Path, dict[str, Any]], caplog: pytest.LogCaptureFixture) -> None:
    path, state = crashed
    log = path.with_name("state.json.log")
    torn = b'[99,12,["p","vercel:t:connectors","scl_9","{\\"n'  # a crash in the middle of a write
    with log.open("ab") as handle:
        handle.write(torn)
    with caplog.at_level(logging.WARNING, logger="connmock"):
        store = opened(path)
    assert state_of(store) == state
    assert f"dropped an unfinished last record ({len(torn)} bytes" in caplog.text and "scl_9" not in caplog.text
    assert log.read_bytes() == b""  # folded into the state file, the torn bytes gone


@pytest.mark.parametrize(("damage", "words"), [
    (lambda lines: [lines[0], b"not json", *lines[2:]], "damaged at record 2 (not JSON)"),
    (lambda lines: [lines[0], b"[2]", *lines[2:]], "damaged at record 2 (not [seq, records, change...])"),
    (lambda lines: [lines[0], b'[2,1,["x","a"]]', *lines[2:]], "damaged at record 2 (a change is none of"),
    (lambda lines: [lines[0], b'[2,1,["p","a","b",{"base64":"?"}]]', *lines[2:]], "damaged at record 2"),
    (lambda lines: [lines[0], *lines[2:]], "record 2 is missing (the next one found is 3)"),
    (lambda lines: [lines[0] + lines[1], *lines[2:]], "damaged at record 1"),  # a newline lost
], ids=["not-json", "not-a-record", "unknown-change", "bad-base64", "record-missing", "two-in-one-line"])
def test_a_damaged_record_before_the_last_is_refused(crashed: tuple[Path, dict[str, Any]], damage: Any,
                                                    words: str) -> None:
    path, _ = crashed
    log = path.with_name("state.json.log")
    lines = log.read_bytes().split(b"\n")[:-1]
    log.write_bytes(b"\n".join(damage(lines)) + b"\n")
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    with pytest.raises(StateFileError, match=r"^" + str(log).replace(".", r"\.") + " is damaged") as refused:
        opened(path)
    assert words in str(refused.value) and "\n" not in str(refused.value)
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before  # nothing touched


def test_compaction_leaves_the_state_identical(tmp_path: Path) -> None:
    path = tmp_path / "state.json"

    async def body() -> None:
        store = opened(path)
        await every_kind_of_write(store)
        before = state_of(store)
        await store.compact()
        assert state_of(store) == before and store.compactions == 1
        assert (tmp_path / "state.json.log").read_bytes() == b""
        assert ordered(StateFile(path).read().image) == before  # type: ignore[union-attr]
        await store.insert(SPACE, "after", b"1")  # the log goes on after the compaction
        after = state_of(store)
        assert state_of(opened(path)) == after  # a crash now: the state file, then the log

    run(body)


@pytest.mark.parametrize("step", ["snapshot-not-yet-written", "log-not-yet-promoted"])
def test_a_crash_during_compaction_loses_and_reorders_nothing(tmp_path: Path, step: str) -> None:
    path = tmp_path / "state.json"

    async def body() -> None:
        store = opened(path)
        for key in ("y", "y-deleted", "y", "x"):  # replayed twice, these would come back as x, y
            if key == "y-deleted":
                await store.delete(SPACE, "y")
            else:
                await store.upsert(SPACE, key, lambda old: b"v")
        image, seq = store.inner.snapshot(), store.log.seq  # what `compact` does, stopped halfway
        store.log.rotate()
        await store.insert(SPACE, "z", b"after the snapshot")
        if step == "log-not-yet-promoted":
            store.file.write(encode(image, seq))
        state = state_of(store)
        assert (tmp_path / "state.json.log.next").exists()

        again = opened(path)
        assert state_of(again) == state
        assert [k for k, _ in state["spaces"][0][1]] == ["y", "x", "z"]
        assert not (tmp_path / "state.json.log.next").exists()
        await again.insert(SPACE, "w", b"1")
        assert state_of(opened(path))["records"] == 4

    run(body)


def test_stale_temporary_files_are_removed_at_start(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    opened(path)
    stale = [tmp_path / ".state.json.k2j4h6.tmp", tmp_path / ".state.json.x.tmp"]
    others = [tmp_path / ".other.json.k2j4h6.tmp", tmp_path / "state.json.tmp", tmp_path / "notes.txt"]
    for file in stale + others:
        file.write_bytes(b"{}")
    opened(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["state.json", "state.json.log"] + [p.name for p in others])


def test_every_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    log = tmp_path / "state.json.log"
    log.write_bytes(b"")
    log.chmod(0o644)  # left by something else: made owner-only at start
    umask = os.umask(0)
    try:
        async def body() -> None:
            store = opened(path)
            await store.insert(SPACE, "k", b"v")
            store.log.rotate()  # the next segment of a compaction under way
            await store.insert(SPACE, "k2", b"v")
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
            assert modes == {"state.json": 0o600, "state.json.log": 0o600, "state.json.log.next": 0o600}
            await store.stop()

        run(body)
    finally:
        os.umask(umask)


def test_a_write_the_log_cannot_keep_fails_and_so_do_later_ones(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    sync, failures = os.fdatasync, [OSError(5, "Input/output error")]

    def failing_once(fd: int) -> None:  # the disk fails once, then works again
        if failures:
            raise failures.pop()
        sync(fd)

    async def body() -> None:
        store = opened(tmp_path / "state.json")
        await store.insert(SPACE, "kept", b"v")
        monkeypatch.setattr(os, "fdatasync", failing_once)
        with pytest.raises(StateFileError, match=r"cannot write .*state\.json\.log: Input/output error"):
            await store.insert(SPACE, "unsure", b"v")
        with pytest.raises(StateFileError, match="Input/output error"):  # a later record would follow a hole
            await store.insert(SPACE, "refused", b"v")
        assert b"refused" not in (tmp_path / "state.json.log").read_bytes()

    run(body)


def test_a_growing_log_is_compacted_while_writes_go_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(persistent, "COMPACT_BYTES", 2000)
    path = tmp_path / "state.json"

    async def body() -> None:
        store = opened(path)  # no quiet time in this test: only the log's size compacts
        for n in range(300):
            await store.insert(SPACE, f"k{n}", b"x" * 50)
        assert store.compactions >= 3
        assert (tmp_path / "state.json.log").stat().st_size < 2 * max(2000, store.snapshot_bytes)
        state = state_of(store)
        while (tmp_path / "state.json.log.next").exists():  # a compaction under way: let it end
            await asyncio.sleep(0.01)
        assert state_of(opened(path)) == state

    run(body)
