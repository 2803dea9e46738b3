"""`--state-file`: state across restarts, atomic 0600 writes, refusal of foreign files, SIGTERM within 2 s.

The write log itself (durability, torn records, compaction) is tested in `tests/store/test_write_log.py`, a
crash under load in `test_crash.py`."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from mock_server import Settings, create_app
from mock_server.store import Image, MemoryStore, PersistentStore, StateFile, StateFileError, statefile
from mock_server.store.statefile import Saved, encode
from tests.reliability.canaries import Canaries, canary_creates
from tests.reliability.listing import listed_nango, listed_openint, listed_vercel, listed_xpander
from tests.reliability.support import SEED, auth_headers, create_path, start_serve, stop_serve

ACME = SEED.tenant("acme")


def image() -> Image:
    return Image(spaces={"nango:acme:connections": {"github/a": b'{"id":1}', "bin": b"\xff\x00"},
                         "vercel:t:uids": {"slack/x": b"scl_1"}},
                 counters={"nango:acme:connection_ids": 1}, records=2)


def test_state_file_round_trip_is_owner_only_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    file = StateFile(tmp_path / "state.json")
    file.write(encode(image()))
    assert stat.S_IMODE(os.stat(file.path).st_mode) == 0o600
    assert file.read() == Saved(image(), 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_state_encoded_chunk_by_chunk_is_the_same_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spaces = {f"space{s}": {f"k{n}": b'{"n":%d}' % n if n % 3 else b"\xff%d" % n for n in range(s * 3)}
              for s in range(4)}  # an empty space, and spaces of 3, 6 and 9 records
    large = Image(spaces=spaces, counters={"space1": 7}, records=18)
    monkeypatch.setattr(statefile, "CHUNK", 2)
    data = encode(large, 42)
    document = orjson.loads(data)
    assert list(document) == ["format", "version", "saved_at", "log_seq", "records", "counters", "spaces"]
    assert {k: [*v] for k, v in document["spaces"].items()} == {k: [*v] for k, v in spaces.items()}  # in order
    assert statefile.decode(data, tmp_path) == Saved(large, 42)


def test_a_version_1_state_file_still_loads(tmp_path: Path) -> None:
    document = orjson.loads(encode(image()))
    del document["log_seq"]
    document["version"] = 1
    path = tmp_path / "state.json"
    path.write_bytes(orjson.dumps(document))
    assert StateFile(path).read() == Saved(image(), 0)
    store = PersistentStore(MemoryStore(), StateFile(path))
    assert store.inner.snapshot() == image() and store.log.seq == 0


@pytest.mark.parametrize(("content", "words"), [
    (b"", "not a connmock state file"),
    (b"\x00\x01garbage", "not a connmock state file"),
    (b'{"hello": "world"}', "not a connmock state file"),
    (b'{"format": "connmock-state", "version": 99, "spaces": {}}', "version 99"),
    (b'{"format": "connmock-state", "version": 1, "spaces": []}', "damaged"),
    (b'{"format": "connmock-state", "version": 2, "spaces": {}, "counters": {}, "records": 0}', "damaged"),
])
def test_a_corrupt_or_foreign_file_is_refused_and_left_alone(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError, match=words) as refused:
        create_app(Settings(state_file=path))
    assert str(path) in str(refused.value) and path.read_bytes() == content


def test_a_saved_state_over_the_capacity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    StateFile(path).write(encode(image()))
    with pytest.raises(StateFileError, match="store-capacity"):
        create_app(Settings(state_file=path, store_capacity=1))


def test_writes_are_compacted_when_quiet_and_on_stop(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, Saved | None, int, Saved | None]:
        store = PersistentStore(MemoryStore(), StateFile(tmp_path / "s.json"), idle=0.05)
        await store.start()
        for n in range(200):  # a burst: each write durable in the log, one compaction once it is over
            await store.insert("space", f"k{n}", b"v")
        await asyncio.sleep(0.3)
        after_burst, on_disk = store.compactions, store.file.read()
        await store.insert("space", "last", b"v")
        await store.stop()  # compacted at once, without waiting for the quiet time
        return after_burst, on_disk, store.compactions, store.file.read()

    after_burst, on_disk, total, final = asyncio.run(scenario())
    assert after_burst == 1 and total == 2
    assert on_disk is not None and on_disk.image.records == 200 and on_disk.log_seq == 200
    assert final is not None and final.image.records == 201 and "last" in final.image.spaces["space"]
    assert (tmp_path / "s.json.log").read_bytes() == b""  # everything is in the state file


def create_all(base: str, canaries: Canaries, tag: str) -> dict[str, int]:
    created: dict[str, int] = {}
    with httpx.Client(base_url=base, timeout=10) as client:
        for request in canary_creates(ACME, canaries, tag):
            response = client.post(create_path(request), json=request.body, headers=auth_headers(request.vendor, ACME))
            assert response.status_code in (200, 201), response.text
            created[request.vendor] = created.get(request.vendor, 0) + 1
    return created


def read_back(base: str) -> dict[str, list[Any]]:
    with httpx.Client(base_url=base, timeout=10) as client:
        return {"xpander": sorted(listed_xpander(client, ACME, 0)), "openint": sorted(listed_openint(client, ACME)[0]),
                "vercel": sorted(listed_vercel(client, ACME)), "nango": sorted(listed_nango(client, ACME))}


def read_if_there(path: Path) -> bytes:
    """A file a compaction may rename or replace meanwhile: its bytes, or none."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def test_serve_keeps_state_across_restarts_and_stops_within_two_seconds(tmp_path: Path) -> None:
    path, canaries = tmp_path / "state.json", Canaries()
    served = start_serve("--state-file", str(path))
    try:
        counts = create_all(served.base, canaries, "a")
        time.sleep(1.0)  # past the quiet time: compacted into the state file while running
        saved_while_running = path.read_bytes()
        counts = {v: counts[v] + n for v, n in create_all(served.base, canaries, "b").items()}  # in the log at once
        written = b"".join(read_if_there(Path(f"{path}{end}")) for end in ("", ".log", ".log.next"))
        before = read_back(served.base)
        started = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        code = served.process.wait(timeout=10)
        stopped_in = time.monotonic() - started
    finally:
        stop_serve(served)
        log = served.output()
        served.log.unlink(missing_ok=True)
    # uvicorn shuts down (lifespan included) and then re-raises the signal, so the exit status is -SIGTERM.
    assert code in (0, -signal.SIGTERM) and stopped_in < 2.0, log
    assert stat.S_IMODE(os.stat(path).st_mode) == stat.S_IMODE(os.stat(f"{path}.log").st_mode) == 0o600
    document = orjson.loads(path.read_bytes())
    assert (document["format"], document["version"]) == ("connmock-state", 2)
    assert all(len(before[v]) == counts[v] for v in counts)
    assert 0 < orjson.loads(saved_while_running)["records"] < document["records"]
    text = path.read_text() + written.decode(errors="replace")
    assert [c for c in canaries.write_only if c in text] == []  # write-only secrets are never stored or logged
    print(f"\npersistence: {sum(counts.values())} creates; SIGTERM to exit in {stopped_in:.2f} s; "
          f"state file {path.stat().st_size} bytes")

    started = time.monotonic()
    again = start_serve("--state-file", str(path))
    try:
        restarted_in = time.monotonic() - started
        assert read_back(again.base) == before
    finally:
        stop_serve(again)
        again.log.unlink(missing_ok=True)
    print(f"persistence: restart until healthy {restarted_in:.2f} s, state identical after restart")


def test_serve_refuses_a_corrupt_state_file_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b'{"not": "ours"}')
    with pytest.raises(RuntimeError, match="exited with 2") as refused:
        start_serve("--state-file", str(path))
    assert f"connmock serve: {path} is not a connmock state file" in str(refused.value)
    assert path.read_bytes() == b'{"not": "ours"}'
