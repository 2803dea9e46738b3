"""`GET /v2/connect/connectors`: filters, order, and opaque keyset cursors (`pagination.next`).

A cursor names the last connector of a page by its sort key and id, so a page never repeats or skips a
connector when others are created or deleted between calls. It is base64url JSON: opaque to callers, and
tied to the sort it was made for.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from mock_server.errors import BadRequest

SortKey = tuple[Any, ...]
DESCENDING = ("createdAt", "updatedAt")  # newest first; `name` sorts A→Z


def sort_key(connector: dict[str, Any], sort: str) -> SortKey:
    if sort in DESCENDING:
        return -connector[sort], connector["id"]
    return connector["name"].lower(), connector["id"]


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


def page(records: list[dict[str, Any]], query: dict[str, Any]) -> dict[str, Any]:
    sort = query.get("sort") or "createdAt"
    ordered = sorted((r["connector"] for r in records if matches(r, query)), key=lambda c: sort_key(c, sort))
    if query.get("cursor"):
        after = decode_cursor(query["cursor"], sort)
        ordered = [c for c in ordered if list(sort_key(c, sort)) > list(after)]
    shown = ordered[:query["limit"]]
    more = len(ordered) > len(shown)
    return {"connectors": shown,
            "pagination": {"next": encode_cursor(sort, sort_key(shown[-1], sort)) if more else None}}
