"""The hosted browser pages: each vendor's consent or connect page at `/__connmock/pages/<vendor>/<page>`.

GET shows a page, POST submits its form. Pages carry their own capability (a session token, a customer
token, a request or connection id from a link the API handed out), so they need no admin token. One module
per vendor, each keeping its flow logic (calls into the vendor's service) apart from its HTML (`render`).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from mock_server.pages.base import PageRequest, VendorPages
from mock_server.pages.nango import NangoPages
from mock_server.pages.openint import OpenIntPages
from mock_server.pages.render import error_page
from mock_server.pages.vercel import VercelPages
from mock_server.pages.xpander import XpanderPages
from mock_server.store import StoreFull
from mock_server.vendors.base import Reply, VendorAdapter
from mock_server.vendors.nango.adapter import NangoAdapter
from mock_server.vendors.openint.adapter import OpenIntAdapter
from mock_server.vendors.vercel.adapter import VercelAdapter
from mock_server.vendors.xpander.adapter import XpanderAdapter
from mock_server.world import World

PAGES_PREFIX = "/__connmock/pages/"
FORM = "application/x-www-form-urlencoded"


def build_pages(world: World, adapters: dict[str, VendorAdapter]) -> dict[str, VendorPages]:
    """The pages of every mounted vendor, each built on its adapter's service objects."""
    makers: dict[str, Callable[[VendorAdapter], VendorPages | None]] = {
        "xpander": lambda a: XpanderPages(world, a.service) if isinstance(a, XpanderAdapter) else None,
        "openint": lambda a: OpenIntPages(world, a.service) if isinstance(a, OpenIntAdapter) else None,
        "vercel": lambda a: VercelPages(world, a.connectors, a.flows) if isinstance(a, VercelAdapter) else None,
        "nango": lambda a: NangoPages(world, a.sessions) if isinstance(a, NangoAdapter) else None,
    }
    built = {vendor: makers[vendor](adapter) for vendor, adapter in adapters.items() if vendor in makers}
    return {vendor: pages for vendor, pages in built.items() if pages is not None}


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None when it is over `limit` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def first_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        values.setdefault(key, value)
    return values


class Pages:
    def __init__(self, world: World, adapters: dict[str, VendorAdapter]) -> None:
        self.world = world
        self.vendors = build_pages(world, adapters)

    async def handle(self, path: str, method: str, scope: Scope, receive: Receive) -> Reply:
        vendor, _, rest = path[len(PAGES_PREFIX):].partition("/")
        pages = self.vendors.get(vendor)
        if pages is None:
            return error_page("connmock", "Page not found", f"No hosted pages for {vendor!r}.", 404)
        segments = tuple(unquote(s) for s in rest.strip("/").split("/") if s)
        query = first_values(scope.get("query_string", b"").decode("latin-1"))
        if method in ("GET", "HEAD"):
            return await pages.show(PageRequest(segments, query))
        if method != "POST":
            reply = error_page(vendor, "Method not allowed", "Pages answer GET and POST only.", 405)
            reply.headers["allow"] = "GET, HEAD, POST"
            return reply
        if Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower() != FORM:
            return error_page(vendor, "Unsupported form", "Submit the page's own form.", 415)
        body = await read_body(receive, self.world.settings.max_body_bytes)
        if body is None:
            return error_page(vendor, "Form too large", "The submitted form is too large.", 413)
        try:
            return await pages.submit(PageRequest(segments, query, first_values(body.decode("utf-8", "replace"))))
        except StoreFull:
            return error_page(vendor, "Mock is full", "The mock holds as many records as it may; reset it.", 507)
