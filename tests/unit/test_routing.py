"""The routing table compiled from the specs: which operation a request runs, or why none does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.plans import build_plans
from mock_server.routing import Found, Miss, RoutingTable, keep_encoded_slashes, route_path
from mock_server.settings import Settings
from mock_server.vendors import build_adapter
from mock_server.world import build_world


def table_for(settings: Settings) -> RoutingTable:
    world = build_world(settings)
    adapters = {vendor: build_adapter(vendor, world) for vendor in settings.vendors}
    return RoutingTable(build_plans(world, adapters), {v: settings.mount(v) for v in settings.vendors})


@pytest.fixture(scope="module")
def merged() -> Iterator[RoutingTable]:
    yield table_for(Settings(vendors=("nango", "vercel")))


def operation(found: Found | Miss) -> tuple[str, dict[str, object]]:
    assert isinstance(found, Found), found
    return found.plan.operation_id, found.path_params


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/nango/connections", ("listConnections", {})),
    ("HEAD", "/nango/connections", ("listConnections", {})),  # GET answers HEAD, as Starlette's routes
    ("PATCH", "/nango/connections/metadata", ("updateConnectionMetadata", {})),  # the literal path, declared first
    ("GET", "/nango/connections/metadata", ("getConnection", {"connectionId": "metadata"})),  # no GET on it
    ("GET", "/vercel/v1/connect/connectors/slack%2Fmy-bot", ("getConnector", {"connector": "slack%2Fmy-bot"})),
], ids=["list", "head", "literal", "template-behind-literal", "escaped-slash"])
def test_a_request_runs_the_operation_connexion_would_pick(merged: RoutingTable, method: str, path: str,
                                                           expected: tuple[str, dict[str, object]]) -> None:
    assert operation(merged.match(method, path)) == expected


@pytest.mark.parametrize(("method", "path", "miss"), [
    ("PUT", "/nango/connections", Miss("nango", ("GET", "POST"))),
    ("PUT", "/nango/connections/metadata", Miss("nango", ("PATCH", "POST"))),  # the literal route's methods only
    ("GET", "/nango/integrations/github", Miss("nango")),
    ("GET", "/nango/connections/", Miss("nango", redirect="/nango/connections")),
    ("POST", "/vercel/v1/connect/connectors/", Miss("vercel", redirect="/vercel/v1/connect/connectors")),
    ("GET", "/openint/connections", Miss(None)),  # a vendor that is not mounted
    ("GET", "/", Miss(None)),
], ids=["405", "405-literal", "404", "slash-redirect", "slash-redirect-any-method", "unmounted", "root"])
def test_a_request_no_operation_takes_says_why(merged: RoutingTable, method: str, path: str, miss: Miss) -> None:
    assert merged.match(method, path) == miss


def test_a_vendor_at_the_root_owns_every_path() -> None:
    table = table_for(Settings(vendors=("nango",), single_vendor_at_root=True))
    assert operation(table.match("GET", "/connections")) == ("listConnections", {})
    assert table.match("GET", "/nothing") == Miss("nango")
    assert table.match("DELETE", "/integrations") == Miss("nango", ("GET",))


@pytest.mark.parametrize(("raw", "path"), [
    (b"/vercel/v1/connect/connectors/slack%2Fmy-bot", "/vercel/v1/connect/connectors/slack%2Fmy-bot"),
    (b"/nango/connections/a%0Ab?x=%2F", "/nango/connections/a%0Ab"),
    (b"/nango/connections/caf%C3%A9", "/nango/connections/café"),
], ids=["slash", "line-break", "utf-8"])
def test_escaped_slashes_and_line_breaks_stay_in_their_segment(raw: bytes, path: str) -> None:
    scope = {"type": "http", "path": raw.decode().split("?")[0], "raw_path": raw, "root_path": ""}
    assert keep_encoded_slashes(scope)["path"] == path


def test_routes_are_matched_below_the_root_path() -> None:
    assert route_path({"path": "/mock/nango/connections", "root_path": "/mock"}) == "/nango/connections"
    assert route_path({"path": "/mockery", "root_path": "/mock"}) == "/mockery"  # not below it
    assert route_path({"path": "/nango", "root_path": ""}) == "/nango"
    scope = {"path": "/mock/a%2Fb", "raw_path": b"/a%2Fb", "root_path": "/mock"}  # a server leaving it out
    assert keep_encoded_slashes(scope)["path"] == "/mock/a%2Fb"
