"""The admin API's own OpenAPI document: valid by the project's spec lint, no fifth vendor, served tokenless at
`/__connmock/openapi.json` and offered in Swagger UI; it lists exactly the admin routes the code serves (read from
the code, not copied by hand), and each of its operations answers what it documents."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from mock_server import Settings, admin
from mock_server.endpoints.scenarios import ROUTES
from mock_server.endpoints.webhooks import ROUTES as WEBHOOK_ROUTES
from mock_server.scenarios.document import ADMIN_DOCUMENT, admin_document, loaded
from openapi import VENDORS
from speclib import SchemaValidator, load_merged, load_spec
from speclib.lint import lint_document
from speclib.loader import build_operations
from tests.support.api import ApiClient, in_process

TOKEN = {"x-connmock-admin-token": "admin-only"}


@pytest.fixture(scope="module")
def api() -> Iterator[ApiClient]:
    with in_process(Settings(admin_token="admin-only")) as client:
        yield client


def served_routes() -> set[tuple[str, str]]:
    """(method, path) of every admin route, read from the code: the `name == "…" and method == "…"` tests of
    `Admin.admin`, the scenario endpoints' table, and the document itself."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(admin.Admin.admin)))
    routes = {("GET", ADMIN_DOCUMENT)}
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            tests = {c.left.id: str(c.comparators[0].value) for c in node.values
                     if isinstance(c, ast.Compare) and isinstance(c.left, ast.Name)
                     and isinstance(c.comparators[0], ast.Constant)}
            if {"name", "method"} <= set(tests):
                routes.add((tests["method"], f"/__connmock/{tests['name']}"))
    routes |= {(method, f"/__connmock/{path}") for method, path in (*ROUTES, *WEBHOOK_ROUTES)}
    routes.add(("GET", "/__connmock/"))  # the journal page
    return routes


def documented_routes() -> set[tuple[str, str]]:
    return {(op.method, op.path) for op in build_operations(loaded()).values()}


def test_the_document_passes_the_spec_lint_and_is_no_vendor() -> None:
    assert lint_document("admin", loaded()) == []
    assert "admin" not in VENDORS
    with pytest.raises(KeyError):
        load_spec("admin")
    assert not [path for path in load_merged().document["paths"] if path.startswith("/__connmock")]


def test_the_document_lists_every_admin_route_the_code_serves() -> None:
    served = served_routes()
    assert len(served) >= 9  # the code reading found the routes (tenants, requests, reset, health, scenarios…)
    assert documented_routes() == served


def test_it_is_served_without_the_admin_token_and_offered_in_swagger_ui(api: ApiClient) -> None:
    served = api.get(ADMIN_DOCUMENT)
    assert served.status_code == 200 and served.json() == admin_document()
    assert served.json()["servers"] == [{"url": "/", "description": "this connmock"}]
    assert api.get("/__connmock/scenarios").status_code == 401  # the rest still needs it
    urls = api.get("/ui/swagger-ui-config.json").json()["urls"]
    assert {"url": ADMIN_DOCUMENT, "name": "connmock admin"} in urls
    assert [u["name"] for u in urls][1:5] == list(VENDORS)


ARM = {"kind": "delay", "vendor": "nango", "operation": "listConnections", "delay_ms": 5}


def call(api: ApiClient, method: str, path: str) -> Any:
    body = ARM if path.endswith("/scenarios") and method == "POST" else {}
    concrete = path.replace("{id}", "scn_1").replace("{tenant}", "acme").replace("{vendor}", "nango")
    return api.request(method, concrete, headers={**TOKEN, "Accept": "application/json"},
                       json=body if method in ("POST", "PUT") else None)


@pytest.mark.parametrize(("method", "path"), sorted(documented_routes()), ids=lambda v: str(v))
def test_each_documented_operation_answers_a_documented_status_and_shape(api: ApiClient, method: str,
                                                                         path: str) -> None:
    operation = next(op for op in build_operations(loaded()).values() if (op.method, op.path) == (method, path))
    response = call(api, method, path)
    assert str(response.status_code) in operation.responses, response.text
    schema = operation.response_schema(response.status_code)
    assert schema is not None and SchemaValidator(schema).errors(response.json()) == []


def test_a_single_vendor_mock_offers_its_spec_and_the_admin_document() -> None:
    with in_process(Settings(vendors=("nango",), single_vendor_at_root=True)) as client:
        urls = client.get("/ui/swagger-ui-config.json").json()["urls"]
        assert urls == [{"url": "/openapi.json", "name": "nango"}, {"url": ADMIN_DOCUMENT, "name": "connmock admin"}]
        assert all(client.get(u["url"]).status_code == 200 for u in urls)
