"""Swagger UI's first "Execute" of a list operation shows objects: Swagger UI fills every parameter input with its
`example` (else its `default`), optional filters included, so an example that matches nothing in the mock would
filter the list to nothing. Each vendor's list operations, called with exactly what Swagger UI fills in, return a
non-empty list from a mock holding its seed and one object created per vendor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mock_server import Settings
from speclib import load_spec
from speclib.loader import Operation
from tests.reliability.support import SEED, VENDORS, auth_headers, create_path, valid_creates
from tests.support.api import ApiClient, in_process

ACME = SEED.tenant("acme")
# Lists Swagger UI cannot run without a value typed in (a required parameter with no example).
NEEDS_TYPING = {("xpander", "searchConnectors")}


def filled(parameter: dict[str, Any]) -> Any:
    """What Swagger UI puts in a parameter's input: its example (of the parameter, its schema, its first named
    example), else its schema's default; None leaves it empty (not sent)."""
    schema = parameter.get("schema", {})
    if "example" in parameter:
        return parameter["example"]
    if parameter.get("examples"):
        return next(iter(parameter["examples"].values())).get("value")
    return schema.get("example", schema.get("default"))


def as_query(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    return [as_query(v) for v in value] if isinstance(value, list) else str(value)


def list_operations() -> list[tuple[str, Operation]]:
    """GET operations without path parameters: the collections Swagger UI lists."""
    return [(vendor, operation) for vendor in VENDORS for operation in load_spec(vendor).operations.values()
            if operation.method == "GET" and not any(p.get("in") == "path" for p in operation.parameters)]


def first_list(body: Any) -> list[Any] | None:
    if isinstance(body, list):
        return body
    lists = [value for value in body.values() if isinstance(value, list)] if isinstance(body, dict) else []
    return lists[0] if lists else None


@pytest.fixture(scope="module")
def api() -> Iterator[ApiClient]:
    with in_process(Settings()) as client:
        for vendor in VENDORS:  # one object per vendor beside the seed, so that no collection starts empty
            request = valid_creates(vendor, ACME, 1)[0]
            made = client.post(create_path(request), json=request.body, headers=auth_headers(vendor, ACME))
            assert made.status_code < 300, made.text
        yield client


def test_only_the_search_needs_typing() -> None:
    unfilled = {(v, o.operation_id) for v, o in list_operations()
                if any(p.get("required") and filled(p) is None for p in o.parameters if p.get("in") == "query")}
    assert unfilled == NEEDS_TYPING


@pytest.mark.parametrize(("vendor", "operation"), [pytest.param(v, o, id=f"{v}.{o.operation_id}")
                                                   for v, o in list_operations()
                                                   if (v, o.operation_id) not in NEEDS_TYPING])
def test_the_first_execute_of_a_list_shows_objects(api: ApiClient, vendor: str, operation: Operation) -> None:
    query = {p["name"]: as_query(filled(p)) for p in operation.parameters
             if p.get("in") == "query" and filled(p) is not None}
    listed = api.get(f"/{vendor}{operation.path}", params=query, headers=auth_headers(vendor, ACME))
    assert listed.status_code == 200, (query, listed.text)
    assert first_list(listed.json()), (query, listed.json())
