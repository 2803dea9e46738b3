"""The vendors' list queries on the store's index list exactly what their filters on decoded records list:
Nango's `listing.query_of` against `service.matches` and `created_at DESC, id DESC`, OpenInt's against
`service.matches`, the customer token's visibility and `updated_at DESC, id ASC`."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from fixtures import Tenant, load_seed
from mock_server.store.query import naive_find
from mock_server.vendors.base import Principal
from mock_server.vendors.nango import listing as nango_listing
from mock_server.vendors.nango import service as nango
from mock_server.vendors.openint import listing as openint_listing
from mock_server.vendors.openint import service as openint

WORDS = st.sampled_from(["", "ann", "Ann", "bob", "BOB-2", "o", "x y", "é"])
SOME = st.sampled_from(["ann", "Ann", "bob", "c1", "c2", "github", "slack"])
STAMPS = st.sampled_from(["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.001Z", "2026-02-01T10:00:00.000Z"])

END_USERS = st.one_of(st.none(), st.fixed_dictionaries({
    "id": SOME, "email": st.one_of(st.none(), WORDS), "display_name": st.one_of(st.none(), WORDS),
    "organization": st.one_of(st.none(), st.fixed_dictionaries({"id": SOME})),
}))
TAG_KEYS = st.sampled_from(["end_user_id", "end_user_email", "organization_id", "team", "env"])
NANGO_RECORDS = st.fixed_dictionaries({
    "connection_id": SOME, "provider_config_key": st.sampled_from(["github", "slack"]), "created_at": STAMPS,
    "end_user": END_USERS, "tags": st.dictionaries(TAG_KEYS, SOME, max_size=3),
})
NANGO_PARAMS = st.fixed_dictionaries({}, optional={
    "connectionId": SOME, "integrationId": st.sampled_from(["github", "slack", "github,slack", " slack , x", ","]),
    "endUserId": SOME, "endUserOrganizationId": SOME, "search": WORDS,
    "tags": st.dictionaries(st.sampled_from(["Team", "env", "end_user_id"]), SOME, max_size=2),
    "page": st.one_of(st.integers(0, 3), st.floats(0, 3), st.just(1e300)), "limit": st.one_of(st.integers(1, 4),
                                                                                           st.floats(0.5, 4)),
})


def nango_before(records: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """What `GET /connections` listed when it decoded, filtered and sorted every record."""
    found = sorted((r for r in records if nango.matches(r, params)), key=lambda r: (r["created_at"], r["id"]),
                   reverse=True)
    rows = nango.page_rows(params)
    if rows is None:
        return []
    limit, offset = rows
    return found[offset:None if limit is None else offset + limit]


@given(records=st.lists(NANGO_RECORDS, max_size=12), params=NANGO_PARAMS)
def test_nango_lists_what_its_filters_list(records: list[dict[str, Any]], params: dict[str, Any]) -> None:
    records = [{**record, "id": number} for number, record in enumerate(records, 1)]
    rows = nango.page_rows(params)
    assert rows is not None  # the drawn pages stay within PostgreSQL's bigint
    query = nango_listing.query_of(params, *rows)
    found = naive_find([orjson.dumps(r) for r in records], nango_listing.INDEXER, query)
    assert [orjson.loads(raw) for raw in found.values] == nango_before(records, params)


OPENINT_RECORDS = st.fixed_dictionaries({
    "customer_id": st.one_of(st.none(), SOME), "connector_config_id": st.sampled_from(["ccfg_a", "ccfg_b"]),
    "connector_name": st.sampled_from(["github", "slack", "okta"]),
    "updated_at": st.sampled_from(["2026-11-22 22:26:56.934984+00", "2026-11-22 22:26:56.9+00",
                                   "2026-11-22 22:26:57+00", "1969-12-31 23:59:59.5+00"]),
})
OPENINT_PARAMS = st.fixed_dictionaries({"limit": st.integers(0, 4), "offset": st.integers(0, 4)}, optional={
    "customer_id": SOME, "connector_config_id": st.sampled_from(["ccfg_a", "ccfg_b"]),
    "connector_names": st.lists(st.sampled_from(["github", "slack", "okta"]), max_size=2),
    "search_query": st.sampled_from(["", "CONN_G", "ann", "b", "ccfg"]),
})
TENANT: Tenant = load_seed().tenants[0]


@given(records=st.lists(OPENINT_RECORDS, max_size=12), params=OPENINT_PARAMS,
       customer=st.one_of(st.none(), SOME))
def test_openint_lists_what_its_filters_list(records: list[dict[str, Any]], params: dict[str, Any],
                                            customer: str | None) -> None:
    records = [{**r, "id": f"conn_{r['connector_name']}_{n:02d}"} for n, r in enumerate(records)]
    principal = Principal(TENANT, kind="customer", customer_id=customer) if customer else Principal(TENANT)
    before = sorted((r for r in records if (customer is None or r["customer_id"] == customer)
                     and openint.matches(r, params)), key=openint.newest_first)
    query = openint_listing.query_of(principal, params)
    found = naive_find([orjson.dumps(r) for r in records], openint_listing.INDEXER, query)
    assert found.total == len(before)
    assert [orjson.loads(raw) for raw in found.values] == before[params["offset"]:params["offset"] + params["limit"]]
