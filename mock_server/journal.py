"""The request journal: the last N exchanges, secrets redacted, for `GET /__connmock/requests`; and every
webhook delivery attempt, for `GET /__connmock/webhooks/deliveries`.

Bounded twice: at most `size` entries, and each entry's bodies at most `body_bytes` (a larger body is replaced
by a note of its size), so the journal holds at most about `size * 2 * body_bytes` whatever is sent.

Cheap to write, since every operation writes one: an operation's `Exchange` is a tuple of what came, its bodies
as bytes (the request's as the client sent it, an error answer's as it was sent); it becomes a `JournalEntry`
(the body parsed and redacted, the query's secret-looking values redacted, the time formatted) once, when first
read. Entries nobody reads cost no redaction at all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import orjson

__all__ = ["DeliveryEntry", "Exchange", "Journal", "JournalEntry", "redacted_query"]


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


class Exchange(NamedTuple):
    """One operation's exchange as the gate hands it over: its parts as they came, made into a `JournalEntry`
    when first read (a tuple, as the cheapest thing to build once per request)."""

    at: datetime
    vendor: str
    operation: str
    method: str
    path: str
    query_string: str  # as sent: secret-looking values are redacted when read
    status: int
    duration_ms: float
    scenario: str | None
    tenant: str | None
    request: bytes | None  # the request body as sent, None when the operation accepted none
    reader: Callable[[bytes], Any]  # `request` into what the journal shows (parsed, secrets redacted)
    response: bytes | None  # the error answer as sent, None for a success (its body may carry secrets)

    def entry(self, limit: int) -> JournalEntry:
        request = bounded(self.reader(self.request), limit) if self.request is not None else None
        return JournalEntry(
            at=self.at.isoformat(), vendor=self.vendor, operation=self.operation, method=self.method,
            path=self.path, query=redacted_query(self.query_string), status=self.status,
            duration_ms=self.duration_ms, request_body=request,
            response_body=None if self.response is None else orjson.loads(self.response), scenario=self.scenario,
            tenant=self.tenant)


class Kept:
    """A journal slot: an entry, or an exchange that becomes one when first read (once: the entry replaces it,
    and what was sent is gone)."""

    __slots__ = ("entry", "exchange")

    def __init__(self, entry: JournalEntry | None, exchange: Exchange | None = None) -> None:
        self.entry = entry
        self.exchange = exchange

    def read(self, limit: int) -> JournalEntry:
        if self.entry is None:
            assert self.exchange is not None
            self.entry, self.exchange = self.exchange.entry(limit), None
        return self.entry


def too_large(size: int, limit: int) -> bytes:
    return orjson.dumps({"connmock_journal": f"body of {size} bytes not kept (limit {limit})"})


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
        request_body = bounded(entry.request_body, self.body_bytes)
        response_body = bounded(entry.response_body, self.body_bytes)
        if request_body is not entry.request_body or response_body is not entry.response_body:
            entry = replace(entry, request_body=request_body, response_body=response_body)
        self._entries.append(Kept(entry))

    def add_exchange(self, exchange: Exchange) -> None:
        """An operation's exchange, its bodies bounded by their size as sent."""
        if not self.keeping:
            return
        limit = self.body_bytes
        if exchange.request is not None and len(exchange.request) > limit:
            exchange = exchange._replace(request=too_large(len(exchange.request), limit), reader=orjson.loads)
        if exchange.response is not None and len(exchange.response) > limit:
            exchange = exchange._replace(response=too_large(len(exchange.response), limit))
        self._entries.append(Kept(None, exchange))

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
