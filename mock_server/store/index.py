"""`SpaceIndex`: the in-memory list index of one space (the in-memory store keeps one per indexed space).

- the records' keys in list order (a sorted list of `(order, key)`: O(log n) to add or remove one, and a
  page found by position);
- per equality term, the keys that have it, in the same order;
- per key, what its `Entry` says, kept small (a record's terms as a tuple of strings shared by every record
  that has them): to remove it again, and to check the other filters of a query on a candidate.

A query walks the smallest candidate list (all keys, or the keys of the smallest group of terms, merged in
order) and checks the rest on each candidate's entry, stopping at the end of the page unless a total is
wanted. Without further filters the page is taken by position: O(log n + page).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from sortedcontainers import SortedList

from mock_server.store.query import Entry, Query

Place = tuple[str, str]  # (order, key)
Kept = tuple[str, tuple[str, ...], tuple[str, ...]]  # an entry's order, terms and texts


class SpaceIndex:
    def __init__(self) -> None:
        self.entries: dict[str, Kept] = {}
        self.order: SortedList = SortedList()
        self.by_term: dict[str, SortedList] = {}
        self._names: dict[str, str] = {}  # one string per term, however many records have it

    def put(self, key: str, entry: Entry) -> None:
        """Index `key` by `entry` (replacing what it was indexed by)."""
        kept = (entry.order, tuple(sorted(self._names.setdefault(t, t) for t in entry.terms)), entry.text)
        old = self.entries.get(key)
        if old == kept:
            return
        if old is not None:
            self.remove(key)
        self.entries[key] = kept
        place = (entry.order, key)
        self.order.add(place)
        for name in kept[1]:
            self.by_term.setdefault(name, SortedList()).add(place)

    def remove(self, key: str) -> None:
        kept = self.entries.pop(key, None)
        if kept is None:
            return
        place = (kept[0], key)
        self.order.remove(place)
        for name in kept[1]:
            holders = self.by_term[name]
            holders.remove(place)
            if not holders:
                del self.by_term[name]
                del self._names[name]

    def find(self, query: Query) -> tuple[list[str], int | None]:
        """The keys of the page `query` asks for, in list order, and the total when asked for."""
        driver, rest = self._plan(query)
        if not rest and not query.search and not isinstance(driver, Iterator):
            return self._by_position(driver, query), len(driver) if query.count else None
        page: list[str] = []
        end = None if query.limit is None else query.offset + query.limit
        seen = 0
        for _, key in self._walk(driver, query.descending):
            if not passes(self.entries[key], rest, query.search):
                continue
            if query.offset <= seen and (end is None or seen < end):
                page.append(key)
            seen += 1
            if end is not None and seen >= end and not query.count:
                break
        return page, seen if query.count else None

    def _plan(self, query: Query) -> tuple[SortedList | Iterator[Place], tuple[frozenset[str], ...]]:
        """The candidates to walk (the smallest group's keys, or all) and the groups left to check on each."""
        if not query.where:
            return self.order, ()
        sizes = [sum(len(self.by_term.get(name, ())) for name in group) for group in query.where]
        smallest = sizes.index(min(sizes))
        group = [self.by_term[name] for name in sorted(query.where[smallest]) if name in self.by_term]
        rest = query.where[:smallest] + query.where[smallest + 1:]
        if len(group) == 1:
            return group[0], rest
        if not group:
            return SortedList(), rest
        return self._merged(group, query.descending), rest

    @staticmethod
    def _merged(lists: list[SortedList], descending: bool) -> Iterator[Place]:
        """Several term lists as one, in list order, each key once (a record may hold several of the terms)."""
        last: Place | None = None
        walks = [reversed(holders) if descending else iter(holders) for holders in lists]
        for place in heapq.merge(*walks, reverse=descending):
            if place != last:
                yield place
            last = place

    @staticmethod
    def _walk(driver: SortedList | Iterator[Place], descending: bool) -> Iterator[Place]:
        if isinstance(driver, Iterator):
            return driver  # already merged in the query's direction
        return reversed(driver) if descending else iter(driver)

    @staticmethod
    def _by_position(places: SortedList, query: Query) -> list[str]:
        size = len(places)
        start = query.offset
        stop = size if query.limit is None else min(size, start + query.limit)
        if start >= stop:
            return []
        if query.descending:
            start, stop = size - stop, size - start
            return [key for _, key in reversed(places[start:stop])]
        return [key for _, key in places[start:stop]]


def passes(kept: Kept, groups: tuple[frozenset[str], ...], search: str) -> bool:
    """`query.matches` on what the index keeps of an entry."""
    _, terms, texts = kept
    if any(not any(name in group for name in terms) for group in groups):
        return False
    return not search or any(search in text for text in texts)
