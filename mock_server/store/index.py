"""`SpaceIndex`: the in-memory list index of one space (the in-memory store keeps one per indexed space).

- the records' keys in each list order (a sorted list of `(order, key)` per sort: O(log n) to add or remove
  one, and a page found by position; a keyset cursor is a position found by bisection);
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

from collections.abc import Iterable

from sortedcontainers import SortedList

from mock_server.store.query import Entry, Query, beyond

FEW = 2048  # candidates sorted rather than found by walking the list order
Place = tuple[str, str]  # (order, key)
Kept = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # an entry's orders (one per sort), terms, texts


class SpaceIndex:
    def __init__(self) -> None:
        self.entries: dict[str, Kept] = {}
        self.orders: list[SortedList] = [SortedList()]  # one per sort
        self.by_term: dict[str, set[str]] = {}
        self._names: dict[str, str] = {}  # one string per term, however many records have it

    def _sorted(self, sort: int) -> SortedList:
        while len(self.orders) <= sort:
            self.orders.append(SortedList())
        return self.orders[sort]

    def put(self, key: str, entry: Entry) -> None:
        """Index `key` by `entry` (replacing what it was indexed by)."""
        places = (entry.order, *entry.also)
        old = self.entries.get(key)
        if old is not None:
            if old[0] == places and old[2] == entry.text and entry.terms.issuperset(old[1]) \
                    and len(old[1]) == len(entry.terms):
                return
            self.remove(key)
        names = self._names
        kept = (places, tuple([names.setdefault(t, t) for t in entry.terms]), entry.text)
        self.entries[key] = kept
        for sort, place in enumerate(places):
            self._sorted(sort).add((place, key))
        for name in kept[1]:
            holders = self.by_term.get(name)
            if holders is None:
                holders = self.by_term[name] = set()
            holders.add(key)

    def remove(self, key: str) -> None:
        kept = self.entries.pop(key, None)
        if kept is None:
            return
        for sort, place in enumerate(kept[0]):
            self.orders[sort].remove((place, key))
        for name in kept[1]:
            holders = self.by_term[name]
            holders.discard(key)
            if not holders:
                del self.by_term[name]
                del self._names[name]

    def find(self, query: Query) -> tuple[list[str], int | None]:
        """The keys of the page `query` asks for, in list order, and the total when asked for."""
        ordered = self._sorted(query.sort)
        low, high = self._window(ordered, query)
        if not query.where and not query.search:
            return self._by_position(ordered, low, high, query), high - low if query.count else None
        if query.offset >= high - low and not query.count:  # past any list (Nango's `page=1e300`)
            return [], None
        groups = query.where
        candidates: Iterable[Place] = ordered.islice(low, high, reverse=query.descending)
        if groups:
            sizes = [sum(len(self.by_term.get(name, ())) for name in group) for group in groups]
            smallest = sizes.index(min(sizes))
            holders = [self.by_term[name] for name in query.where[smallest] if name in self.by_term]
            if len(holders) == 1 and len(groups) == 1 and not query.search and sizes[smallest] > FEW:
                known = len(holders[0]) if query.after is None else None
                return self._walked(candidates, query, known)
            if sizes[smallest] <= FEW:
                candidates = self._sorted_candidates(set().union(*holders), query)
                groups = groups[:smallest] + groups[smallest + 1:]
        return self._walked(candidates, Query(groups, query.search, query.descending, query.offset, query.limit,
                                              query.count), None)

    def _sorted_candidates(self, keys: set[str], query: Query) -> list[Place]:
        """The places of `keys` in the query's order, after its cursor."""
        sort = query.sort
        places = ((self.entries[key][0][sort], key) for key in keys)
        return sorted((place for place in places if beyond(place[0], query)), reverse=query.descending)

    @staticmethod
    def _window(ordered: SortedList, query: Query) -> tuple[int, int]:
        """The positions `[low, high)` of the records after the query's cursor (all when it has none)."""
        if query.after is None:
            return 0, len(ordered)
        cut = ordered.bisect_left((query.after,))  # the first place at or after the cursor
        if query.descending:
            return 0, cut
        if cut < len(ordered) and ordered[cut][0] == query.after:
            cut += 1
        return cut, len(ordered)

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

    @staticmethod
    def _by_position(ordered: SortedList, low: int, high: int, query: Query) -> list[str]:
        size = high - low
        start = query.offset
        stop = size if query.limit is None else min(size, start + query.limit)
        if start >= stop:
            return []
        if query.descending:
            return [key for _, key in ordered.islice(high - stop, high - start, reverse=True)]
        return [key for _, key in ordered.islice(low + start, low + stop)]


def passes(kept: Kept, groups: tuple[frozenset[str], ...], search: str) -> bool:
    """`query.matches` on what the index keeps of an entry."""
    _, terms, texts = kept
    if any(not any(name in group for name in terms) for group in groups):
        return False
    return not search or any(search in text for text in texts)
