"""The journal keeps bytes, bounded, and turns a request body into what it shows once, when first read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from mock_server.journal import Exchange, Journal, JournalEntry

SECRET = "gho_never_shown"


def entry(**bodies: Any) -> JournalEntry:
    return JournalEntry(at="2026-01-01T00:00:00+00:00", vendor="nango", operation="createConnection", method="POST",
                        path="/nango/connections", query="", status=201, duration_ms=1.0,
                        request_body=bodies.get("request"), response_body=bodies.get("response"))


def exchange(request: bytes | None, reader: Callable[[bytes], Any], response: bytes | None = None,
             query: str = "") -> Exchange:
    return Exchange(datetime(2026, 1, 1, tzinfo=UTC), "nango", "createConnection", "POST", "/nango/connections",
                    query, 201, 1.0, None, "acme", request, reader, response)


class Reader:
    """A request body reader that redacts `token` and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, raw: bytes) -> Any:
        self.calls += 1
        return {**orjson.loads(raw), "token": "[redacted]"}


def test_a_request_body_is_read_and_redacted_once_when_first_read() -> None:
    journal, reader = Journal(10), Reader()
    journal.add_exchange(exchange(orjson.dumps({"name": "a", "token": SECRET}), reader, query=f"key={SECRET}&a=1"))
    assert reader.calls == 0  # writing costs no redaction
    first, again = journal.entries()[0], journal.entries()[0]
    assert first.request_body == again.request_body == {"name": "a", "token": "[redacted]"}
    assert (first.at, first.query, first.tenant) == ("2026-01-01T00:00:00+00:00", "key=[redacted]&a=1", "acme")
    assert reader.calls == 1
    assert SECRET not in str(journal.entries())


def test_bodies_over_the_limit_are_a_note_and_never_read() -> None:
    journal, reader = Journal(10, body_bytes=64), Reader()
    journal.add_exchange(exchange(b'{"name": "' + b"x" * 100 + b'"}', reader, orjson.dumps({"error": "y" * 100})))
    kept = journal.entries()[0]
    assert reader.calls == 0
    assert kept.request_body == {"connmock_journal": "body of 112 bytes not kept (limit 64)"}
    assert kept.response_body == {"connmock_journal": "body of 112 bytes not kept (limit 64)"}


def test_a_body_read_larger_than_the_limit_is_a_note_too() -> None:
    journal = Journal(10, body_bytes=40)
    journal.add_exchange(exchange(b'{"a": 1}', lambda _raw: {"padded": "z" * 50}))
    assert journal.entries()[0].request_body == {"connmock_journal": "body of 63 bytes not kept (limit 40)"}


def test_entries_added_whole_are_bounded_and_kept_as_given() -> None:
    journal = Journal(2, body_bytes=32)
    journal.add(entry(response={"error": {"code": "not_found"}}))
    journal.add(entry(request={"text": "w" * 40}))
    journal.add(entry(request=[1, 2], response=None))
    kept = journal.entries()
    assert len(kept) == 2  # the oldest went
    assert kept[0].request_body == {"connmock_journal": "body of 51 bytes not kept (limit 32)"}
    assert (kept[1].request_body, kept[1].response_body) == ([1, 2], None)


def test_a_journal_of_size_zero_keeps_nothing_and_reads_nothing() -> None:
    journal, reader = Journal(0), Reader()
    journal.add_exchange(exchange(b"{}", reader))
    journal.add(entry())
    assert journal.entries() == [] and reader.calls == 0 and not journal.keeping
