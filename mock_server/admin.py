"""connmock's own endpoints: the index, per-vendor specs, tenants, the journal, reset, and the hosted pages."""

from __future__ import annotations

import hmac
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from mock_server.endpoints.scenarios import ScenarioEndpoints, is_scenarios_path
from mock_server.endpoints.webhooks import WebhookAdmin
from mock_server.journal_page import JournalPage
from mock_server.pages import PAGES_PREFIX, Pages
from mock_server.parsing import is_json_media
from mock_server.scenarios.document import ADMIN_DOCUMENT, admin_document
from mock_server.store import StoreUnavailable
from mock_server.vendors.base import Reply, VendorAdapter, retry_later
from mock_server.vendors.nango.adapter import NangoAdapter
from mock_server.world import World
from speclib import load_merged

__all__ = ["ADMIN_PREFIX", "Admin"]

ADMIN_PREFIX = "/__connmock/"
ADMIN_TOKEN_HEADER = "x-connmock-admin-token"


SAFE_METHODS = ("GET", "HEAD")


def preflighted(scope: Scope) -> bool:
    """Whether a browser would have asked before sending this cross-origin (a JSON body or a custom header): the
    admin endpoints answer no CORS preflight, so another site's page can never send such a request. A form post
    or a `text/plain` fetch, which browsers send cross-site unasked, is refused for what changes state."""
    headers = Headers(scope=scope)
    return is_json_media(headers.get("content-type", "")) or ADMIN_TOKEN_HEADER in headers


def origin_of(scope: Scope, world: World) -> str:
    if world.settings.public_url:
        return world.settings.public_url.rstrip("/")
    host = Headers(scope=scope).get("host", "localhost")
    return f"{scope.get('scheme', 'http')}://{host}"


class Admin:
    def __init__(self, world: World, adapters: dict[str, VendorAdapter], mounts: dict[str, str]) -> None:
        self.world = world
        self.adapters = adapters
        self.mounts = mounts
        self.vendor_specs = {v: f"{mount}/openapi.json" for v, mount in mounts.items() if mount}
        self.merged = len(self.vendor_specs) == len(mounts) > 1  # every vendor under its own mount
        self.pages = Pages(world, adapters)
        self.scenarios = ScenarioEndpoints(world)
        nango = adapters.get("nango")
        self.webhooks = WebhookAdmin(world, nango.connections if isinstance(nango, NangoAdapter) else None)
        self.page = JournalPage(world)

    async def handle(self, path: str, scope: Scope, receive: Receive) -> Reply | None:
        """connmock's own answer to a request for `path` (below the app's root path), or None when the path is
        not one of connmock's own."""
        method = scope["method"]
        if path.startswith(PAGES_PREFIX):  # opened in the user's browser: the link's own token authorizes it
            return await self.pages.handle(path, method, scope, receive)
        if path == ADMIN_DOCUMENT and method in SAFE_METHODS:  # no secrets in it: Swagger UI loads it tokenless
            return Reply(200, admin_document())
        if path.startswith(ADMIN_PREFIX):
            if not self.authorized(scope):
                return Reply(401, {"error": "admin endpoints need the X-Connmock-Admin-Token header"})
            if method not in SAFE_METHODS and not preflighted(scope):
                return Reply(403, {"error": f"{method} {path} needs Content-Type: application/json or the "
                                            "X-Connmock-Admin-Token header (a request another site's page "
                                            "cannot send without the browser asking this server first)"})
            try:
                name = path[len(ADMIN_PREFIX):].rstrip("/")
                if is_scenarios_path(name):
                    return await self.scenarios.handle(name, method, receive)
                return (await self.page.handle(name, method, scope) or await self.webhooks.handle(name, method, receive)
                        or await self.admin(name, method, scope))
            except StoreUnavailable as error:
                return retry_later(Reply(503, {"status": "unavailable", "error": str(error)}))
        if path == ADMIN_PREFIX.rstrip("/") and method in SAFE_METHODS:  # the journal page, typed without its slash
            return Reply(308, None, headers={"location": ADMIN_PREFIX})
        if path == "/" and method in ("GET", "HEAD"):
            return Reply(200, self.index(origin_of(scope, self.world)))
        if path == "/openapi.json" and method == "GET" and self.merged:
            return Reply(200, self.merged_document())
        for vendor, spec_url in self.vendor_specs.items():
            if path == spec_url and method == "GET":
                return Reply(200, self.vendor_document(vendor))
        return None

    def authorized(self, scope: Scope) -> bool:
        token = self.world.settings.admin_token
        if not token:
            return True
        given = Headers(scope=scope).get(ADMIN_TOKEN_HEADER, "")
        return hmac.compare_digest(given.encode(), token.encode())

    async def admin(self, name: str, method: str, scope: Scope) -> Reply:
        if name == "tenants" and method == "GET":
            return Reply(200, self.tenants(origin_of(scope, self.world)))
        if name == "requests" and method == "GET":
            return Reply(200, {"requests": [e.as_dict() for e in self.world.journal.entries()]})
        if name == "reset" and method == "POST":
            await self.world.store.clear()
            self.world.journal.clear()
            self.world.scenarios.clear()
            return Reply(200, {"reset": True})
        if name == "health" and method == "GET":
            return Reply(200, {"status": "ok", "records": await self.world.store.size()})
        return Reply(404, {"error": f"no admin endpoint {method} /__connmock/{name}"})

    def index(self, origin: str) -> dict[str, Any]:
        return {
            "name": "connmock",
            "vendors": [
                {"vendor": v, "base_url": origin + self.mounts[v], "spec": f"{origin}{self.mounts[v]}/openapi.json",
                 "operations": sorted(self.world.specs[v].spec.operations)}
                for v in self.adapters
            ],
            "swagger_ui": origin + "/ui/",
            "tenants": origin + "/__connmock/tenants",
            "journal": origin + "/__connmock/requests",
            "journal_page": origin + "/__connmock/",
            "webhooks": origin + "/__connmock/webhooks",
        }

    def tenants(self, origin: str) -> dict[str, Any]:
        out = []
        for tenant in self.world.seed.tenants:
            entry: dict[str, Any] = {"id": tenant.id, "name": tenant.name, "vendors": {}}
            for vendor, adapter in self.adapters.items():
                entry["vendors"][vendor] = {"base_url": origin + self.mounts[vendor], **adapter.describe_tenant(tenant)}
            out.append(entry)
        return {"tenants": out}

    def merged_document(self) -> dict[str, Any]:
        """The merged document with its own `servers` (`/`: each path carries its vendor's mount), which
        Connexion would replace by its empty base path, leaving Swagger UI an empty Servers list."""
        document = dict(load_merged().document)
        document["servers"] = [{"url": "/", "description": "this connmock"}]
        return document

    def vendor_document(self, vendor: str) -> dict[str, Any]:
        document = dict(self.world.specs[vendor].spec.document)
        document["servers"] = [{"url": self.mounts[vendor] or "/"}]
        return document

