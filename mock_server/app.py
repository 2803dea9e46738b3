"""The app factory: `create_app(settings)` builds a fresh world and the ASGI app serving it.

Layers, outermost first: CORS (for the vendor APIs; none on `/__connmock/*`) → the dispatcher (admin endpoints,
index, per-vendor specs) → Connexion (Swagger UI, spec-driven routing) → the gate (auth, validation, handlers,
vendor errors).
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
from urllib.parse import unquote

# Connexion imports Starlette's TestClient at import time, which warns about httpx; nothing here uses it.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

from connexion import AsyncApp
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.admin import ADMIN_PREFIX, Admin
from mock_server.fallback import Fallback, VendorExceptionMiddleware, compile_routes
from mock_server.gate import Gate, OperationPlan, send_reply
from mock_server.scenarios.document import ADMIN_DOCUMENT
from mock_server.scenarios.dropping import Dropping
from mock_server.settings import Settings
from mock_server.store import Store, persisting
from mock_server.vendors import build_adapter
from mock_server.vendors.base import VendorAdapter
from mock_server.vendors.nango.adapter import NangoAdapter
from mock_server.world import Clock, World, build_world
from speclib import SchemaValidator, spec_path

EXPOSED_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Allow", "Retry-After",
                   "Preference-Applied"]


def unreachable(**_: Any) -> None:
    """Connexion wants a function per operation; the gate answers first, so this never runs."""
    raise RuntimeError("operations are served by the gate")


def build_plans(world: World, adapters: dict[str, VendorAdapter], merged: bool) -> dict[str, OperationPlan]:
    """One plan per operation; a spec operation without a handler is a startup error."""
    plans: dict[str, OperationPlan] = {}
    for vendor, adapter in adapters.items():
        spec = world.specs[vendor].spec
        handlers = adapter.handlers()
        missing = sorted(set(spec.operations) - set(handlers))
        if missing:
            raise RuntimeError(f"{vendor}: operations without a handler: {', '.join(missing)}")
        for operation_id, operation in spec.operations.items():
            schema = operation.body_schema()
            key = f"{vendor}.{operation_id}" if merged else operation_id
            plans[key] = OperationPlan(
                vendor=vendor,
                operation=operation,
                adapter=adapter,
                handler=handlers[operation_id],
                body_validator=SchemaValidator(schema) if schema is not None else None,
                body_required=bool(operation.request_body and operation.request_body.get("required")),
                rules=world.rules(vendor, operation_id),
            )
    return plans


# Kept escaped inside a segment: `/` would split it, and the router never matches a line break.
REESCAPED = str.maketrans({"%": "%25", "/": "%2F", "\n": "%0A", "\r": "%0D"})


def reescape(segment: str) -> str:
    return segment.translate(REESCAPED)


def keep_encoded_slashes(scope: Scope) -> Scope:
    """Rebuild `path` from `raw_path` so that `%2F` stays inside one segment (Vercel's `slack%2Fmy-bot`).

    Every segment is decoded and then re-escapes what `REESCAPED` names; the gate unquotes path parameters.
    """
    raw = scope.get("raw_path")
    if not raw or b"%" not in raw:
        return scope
    segments = raw.decode("latin-1").split("?", 1)[0].split("/")
    path = "/".join(reescape(unquote(s)) for s in segments)
    return {**scope, "path": path}


class Dispatcher:
    """Routes connmock's own endpoints, and everything else to Connexion; a WebSocket at `/` is Nango's
    browser-SDK auth socket (`@nangohq/frontend` opens it at the root of its host's origin)."""

    def __init__(self, api: ASGIApp, admin: Admin, websocket: ASGIApp | None = None) -> None:
        self.api = api
        self.admin = admin
        self.websocket = websocket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reply = await self.admin.handle(scope, receive)
            if reply is not None:
                await send_reply(reply, send, {})
                return
            scope = keep_encoded_slashes(scope)
        elif scope["type"] == "websocket":
            if self.websocket is not None and scope["path"] == "/":
                await self.websocket(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1000})
            return
        await self.api(scope, receive, send)


def create_app(settings: Settings | None = None, *, store: Store | None = None, clock: Clock | None = None
               ) -> ASGIApp:
    """Build a fresh mock: its own store and journal, nothing shared with any other app."""
    settings = settings or Settings()
    world = build_world(settings, store=store, clock=clock)
    adapters = {vendor: build_adapter(vendor, world) for vendor in settings.vendors}
    merged = not settings.single_vendor_at_root
    mounts = {vendor: settings.mount(vendor) for vendor in settings.vendors}
    plans = build_plans(world, adapters, merged)
    fallback = Fallback(adapters, {v: compile_routes(world.specs[v].spec, mounts[v]) for v in adapters}, mounts,
                        world)
    gate = functools.partial(Gate, world=world, plans=plans, mounts=mounts, fallback=fallback)
    spec_name = "merged" if merged else settings.vendors[0]
    urls = [{"url": f"{mounts[v]}/openapi.json", "name": v} for v in settings.vendors]
    if merged:
        urls.insert(0, {"url": "/openapi.json", "name": "all vendors (merged)"})
    urls.append({"url": ADMIN_DOCUMENT, "name": "connmock admin"})

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        async with persisting(world.store):  # with --state-file: autosave while serving, save on shutdown
            try:
                yield
            finally:
                await world.webhooks.deliveries.aclose()  # webhooks under way get a moment, then stop

    connexion_app = AsyncApp(
        __name__,
        lifespan=lifespan,
        middlewares=[functools.partial(gate, front=True),  # API operations: routed by the gate, skip the rest
                     ServerErrorMiddleware, functools.partial(VendorExceptionMiddleware, fallback=fallback),
                     SwaggerUIMiddleware, RoutingMiddleware,
                     LifespanMiddleware, gate],
        resolver=Resolver(function_resolver=lambda _operation_id: unreachable),
        swagger_ui_options=SwaggerUIOptions(swagger_ui_config={"urls": urls}),
    )
    connexion_app.add_api(spec_path(spec_name), base_path="")
    admin = Admin(world, adapters, mounts)
    nango = adapters.get("nango")
    app: ASGIApp = Dispatcher(connexion_app, admin, nango.sessions.sockets if isinstance(nango, NangoAdapter) else None)
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
        if scope["type"] == "http" and scope["path"].startswith(ADMIN_PREFIX):
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
    return create_app(settings_from_environment(text))
