"""Walking every page of a list, and checking that the pages agree with each other.

The walk follows the vendor profile's pagination style (`page`, `offset` or `cursor`). On the way it checks
what a correct server must keep consistent whatever it holds: no page larger than the size asked for, the same
`total` on every page, and a "has next page" flag that says exactly whether items follow. What the pages hold
(nothing of ours dropped, duplicated or foreign) is the state machine's business: it knows the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from schemathesis import Case

from contracts.checks import json_of
from contracts.failures import LifecycleViolation, PaginationViolation
from contracts.session import Session
from contracts.target import Credentials
from speclib.profile import Listing, at

__all__ = ["MAX_PAGES", "Walk", "walk"]

MAX_PAGES = 30  # a walk stops there (incomplete, not failed): a big tenant must not cost thousands of requests


@dataclass(slots=True)
class Walk:
    """The item ids of every page, in order; `complete` when the last page was reached."""

    ids: list[str] = field(default_factory=list)
    complete: bool = False
    pages: int = 0


@dataclass(slots=True)
class Pager:
    """The walk's position: which query the next page needs, and whether the last one was reached."""

    listing: Listing
    size: int
    index: int = 0
    offset: int = 0
    cursor: str | None = None
    total: Any = None
    done: bool = False

    def query(self) -> dict[str, Any]:
        paging = self.listing.pagination
        assert paging is not None
        query: dict[str, Any] = {paging.size: self.size}
        if paging.style == "page" and paging.page:
            query[paging.page] = paging.first + self.index
        elif paging.style == "offset" and paging.offset:
            query[paging.offset] = self.offset
        elif paging.style == "cursor" and paging.cursor and self.cursor:
            query[paging.cursor] = self.cursor
        return query

    def advance(self, answer: Any, items: list[Any]) -> list[tuple[str, str]]:
        """Move past the page just read; the consistency problems it shows, as (kind, message)."""
        paging = self.listing.pagination
        assert paging is not None
        problems = []
        if len(items) > self.size:
            problems.append(("size", f"a page of size {self.size} holds {len(items)} items"))
        self.index += 1
        if paging.style == "offset":
            problems += self.advance_offset(answer, items)
        elif paging.style == "cursor":
            nxt = at(answer, paging.next) if paging.next else None
            self.cursor = str(nxt) if nxt else None
            self.done = self.cursor is None
        else:
            self.done = len(items) < self.size
        return problems

    def advance_offset(self, answer: Any, items: list[Any]) -> list[tuple[str, str]]:
        paging = self.listing.pagination
        assert paging is not None
        total = at(answer, paging.total) if paging.total else None
        problems = []
        if self.total is not None and total != self.total:
            problems.append(("total", f"{paging.total} changed from {self.total} to {total} between pages"))
        self.total = total
        more = isinstance(total, int) and self.offset + len(items) < total
        flag = at(answer, paging.has_next) if paging.has_next else None
        if flag is not None and isinstance(total, int) and flag is not more:
            problems.append(("has-next", f"{paging.has_next} is {json.dumps(flag)} at {paging.offset}={self.offset} "
                                         f"with {len(items)} item(s) of {paging.total}={total}"))
        self.offset += len(items)
        self.done = not items or not more
        return problems


def walk(session: Session, operation: str, listing: Listing, tenant: Credentials, query: dict[str, Any],
         size: int, sent: list[Case[Any]] | None = None) -> Walk:
    """Every page of `operation` with `query` at page size `size`, as `tenant`; failures go to the session."""
    result = Walk()
    pager = Pager(listing, size)
    reported: set[str] = set()  # one failure per kind of problem and walk: a wrong flag is wrong on every page
    while not pager.done and result.pages < MAX_PAGES:
        case = session.case(operation, as_tenant=tenant, query={**query, **pager.query()})
        if sent is not None:
            sent.append(case)
        response = session.send(case)
        result.pages += 1
        answer = json_of(response)
        items = at(answer, listing.items)
        if response.status_code != 200 or not isinstance(items, list):
            session.fail(LifecycleViolation(operation, f"page {result.pages}",
                                            f"got {response.status_code} without a list at {listing.items}"), case)
            return result
        result.ids += [str(item.get(listing.item_id)) for item in items if isinstance(item, dict)]
        for kind, problem in pager.advance(answer, items):
            if kind not in reported:
                reported.add(kind)
                session.fail(PaginationViolation(operation, f"page size {size}", f"page {result.pages}: {problem}"),
                             case)
    result.complete = pager.done
    return result
