"""`SpaceIndex`: the in-memory list index of one space (the in-memory store keeps one per indexed space).

- the records' keys in each list order (a sorted list of `order NUL key` strings per sort, which sort as
  `(order, key)` tuples do since an order holds no NUL: O(log n) to add or remove one, and a page found by
  position; a keyset cursor is a position found by bisection);
- per equality term, the keys that have it (O(1) to add or remove one: a write pays for one sorted insertion
  per sort, not one per term): the key itself while it is the only one (most terms, such as a connection id,
  belong to one record), a set from the second on;
- per key, what its `Entry` says, kept small (its terms as a tuple of strings shared by every record that has
  them): to remove it again, and to check the filters of a query on a candidate.

Strings rather than tuples and sets where they do: a full garbage collection visits every tuple and set the
index holds (never a string), and at 100,000 records one set per connection id made it take 67 ms instead of
about a third of that.

A query without filters takes its page by position: O(log n + page). With filters, the candidates are the
keys of the smallest group of terms: when they are few (`FEW`) they are sorted and checked, otherwise the list
order is walked and each record checked, which finds a page after about `page * n / candidates` steps, at most
`page * n / FEW`. A substring search checks the texts of every candidate (never a record's bytes).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from sortedcontainers import SortedList

from mock_server.store.query import Entry, Query, beyond

__all__ = ["SpaceIndex"]

FEW = 2048  # candidates sorted rather than found by walking the list order
Kept = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # an entry's orders (one per sort), terms, texts


def member(place: str, key: str) -> str:
    return f"{place}\x00{key}"


def keys_of(members: Iterable[str]) -> Iterator[str]:
    return (m[m.index("\x00") + 1:] for m in members)


class SpaceIndex:
    def __init__(self) -> None:
        self.entries: dict[str, Kept] = {}
        self.orders: list[SortedList] = [SortedList()]  # one per sort
        self.by_term: dict[str, str | set[str]] = {}
        self._names: dict[str, str] = {}  # one string per term, however many records have it

    def _sorted(self, sort: int) -> SortedList:
        while len(self.orders) <= sort:
            self.orders.append(SortedList())
        return self.orders[sort]

    def holders(self, name: str) -> Collection[str]:
        """The keys of the records that have the term `name`."""
        found = self.by_term.get(name, ())
        return (found,) if isinstance(found, str) else found

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
            self._sorted(sort).add(member(place, key))
        by_term = self.by_term
        for name in kept[1]:
            holders = by_term.get(name)
            if holders is None:
                by_term[name] = key
            elif isinstance(holders, str):
                by_term[name] = {holders, key}
            else:
                holders.add(key)

    def remove(self, key: str) -> None:
        kept = self.entries.pop(key, None)
        if kept is None:
            return
        for sort, place in enumerate(kept[0]):
            self.orders[sort].remove(member(place, key))
        for name in kept[1]:
            holders = self.by_term[name]
            if isinstance(holders, set):
                holders.discard(key)
                if len(holders) > 1:
                    continue
                if holders:
                    self.by_term[name] = holders.pop()
                    continue
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
        candidates: Iterable[str] = keys_of(ordered.islice(low, high, reverse=query.descending))
        if groups:
            sizes = [sum(len(self.holders(name)) for name in group) for group in groups]
            smallest = sizes.index(min(sizes))
            holders = [self.holders(name) for name in query.where[smallest] if name in self.by_term]
            if len(holders) == 1 and len(groups) == 1 and not query.search and sizes[smallest] > FEW:
                known = len(holders[0]) if query.after is None else None
                return self._walked(candidates, query, known)
            if sizes[smallest] <= FEW:
                candidates = self._sorted_candidates(set().union(*holders), query)
                groups = groups[:smallest] + groups[smallest + 1:]
        return self._walked(candidates, Query(groups, query.search, query.descending, query.offset, query.limit,
                                              query.count), None)

    def _sorted_candidates(self, keys: set[str], query: Query) -> list[str]:
        """`keys` in the query's order, after its cursor."""
        sort, entries = query.sort, self.entries
        after = [key for key in keys if beyond(entries[key][0][sort], query)]
        return sorted(after, key=lambda key: (entries[key][0][sort], key), reverse=query.descending)

    @staticmethod
    def _window(ordered: SortedList, query: Query) -> tuple[int, int]:
        """The positions `[low, high)` of the records after the query's cursor (all when it has none): the
        members before `after NUL` have a smaller order, those before `after \\x01` one up to the cursor's."""
        if query.after is None:
            return 0, len(ordered)
        if query.descending:
            return 0, ordered.bisect_left(query.after + "\x00")
        return ordered.bisect_left(query.after + "\x01"), len(ordered)

    def _walked(self, candidates: Iterable[str], query: Query, total: int | None) -> tuple[list[str], int | None]:
        """The page of the candidates that pass the query's filters; counts them all when asked and `total`
        is not known already."""
        page: list[str] = []
        end = None if query.limit is None else query.offset + query.limit
        counting = query.count and total is None
        seen = 0
        for key in candidates:
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
            return list(keys_of(ordered.islice(high - stop, high - start, reverse=True)))
        return list(keys_of(ordered.islice(low + start, low + stop)))


def passes(kept: Kept, groups: tuple[frozenset[str], ...], search: str) -> bool:
    """`query.matches` on what the index keeps of an entry."""
    _, terms, texts = kept
    if any(not any(name in group for name in terms) for group in groups):
        return False
    return not search or any(search in text for text in texts)
