"""The connections `GET /v1/connectors` shows under each connector, served by the store's index.

A caller sees the organizational connections of the organization and their own personal ones, oldest first
(`created_at`, then the id). Equality terms serve the visibility (`scope` of an organizational connection, the
`owner`) and the connector, so a page of connectors reads only the connections it shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from mock_server.store.query import Entry, Indexer, Query, term

FAMILY = "xpander:*:connections"
FIELDS = frozenset({"id", "created_at", "connector_id", "access_scope", "owner"})
ORGANIZATIONAL = term("scope", "organizational")

__all__ = ["FAMILY", "INDEXER", "entry", "visible", "visible_to"]


def entry(raw: bytes) -> Entry:
    record = orjson.loads(raw)
    terms = {term("connector", record["connector_id"]), term("owner", record["owner"])}
    if record["access_scope"] == "organizational":
        terms.add(ORGANIZATIONAL)
    return Entry(order=f"{record['created_at']}|{record['id']}", terms=frozenset(terms))


INDEXER = Indexer(entry=entry, fields=FIELDS)


def visible(record: dict[str, Any], user_id: str | None) -> bool:
    """Organizational connections are the organization's; personal ones only their owner's."""
    return bool(record["access_scope"] == "organizational" or record["owner"] == user_id)


def visible_to(user_id: str | None, connector_ids: Iterable[str]) -> Query:
    """The connections of these connectors that `user_id` sees, oldest first."""
    return Query(where=(frozenset({ORGANIZATIONAL, term("owner", user_id)}),
                        frozenset(term("connector", connector_id) for connector_id in connector_ids)))
