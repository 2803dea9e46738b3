"""The request journal: the last N exchanges, secrets redacted, for `GET /__connmock/requests`."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class JournalEntry:
    at: str
    vendor: str | None
    operation: str | None
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    request_body: Any
    response_body: Any

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, size: int) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=max(size, 0))

    def add(self, entry: JournalEntry) -> None:
        self._entries.append(entry)

    def entries(self) -> list[JournalEntry]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()
