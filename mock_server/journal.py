"""The request journal: the last N exchanges, secrets redacted, for `GET /__connmock/requests`; and every
webhook delivery attempt, for `GET /__connmock/webhooks/deliveries`.

Bounded twice: at most `size` entries, and each entry's bodies at most `body_bytes` (a larger body is replaced
by a note of its size), so the journal holds at most about `size * 2 * body_bytes` whatever is sent.

Cheap to write, since every operation writes one: bodies are kept as bytes (a request's as the client sent it, an
error answer's as it was sent), and a request body is parsed and redacted once, when its entry is first read
(`Kept`); entries that nobody reads cost no redaction at all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
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


class Kept:
    """One exchange as the journal keeps it: its bodies as JSON bytes. A request body can arrive as the bytes
    the client sent with the function that reads them into what the journal shows (parsed, the schema's
    defaults, secrets redacted); that runs once, when the entry is first read, and its JSON replaces the
    bytes, so what was sent is never shown and never rendered twice."""

    __slots__ = ("entry", "reader", "request", "response")

    def __init__(self, entry: JournalEntry, request: bytes | None, response: bytes | None,
                 reader: Callable[[bytes], Any] | None = None) -> None:
        self.entry = entry  # its bodies are None: they are the bytes below
        self.request = request
        self.response = response
        self.reader = reader

    def read(self, limit: int) -> JournalEntry:
        if self.reader is not None and self.request is not None:
            self.request, self.reader = encoded(self.reader(self.request), limit), None
        return replace(self.entry, request_body=decoded(self.request), response_body=decoded(self.response))


def encoded(body: Any, limit: int) -> bytes | None:
    """`body` as JSON, or a note in its place when that is over `limit` bytes."""
    if body is None:
        return None
    data = orjson.dumps(body, default=str)
    return data if len(data) <= limit else too_large(len(data), limit)


def too_large(size: int, limit: int) -> bytes:
    return orjson.dumps({"connmock_journal": f"body of {size} bytes not kept (limit {limit})"})


def decoded(data: bytes | None) -> Any:
    return None if data is None else orjson.loads(data)


class Journal:
    def __init__(self, size: int, body_bytes: int = 16 * 1024) -> None:
        self._entries: deque[Kept] = deque(maxlen=max(size, 0))
        self._deliveries: deque[DeliveryEntry] = deque(maxlen=max(size, 0))
        self.body_bytes = body_bytes

    @property
    def keeping(self) -> bool:
        """Whether entries are kept at all (a journal of size 0 keeps none)."""
        return self._entries.maxlen != 0

    def add(self, entry: JournalEntry) -> None:
        if not self.keeping:
            return
        request, response = encoded(entry.request_body, self.body_bytes), encoded(entry.response_body, self.body_bytes)
        self._entries.append(Kept(replace(entry, request_body=None, response_body=None), request, response))

    def add_exchange(self, entry: JournalEntry, request: bytes | None, reader: Callable[[bytes], Any],
                     response: bytes | None) -> None:
        """An entry whose request body is the bytes as sent (None: no body), turned into what the journal shows
        by `reader` when first read, and whose response body is the JSON as sent (None: not kept). Both are
        bounded by their size as sent."""
        if not self.keeping:
            return
        limit = self.body_bytes
        if request is not None and len(request) > limit:
            request, reader_or_none = too_large(len(request), limit), None
        else:
            reader_or_none = reader
        if response is not None and len(response) > limit:
            response = too_large(len(response), limit)
        self._entries.append(Kept(entry, request, response, reader_or_none))

    def entries(self) -> list[JournalEntry]:
        return [kept.read(self.body_bytes) for kept in self._entries]

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
