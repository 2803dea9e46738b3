"""`GET /connections` served by the store's index: what it keeps of a connection and how a list asks for a page.

The order is Nango's `created_at DESC, id DESC` (the index's order string is the fixed-width `created_at`
then the zero-padded id). Equality terms serve `connectionId`, `integrationId` (a comma list: any of them),
`endUserId` and `endUserOrganizationId` (the end user's, or the tag's) and each of `tags`; `search` looks in
the lower-cased id and end-user fields the index holds, without decoding a record. `matches` in
`service.py` is the same filter on a decoded record (the reference the index is tested against).
"""

from __future__ import annotations

from typing import Any

import orjson

from mock_server.store.query import Entry, Indexer, Query, term

__all__ = ["FAMILY", "INDEXER", "query_of"]

FAMILY = "nango:*:connections"
FIELDS = frozenset({"id", "created_at", "connection_id", "provider_config_key", "end_user", "tags"})


def entry(raw: bytes) -> Entry:
    record = orjson.loads(raw)
    tags: dict[str, Any] = record.get("tags") or {}
    end_user: dict[str, Any] = record.get("end_user") or {}
    organization: dict[str, Any] = end_user.get("organization") or {}
    terms = [term("cid", record["connection_id"]), term("pck", record["provider_config_key"])]
    for key, value in tags.items():
        terms.append(term("tag", key, value))
    for name, value in (("eu", end_user.get("id")), ("eu", tags.get("end_user_id")),
                        ("org", organization.get("id")), ("org", tags.get("organization_id"))):
        if value:
            terms.append(term(name, value))
    texts = [str(record["connection_id"]).lower()]
    for field in (end_user.get("id"), end_user.get("email"), end_user.get("display_name"),
                  tags.get("end_user_id"), tags.get("end_user_email"), tags.get("end_user_display_name")):
        if field:
            texts.append(str(field).lower())
    return Entry(order=f"{record['created_at']}|{record['id']:020d}", terms=frozenset(terms), text=tuple(texts))


INDEXER = Indexer(entry=entry, fields=FIELDS)


def query_of(params: dict[str, Any], limit: int | None, offset: int) -> Query:
    """The index query of a list's filters, for the page at `offset` (in rows) of `limit` rows (None: all)."""
    integrations = [i.strip() for i in (params.get("integrationId") or "").split(",") if i.strip()]
    where = [frozenset({term("tag", key.lower(), value)}) for key, value in (params.get("tags") or {}).items()]
    if params.get("connectionId"):
        where.append(frozenset({term("cid", params["connectionId"])}))
    if integrations:
        where.append(frozenset(term("pck", name) for name in integrations))
    if params.get("endUserId"):
        where.append(frozenset({term("eu", params["endUserId"])}))
    if params.get("endUserOrganizationId"):
        where.append(frozenset({term("org", params["endUserOrganizationId"])}))
    return Query(where=tuple(where), search=(params.get("search") or "").lower(), descending=True,
                 offset=offset, limit=limit)
