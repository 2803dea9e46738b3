"""Objects a sequence left behind without knowing it, found by listing and deleted.

A sequence deletes what its creates answered with. Some objects escape that: a server that stores a connection
and then fails its own output check (OpenInt's 500 "Output validation failed"), or one that crashes mid-sequence.
Left alone they change every later list on that side only, and a whole campaign's lists then differ for a reason
that is not a difference of behaviour. So the ids each tenant lists when the run starts are its baseline, and
after such a sequence whatever else a list shows is deleted. Objects that were there before the run are never
touched (a real server's own connections stay).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from speclib.loader import Operation
from speclib.profile import Listing, at

__all__ = ["Sweeper"]

DeleteUrl = Callable[[dict[str, Any]], str | None]
PASSES = 5  # a list answers one page: a few passes clear a few pages of leftovers
TRANSPORT_ERRORS = (httpx.TransportError,)


class Sweeper:
    """The listed ids of one side's tenants at the start, and the sweep that restores them."""

    def __init__(self, client: httpx.Client, base_url: str, operation: Operation | None, listing: Listing | None,
                 tenants: dict[str, dict[str, str]]) -> None:
        self.client, self.tenants = client, tenants
        self.url = base_url + operation.path if operation is not None and "{" not in operation.path else None
        self.listing = listing
        self.requests = 0
        self.baseline = {who: set(self.listed(headers)) for who, headers in tenants.items()}

    def listed(self, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
        """The objects one list answers with, by id (none when the side cannot be listed)."""
        if self.url is None or self.listing is None:
            return {}
        try:
            response = self.client.get(self.url, headers=headers)
            self.requests += 1
            body = response.json() if response.status_code == 200 else None
        except (*TRANSPORT_ERRORS, ValueError):
            return {}
        items = at(body, self.listing.items) if isinstance(body, dict) else None
        if not isinstance(items, list):
            return {}
        return {str(item[self.listing.item_id]): item for item in items
                if isinstance(item, dict) and self.listing.item_id in item}

    def sweep(self, delete_url: DeleteUrl) -> int:
        """Delete every listed object that is not in the baseline; the number deleted."""
        deleted = 0
        for who, headers in self.tenants.items():
            for _ in range(PASSES):
                strays = {k: v for k, v in self.listed(headers).items() if k not in self.baseline[who]}
                if not strays:
                    break
                for item in strays.values():
                    url = delete_url(item)
                    if url is None:
                        continue
                    try:
                        self.client.delete(url, headers={**headers, "Content-Type": "application/json"})
                        self.requests += 1
                        deleted += 1
                    except TRANSPORT_ERRORS:
                        pass
        return deleted
