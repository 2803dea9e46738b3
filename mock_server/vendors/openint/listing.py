"""`GET /connection` served by the store's index: what it keeps of a connection and how a list asks for a page.

The order is OpenInt's `updated_at DESC, id ASC`: the index's order string is the time inverted (so a later
row sorts first) then the id. Equality terms serve `customer_id` (and a customer token's own rows),
`connector_config_id` and `connector_names` (any of them); `search_query` looks in the lower-cased id,
customer id and connector name the index holds. `matches` in `service.py` is the same filter on a record.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from mock_server.store.query import Entry, Indexer, Query, term
from mock_server.vendors.base import Principal

__all__ = ["FAMILY", "INDEXER", "query_of"]

FAMILY = "openint:*:connections"
FIELDS = frozenset({"id", "updated_at", "customer_id", "connector_config_id", "connector_name"})
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = 2**62  # microseconds past the epoch; far beyond any datetime


def inverted_time(stamp: str) -> str:
    """A fixed-width string that sorts a later `stamp` first."""
    micros = (datetime.fromisoformat(stamp) - EPOCH) // timedelta(microseconds=1)
    return f"{LATEST - micros:020d}"


def entry(raw: bytes) -> Entry:
    record = orjson.loads(raw)
    terms = frozenset({term("customer", record["customer_id"]), term("config", record["connector_config_id"]),
                       term("connector", record["connector_name"])})
    text = (record["id"], record["customer_id"] or "", record["connector_name"])
    return Entry(order=f"{inverted_time(record['updated_at'])}|{record['id']}", terms=terms,
                 text=tuple(field.lower() for field in text))


INDEXER = Indexer(entry=entry, fields=FIELDS)


PAST_ANY_LIST = 10**12  # an offset from here on is past every list (the server's 500 from 2^63 up is not copied)


def rows(offset: float) -> int:
    """An offset as a row count: a JavaScript double past 2^53 (or 2^63) is just past the end."""
    return int(min(offset, PAST_ANY_LIST))


def query_of(principal: Principal, params: dict[str, Any]) -> Query:
    """The index query of a list's parameters, limited to what `principal` may see."""
    where = []
    if principal.kind == "customer":
        where.append(frozenset({term("customer", principal.customer_id)}))
    if params.get("customer_id"):
        where.append(frozenset({term("customer", params["customer_id"])}))
    if params.get("connector_config_id"):
        where.append(frozenset({term("config", params["connector_config_id"])}))
    if "connector_names" in params:  # `any(connector_names)` in SQL: an empty list matches nothing
        where.append(frozenset(term("connector", name) for name in params["connector_names"]))
    return Query(where=tuple(where), search=(params.get("search_query") or "").lower(),
                 offset=rows(params["offset"]), limit=params["limit"], count=True)
