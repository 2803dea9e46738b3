"""Start-up of `--state-file PATH`: the state file, then the write log's later records replayed on top.

The log is read whole before anything changes, so a damaged log (or state file) stops the start with a
`StateFileError` and every file is left as it was.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from mock_server.store.snapshot import Image
from mock_server.store.statefile import Saved, StateFile, StateFileError
from mock_server.store.writelog import Clear, Count, Drop, Entry, Put, log_paths, read_log

__all__ = ["recover"]

logger = logging.getLogger("connmock")


@dataclass(slots=True)
class Recovered:
    saved: Saved  # the state after the last record replayed, numbered by it
    found: bool  # there was a state file
    replayed: int  # log records applied on top of it
    snapshot_bytes: int  # the size of the state file read


def recover(file: StateFile) -> Recovered:
    """The saved state: the state file (or an empty state) with the log's records after its `log_seq`."""
    saved = file.read()
    found = saved is not None
    saved = saved or Saved()
    snapshot_bytes = 0
    with contextlib.suppress(OSError):
        snapshot_bytes = file.path.stat().st_size
    log, following = log_paths(file.path)
    read = read_log([log, following])
    replayed = 0
    for entry in read.entries:
        if entry.seq <= saved.log_seq:  # already in the state file (a crash during a compaction)
            continue
        if entry.seq != saved.log_seq + 1:
            raise StateFileError(f"{log} is damaged: record {saved.log_seq + 1} is missing "
                                 f"(the next one found is {entry.seq})")
        apply(saved.image, entry)
        saved.log_seq, replayed = entry.seq, replayed + 1
    if read.torn:
        logger.warning("%s: dropped an unfinished last record (%d bytes, never acknowledged)", log, read.torn)
    return Recovered(saved, found, replayed, snapshot_bytes)


def apply(image: Image, entry: Entry) -> None:
    """Make `image` what the store became by the write `entry` records (exactly as `MemoryStore` changes:
    a put keeps an existing key's place, a deleted key put again goes last)."""
    for change in entry.changes:
        match change:
            case Put(space, key, value):
                image.spaces.setdefault(space, {})[key] = value
            case Drop(space, key):
                image.spaces.get(space, {}).pop(key, None)
            case Count(space, number):
                image.counters[space] = number
            case Clear():
                image.spaces.clear()
                image.counters.clear()
    image.records = entry.records
