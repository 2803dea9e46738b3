"""What every vendor's pages get: the parsed request, and the two calls the router makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from mock_server.vendors.base import Reply

__all__ = ["PageRequest", "VendorPages"]


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: tuple[str, ...]  # the path segments after /__connmock/pages/<vendor>/
    query: dict[str, str] = field(default_factory=dict)  # first value of each parameter
    form: dict[str, str] = field(default_factory=dict)  # a POSTed urlencoded form, first value of each field

    def arg(self, name: str) -> str:
        return self.query.get(name, "").strip()


class VendorPages(Protocol):
    async def show(self, request: PageRequest) -> Reply:
        """GET: the page for the flow the URL names, or an error page."""

    async def submit(self, request: PageRequest) -> Reply:
        """POST: the user's decision; a redirect to the return URL or a result page."""
