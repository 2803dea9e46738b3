"""OpenInt's list pages: `{items, total, limit, offset, has_next_page}` over an already ordered list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def has_next_page(self) -> bool:
        """True only when more items follow this page.

        OpenInt's server at 795654e computes `offset + limit >= total`, the inverse (true when everything
        fitted); the mock answers what the name promises, which is also what the SDK's auto-paging assumes.
        """
        return self.offset + len(self.items) < self.total

    def body(self, shown: list[Any]) -> dict[str, Any]:
        return {"items": shown, "total": self.total, "limit": self.limit, "offset": self.offset,
                "has_next_page": self.has_next_page}


def page_of(ordered: list[T], limit: int, offset: int) -> Page[T]:
    return Page(ordered[offset:offset + limit], len(ordered), limit, offset)
