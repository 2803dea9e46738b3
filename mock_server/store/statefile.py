"""The state file of `connmock serve --state-file PATH`: one JSON document, written atomically.

    {"format": "connmock-state", "version": 2, "saved_at": "<ISO 8601>", "log_seq": <int>, "records": <int>,
     "counters": {space: int}, "spaces": {space: {key: value}}}

`log_seq` is the number of the last write-log record (`writelog.py`) the state includes: at start the log's
later records are replayed on top. Version 1 (written before the log existed) is the same without `log_seq`,
and still loads (as `log_seq` 0).

A value is the stored bytes as UTF-8 text (the services store compact JSON), or `{"base64": "..."}` for
bytes that are not UTF-8. A write goes to a temporary file beside the target (created 0600), is fsynced,
and replaces the target with `os.replace`, so a crash leaves either the old file or the new one (and at worst
a temporary file, which the next start removes: `remove_temporaries`). A file that is not JSON, not
connmock's format, or of another version is refused with a `StateFileError` and is never overwritten.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from mock_server.store.snapshot import Image

__all__ = ["MODE", "Saved", "StateFile", "StateFileError", "decode_value", "encode", "encode_value", "sync_folder"]

FORMAT = "connmock-state"
VERSION = 2
READABLE = (1, 2)  # versions this connmock loads
MODE = 0o600  # owner only: the state holds what the vendors return as secrets (tokens, credentials)
TEMPORARY_SUFFIX = ".tmp"
CHUNK = 500  # records per orjson call when encoding (see `encode`)


class StateFileError(Exception):
    """The state file cannot be read or written; the message says which file and why."""


def encode_value(raw: bytes) -> str | dict[str, str]:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}


def decode_value(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict) and isinstance(value.get("base64"), str):
        return base64.b64decode(value["base64"], validate=True)
    raise ValueError("a value is neither text nor {\"base64\": ...}")


@dataclass(slots=True)
class Saved:
    """What a state file holds: the image and the number of the last write-log record it includes."""

    image: Image = field(default_factory=Image)
    log_seq: int = 0


def encode(image: Image, log_seq: int = 0) -> bytes:
    """The state file's bytes. The records go through orjson `CHUNK` at a time: compaction encodes on a worker
    thread, and each orjson call holds the GIL, so one call for a large state would stall the event loop for
    as long (about 45 ms for 30,000 connections); between two chunks the loop gets its turn."""
    head = orjson.dumps({"format": FORMAT, "version": VERSION, "saved_at": datetime.now(UTC).isoformat(),
                         "log_seq": log_seq, "records": image.records, "counters": image.counters})
    parts = [head[:-1], b',"spaces":{']
    for number, (space, records) in enumerate(image.spaces.items()):
        parts.append((b"," if number else b"") + orjson.dumps(space) + b":{")
        items = list(records.items())
        for start in range(0, len(items), CHUNK):
            chunk = orjson.dumps({key: encode_value(raw) for key, raw in items[start:start + CHUNK]})
            parts.append((b"," if start else b"") + chunk[1:-1])  # the members, without the braces
        parts.append(b"}")
    parts.append(b"}}")
    return b"".join(parts)


def decode(data: bytes, path: Path) -> Saved:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StateFileError(f"{path} is not a connmock state file (not JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(f"{path} is not a connmock state file (no \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if version not in READABLE:
        raise StateFileError(f"{path} is a connmock state file of version {version!r}; "
                             f"this connmock reads versions {', '.join(map(str, READABLE))}")
    try:
        spaces, counters, records = document["spaces"], document["counters"], document["records"]
        log_seq = document["log_seq"] if version >= 2 else 0
        if not (isinstance(spaces, dict) and isinstance(counters, dict) and isinstance(records, int)
                and isinstance(log_seq, int)):
            raise ValueError("spaces, counters, records or log_seq has the wrong type")
        image = Image(
            spaces={str(space): {str(key): decode_value(value) for key, value in entries.items()}
                    for space, entries in spaces.items()},
            counters={str(space): int(count) for space, count in counters.items()},
            records=records,
        )
        return Saved(image, log_seq)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise StateFileError(f"{path} is a damaged connmock state file ({exc})") from exc


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Saved | None:
        """The saved state, or None when there is no file yet."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateFileError(f"cannot read state file {self.path}: {exc.strerror or exc}") from exc
        return decode(data, self.path)

    def write(self, data: bytes) -> None:
        """Replace the file by `data` atomically (temporary file, fsync, `os.replace`, fsync of the folder)."""
        folder = self.path.parent
        try:
            fd, temporary = tempfile.mkstemp(prefix=self._temporary_prefix, suffix=TEMPORARY_SUFFIX, dir=folder)
        except OSError as exc:
            raise StateFileError(f"cannot write state file {self.path}: {exc.strerror or exc}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), MODE)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(exc, OSError):
                raise StateFileError(f"cannot write state file {self.path}: {exc.strerror or exc}") from exc
            raise
        sync_folder(folder)

    @property
    def _temporary_prefix(self) -> str:
        return f".{self.path.name}."

    def remove_temporaries(self) -> list[Path]:
        """Remove what a write cut short by a crash left behind (`.NAME.*.tmp` beside the file); returns them.

        Only at start: one server owns a state file, so no write of it is under way then."""
        removed = []
        try:
            candidates = list(self.path.parent.iterdir())
        except OSError:
            return []
        for candidate in candidates:
            if candidate.name.startswith(self._temporary_prefix) and candidate.name.endswith(TEMPORARY_SUFFIX):
                with contextlib.suppress(FileNotFoundError):
                    candidate.unlink()
                    removed.append(candidate)
        return removed


def sync_folder(folder: Path) -> None:
    """Make the rename durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
