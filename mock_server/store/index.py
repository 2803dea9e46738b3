"""`SpaceIndex`: the in-memory list index of one space (the in-memory store keeps one per indexed space).

- the records' keys in list order (a sorted list of `(order, key)`: O(log n) to add or remove one, and a
  page found by position);
- per equality term, the set of keys that have it (O(1) to add or remove one: a write pays for one sorted
  insertion, not one per term);
- per key, what its `Entry` says, kept small (its terms as a tuple of strings shared by every record that has
  them): to remove it again, and to check the filters of a query on a candidate.

A query without filters takes its page by position: O(log n + page). With filters, the candidates are the
keys of the smallest group of terms: when they are few (`FEW`) they are sorted and checked, otherwise the list
order is walked and each record checked, which finds a page after about `page * n / candidates` steps, at most
`page * n / FEW`. A substring search checks the texts of every candidate (never a record's bytes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sortedcontainers import SortedList

from mock_server.store.query import Entry, Query

FEW = 2048  # candidates sorted rather than found by walking the list order
Place = tuple[str, str]  # (order, key)
Kept = tuple[str, tuple[str, ...], tuple[str, ...]]  # an entry's order, terms and texts


class SpaceIndex:
    def __init__(self) -> None:
        self.entries: dict[str, Kept] = {}
        self.order: SortedList = SortedList()
        self.by_term: dict[str, set[str]] = {}
        self._names: dict[str, str] = {}  # one string per term, however many records have it

    def put(self, key: str, entry: Entry) -> None:
        """Index `key` by `entry` (replacing what it was indexed by)."""
        old = self.entries.get(key)
        if old is not None:
            if old[0] == entry.order and old[2] == entry.text and entry.terms.issuperset(old[1]) \
                    and len(old[1]) == len(entry.terms):
                return
            self.remove(key)
        names = self._names
        kept = (entry.order, tuple([names.setdefault(t, t) for t in entry.terms]), entry.text)
        self.entries[key] = kept
        self.order.add((entry.order, key))
        for name in kept[1]:
            holders = self.by_term.get(name)
            if holders is None:
                holders = self.by_term[name] = set()
            holders.add(key)

    def remove(self, key: str) -> None:
        kept = self.entries.pop(key, None)
        if kept is None:
            return
        self.order.remove((kept[0], key))
        for name in kept[1]:
            holders = self.by_term[name]
            holders.discard(key)
            if not holders:
                del self.by_term[name]
                del self._names[name]

    def find(self, query: Query) -> tuple[list[str], int | None]:
        """The keys of the page `query` asks for, in list order, and the total when asked for."""
        if not query.where and not query.search:
            return self._by_position(query), len(self.order) if query.count else None
        if query.offset >= len(self.order) and not query.count:  # past any list (Nango's `page=1e300`)
            return [], None
        groups = query.where
        candidates: Iterable[Place] = self._walk(query.descending)
        if groups:
            sizes = [sum(len(self.by_term.get(name, ())) for name in group) for group in groups]
            smallest = sizes.index(min(sizes))
            holders = [self.by_term[name] for name in query.where[smallest] if name in self.by_term]
            if len(holders) == 1 and len(groups) == 1 and not query.search and sizes[smallest] > FEW:
                return self._walked(self._walk(query.descending), query, len(holders[0]))
            if sizes[smallest] <= FEW:
                keys = set().union(*holders)
                candidates = sorted(((self.entries[key][0], key) for key in keys), reverse=query.descending)
                groups = groups[:smallest] + groups[smallest + 1:]
        return self._walked(candidates, Query(groups, query.search, query.descending, query.offset, query.limit,
                                              query.count), None)

    def _walked(self, candidates: Iterable[Place], query: Query, total: int | None) -> tuple[list[str], int | None]:
        """The page of the candidates that pass the query's filters; counts them all when asked and `total`
        is not known already."""
        page: list[str] = []
        end = None if query.limit is None else query.offset + query.limit
        counting = query.count and total is None
        seen = 0
        for _, key in candidates:
            if not passes(self.entries[key], query.where, query.search):
                continue
            if query.offset <= seen and (end is None or seen < end):
                page.append(key)
            seen += 1
            if end is not None and seen >= end and not counting:
                break
        return page, (seen if counting else total) if query.count else None

    def _walk(self, descending: bool) -> Iterator[Place]:
        return reversed(self.order) if descending else iter(self.order)

    def _by_position(self, query: Query) -> list[str]:
        size = len(self.order)
        start = query.offset
        stop = size if query.limit is None else min(size, start + query.limit)
        if start >= stop:
            return []
        if query.descending:
            start, stop = size - stop, size - start
            return [key for _, key in reversed(self.order[start:stop])]
        return [key for _, key in self.order[start:stop]]


def passes(kept: Kept, groups: tuple[frozenset[str], ...], search: str) -> bool:
    """`query.matches` on what the index keeps of an entry."""
    _, terms, texts = kept
    if any(not any(name in group for name in terms) for group in groups):
        return False
    return not search or any(search in text for text in texts)
