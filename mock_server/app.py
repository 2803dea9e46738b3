"""The app factory: `create_app(settings)` builds a fresh world and the ASGI app serving it.

Layers, outermost first: dropping (`scenarios/dropping.py`) → CORS (for the vendor APIs; none on
`/__connmock/*`) → Connexion's app with its middlewares: the router (`router.py`: admin, pages, the WebSocket,
and every operation through the gate) → Starlette's error middleware → the vendor-shaped exception middleware →
Connexion's Swagger UI → Connexion's lifespan → `Unrouted` (the vendor's 404/405). ARCHITECTURE.md says why.
"""

from __future__ import annotations

import functools
import json
import os
import typing
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

# Connexion imports Starlette's TestClient at import time, which warns about httpx; nothing here uses it.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

from connexion import AsyncApp
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.admin import ADMIN_PREFIX, Admin
from mock_server.gate import Gate
from mock_server.heap import settle_heap
from mock_server.plans import build_plans
from mock_server.recording import Recorder
from mock_server.router import Router, Unrouted, UnroutedErrors
from mock_server.routing import RoutingTable, route_path
from mock_server.scenarios.document import ADMIN_DOCUMENT
from mock_server.scenarios.dropping import Dropping
from mock_server.settings import Settings
from mock_server.store import Store, persisting
from mock_server.vendors import build_adapter
from mock_server.vendors.nango.adapter import NangoAdapter
from mock_server.world import Clock, World, build_world
from speclib import spec_path

__all__ = ["app_from_environment", "create_app", "settings_from_environment", "settings_to_environment"]

EXPOSED_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Allow", "Retry-After",
                   "Preference-Applied"]


def unreachable(**_: Any) -> None:
    """Connexion wants a function per operation; the router sends every operation to the gate, so this never
    runs."""
    raise RuntimeError("operations are served by the gate")


def lifespan_of(world: World) -> typing.Callable[[Any], typing.AsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        async with persisting(world.store):  # with --state-file: autosave while serving, save on shutdown
            try:
                yield
            finally:
                await world.webhooks.deliveries.aclose()  # webhooks under way get a moment, then stop

    return lifespan


def create_app(settings: Settings | None = None, *, store: Store | None = None, clock: Clock | None = None
               ) -> ASGIApp:
    """Build a fresh mock: its own store and journal, nothing shared with any other app."""
    settings = settings or Settings()
    world = build_world(settings, store=store, clock=clock)
    adapters = {vendor: build_adapter(vendor, world) for vendor in settings.vendors}
    merged = not settings.single_vendor_at_root
    mounts = {vendor: settings.mount(vendor) for vendor in settings.vendors}
    table = RoutingTable(build_plans(world, adapters), mounts)
    recorder = Recorder(world)
    nango = adapters.get("nango")
    router = functools.partial(Router, table=table, gate=Gate(world, mounts, recorder),
                               admin=Admin(world, adapters, mounts),
                               websocket=nango.sessions.sockets if isinstance(nango, NangoAdapter) else None)
    spec_name = "merged" if merged else settings.vendors[0]
    urls = [{"url": f"{mounts[v]}/openapi.json", "name": v} for v in settings.vendors]
    if merged:
        urls.insert(0, {"url": "/openapi.json", "name": "all vendors (merged)"})
    urls.append({"url": ADMIN_DOCUMENT, "name": "connmock admin"})
    connexion_app = AsyncApp(
        __name__,
        lifespan=lifespan_of(world),
        middlewares=[router, ServerErrorMiddleware,
                     functools.partial(UnroutedErrors, adapters=adapters, recorder=recorder),
                     SwaggerUIMiddleware, LifespanMiddleware,
                     functools.partial(Unrouted, adapters=adapters, recorder=recorder)],
        resolver=Resolver(function_resolver=lambda _operation_id: unreachable),
        swagger_ui_options=SwaggerUIOptions(swagger_ui_config={"urls": urls}),
    )
    connexion_app.add_api(spec_path(spec_name), base_path="")
    app: ASGIApp = connexion_app
    if settings.cors:
        app = CorsForTheApis(CORSMiddleware(app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                                            expose_headers=EXPOSED_HEADERS, allow_credentials=False,
                                            max_age=600), app)
    return Dropping(app)


class CorsForTheApis:
    """CORS for the vendor APIs, none for `/__connmock/*`: another site's page must not read the tenants' keys or
    the journal, nor get a preflight through for a state-changing admin call (the hosted pages under it are
    navigated to, never fetched)."""

    def __init__(self, with_cors: ASGIApp, without: ASGIApp) -> None:
        self.with_cors = with_cors
        self.without = without

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and route_path(scope).startswith(ADMIN_PREFIX):
            await self.without(scope, receive, send)
        else:
            await self.with_cors(scope, receive, send)


SETTINGS_ENV = "CONNMOCK_SETTINGS"  # the Settings as JSON, for the workers of `connmock serve --workers N`


def settings_to_environment(settings: Settings) -> str:
    """What `app_from_environment` reads back: every field, paths as text, tuples as lists."""
    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Path) else list(value) if isinstance(value, tuple) else value

    return json.dumps({f.name: plain(getattr(settings, f.name)) for f in fields(settings)})


def settings_from_environment(text: str) -> Settings:
    hints = typing.get_type_hints(Settings)
    values: dict[str, Any] = json.loads(text)
    for name, value in values.items():
        hint = hints[name]  # a KeyError names a field this version does not have
        if value is not None and (hint is Path or Path in typing.get_args(hint)):
            values[name] = Path(value)
        elif typing.get_origin(hint) is tuple:
            values[name] = tuple(value)
    return Settings(**values)


def app_from_environment() -> ASGIApp:
    """The app factory of `connmock serve --workers N` (uvicorn `mock_server.app:app_from_environment`,
    `factory=True`): uvicorn starts several workers only from an import string, so the settings come as JSON
    in `CONNMOCK_SETTINGS`. Each worker builds its own app; they share state only through the Redis store."""
    text = os.environ.get(SETTINGS_ENV)
    if text is None:
        raise RuntimeError(f"{SETTINGS_ENV} is not set: start the workers with `connmock serve --workers N`")
    app = create_app(settings_from_environment(text))
    settle_heap()  # a worker serves until it stops: its start-up objects stay out of the collector's walks
    return app
