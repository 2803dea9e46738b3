"""The state file of `connmock serve --state-file PATH`: one JSON document, written atomically.

    {"format": "connmock-state", "version": 1, "saved_at": "<ISO 8601>", "records": <int>,
     "counters": {space: int}, "spaces": {space: {key: value}}}

A value is the stored bytes as UTF-8 text (the services store compact JSON), or `{"base64": "..."}` for
bytes that are not UTF-8. A write goes to a temporary file beside the target (created 0600), is fsynced,
and replaces the target with `os.replace`, so a crash leaves either the old file or the new one. A file
that is not JSON, not connmock's format, or of another version is refused with a `StateFileError` and is
never overwritten.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from mock_server.store.snapshot import Image

FORMAT = "connmock-state"
VERSION = 1
MODE = 0o600  # owner only: the state holds what the vendors return as secrets (tokens, credentials)


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


def encode(image: Image) -> bytes:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "saved_at": datetime.now(UTC).isoformat(),
        "records": image.records,
        "counters": image.counters,
        "spaces": {space: {key: encode_value(raw) for key, raw in records.items()}
                   for space, records in image.spaces.items()},
    }
    return orjson.dumps(document)


def decode(data: bytes, path: Path) -> Image:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StateFileError(f"{path} is not a connmock state file (not JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError(f"{path} is not a connmock state file (no \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION:
        raise StateFileError(f"{path} is a connmock state file of version {document.get('version')!r}; "
                             f"this connmock reads version {VERSION}")
    try:
        spaces, counters, records = document["spaces"], document["counters"], document["records"]
        if not (isinstance(spaces, dict) and isinstance(counters, dict) and isinstance(records, int)):
            raise ValueError("spaces, counters or records has the wrong type")
        return Image(
            spaces={str(space): {str(key): decode_value(value) for key, value in entries.items()}
                    for space, entries in spaces.items()},
            counters={str(space): int(count) for space, count in counters.items()},
            records=records,
        )
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise StateFileError(f"{path} is a damaged connmock state file ({exc})") from exc


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Image | None:
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
            fd, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise StateFileError(f"cannot write state file {self.path}: {exc.strerror or exc}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), MODE)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        sync_folder(folder)


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
