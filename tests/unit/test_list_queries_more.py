"""Vercel's and xpander's list queries on the store's index list exactly what their filters on decoded records
list: Vercel's `listing.query_of` against `listing.matches`, the sort keys and the keyset cursor as compared
before the index (`list(sort_key) > list(after)`), xpander's against its visibility rule and insertion order."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from mock_server.store.query import naive_find
from mock_server.vendors.vercel import listing as vercel
from mock_server.vendors.xpander import listing as xpander

NAMES = st.sampled_from(["Bot", "bot", "bo", "b\x00t", "b\x01t", "b\x01", "Zeta", "ünï", ""])
CONNECTORS = st.fixed_dictionaries({
    "createdAt": st.integers(1_700_000_000_000, 1_700_000_000_003),
    "updatedAt": st.integers(1_700_000_000_000, 1_700_000_000_003),
    "name": NAMES, "displayName": NAMES, "uid": st.sampled_from(["slack/a", "github/B"]),
    "type": st.sampled_from(["slack", "github", "oauth"]), "service": st.sampled_from(["slack.com", "github.com"]),
})
RECORDS = st.tuples(CONNECTORS, st.lists(st.sampled_from(["prj_1", "prj_2"]), max_size=2, unique=True))
PARAMS = st.fixed_dictionaries({"limit": st.integers(1, 4)}, optional={
    "sort": st.sampled_from(vercel.SORTS), "projectId": st.sampled_from(["prj_1", "prj_3"]),
    "type": st.sampled_from(["slack", "github, oauth", " ,"]), "service": st.sampled_from(["slack.com", "x"]),
    "search": st.sampled_from(["", "B", "ot", "\x01", "github/", "zz"]),
})
FORGED = st.one_of(st.integers(-2**63, 2**64 - 1), st.floats(-1.8e12, 1.8e12), st.floats(-1e300, 1e300),
                   st.integers(-1_700_000_000_004, -1_700_000_000_000),
                   st.integers(-1_700_000_000_004, -1_700_000_000_000).map(lambda n: n + 0.5), NAMES)


def before(records: list[dict[str, Any]], params: dict[str, Any], after: vercel.SortKey | None
           ) -> list[dict[str, Any]]:
    """What the list answered when it decoded, filtered and sorted every record (one more than the page)."""
    sort = params.get("sort") or "createdAt"
    ordered = sorted((r["connector"] for r in records if vercel.matches(r, params)),
                     key=lambda c: vercel.sort_key(c, sort))
    if after is not None:
        ordered = [c for c in ordered if list(vercel.sort_key(c, sort)) > list(after)]
    return ordered[:params["limit"] + 1]


def listed(records: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    found = naive_find([orjson.dumps(r) for r in records], vercel.INDEXER, vercel.query_of(params))
    return [orjson.loads(raw)["connector"] for raw in found.values]


@given(drawn=st.lists(RECORDS, max_size=10), params=PARAMS, at=st.integers(0, 9), forged=FORGED,
       forged_id=st.sampled_from(["scl_03", "scl_0", "scl_\x00", "", "scl_9"]))
def test_vercel_lists_what_its_filters_and_cursors_list(drawn: list[tuple[dict[str, Any], list[str]]],
                                                        params: dict[str, Any], at: int, forged: Any,
                                                        forged_id: str) -> None:
    records: list[dict[str, Any]] = [
        {"connector": {**c, "id": f"scl_{n:02d}"}, "projects": [{"projectId": p} for p in projects]}
        for n, (c, projects) in enumerate(drawn)]
    sort = params.get("sort") or "createdAt"
    assert listed(records, params) == before(records, params, None)
    cursors: list[vercel.SortKey] = [(forged, forged_id)]
    if records:  # a cursor at a connector, as `pagination.next` names it
        cursors.append(vercel.sort_key(records[at % len(records)]["connector"], sort))
    for key in cursors:
        if isinstance(key[0], str) != (sort == "name"):
            continue  # a cursor of another sort is a 400 (`decode_cursor`)
        paged = {**params, "cursor": vercel.encode_cursor(sort, key)}
        assert listed(records, paged) == before(records, params, vercel.decode_cursor(paged["cursor"], sort))


CONNECTIONS = st.fixed_dictionaries({
    "connector_id": st.sampled_from(["c1", "c2", "c3"]), "owner": st.sampled_from(["alice", "bob"]),
    "access_scope": st.sampled_from(["personal", "organizational"]),
    "created_at": st.sampled_from(["2026-11-22T22:26:56.954000Z", "2026-11-22T22:26:56.954001Z"]),
})


@given(drawn=st.lists(CONNECTIONS, max_size=10), user=st.sampled_from(["alice", "bob", "carol"]),
       connectors=st.lists(st.sampled_from(["c1", "c2", "c3", "c4"]), max_size=3, unique=True))
def test_xpander_lists_the_connections_a_user_sees(drawn: list[dict[str, Any]], user: str,
                                                   connectors: list[str]) -> None:
    records = [{**r, "id": f"{n:08x}-0000-4000-8000-000000000000"} for n, r in enumerate(drawn)]
    found = naive_find([orjson.dumps(r) for r in records], xpander.INDEXER, xpander.visible_to(user, connectors))
    expected = sorted((r for r in records if r["connector_id"] in connectors
                       and (r["access_scope"] == "organizational" or r["owner"] == user)),
                      key=lambda r: (r["created_at"], r["id"]))
    assert [orjson.loads(raw) for raw in found.values] == expected
    assert all(xpander.visible(r, user) == (r["access_scope"] == "organizational" or r["owner"] == user)
               for r in records)
