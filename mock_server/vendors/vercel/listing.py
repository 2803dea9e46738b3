"""`GET /v2/connect/connectors` served by the store's index: filters, the three sorts, and opaque keyset cursors
(`pagination.next`).

A cursor names the last connector of a page by its sort key and id, so a page never repeats or skips a
connector when others are created or deleted between calls. It is base64url JSON: opaque to callers, and
tied to the sort it was made for.

The index keeps one list order per sort (`Entry.order` for `createdAt`, `also` for `updatedAt` and `name`),
each ascending in `sort_key`: the time inverted (newest first) or the lower-cased name, then the id. Equality
terms serve `projectId`, `type` (a comma list: any of them) and `service`; `search` looks in the lower-cased
name, uid, service and display name. `matches` and `sort_key` are the same on a decoded record (the reference
the index is tested against).
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

import orjson

from mock_server.errors import BadRequest
from mock_server.store.query import Entry, Indexer, Query, term

FAMILY = "vercel:*:connectors"
FIELDS = frozenset({"connector", "projects"})
SORTS = ("createdAt", "updatedAt", "name")  # `Query.sort` 0, 1, 2
SortKey = tuple[Any, ...]
DESCENDING = ("createdAt", "updatedAt")  # newest first; `name` sorts A→Z
LATEST = 2**62  # milliseconds past the epoch; far beyond any timestamp
WIDTH = 20  # digits of an inverted time
SEP = "\x01\x01"  # ends a name in an order string: below every character `escaped` writes
LAST = "\U0010ffff"  # above every character of an id

__all__ = ["DESCENDING", "FAMILY", "INDEXER", "SORTS", "SortKey", "cursor_place", "decode_cursor", "encode_cursor",
           "entry", "matches", "page", "query_of", "sort_key"]


def sort_key(connector: dict[str, Any], sort: str) -> SortKey:
    if sort in DESCENDING:
        return -connector[sort], connector["id"]
    return connector["name"].lower(), connector["id"]


def escaped(text: str) -> str:
    """`text` without NULs (an order string holds none), in the same order, and never a prefix of `SEP`: `\\x00`
    becomes `\\x01\\x02`, `\\x01` becomes `\\x01\\x03`."""
    return text.replace("\x01", "\x01\x03").replace("\x00", "\x01\x02")


def place(first: Any, connector_id: str) -> str:
    """The order string of a sort key `(first, id)`: ascending as the keys are."""
    if isinstance(first, str):
        return f"{escaped(first)}{SEP}{escaped(connector_id)}"
    return f"{LATEST + first:0{WIDTH}d}|{escaped(connector_id)}"


def entry(raw: bytes) -> Entry:
    record = orjson.loads(raw)
    connector = record["connector"]
    terms = {term("type", connector["type"]), term("service", connector["service"]),
             *(term("project", link["projectId"]) for link in record["projects"])}
    texts = tuple(str(connector[name]).lower() for name in ("name", "uid", "service", "displayName"))
    created, updated, name = (place(*sort_key(connector, sort)) for sort in SORTS)
    return Entry(order=created, terms=frozenset(terms), text=texts, also=(updated, name))


INDEXER = Indexer(entry=entry, fields=FIELDS)


def encode_cursor(sort: str, key: SortKey) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"sort": sort, "after": list(key)})).rstrip(b"=").decode()


def decode_cursor(cursor: str, sort: str) -> SortKey:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        value = None
    after = value.get("after") if isinstance(value, dict) and value.get("sort") == sort else None
    first = (int, float) if sort in DESCENDING else str
    if not isinstance(after, list) or len(after) != 2 or not isinstance(after[0], first) \
            or isinstance(after[0], bool) or not isinstance(after[1], str):
        raise BadRequest("Invalid request: `cursor` is not a cursor of this listing.")
    return after[0], after[1]


def cursor_place(key: SortKey) -> str:
    """The order string a cursor's key `(first, id)` stands for: the records whose key is larger come after it.
    A (forged) time that is no record's stands for the place just past every record of the time below it."""
    first, connector_id = key
    if isinstance(first, str):
        return place(first, connector_id)
    whole = math.floor(first)  # far out of range it is still in order: `-0…` before every record, `1…` after
    return place(whole, connector_id) if whole == first else f"{LATEST + whole:0{WIDTH}d}|{LAST}"


def matches(record: dict[str, Any], query: dict[str, Any]) -> bool:
    """The list filters: project link, type (a comma list), service, and a case-insensitive search."""
    connector = record["connector"]
    if query.get("projectId") and query["projectId"] not in {p["projectId"] for p in record["projects"]}:
        return False
    types = [t.strip() for t in str(query.get("type") or "").split(",") if t.strip()]
    if types and connector["type"] not in types:
        return False
    if query.get("service") and connector["service"] != query["service"]:
        return False
    needle = str(query.get("search") or "").lower()
    haystack = (connector["name"], connector["uid"], connector["service"], connector["displayName"])
    return not needle or any(needle in field.lower() for field in haystack)


def query_of(query: dict[str, Any]) -> Query:
    """The index query of a list's parameters: one connector more than the page, to know whether one follows."""
    sort = query.get("sort") or "createdAt"
    where = []
    if query.get("projectId"):
        where.append(frozenset({term("project", query["projectId"])}))
    types = [t.strip() for t in str(query.get("type") or "").split(",") if t.strip()]
    if types:
        where.append(frozenset(term("type", name) for name in types))
    if query.get("service"):
        where.append(frozenset({term("service", query["service"])}))
    after = cursor_place(decode_cursor(query["cursor"], sort)) if query.get("cursor") else None
    return Query(where=tuple(where), search=str(query.get("search") or "").lower(), limit=query["limit"] + 1,
                 sort=SORTS.index(sort), after=after)


def page(connectors: list[dict[str, Any]], query: dict[str, Any]) -> dict[str, Any]:
    """The response of the connectors found by `query_of(query)`, in list order."""
    sort = query.get("sort") or "createdAt"
    shown = connectors[:query["limit"]]
    more = len(connectors) > len(shown)
    return {"connectors": shown,
            "pagination": {"next": encode_cursor(sort, sort_key(shown[-1], sort)) if more else None}}
