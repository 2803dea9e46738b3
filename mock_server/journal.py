"""The request journal: the last N exchanges, secrets redacted, for `GET /__connmock/requests`; and every
webhook delivery attempt, for `GET /__connmock/webhooks/deliveries`.

Bounded twice: at most `size` entries, and each entry's bodies at most `body_bytes` of JSON (a larger body is
replaced by a note of its size), so the journal holds at most about `size * 2 * body_bytes` whatever is sent.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

import orjson


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
    scenario: str | None = None  # the armed scenario or `Prefer` staging this request consumed
    tenant: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def bounded(body: Any, limit: int) -> Any:
    """`body`, or a note in its place when its JSON is over `limit` bytes."""
    if body is None or isinstance(body, bool | int | float):
        return body
    size = len(orjson.dumps(body, default=str))
    return body if size <= limit else {"connmock_journal": f"body of {size} bytes not kept (limit {limit})"}


@dataclass(frozen=True, slots=True)
class DeliveryEntry:
    """One attempt at delivering one webhook (`status` None: no answer, `error` says why)."""

    at: str
    delivery: str  # the id shared by every attempt of one webhook
    vendor: str
    tenant: str
    event: str  # e.g. `auth.creation`
    url: str  # user info and secret-looking query values redacted
    attempt: int
    status: int | None
    error: str | None
    outcome: str  # delivered | retrying | failed | dropped
    body: Any  # the payload as sent (Nango's auth webhooks carry no credentials)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, size: int, body_bytes: int = 16 * 1024) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=max(size, 0))
        self._deliveries: deque[DeliveryEntry] = deque(maxlen=max(size, 0))
        self.body_bytes = body_bytes

    def add(self, entry: JournalEntry) -> None:
        if self._entries.maxlen == 0:
            return
        request_body = bounded(entry.request_body, self.body_bytes)
        response_body = bounded(entry.response_body, self.body_bytes)
        if request_body is not entry.request_body or response_body is not entry.response_body:
            entry = replace(entry, request_body=request_body, response_body=response_body)
        self._entries.append(entry)

    def entries(self) -> list[JournalEntry]:
        return list(self._entries)

    def add_delivery(self, entry: DeliveryEntry) -> None:
        self._deliveries.append(replace(entry, body=bounded(entry.body, self.body_bytes)))

    def deliveries(self) -> list[DeliveryEntry]:
        return list(self._deliveries)

    def clear(self) -> None:
        self._entries.clear()
        self._deliveries.clear()


SECRET_QUERY = ("token", "key", "secret", "password")


def redacted_query(query_string: str) -> str:
    if not query_string:
        return ""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return "&".join(f"{k}={'[redacted]' if any(s in k.lower() for s in SECRET_QUERY) else v}" for k, v in pairs)
