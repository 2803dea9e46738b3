"""What a store's list indexes hold and answer: the vocabulary shared by the services and every backend.

A service declares, per *family* of spaces (`nango:*:connections`: one space per tenant), an `Indexer`: what
the store keeps of each record besides its bytes (an `Entry`: its place in the list order, the equality terms
it satisfies, the lower-cased fields a substring search looks in). The store keeps the entries up to date on
every write, in the same atomic step as the record, and answers a `Query` by decoding only the page it returns.

`naive_find` is the reference: every record decoded, filtered and sorted, as the services did before; the
backends' indexed answers are tested against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import orjson

__all__ = ["Entry", "Found", "Indexer", "Query", "beyond", "family_of", "naive_find", "term"]


class Entry(NamedTuple):  # a tuple: built on every write of an indexed record, so built cheaply
    """What an index keeps of one record.

    Attributes:
        order: the record's place: a list runs in ascending (or descending) order of these strings; two
            records never share one (end it with something unique, such as the id).
        terms: the equality terms the record satisfies (made with `term`).
        text: the lower-cased fields a substring search looks in.
        also: its place in the family's other list orders (`Query.sort` 1, 2, …), unique like `order`; every
            record of a family has as many.
    """

    order: str
    terms: frozenset[str] = frozenset()
    text: tuple[str, ...] = ()
    also: tuple[str, ...] = ()

    def place(self, sort: int) -> str:
        """The record's order string in list order `sort` (0: `order`)."""
        return self.order if not sort else self.also[sort - 1]


@dataclass(frozen=True, slots=True)
class Indexer:
    """How the records of a family of spaces are indexed.

    Attributes:
        entry: the index entry of a record's bytes (a JSON object).
        fields: the record's top-level fields `entry` reads: a `patch` of other fields keeps the entry.
    """

    entry: Callable[[bytes], Entry]
    fields: frozenset[str]


@dataclass(frozen=True, slots=True)
class Query:
    """A page of a list.

    Attributes:
        where: groups of terms; a record matches when it has at least one term of every group.
        search: a substring (already lower-cased) one of the record's text fields must contain; '' for none.
        descending: newest (largest order) first.
        offset: matching records skipped before the page.
        limit: the most records returned (None: all).
        count: also count every matching record (`Found.total`).
        sort: which of the entries' orders the list runs in (0: `Entry.order`, n: `Entry.also[n - 1]`).
        after: a keyset cursor: only the records that come after the one with this order string (in the
            list's direction: a larger order ascending, a smaller one descending), whether or not that one is
            still there; so a page never repeats or skips a record when others are added or removed meanwhile.
    """

    where: tuple[frozenset[str], ...] = ()
    search: str = ""
    descending: bool = False
    offset: int = 0
    limit: int | None = None
    count: bool = False
    sort: int = 0
    after: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """The page's records (bytes, in list order) and, when asked for, how many records match in all."""

    values: list[bytes] = field(default_factory=list)
    total: int | None = None


def term(name: str, *parts: object) -> str:
    """An equality term, such as `term("tag", key, value)`: distinct parts give distinct terms, and no term
    holds a NUL. Strings are joined by a unit separator (the cheap, usual case); anything else is JSON, which
    starts with `[` where a joined term starts with its name."""
    for part in parts:
        if type(part) is not str or UNIT in part or "\x00" in part:
            return orjson.dumps((name, *parts)).decode()
    return UNIT.join((name, *parts))  # type: ignore[arg-type]


UNIT = "\x1f"


def family_of(space: str) -> str:
    """The family a space belongs to: `nango:acme:connections` -> `nango:*:connections` (vendor, tenant, kind)."""
    head, sep, rest = space.partition(":")
    _, sep2, tail = rest.rpartition(":")
    return f"{head}:*:{tail}" if sep and sep2 else space


def matches(entry: Entry, query: Query) -> bool:
    """Whether a record with this entry is one the query lists."""
    if any(entry.terms.isdisjoint(group) for group in query.where):
        return False
    return not query.search or any(query.search in text for text in entry.text)


def beyond(place: str, query: Query) -> bool:
    """Whether a record at `place` (in the query's sort) comes after the query's cursor."""
    return query.after is None or (place < query.after if query.descending else place > query.after)


def naive_find(records: Iterable[bytes], indexer: Indexer, query: Query) -> Found:
    """The reference answer: decode every record, filter, sort, slice."""
    entries = [(indexer.entry(raw), raw) for raw in records]
    ordered = sorted(((e.place(query.sort), raw) for e, raw in entries
                      if matches(e, query) and beyond(e.place(query.sort), query)), reverse=query.descending)
    end = None if query.limit is None else query.offset + query.limit
    return Found([raw for _, raw in ordered[query.offset:end]], len(ordered) if query.count else None)
