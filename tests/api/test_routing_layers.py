"""Every request is routed once: the admin endpoints and pages by their mount, operations by the table compiled
from the specs (straight to the gate), and only the rest through Connexion's Swagger UI to the vendor's 404/405."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from connexion.middleware.swagger_ui import SwaggerUIMiddleware

from fixtures import load_seed
from mock_server import Settings, create_app
from tests.support.api import ApiClient, in_process

NANGO = {"Authorization": f"Bearer {load_seed().tenant('acme').nango_secret_key}"}


@pytest.fixture
def swagger_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths that reached Connexion's Swagger UI middleware."""
    calls: list[str] = []
    original = SwaggerUIMiddleware.__call__

    async def counted(self: SwaggerUIMiddleware, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            calls.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(SwaggerUIMiddleware, "__call__", counted)
    return calls


@pytest.fixture
def api() -> Iterator[ApiClient]:
    with in_process(Settings(vendors=("nango", "vercel"))) as client:
        yield client


def test_operations_and_admin_never_reach_connexions_stack(api: ApiClient, swagger_calls: list[str]) -> None:
    assert api.get("/nango/connections", headers=NANGO).status_code == 200
    assert api.post("/nango/connections", headers=NANGO, json={}).status_code == 400
    assert api.get("/__connmock/health").status_code == 200
    assert swagger_calls == []
    assert api.get("/ui/").status_code == 200
    assert api.get("/nango/nothing", headers=NANGO).status_code == 404
    assert swagger_calls == ["/ui/", "/nango/nothing"]


def test_a_trailing_slash_is_redirected_to_the_operation(api: ApiClient) -> None:
    moved = api.get("/nango/connections/?limit=1", headers=NANGO)
    assert moved.status_code == 307 and moved.headers["location"] == "http://testserver/nango/connections?limit=1"
    assert api.get("/__connmock/requests").json()["requests"] == []  # a redirect is not an unserved call


def test_swagger_ui_paths_under_a_vendor_at_the_root_are_its_own_404() -> None:
    with in_process(Settings(vendors=("nango",), single_vendor_at_root=True)) as api:
        assert api.get("/ui/").status_code == 200 and api.get("/openapi.json").status_code == 200
        posted = api.post("/ui/", headers=NANGO)
        assert posted.status_code == 404 and posted.json()["error"]["code"] == "not_found"
        journal = api.get("/__connmock/requests").json()["requests"]
        assert [(e["vendor"], e["method"], e["path"], e["status"]) for e in journal] == [("nango", "POST", "/ui/", 404)]


def test_everything_works_below_a_root_path() -> None:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(Settings(vendors=("nango",))), root_path="/mock")
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return [await client.get("/mock/nango/connections", headers=NANGO),
                    await client.put("/mock/nango/connections", headers=NANGO),
                    await client.get("/mock/__connmock/health"),
                    await client.get("/mock/nango/openapi.json"),
                    await client.get("/mock/ui/")]

    listed, refused, health, spec, ui = asyncio.run(run())
    assert listed.json() == {"connections": []}
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, POST"
    assert refused.json()["error"]["code"] == "method_not_allowed"  # Nango's envelope, not Starlette's
    assert health.json()["status"] == "ok" and spec.json()["servers"] == [{"url": "/nango"}]
    assert ui.status_code == 200
