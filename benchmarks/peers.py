"""The mocks a user would pick instead of connmock, set up to serve the same create and get.

- Prism (`prism mock openapi/nango.yaml`): routes from the spec, request validation, static examples, no state.
- WireMock and Mockoon: static stubs written here, a `POST /connections` answered 201 and a
  `GET /connections/{id}` answered 200 with connmock's own recorded answers (the bytes the baseline sends too).
  They match the method and path only: no validation, no authentication, no state. Their figures are an upper
  bound of what a static stub costs, not a like-for-like mock.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks import tools
from benchmarks.processes import ROOT, Server

__all__ = ["STATIC", "mockoon", "mockoon_environment", "prism", "wiremock", "wiremock_mappings"]

SPEC = ROOT / "openapi" / "nango.yaml"
STATIC = "static stubs: no validation, no auth, no state"
JOURNAL = 500  # WireMock's request journal kept as long as connmock's (`--journal-size` default)


def prism(get_path: str) -> Server:
    command = [str(tools.node_modules() / ".bin" / "prism"), "mock", str(SPEC), "--host", "127.0.0.1",
               "--port", "{port}"]
    return Server("prism", "Prism", command, serves="validates requests; static examples, no state",
                  ready_path=get_path, cwd=tools.HERE, jit=True)


def wiremock_mappings(replies: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """WireMock's stub mappings (file name: mapping) for the create and the get."""
    json_type = {"Content-Type": "application/json"}
    return {
        "create.json": {"request": {"method": "POST", "urlPath": "/connections"},
                        "response": {"status": 201, "headers": json_type, "jsonBody": replies["create"]}},
        "get.json": {"request": {"method": "GET", "urlPathPattern": "/connections/[^/]+"},
                     "response": {"status": 200, "headers": json_type, "jsonBody": replies["get"]}},
    }


def wiremock(replies: dict[str, Any], scratch: Path, get_path: str) -> Server:
    root = scratch / "wiremock"
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    for name, mapping in wiremock_mappings(replies).items():
        (root / "mappings" / name).write_text(json.dumps(mapping))
    command = [tools.java(), "-jar", str(tools.wiremock_jar()), "--bind-address", "127.0.0.1", "--port", "{port}",
               "--root-dir", str(root), "--disable-banner", "--max-request-journal-entries", str(JOURNAL)]
    return Server("wiremock", "WireMock", command, serves=STATIC, ready_path=get_path, jit=True)


def mockoon_route(uuid: str, method: str, endpoint: str, status: int, body: Any) -> dict[str, Any]:
    response = {"uuid": f"{uuid}-answer", "statusCode": status, "body": json.dumps(body), "default": True,
                "disableTemplating": True, "headers": [{"key": "Content-Type", "value": "application/json"}]}
    return {"uuid": uuid, "type": "http", "method": method, "endpoint": endpoint, "responses": [response]}


def mockoon_environment(replies: dict[str, Any]) -> dict[str, Any]:
    """A Mockoon data file with the two routes (the CLI fills in every field left out, `--repair`)."""
    routes = [mockoon_route("create", "post", "connections", 201, replies["create"]),
              mockoon_route("get", "get", "connections/:id", 200, replies["get"])]
    return {"uuid": "connmock-bench", "name": "connmock-bench", "port": 3000, "hostname": "127.0.0.1",
            "endpointPrefix": "", "routes": routes,
            "rootChildren": [{"type": "route", "uuid": route["uuid"]} for route in routes]}


def mockoon(replies: dict[str, Any], scratch: Path, get_path: str) -> Server:
    data = scratch / "mockoon.json"
    data.write_text(json.dumps(mockoon_environment(replies)))
    command = [str(tools.node_modules() / ".bin" / "mockoon-cli"), "start", "--data", str(data), "--port", "{port}",
               "--hostname", "127.0.0.1", "--repair", "--disable-log-to-file", "--disable-admin-api"]
    return Server("mockoon", "Mockoon", command, serves=STATIC, ready_path=get_path, cwd=tools.HERE, jit=True)
