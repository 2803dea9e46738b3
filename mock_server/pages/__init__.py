"""The hosted browser pages: each vendor's consent or connect page at `/__connmock/pages/<vendor>/<page>`.

GET shows a page, POST submits its form. Pages carry their own capability (a session token, a customer
token, a request or connection id from a link the API handed out), so they need no admin token. A POST is
taken only from the page itself (`csrf`: its origin and its form token), and no page may be framed but the
one a vendor's SDK frames. One module per vendor, each keeping its flow logic (calls into the vendor's
service) apart from its HTML (`render`).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from mock_server.pages.base import PageRequest, VendorPages
from mock_server.pages.consent import decided
from mock_server.pages.csrf import FIELD, FormTokens, cross_site, form_key
from mock_server.pages.nango import NangoPages
from mock_server.pages.openint import OpenIntPages
from mock_server.pages.render import error_page, framable, with_form_fields
from mock_server.pages.vercel import VercelPages
from mock_server.pages.xpander import XpanderPages
from mock_server.store import StoreFull, StoreUnavailable
from mock_server.vendors.base import Reply, VendorAdapter, retry_later
from mock_server.vendors.nango.adapter import NangoAdapter
from mock_server.vendors.openint.adapter import OpenIntAdapter
from mock_server.vendors.vercel.adapter import VercelAdapter
from mock_server.vendors.xpander.adapter import XpanderAdapter
from mock_server.world import World

__all__ = ["PAGES_PREFIX", "Pages", "build_pages", "read_body"]

PAGES_PREFIX = "/__connmock/pages/"
FORM = "application/x-www-form-urlencoded"
# Pages a vendor's own SDK puts in an iframe on the app's site, which therefore may be framed: Nango's Connect
# UI (`@nangohq/frontend`'s `openConnectUI`). Every other page refuses any frame.
FRAMED: dict[str, frozenset[tuple[str, ...]]] = {"nango": frozenset({("connect",)})}


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
        self.forms = FormTokens(form_key(world.seed))

    async def handle(self, path: str, method: str, scope: Scope, receive: Receive) -> Reply:
        """The page or the form's outcome, its forms carrying the link's form token, framable only where a
        vendor's SDK frames it."""
        vendor, _, rest = path[len(PAGES_PREFIX):].partition("/")
        segments = tuple(unquote(s) for s in rest.strip("/").split("/") if s)
        query_string = scope.get("query_string", b"").decode("latin-1")
        link = f"{path}?{query_string}"
        try:
            request = PageRequest(segments, first_values(query_string))
            reply = (await self.decided(vendor, request, path, query_string) if method == "GET" else None
                     ) or await self.answer(vendor, request, method, scope, receive, link)
        except StoreUnavailable:
            reply = retry_later(error_page(vendor, "Mock unavailable", "The mock's store does not answer; retry "
                                                     "shortly.", 503))
        reply = with_form_fields(reply, {FIELD: self.forms.issue(link)})
        return framable(reply) if segments in FRAMED.get(vendor, ()) else reply

    async def decided(self, vendor: str, request: PageRequest, path: str, query_string: str) -> Reply | None:
        """The flow's outcome when a consent scenario decides it (`mock_server/pages/consent.py`)."""
        pages = self.vendors.get(vendor)
        return None if pages is None else await decided(self.world, vendor, pages, request, path, query_string)

    async def answer(self, vendor: str, request: PageRequest, method: str, scope: Scope, receive: Receive,
                     link: str) -> Reply:
        pages = self.vendors.get(vendor)
        if pages is None:
            return error_page("connmock", "Page not found", f"No hosted pages for {vendor!r}.", 404)
        if method in ("GET", "HEAD"):
            return await pages.show(request)
        if method != "POST":
            reply = error_page(vendor, "Method not allowed", "Pages answer GET and POST only.", 405)
            reply.headers["allow"] = "GET, HEAD, POST"
            return reply
        return await self.submit(vendor, pages, request, scope, receive, link)

    async def submit(self, vendor: str, pages: VendorPages, request: PageRequest, scope: Scope, receive: Receive,
                     link: str) -> Reply:
        """A POSTed form, once it is shown to come from the page: its origin, its type, its size, its token."""
        headers = Headers(scope=scope)
        refused = cross_site(headers, self.world.settings.public_url)
        if refused is not None:
            return not_from_the_page(vendor, refused)
        if headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
            return error_page(vendor, "Unsupported form", "Submit the page's own form.", 415)
        body = await read_body(receive, self.world.settings.max_body_bytes)
        if body is None:
            return error_page(vendor, "Form too large", "The submitted form is too large.", 413)
        form = first_values(body.decode("utf-8", "replace"))
        if not self.forms.valid(link, form.pop(FIELD, "")):
            return not_from_the_page(vendor, "it does not carry this page's form token")
        try:
            return await pages.submit(PageRequest(request.page, request.query, form))
        except StoreFull:
            return error_page(vendor, "Mock is full", "The mock holds as many records as it may; reset it.", 507)


def not_from_the_page(vendor: str, why: str) -> Reply:
    message = f"This form was not accepted: {why}. Open the link and use the page's own buttons."
    return error_page(vendor, "Not sent from this page", message, 403, "cross_site_form")
