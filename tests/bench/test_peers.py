"""The static stubs WireMock and Mockoon are given (benchmarks/peers.py): the two routes, connmock's answers."""

from __future__ import annotations

import re
from typing import Any

from benchmarks.peers import mockoon_environment, wiremock_mappings

REPLIES: dict[str, Any] = {"create": {"connection_id": "bench-get", "provider": "github"},
                           "get": {"id": 1, "connection_id": "bench-get", "credentials": {"type": "OAUTH2"}}}


def test_wiremock_answers_the_create_with_201_and_the_get_with_200() -> None:
    mappings = wiremock_mappings(REPLIES)
    create, get = mappings["create.json"], mappings["get.json"]
    assert create["request"] == {"method": "POST", "urlPath": "/connections"}
    assert (create["response"]["status"], create["response"]["jsonBody"]) == (201, REPLIES["create"])
    assert get["request"]["method"] == "GET"
    assert (get["response"]["status"], get["response"]["jsonBody"]) == (200, REPLIES["get"])


def test_wiremocks_get_matches_one_connection_and_not_the_list() -> None:
    pattern = wiremock_mappings(REPLIES)["get.json"]["request"]["urlPathPattern"]
    assert re.fullmatch(pattern, "/connections/bench-get")
    assert not re.fullmatch(pattern, "/connections")
    assert not re.fullmatch(pattern, "/connections/a/b")


def test_mockoon_serves_the_two_routes_with_connmocks_bytes_untemplated() -> None:
    import json

    environment = mockoon_environment(REPLIES)
    routes = {(route["method"], route["endpoint"]): route["responses"] for route in environment["routes"]}
    assert set(routes) == {("post", "connections"), ("get", "connections/:id")}
    for (method, _), (answer,) in routes.items():
        expected = (201, REPLIES["create"]) if method == "post" else (200, REPLIES["get"])
        assert (answer["statusCode"], json.loads(answer["body"])) == expected
        assert answer["disableTemplating"] and answer["default"]
    assert [child["uuid"] for child in environment["rootChildren"]] == [r["uuid"] for r in environment["routes"]]
