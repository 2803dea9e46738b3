"""OpenInt's list pages: `{items, total, limit, offset, has_next_page}` over an already ordered list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Page", "page_from", "page_of"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int  # as the server reports it: 0 on an empty page (see `page_of`)
    limit: int
    offset: int
    count: int  # what the list holds

    @property
    def has_next_page(self) -> bool:
        """True only when more items follow this page.

        OpenInt's server at 795654e computes `offset + limit >= total`, the inverse (true when everything
        fitted); the mock answers what the name promises, which is also what the SDK's auto-paging assumes.
        """
        return self.offset + len(self.items) < self.count

    def body(self, shown: list[Any]) -> dict[str, Any]:
        return {"items": shown, "total": self.total, "limit": self.limit, "offset": self.offset,
                "has_next_page": self.has_next_page}


def page_of(ordered: list[T], limit: int, offset: int) -> Page[T]:
    """`total` is the server's `count(*) OVER ()`, read from the page's first row: an empty page (`limit=0`, an
    offset past the end) says 0 whatever the list holds."""
    start = int(min(offset, len(ordered)))  # a JavaScript double past the end (2^53 and up) is just past it
    return page_from(ordered[start:start + limit], len(ordered), limit, offset)


def page_from(items: list[T], count: int, limit: int, offset: int) -> Page[T]:
    """The page `items` of a list of `count` rows (`total` as `page_of` says)."""
    return Page(items, count if items else 0, limit, offset, count)
